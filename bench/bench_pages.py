"""Benchmark (issue #14): server render time of the consultation room and the chief desk on the
demo world, against the 1.5 s target, with the account page (a nearly empty page through the same
app shell) as the baseline measured in the same run.

Builds the small demo world (12 days) in a temporary SQLite file; the three districts submit
today's guidance (the room then shows a full grid, flags and notes); then each page is run with
Streamlit's AppTest (the same script run a browser would get, without the browser) as the duty
chief: median of 3 runs. Prints the numbers and ratios; no assertion.

Run: ``nice -n 10 .venv/bin/python -m bench.bench_pages``; ``BENCH_PAGES_DB=/path/demo.sqlite3`` uses a
copy of an existing demo world instead of building one (today's session must exist).
The first render of a page after start-up is printed separately (cold: imports, caches empty).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5  # seconds of server time per page render
PASSWORD = "demo-2026-yrd"
ROOT = Path(__file__).resolve().parent.parent


def _world(folder: Path) -> tuple[str, str]:
    from forecasting import consultation as c
    from forecasting.demo import seed_if_empty
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    sys.path.insert(0, str(ROOT / "tests"))
    from reports_data import chief_of, demo_actor

    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    start = time.perf_counter()
    seed_if_empty(db, folder=folder / "runs", days=12, files_days=2, log=lambda *_: None)
    print(f"demo world, 12 days: {time.perf_counter() - start:.1f} s")
    today = c.beijing_today()
    chief = chief_of(db, today)
    doc = c.guidance_document(db, chief, today)
    from sqlalchemy import select

    from forecasting.store.models import User

    for d in doc["districts"]:
        with db.read() as s:
            username = s.scalar(select(User.username).where(User.role == "forecaster",
                                                            User.district_adcode == d["adcode"])
                                .order_by(User.username).limit(1))
        actor = demo_actor(db, username)
        entries = [c.SubmissionInput(c.parse_day(e["target_date"]), e["aqi_lo"], e["aqi_hi"], tuple(e["primary"]),
                                     {}, "偏东风，扩散条件一般", e.get("expected_version", 0))
                   for e in d["entries"]]
        c.save_submissions(db, actor, today, d["adcode"], entries, submit=True)
        c.add_note(db, actor, today, f"{d['adcode']} 的看法 @青浦")
    db.dispose()
    return url, chief.username


def _render(at, page: str, n: int = 3) -> float:
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        at.switch_page(f"../pages/{page}").run()
        runs.append(time.perf_counter() - start)
    assert not at.exception, at.exception
    return statistics.median(runs)


def main() -> None:
    # AppTest runs the pages outside `streamlit run`: Streamlit then warns "missing ScriptRunContext" a dozen
    # times per page, burying the bench's own lines; those two warnings are filtered out, nothing else
    import logging

    from streamlit.testing.v1 import AppTest  # noqa: F401  (creates the runtime's loggers)

    bare = ("missing ScriptRunContext", "without `streamlit run`")
    for name in [n for n in logging.Logger.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).addFilter(lambda r: not any(b in r.getMessage() for b in bare))
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        if os.environ.get("BENCH_PAGES_DB"):
            import shutil

            from forecasting import consultation as c
            from forecasting.store.db import Database

            sys.path.insert(0, str(ROOT / "tests"))
            from reports_data import chief_of

            shutil.copy(os.environ["BENCH_PAGES_DB"], Path(tmp) / "bench.sqlite3")
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            db = Database(url)
            chief = chief_of(db, c.beijing_today()).username
            db.dispose()
        else:
            url, chief = _world(Path(tmp))
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("FORECASTING_LANGUAGE", "zh")
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "tests" / "app_entry.py"), default_timeout=120)
        at.run()
        at.text_input(key="signin_username").input(chief)
        at.text_input(key="signin_password").input(PASSWORD)
        at.button[0].click()
        start = time.perf_counter()
        at.run()  # lands on the home page: the cold render (imports, empty caches)
        print(f"cold: sign-in and first render of today (home.py): {time.perf_counter() - start:.2f} s")
        _render(at, "account.py", n=1)
        base = _render(at, "account.py")
        print(f"baseline: account page {base:.2f} s (median of 3)")
        for page, name in (("home.py", "today"), ("consultation_room.py", "room"), ("chief_desk.py", "desk")):
            t = _render(at, page)
            print(f"{name:5s} ({page}): {t:.2f} s = {t / base:.1f}x baseline; target {TARGET:.1f} s -> "
                  f"{t / TARGET:.2f} of target ({'met' if t <= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
