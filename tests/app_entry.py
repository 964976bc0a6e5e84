"""AppTest entry: runs the real ``app.py``.

Why a wrapper: Streamlit treats a script with a ``pages/`` folder beside it as a v1 multipage
app on a fresh runtime (AppTest resets that on every run), and would then run page files
without ``app.py``. This file's folder has no ``pages/``, so ``app.py`` always runs first, as
it does in the server (``server.py`` switches the v1 behaviour off).
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent.parent / "app.py"), run_name="__main__")
