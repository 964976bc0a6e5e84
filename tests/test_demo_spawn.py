"""The demo world's worker processes start whatever ``__main__`` the parent has.

Regression: after a Streamlit ``AppTest`` had run in the same pytest process, ``__main__`` was the
page script; every spawned worker re-ran it, died with ``NameError: __args`` and the demo build
failed with ``BrokenProcessPool`` (70 errors in one CI run)."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import pytest

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


def _mark_then_wait(folder: str, k: int, seconds: float) -> None:
    """A worker's long task: says it started, then, unless it is stopped, says it finished."""
    from pathlib import Path

    Path(folder, f"started-{k}").touch()
    time.sleep(seconds)
    Path(folder, f"finished-{k}").touch()


def test_an_interrupted_pool_ends_its_running_tasks_instead_of_waiting_for_them(tmp_path):
    """Ctrl-C or TERM during the demo build: a half-built world is thrown away, so the workers' current tasks
    (a warm-up, half of the guidance history) are ended, not waited for. Before, the stop waited for them."""
    from patience import PATIENCE_S

    class Stop(Exception):
        pass

    with pytest.raises(Stop):
        with spawn_pool(2) as pool:
            futures = [pool.submit(_mark_then_wait, str(tmp_path), k, PATIENCE_S) for k in range(3)]
            processes = list(pool._processes.values())
            for _ in range(PATIENCE_S * 10):  # both workers are in their task
                if len(list(tmp_path.glob("started-*"))) == 2:
                    break
                time.sleep(0.1)
            raise Stop

    assert not [p for p in processes if not _ended(p)]
    assert not list(tmp_path.glob("finished-*"))  # the tasks were ended, not finished
    # the third task never ran to its end (this line stood, unreachable, after a return in _ended)
    assert futures[2].cancelled() or futures[2].exception(timeout=PATIENCE_S) is not None


def _ended(process) -> bool:
    """Whether a worker process has ended, asked of the operating system.

    ``Process.is_alive()`` alone is not enough on Python 3.11-3.13: the pool's own manager thread waits for
    the same children, and when it reaps one a moment before this thread asks, ``waitpid`` here fails
    (ECHILD) before that thread has recorded the exit code, so ``is_alive()`` says True for a process that
    no longer exists (a loaded CI run failed so, 2026-12-02)."""
    if not process.is_alive():
        return True
    try:
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True  # reaped
    return state in ("Z", "X")  # ended, not yet reaped
