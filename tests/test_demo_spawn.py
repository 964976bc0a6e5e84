"""The demo world's worker processes start whatever ``__main__`` the parent has.

Regression: after a Streamlit ``AppTest`` had run in the same pytest process, ``__main__`` was the
page script; every spawned worker re-ran it, died with ``NameError: __args`` and the demo build
failed with ``BrokenProcessPool`` (70 errors in one CI run)."""

from __future__ import annotations

import sys
import types

from forecasting.demo.spawn import spawn_pool


def test_workers_start_although_main_is_a_script_that_cannot_run(tmp_path, monkeypatch):
    script = tmp_path / "page_script.py"
    script.write_text("raise SystemExit('a page script must never run in a worker')\n", encoding="utf-8")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)

    with spawn_pool(2) as pool:
        results = [pool.submit(pow, 2, k).result(timeout=None) for k in (3, 10)]

    assert results == [8, 1024]
    assert sys.modules["__main__"] is fake_main  # restored for the rest of the process
