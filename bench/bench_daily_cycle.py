"""Benchmark: the daily cycle on the demo world, stage by stage (issue #16).

Set-up (timed apart, not part of the cycle): a small demo world (12 days; the newest cycle of each
of the 3 demo models written as real files: two IOAPI, one CAMS-style CF) in a temporary SQLite file.
Then the cycle, as an operator's day runs it:

1. ingest one day of runs: the 3 models' files of the newest cycle, through ``datastore.ingest_run``
   (grid reading, exact district weights, district series; replaces what the file contains);
2. corrections and guidance: ``compute_guidance`` for today's issue date (pairs, the trained
   correction of each district and pollutant applied, ensemble, quantiles, levels);
3. one report: every Chinese file (PDF, HTML, text, JSON) of yesterday's issued 7-day consultation,
   rendered from its stored snapshot.

Prints each stage's wall and CPU time (this process; the PDF and guidance run here) and the total
against the 60 s target for a 2-core machine. No assertion: the machine may be shared.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

TARGET = 60.0  # seconds, 2 cores


class _Clock:
    def __init__(self):
        self.rows: list[tuple[str, float, float]] = []

    def stage(self, name: str, fn):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        self.rows.append((name, wall, cpu))
        print(f"  {name:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU", flush=True)
        return result


def main() -> None:
    from sqlalchemy import select

    from forecasting import datastore
    from forecasting.demo import seed_if_empty
    from forecasting.demo.science import DEMO_MODELS
    from forecasting.guidance import compute_guidance
    from forecasting.permissions import Actor
    from forecasting.reports import CHINESE_FORMATS, render_files
    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.vocab import beijing_today
    from forecasting.zone import sync_districts

    with tempfile.TemporaryDirectory(prefix="bench-daily-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'daily.sqlite3'}"
        upgrade(url)
        db = Database(url)
        sync_districts(db)
        w0 = time.perf_counter()
        seed_if_empty(db, folder=folder / "runs", days=12, files_days=1, log=lambda *_: None)
        print(f"set-up: demo world of 12 days in {time.perf_counter() - w0:.1f} s (not part of the cycle)")
        op = Actor.system("bench")
        today = beijing_today()
        files = {name: sorted((folder / "runs").glob(f"{name}.*.nc"))[-1] for name, _, _ in DEMO_MODELS}
        with db.read() as s:
            issued = s.scalars(select(IssuedForecast).order_by(IssuedForecast.issue_date.desc(),
                                                               IssuedForecast.revision.desc())).first()
            snapshot = json.loads(issued.snapshot)
            issue_date = issued.issue_date

        clock = _Clock()
        print("daily cycle (the demo's 44 x 32 cell, 120 h files; district weights already cached by the set-up's "
              "ingest of the same grid, as in a running service):")
        for name, path in files.items():
            clock.stage(f"ingest {name} ({path.stat().st_size / 2**20:.0f} MiB)",
                        lambda: datastore.ingest_run(db, op, [path], model=name, synthetic=True))
        rows = clock.stage("corrections + guidance (today's issue)", lambda: compute_guidance(db, op, today))
        files_out, _digest = clock.stage(f"render report of {issue_date} ({len(CHINESE_FORMATS)} files)",
                                         lambda: render_files(db, snapshot, formats=CHINESE_FORMATS))
        wall = sum(r[1] for r in clock.rows)
        cpu = sum(r[2] for r in clock.rows)
        print(f"  {'total':<44} {wall:7.2f} s wall {cpu:7.2f} s CPU   ({rows} guidance rows, "
              f"{sum(len(b) for b in files_out.values()) / 1024:.0f} KiB of report)")
        print(f"daily cycle / target {TARGET:.0f} s: {wall / TARGET:.2f} (wall), {cpu / TARGET:.2f} (CPU) -> "
              f"{'met' if wall <= TARGET else 'NOT met'} on wall time")
        db.dispose()


if __name__ == "__main__":
    main()
