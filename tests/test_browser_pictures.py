"""The pictures forecasters read (issue #17) in a real headless Chromium on the demo world, at 1440 × 900
and on a phone (390 × 844): the model field map (AQI categories and continuous, zone and YRD views),
the meteograms, the district forecast page, the presentation mode (also at 1920 × 1080, with keyboard navigation) and the issued
report. Every request the browser makes must stay on this machine: anything else is aborted and fails
the test. With ``FORECASTING_DOCS_IMG=1`` the screenshots are also written to ``docs/img/``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from browser_support import ARTIFACTS, DOCS_IMG, app_server, browser, screenshot, wait_idle
from patience import PATIENCE_MS

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def shot(page, name: str, *, element=None) -> Path:
    return screenshot(element or page, name, docs=True)


def settled(page, timeout: float = PATIENCE_MS) -> None:
    """Streamlit finished its run and no element is still shown as stale (faded)."""
    wait_idle(page, timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout)


def _sign_in(page, base):
    page.goto(base + "/")
    page.get_by_label("用户名").fill("qp_chen")
    page.get_by_label("密码").fill("demo-2026-yrd")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("您好").wait_for()
    wait_idle(page)


#: Per level badge of the day cards (a coloured span whose text is a level name), each word's number of lines
#: on screen (a Range over the word: one client rect when the word is not broken).
_LEVEL_NAME_LINES = """() => {
  const names = new Set(["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染", "Excellent", "Good",
                         "Lightly Polluted", "Moderately Polluted", "Heavily Polluted", "Severely Polluted"]);
  const out = [];
  for (const block of document.querySelectorAll('[data-testid="stColumn"] span')) {
    const text = block.textContent.trim();
    if (!names.has(text) || block.children.length) continue;
    const node = block.firstChild;
    let at = node.textContent.indexOf(text);
    for (const word of text.split(" ")) {
      const start = node.textContent.indexOf(word, at);
      const range = document.createRange();
      range.setStart(node, start); range.setEnd(node, start + word.length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      out.push([word, tops.size]);
      at = start + word.length;
    }
  }
  return out;
}"""


#: Each occurrence of one of the given names in a table cell: the name and its number of lines on screen.
_NAME_LINES = """(names) => {
  const out = [];
  for (const cell of document.querySelectorAll('td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const name of names) {
        for (let at = node.textContent.indexOf(name); at >= 0; at = node.textContent.indexOf(name, at + 1)) {
          const range = document.createRange();
          range.setStart(node, at); range.setEnd(node, at + name.length);
          out.push([name, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size]);
        }
      }
    }
  }
  return out;
}"""


def _open(page, base, link: str, text: str):
    if page.viewport_size["width"] < 700:  # the sidebar is collapsed on a phone: go by URL
        page.goto(base + "/" + {"模式预报": "model_guidance", "会商演示": "presentation",
                                "区县预报": "district_forecast"}[link])
    else:
        page.get_by_role("link", name=link).click()
    page.get_by_text(text).first.wait_for()
    wait_idle(page)


@pytest.fixture(scope="module")
def pictures_world(_demo_template, tmp_path_factory):
    """A copy of the demo world with today's report issued, once per module (a worker that runs both tests
    issues it once): ``(url, folder, issue, issued)``."""
    from forecasting.store.db import Database
    from reports_data import issue_demo_report

    folder = tmp_path_factory.mktemp("pictures")
    path = folder / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    chief, issue, issued = issue_demo_report(db)
    db.dispose()
    return url, folder, issue, issued


@pytest.fixture
def pictures_server(pictures_world):
    """The app on :func:`pictures_world` (its sign-ins only add sessions: the issued report is unchanged)."""
    url, folder, issue, issued = pictures_world
    with app_server(url, data_dir=folder) as base:
        yield base, url, issue, issued


def test_pictures_at_desktop_and_phone(pictures_server, tmp_path):
    base, url, issue, _issued = pictures_server
    with browser() as b:
        for size, (w, h) in SIZES.items():
            ctx = b.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
            page = ctx.new_page()
            _sign_in(page, base)

            # home: the zone coloured by tomorrow's level, with a legend
            page.locator(".vega-embed").first.wait_for()
            page.locator(".vega-embed").first.scroll_into_view_if_needed()
            settled(page)
            shot(page, f"home-map-{size}")

            # reports: the calendar of issued levels in Chinese, with a level legend
            page.goto(base + "/reports")
            calendar = page.get_by_text("发布级别日历（各区县首个预报日的最高级别）")
            calendar.wait_for()
            settled(page)
            calendar.scroll_into_view_if_needed()
            page.wait_for_function("() => { const c = [...document.querySelectorAll('.vega-embed')];"
                                   " return c.length > 0 && c.every(e => e.querySelector('canvas, svg')); }")  # the chart is drawn, not only its frame
            page.mouse.wheel(0, 250)
            settled(page)
            shot(page, f"reports-calendar-{size}")

            # the field map: an image of the field at native resolution with the basemap
            _open(page, base, "模式预报", "模式预报场图")
            img = page.locator("[data-testid='stImage'] img").first
            img.wait_for()
            page.wait_for_function("() => { const i = document.querySelector(\"[data-testid='stImage'] img\");"
                                   " return i && i.complete && i.naturalWidth > 500; }")
            # the map opens at the run's first hour not yet past (its lead depends on the hour of the run)
            assert page.get_by_text(re.compile(r"^\+\d+ h · \d\d-\d\d \d\d:00$")).count() >= 1  # the slider's hour
            img.scroll_into_view_if_needed()
            settled(page)
            shot(page, f"map-zone-category-{size}")
            if size == "desktop":
                shot(page, "map-image", element=img)
            for choice in ("长三角", "连续浓度"):  # each choice draws a new picture: wait for it
                before = page.locator("[data-testid='stImage'] img").first.get_attribute("src")
                page.get_by_text(choice, exact=True).click()
                page.wait_for_function(
                    "(before) => { const i = document.querySelector(\"[data-testid='stImage'] img\");"
                    " return i && i.getAttribute('src') !== before && i.complete; }", arg=before)
                settled(page)
            page.locator("[data-testid='stImage'] img").first.scroll_into_view_if_needed()
            settled(page)
            shot(page, f"map-yrd-continuous-{size}")

            # meteograms: one per district, observations first
            heading = page.get_by_text("区县逐时预报")
            heading.scroll_into_view_if_needed()
            page.wait_for_function("() => document.querySelectorAll('.vega-embed').length >= 3")
            page.locator(".vega-embed").first.scroll_into_view_if_needed()
            settled(page)
            shot(page, f"meteograms-{size}")

            # the district forecast page: daily cards (range, P(AQI > 100), where model guidance ends) and
            # the hourly chart with the suggested forecast's 80 % band
            _open(page, base, "区县预报", "逐日 AQI 预报（订正集合）")
            page.get_by_text("模式指导截至").first.wait_for()
            page.wait_for_function("() => { const c = [...document.querySelectorAll('.vega-embed')];"
                                   " return c.length > 0 && c.every(e => e.querySelector('canvas, svg')); }")
            settled(page)
            shot(page, f"district-forecast-{size}")
            page.locator(".vega-embed").first.scroll_into_view_if_needed()
            settled(page)
            shot(page, f"district-forecast-chart-{size}")

            # presentation mode
            _open(page, base, "会商演示", "会商演示")
            page.locator(".pres-head").first.wait_for()
            first = page.locator(".pres-head").first.inner_text()
            assert "青浦区" in first  # the zone's order starts with Qingpu
            settled(page)
            shot(page, f"presentation-{size}")
            if size == "desktop":
                page.set_viewport_size({"width": 1920, "height": 1080})
                page.keyboard.press("ArrowDown")  # next district
                page.wait_for_function("() => document.querySelector('.pres-head') &&"
                                       " document.querySelector('.pres-head').innerText.includes('吴江区')")
                page.keyboard.press("ArrowRight")  # next day
                page.wait_for_function("() => document.querySelector('.pres-head') &&"
                                       " document.querySelector('.pres-head').innerText.includes('第 2 天')")
                settled(page)
                shot(page, "presentation-1920")
                # a 1024 × 768 projector beside the sidebar: no level name broken inside ("轻度污/染" was)
                page.set_viewport_size({"width": 1024, "height": 768})
                settled(page)
                names = page.evaluate(_LEVEL_NAME_LINES)
                assert names and all(lines == 1 for _, lines in names), names
                shot(page, "presentation-1024")
                # the room's three-district grid fits a 1280 px page (820 px beside the sidebar): with each
                # district's "模式指导止于 12-11" on one line it was 859 px wide and its seventh day was cut off
                page.set_viewport_size({"width": 1280, "height": 900})
                _open(page, base, "会商室", "三地对比")
                page.locator(".comparison-grid").first.wait_for()
                settled(page)
                widths = page.evaluate("() => { const g = document.querySelector('.comparison-grid');"
                                       " return [g.scrollWidth, g.clientWidth]; }")
                assert widths[0] <= widths[1], widths
                # the district forecast's seven day cards at 1280 px (71 px inside each): no level name broken
                # inside a word, in either language (a tour read "轻度污/染" and "Lightly Pollute/d")
                for link, heading in (("区县预报", "逐日 AQI 预报（订正集合）"),
                                      ("District forecast", "Daily AQI (corrected ensemble)")):
                    if link == "District forecast":
                        page.locator("[class*=st-key-lang_switch]").get_by_text("English").click()
                        settled(page)
                    _open(page, base, link, heading)
                    settled(page)
                    names = page.evaluate(_LEVEL_NAME_LINES)
                    assert names and all(lines == 1 for _, lines in names), names
                # ... on one row at 1280 px; at 1024 px they wrap onto a second row instead of squeezing (they
                # were 64 px wide: "首要污染物" broke after each character and "轻度污染" stuck out of its card)
                cards = ("() => [...document.querySelectorAll('.st-key-dfc_day_cards [data-testid=stColumn]')]"
                         ".map(c => { const r = c.getBoundingClientRect(); return [Math.round(r.top), r.width]; })")
                at_1280 = page.evaluate(cards)
                assert len(at_1280) == 7 and len({top for top, _ in at_1280}) == 1, at_1280
                page.set_viewport_size({"width": 1024, "height": 900})  # laid out again at once (no script run)
                settled(page)
                at_1024 = page.evaluate(cards)
                assert len({top for top, _ in at_1024}) == 2 and min(w for _, w in at_1024) >= 96, at_1024
                names = page.evaluate(_LEVEL_NAME_LINES)
                assert names and all(lines == 1 for _, lines in names), names
                shot(page, "district-forecast-1024")
                # the home page at 1024 px: the status table whole (it was cut after the fifth day beside the map)
                page.locator("[class*=st-key-lang_switch]").get_by_text("中文").click()
                settled(page)
                _open(page, base, "首页", "三地填报状态")
                page.locator(".status-strip").wait_for()
                strip = page.evaluate("() => { const s = document.querySelector('.status-strip');"
                                      " return [s.scrollWidth, s.clientWidth]; }")
                assert strip[0] <= strip[1], strip
                # the rota's calendar at 1024 px: a person's name never broken inside ("陈/静" was)
                _open(page, base, "值班表", "值班日历")
                names = page.evaluate(_NAME_LINES, ["陈静", "李明", "徐蕾", "王磊", "赵敏", "周婷", "吴强", "沈悦"])
                assert len(names) >= 28 and all(lines == 1 for _, lines in names), names
            ctx.close()


def test_report_pictures(pictures_world, tmp_path):
    """The issued report's HTML as a reader sees it, and the first PDF page as an image (no app server: the
    files are read from the store)."""
    from forecasting.reports import report_file
    from forecasting.store.db import Database

    url, _folder, issue, issued = pictures_world
    db = Database(url)
    files = {fmt: report_file(db, issued.id, fmt).content for fmt in ("html", "pdf", "json", "txt")}
    db.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    for fmt in ("json", "txt", "pdf"):  # kept for reading (and for re-rendering the layout by hand)
        (ARTIFACTS / f"report.{fmt}").write_bytes(files[fmt])
    html_path = tmp_path / "report.html"
    html_path.write_bytes(files["html"])
    with browser() as b:
        for size, (w, h) in SIZES.items():
            ctx = b.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(html_path.as_uri())
            page.wait_for_load_state("load")
            assert page.get_by_text("示范区明日空气质量").count() >= 1
            shot(page, f"report-html-{size}")
            ctx.close()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        import subprocess

        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(files["pdf"])
        subprocess.run([pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
                       check=True)
        for p in sorted(tmp_path.glob("page-*.png")):
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / f"report-pdf-{p.stem.split('-')[-1]}.png"
            shutil.copy(p, target)
            if os.environ.get("FORECASTING_DOCS_IMG") == "1":
                shutil.copy(p, DOCS_IMG / target.name)
