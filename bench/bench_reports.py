"""Benchmark: the issued report of a demo consultation, and the managers' page.

Builds a small demo world (12 days) in a temporary SQLite file, drives one consultation to sign-off,
then measures, in the same run:

- the report model (content), the guidance chart (Altair → SVG with vl-convert),
- the Chinese PDF (WeasyPrint, embedded subset CJK font) against the 5 s target, and against the
  HTML-only rendering of the same report,
- the whole issue (every format, in the issue transaction),
- the managers' page (``pages/reports.py``) as an AppTest run.

Prints the numbers and ratios; no assertion (targets are for this 2-core machine).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

PDF_TARGET = 5.0  # seconds
PASSWORD = "demo-2026-yrd"
ROOT = Path(__file__).resolve().parent.parent


def _world(folder: Path):
    """The demo world (12 days, with its issued reports) and today's consultation signed; the
    consultation is driven by ``tests/reports_data.py`` (the same steps the report tests use)."""
    from forecasting.demo import seed_if_empty
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    sys.path.insert(0, str(ROOT / "tests"))
    from reports_data import prepare_signed

    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    start = time.perf_counter()
    seed_if_empty(db, folder=folder / "runs", days=12, files_days=2, log=lambda *_: None)
    print(f"demo world, 12 days (10 issues and 1 amendment rendered by the demo seed): "
          f"{time.perf_counter() - start:.1f} s")
    chief, issue = prepare_signed(db)
    return url, db, chief, issue


def _median(fn, n=3):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import os

    from forecasting.reports import issue_with_report
    from forecasting.reports.chart import chart_svg
    from forecasting.reports.content import build_report
    from forecasting.reports.html import render_html
    from forecasting.reports.pdf import render_pdf

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        folder = Path(tmp)
        url, db, chief, issue = _world(folder)
        start = time.perf_counter()
        issued = issue_with_report(db, chief, issue)
        print(f"issue of today's 7-day consultation with every format (7 files): "
              f"{time.perf_counter() - start:.2f} s")
        import json

        snapshot = json.loads(issued.snapshot)
        report = build_report(db, snapshot)
        t_content = _median(lambda: build_report(db, snapshot))
        svg = chart_svg(report)
        t_chart = _median(lambda: chart_svg(report))
        t_html = _median(lambda: render_html(report, for_pdf=True, chart_svg=svg))
        html = render_html(report, for_pdf=True, chart_svg=svg)
        t_pdf_only = _median(lambda: render_pdf(html))
        t_pdf = t_content + t_chart + t_html + t_pdf_only
        size = len(render_pdf(html))
        print(f"report model: {t_content * 1000:.0f} ms; chart SVG: {t_chart * 1000:.0f} ms; "
              f"HTML: {t_html * 1000:.1f} ms; WeasyPrint: {t_pdf_only:.2f} s ({size / 1024:.0f} KiB)")
        print(f"PDF of a demo report (model + chart + HTML + PDF, median of 3): {t_pdf:.2f} s; "
              f"target {PDF_TARGET:.0f} s -> {t_pdf / PDF_TARGET:.2f} of target "
              f"({'met' if t_pdf < PDF_TARGET else 'NOT met'})")
        print(f"PDF / HTML-only rendering time: {t_pdf / (t_content + t_chart + t_html):.1f}x "
              f"(WeasyPrint alone / HTML template alone: {t_pdf_only / t_html:.0f}x)")
        db.dispose()

        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("FORECASTING_LANGUAGE", "zh")
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "tests" / "app_entry.py"), default_timeout=60)
        at.run()
        at.text_input(key="signin_username").input("mgr_sun")
        at.text_input(key="signin_password").input(PASSWORD)
        at.button[0].click()
        at.run()
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            at.switch_page("../pages/reports.py").run()
            runs.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        assert any(str(issue.year) in str(el.value) for el in at.subheader), "the reports page did not render"
        print(f"managers' page (AppTest run, median of 3): {statistics.median(runs):.2f} s "
              f"(runs: {', '.join(f'{r:.2f}' for r in runs)})")


if __name__ == "__main__":
    main()
