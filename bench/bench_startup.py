"""Benchmark: how fast the project starts (issue #16).

Always:

- CLI start: ``python -m forecasting --help`` and ``python -m forecasting aqi pm25_24h=80``
  (median of 5, wall and CPU of the child process), against ``python -c pass`` measured in the same
  run (the interpreter's own start) and against the 0.3 s target;
- which heavy libraries each command imports (pandas, xarray, dask, distributed must not be).

With flags (``make bench`` passes both; ``python -m bench startup --first-run --suite`` by hand):

- ``--first-run``: the first ``make run``'s set-up, i.e. ``db upgrade`` + ``demo seed`` of the full
  60-day demo world into an empty SQLite file (about 2-15 minutes depending on the machine's load; the
  target is 45 s), and beside it how soon the first ``make run`` answers: ``db upgrade`` + ``demo run``
  on an empty database until ``/healthz`` answers (the app then shows the build's progress; the build
  is stopped at once);
- ``--suite``: ``make check`` (the fast loop) and the whole suite with 2 workers (``pytest -n 2``;
  many minutes, and it loads both cores).

Wall time depends on what else runs on the machine; the CPU times (children's user + system) and
the ratios are the figures to compare between machines.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_HELP = 0.3  # s
TARGET_FIRST_RUN = 45.0  # s, the demo world built (issue #16)
HEAVY = ("pandas", "xarray", "dask", "distributed", "sqlalchemy", "streamlit")


def _timed(cmd: list[str], *, env=None, cwd=ROOT, quiet=True) -> tuple[float, float, int]:
    """(wall, CPU of the child processes, exit code) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL if quiet else None,
                          stderr=subprocess.DEVNULL if quiet else None)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def _median_of(cmd: list[str], n: int = 5) -> tuple[float, float]:
    runs = [_timed(cmd) for _ in range(n)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def _heavy_imports(args: list[str]) -> list[str]:
    code = ("import runpy, sys; sys.argv = ['forecasting', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('forecasting', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    return done.stderr.strip().splitlines()[-1].split() if done.stderr.strip() else []


def cli_start() -> None:
    base_wall, base_cpu = _median_of([sys.executable, "-c", "pass"])
    print(f"python -c pass (interpreter start, baseline): {base_wall:.3f} s wall, {base_cpu:.3f} s CPU")
    for args in (["--help"], ["aqi", "pm25_24h=80"], ["extract", "--help"]):
        wall, cpu = _median_of([sys.executable, "-m", "forecasting", *args])
        heavy = _heavy_imports(args)
        print(f"python -m forecasting {' '.join(args):<18} {wall:.3f} s wall, {cpu:.3f} s CPU "
              f"({wall / base_wall:.1f}x the interpreter; target {TARGET_HELP} s -> "
              f"{'met' if cpu <= TARGET_HELP else 'NOT met'} on CPU); heavy imports: {', '.join(heavy) or 'none'}")


def first_run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-first-run-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/app.sqlite3", "FORECASTING_DATA_DIR": tmp}
        w1, c1, rc1 = _timed([sys.executable, "-m", "forecasting", "db", "upgrade"], env=env)
        print(f"first run: db upgrade {w1:.1f} s wall, {c1:.1f} s CPU", flush=True)
        w2, c2, rc2 = _timed([sys.executable, "-m", "forecasting", "demo", "seed", "--if-empty", "--progress",
                              "lines"], env=env, quiet=False)
        status = "ok" if rc1 == rc2 == 0 else f"FAILED (exit {rc1}, {rc2})"
        verdict = "met" if w1 + w2 <= TARGET_FIRST_RUN else "missed"
        print(f"first run (db upgrade + 60-day demo world): {w1 + w2:.1f} s wall, {c1 + c2:.1f} s CPU "
              f"(children, both cores) {status}; target {TARGET_FIRST_RUN:.0f} s on 2 quiet cores -> {verdict}")


def app_answers() -> None:
    """Seconds from ``db upgrade`` + ``demo run`` on an empty database until the app answers."""
    import signal
    import urllib.request

    with tempfile.TemporaryDirectory(prefix="bench-app-answers-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/app.sqlite3", "FORECASTING_DATA_DIR": tmp}
        port = 8590 + os.getpid() % 300
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "forecasting", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        run = subprocess.Popen([sys.executable, "-m", "forecasting", "demo", "run", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        answered = None
        try:
            while answered is None and run.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                        if r.status == 200:
                            answered = time.perf_counter() - started
                except OSError:
                    time.sleep(0.1)
        finally:
            os.killpg(run.pid, signal.SIGINT)
            run.wait()
        print(f"first make run answers (db upgrade + demo run until /healthz; the page then shows the build): "
              f"{answered:.1f} s" if answered is not None else "first make run: the app never answered", flush=True)


def suite() -> None:
    py = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
    paths = ["--doctest-modules", "forecasting", "ui", "tests"]  # as the Makefile runs them: doctests in the same run
    for label, args in (("make check (doctests, no slow, no browser, -n 2)",
                         ["-n", "2", "--dist", "worksteal", "-q", "-m", "not slow and not browser", *paths]),
                        ("whole suite (doctests and every test, -n 2)", ["-n", "2", "--dist", "worksteal", "-q", *paths])):
        wall, cpu, rc = _timed([py, "-m", "pytest", *args], quiet=True)
        print(f"{label}: {wall:.0f} s wall, {cpu:.0f} s CPU (children), exit code {rc}", flush=True)


def main(argv: list[str] | None = None) -> None:
    flags = set(sys.argv[1:] if argv is None else argv)
    cli_start()
    if "--first-run" in flags:
        first_run()
        app_answers()
    else:
        print("first run: not measured (opt-in: python -m bench startup --first-run)")
    if "--suite" in flags:
        suite()
    else:
        print("suite time: not measured (opt-in: python -m bench startup --suite)")


if __name__ == "__main__":
    main()
