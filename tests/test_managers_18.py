"""Issue #18 on a demo world that reaches back into last month: the assessment's HJ 663 percentiles
against an independent computation written here from the rules, the assessment files, and the
manager's journey in a real headless Chromium ("how accurate were we last month?" in one click).

One demo world is built for the module (about {today.day + 9} days, so last month has data)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from forecasting.store.db import Database


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def month_world(build_once, tmp_path_factory):
    """A demo world whose "today" is the first of this month, 20:00 Beijing (or now, if earlier), with 14
    days of history: last month holds its last 13 days, whatever today's date (built once per test run,
    copied per module). The tests ask about last month only; a world reaching up to today would cost up
    to 40 days of history at the end of a month for days no test reads."""
    from forecasting.demo import seed_if_empty
    from forecasting.vocab import BEIJING, beijing_datetime

    now = datetime.now(timezone.utc)
    today = now.astimezone(BEIJING).date()
    first = today.replace(day=1)
    world_now = min(now, beijing_datetime(first, time(20)))

    def build(path, folder):
        db = Database(f"sqlite:///{path}")
        # English report files for the newest issue date only, as in the demo template (no test here reads them)
        seed_if_empty(db, today=first, now=world_now, folder=folder / "runs", days=14, files_days=2,
                      english_days=1, log=lambda *_: None)
        db.dispose()

    path = tmp_path_factory.mktemp("month_world") / "demo.sqlite3"
    shutil.copy(build_once(f"month-world-{first}", build), path)
    return path, today


# -- the independent HJ 663 computation ------------------------------------------------------------------
#
# HJ 663-2013 Appendix A: order the n valid daily values X(1) <= ... <= X(n); k = 1 + (n - 1) p;
# s = int(k); X_p = X(s) + (X(s+1) - X(s)) (k - s). Daily mean: >= 20 valid hourly values of the Beijing
# natural day (hour-ending labels D 01:00 ... D+1 00:00). O3 MDA8: 8-h means ending 08:00 ... 24:00 of the
# day, each from >= 6 valid hours; valid with >= 14 of those 17 windows (or, with fewer, when above
# 160 µg/m³). Statistics from unrounded daily values, rounded once, half to even (GB/T 8170).


def _hourly(path: Path, first: date, last: date) -> dict:
    """{(district, pollutant): {beijing_label_datetime: value}} read straight from the table."""
    con = sqlite3.connect(path)
    out: dict = {}
    for district, t, pollutant, value in con.execute(
            "select district, time, pollutant, value from district_observations where value is not null"):
        stamp = datetime.fromisoformat(str(t).replace("Z", "")).replace(tzinfo=None) + timedelta(hours=8)
        out.setdefault((district, pollutant), {})[stamp] = float(value)
    con.close()
    return out


def _labels(day: date):
    start = datetime(day.year, day.month, day.day)
    return [start + timedelta(hours=h) for h in range(1, 25)]  # D 01:00 .. D+1 00:00


def _daily_mean(series: dict, day: date):
    v = [series[x] for x in _labels(day) if x in series]
    return sum(v) / len(v) if len(v) >= 20 else None


def _mda8(series: dict, day: date):
    labels = _labels(day)
    windows = []
    for end in range(7, 24):  # windows ending at labels[7] (08:00) .. labels[23] (24:00)
        v = [series[x] for x in labels[end - 7:end + 1] if x in series]
        if len(v) >= 6:
            windows.append(sum(v) / len(v))
    if not windows:
        return None
    best = max(windows)
    return best if len(windows) >= 14 or best > 160 else None


def _percentile(values, p):
    x = sorted(values)
    n = len(x)
    if n == 0:
        return None
    k = 1 + (n - 1) * p / 100
    s = int(k)
    if s >= n:
        return x[-1]
    return x[s - 1] + (x[s] - x[s - 1]) * (k - s)


def _round(value, decimals):
    if value is None:
        return None
    q = Decimal(1).scaleb(-decimals)
    r = Decimal(repr(value)).quantize(q, rounding=ROUND_HALF_EVEN)
    return float(r) if decimals else int(r)


RULES = {"pm25": ("pm25", 95, 0, False), "pm10": ("pm10", 95, 0, False), "so2": ("so2", 98, 0, False),
         "no2": ("no2", 98, 0, False), "co": ("co", 95, 1, False), "o3": ("o3", 90, 0, True)}


def test_assessment_percentiles_match_an_independent_hj663_computation(month_world):
    from forecasting import assessment as asm

    path, today = month_world
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    db = Database(f"sqlite:///{path}")
    try:
        a = asm.assess(db, first, last, kind="month", n_boot=200)
    finally:
        db.dispose()
    hourly = _hourly(path, first, last)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    checked = 0
    zone_daily: dict = {}
    for district in ("310118", "320509", "330421"):
        for pollutant, (_p, pct, decimals, is_o3) in RULES.items():
            series = hourly.get((district, pollutant), {})
            daily = {d: (_mda8(series, d) if is_o3 else _daily_mean(series, d)) for d in days}
            values = [x for x in daily.values() if x is not None]
            for d, x in daily.items():
                zone_daily.setdefault((pollutant, d), []).append(x)
            expected = _round(_percentile(values, pct), decimals)
            got = a.observed[district]["percentiles"][pollutant]
            assert a.observed[district]["percentile_days"][pollutant] == len(values), (district, pollutant)
            if expected is None:
                assert got is None
            else:
                assert got == pytest.approx(expected, abs=1e-9), (district, pollutant, got, expected)
                checked += 1
    assert checked >= 12, "the demo world should give last month valid days in every district"
    # the zone: mean of the districts' valid daily values (at least two), then the same percentile
    for pollutant, (_p, pct, decimals, _o3) in RULES.items():
        vals = []
        for d in days:
            xs = [x for x in zone_daily[(pollutant, d)] if x is not None]
            if len(xs) >= 2:
                vals.append(sum(xs) / len(xs))
        assert a.observed["zone"]["percentiles"][pollutant] == pytest.approx(
            _round(_percentile(vals, pct), decimals), abs=1e-9)
    # level days add up to the valid days; the good-day ratio is levels 1-2 over valid days
    for area in asm.AREAS:
        s = a.observed[area]
        assert sum(s["level_days"].values()) == s["valid_days"] <= len(days)
        if s["valid_days"]:
            assert s["good_ratio"] == pytest.approx((s["level_days"][1] + s["level_days"][2]) / s["valid_days"])
    # the same period a year before has no data in the demo world: empty, not zero
    assert a.previous["zone"]["valid_days"] == 0 and a.previous["zone"]["percentiles"]["pm25"] is None
    # files: CSV formula-escaped with the statistics, HTML escaped, PDF starts like a PDF
    csv_text = asm.to_csv(a).decode("utf-8-sig")
    assert "pm25_p95" in csv_text and "valid_days" in csv_text
    html = asm.to_html(a)
    assert "优良天数比例" in html and "青浦" in html and "示范区" in html
    assert asm.to_pdf(a).startswith(b"%PDF-")


def test_assess_cli_month_and_year(month_world, tmp_path, monkeypatch, capsys):
    from forecasting.cli import main

    path, today = month_world
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    out = tmp_path / "a.csv"
    assert main(["assess", "--month", month, "--out", str(out)]) == 0
    assert "pm25_p95" in out.read_text(encoding="utf-8-sig")
    assert main(["assess", "--year", str(today.year), "--format", "json"]) == 0
    assert '"kind": "year"' in capsys.readouterr().out
    assert main(["assess", "--month", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    # the report says what its numbers count: the days with data, and every lead day together (a tour read
    # three different October accuracies, none saying what it counted, and a year "2026-01-01 至 2026-12-31")
    from forecasting import assessment

    db = Database(f"sqlite:///{path}")
    try:
        kind, first, last = assessment.parse_period(month=month)
        html = assessment.to_html(assessment.assess(db, first, last, kind=kind, n_boot=50), "zh")
    finally:
        db.dispose()
    assert f"时段 {(last - first).days + 1} 天中的" in html
    assert "准确率按全部预报时效（第 1 天至最后一天）合计" in html or "没有已发布的会商预报可检验" in html


def _pdf_layout(html: str):
    """WeasyPrint's layout of ``html`` (what ``render_pdf`` writes): the page numbers each table row (its source
    element) is laid out on, and the page of each ``h2`` heading with the first row of the table that follows
    it in its section (before the next heading)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    document = HTML(string=html)
    on: dict[int, list[int]] = {}
    for n, page in enumerate(document.render().pages):
        for box in page._page_box.descendants():
            if isinstance(box, (boxes.TableRowBox, boxes.BlockBox)) and n not in on.setdefault(id(box.element), []):
                on[id(box.element)].append(n)
    body = next(document.etree_element.iter("body"))
    rows = [(" | ".join("".join(c.itertext()).strip() for c in tr)[:70], on.get(id(tr), []))
            for tr in body.iter("tr")]
    headings, heading = [], None
    for el in body:
        if el.tag == "h2":
            heading = el
        elif el.tag == "table" and heading is not None:
            headings.append(("".join(heading.itertext()), on[id(heading)], on[id(next(el.iter("tr")))]))
            heading = None
    return rows, headings


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_assessment_pdf_never_cuts_a_row_or_leaves_a_heading_without_its_table(month_world, lang):
    """A month's assessment PDF (the verification page's download and ``assess --format pdf``) had the HJ
    663 table's header row cut across pages 1 and 2 ("PM10 平均浓度" on one, "(μg/m³)" on the other) and, in
    English, the zone's row cut after "7 (23" with "%)" on page 2. Laid out by WeasyPrint as the PDF is: no
    table row on two pages, and every heading on the page of its table's header row (a month and the year)."""
    from forecasting import assessment

    path, today = month_world
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    db = Database(f"sqlite:///{path}")
    try:
        reports = []
        for period in ({"month": last_month}, {"year": str(today.year)}):
            kind, first, last = assessment.parse_period(**period)
            reports.append(assessment.assess(db, first, last, kind=kind, n_boot=50))
    finally:
        db.dispose()
    for report in reports:
        rows, headings = _pdf_layout(assessment.to_html(report, lang, for_pdf=True))
        assert len(rows) >= 9 and all(pages for _, pages in rows), rows  # the three tables were laid out
        cut = [text for text, pages in rows if len(pages) > 1]
        assert not cut, f"{report.label} {lang}: rows cut by a page break: {cut}"
        apart = [(h, p, q) for h, p, q in headings if p != q]
        assert not apart, f"{report.label} {lang}: headings on a page before their tables' (heading, its page, table's): {apart}"


@pytest.mark.browser
def test_manager_answers_last_months_accuracy_in_one_click(month_world, tmp_path):
    """A manager opens 预报检验 and clicks 上月: the headline answers with an interval; no request
    leaves the machine (``browser()`` refuses it). Screenshot in docs/img/ (``FORECASTING_DOCS_IMG=1``)."""
    from browser_support import app_server, browser, screenshot, sign_in, wait_idle

    path, today = month_world
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(path, copy)
    with app_server(f"sqlite:///{copy}", data_dir=tmp_path) as base, browser() as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
        page = ctx.new_page()
        sign_in(page, base, "mgr_sun", "demo-2026-yrd")
        page.get_by_role("link", name="预报检验").click()
        wait_idle(page)
        page.get_by_role("button", name="上月").first.click()
        page.get_by_text("上月（第 1 天）：等级准确率").wait_for()
        wait_idle(page)
        text = page.get_by_test_id("stMarkdownContainer").filter(has_text="上月（第 1 天）：等级准确率").first.inner_text()
        assert ("95\u00a0% 区间" in text or "不足三周" in text) and "污染日命中" in text
        last = today.replace(day=1) - timedelta(days=1)
        page.get_by_text(f"检验日期 {last.replace(day=1)} 至 {last}").first.wait_for()
        # the ranking chart has drawn (the answer's picture), then the screenshot
        page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
        wait_idle(page)
        screenshot(page, "verification-last-month", docs=True)
        ctx.close()
