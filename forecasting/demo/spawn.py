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
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["spawn_pool", "stop_workers", "inline_pool", "InlinePool", "warm_up"]


@contextmanager
def spawn_pool(workers: int):
    """A ``spawn`` :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` processes whose
    children do not re-run the parent's ``__main__``; shut down (waiting) on exit."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to re-run
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            yield pool
        except BaseException:  # an error, Ctrl-C or TERM: the build is thrown away, so are its workers' tasks
            stop_workers(pool)
            raise
        pool.shutdown(wait=True)
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Drop the tasks not yet started and end the running ones at once (a half-built world is thrown away,
    so nothing they would still write is wanted): an interrupted build stops in a moment instead of after
    its workers' current tasks (a warm-up, a half of the guidance history: seconds to tens of seconds)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    # Python 3.11-3.13 name no public way to the processes (and shutdown forgets them)
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


class InlinePool:
    """The pool's ``submit`` run at once in this process: for a small world, whose parallel work is
    smaller than what two workers cost to start (each imports the science, report and map stacks,
    about 9 CPU-s). A 12-day world took 33 s and 50 CPU-s with two workers, 32 s and 32 CPU-s without;
    a 30-day one 61 s (97 CPU-s) with them, 79 s (80 CPU-s) without."""

    parallel = False

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed over like a worker's error: ``result()`` raises it
            future.set_exception(exc)
        return future


@contextmanager
def inline_pool():
    """An :class:`InlinePool` (the same ``with`` shape as :func:`spawn_pool`).

    Examples
    --------
    >>> with inline_pool() as pool:
    ...     done, failed = pool.submit(pow, 2, 10), pool.submit(int, "x")
    >>> done.result(), type(failed.exception()).__name__
    (1024, 'ValueError')
    """
    yield InlinePool()


def warm_up() -> None:
    """Runs in a worker while the parent seeds accounts, observations and runs (one core is idle
    then): import the guidance and report stacks and render a tiny chart and PDF once, so that the
    first real task does not pay for the imports, WeasyPrint's fonts, the Vega engine and the
    basemap (about 4 s per process)."""
    import vl_convert as vlc
    from weasyprint import HTML

    import forecasting.guidance  # noqa: F401  (imported for its cost)
    import forecasting.reports  # noqa: F401
    from forecasting import fieldmap
    from forecasting.reports.chart import FONT

    fieldmap.load_basemap()
    vlc.vegalite_to_svg({"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x"}},
                         "config": {"font": FONT}})
    HTML(string=f'<p style="font-family: {FONT}">空气质量 AQI</p>').write_pdf()
