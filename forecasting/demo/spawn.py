"""Worker processes for building the demo world on both cores.

The workers are started with the ``spawn`` method, which re-runs the parent's ``__main__`` file in
every child. Inside a Streamlit script run (the app, ``AppTest``) ``__main__`` is the page script,
which cannot run there (it died with ``NameError: __args`` and a ``BrokenProcessPool``), and in any
case the workers need nothing from it: their functions live in :mod:`forecasting.demo`. While the
pool starts its processes, ``__main__`` is therefore a blank module, so a child imports only what
the pickled tasks name.
"""

from __future__ import annotations

import multiprocessing
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["spawn_pool"]


@contextmanager
def spawn_pool(workers: int):
    """A ``spawn`` :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` processes whose
    children do not re-run the parent's ``__main__``; shut down (waiting) on exit."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to re-run
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool
    finally:
        if main is not None:
            sys.modules["__main__"] = main
