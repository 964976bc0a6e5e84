"""In a real headless Chromium: a manager opens the issued reports page and downloads the PDF; the
downloaded bytes hash to the SHA-256 stored at issue time."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from browser_support import app_server, browser, live, screenshot, sign_in, wait_idle
from reports_data import DEMO_PASSWORD, issue_demo_report, title_zh

pytestmark = pytest.mark.browser


@pytest.fixture
def report_server(demo_template, tmp_path):
    from forecasting.store.db import Database

    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    _chief, issue, issued = issue_demo_report(db)
    db.dispose()
    with app_server(url, data_dir=tmp_path) as base:
        yield base, issue, issued, url


def test_manager_downloads_the_issued_pdf_with_the_stored_hash(report_server, tmp_path):
    base, issue, issued, url = report_server
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
        page = ctx.new_page()
        sign_in(page, base, "mgr_sun", DEMO_PASSWORD)
        page.get_by_role("link", name="会商报告").click()
        page.get_by_text(f"最新发布：{title_zh(issue)}").wait_for()
        wait_idle(page)
        screenshot(page, "reports-managers-page")
        button = page.get_by_role("button", name="下载 PDF（中文）")
        button.scroll_into_view_if_needed()
        with page.expect_download() as info:
            button.click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        assert download.suggested_filename == f"aq-report-{issue.isoformat()}-r1.pdf"
        data = target.read_bytes()
        assert data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() == issued.sha256
        ctx.close()

        # on a phone the table of days shows all three districts: a tour's third column was cut
        # ("AQI 110–1…") and its level badges broke inside ("轻度污/染")
        phone = b.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        page = phone.new_page()
        sign_in(page, base, "mgr_sun", DEMO_PASSWORD)
        page.goto(base + "/reports")
        table = page.locator(".days-table").first
        table.wait_for()
        wait_idle(page)
        table.scroll_into_view_if_needed()
        screenshot(page, "reports-phone-days")
        fit = page.evaluate("""() => { const w = document.querySelector('.days-table');
            const t = w.querySelector('table');
            const badges = [...t.querySelectorAll('span')].filter(s => s.style.whiteSpace === 'nowrap'
                && s.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(s).fontSize));
            return {table: t.scrollWidth, room: w.clientWidth, broken: badges.map(s => s.textContent),
                    heads: [...t.querySelectorAll('th')].map(h => h.textContent)}; }""")
        assert fit["heads"] == ["日期", "青浦区", "吴江区", "嘉善县"], fit
        assert fit["table"] <= fit["room"] and fit["broken"] == [], fit
        phone.close()

        # an old report, issued with its files on demand: its PDF is rendered when the button is pressed,
        # then stored; the download is that stored file
        from forecasting.reports import list_reports, report_file
        from forecasting.store.db import Database

        db = Database(url)
        old = next(r for r in list_reports(db) if r.on_demand and "pdf" not in r.stored)
        ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
        page = ctx.new_page()
        sign_in(page, base, "mgr_sun", DEMO_PASSWORD)
        page.goto(base + "/reports")
        page.get_by_text(f"最新发布：{title_zh(issue)}").wait_for()
        wait_idle(page)
        live(page).get_by_role("combobox", name="查看报告").click()
        page.keyboard.type(old.title_zh)
        page.keyboard.press("Enter")
        page.get_by_text(f"报告数据（JSON）SHA-256：{old.sha256}").wait_for()
        wait_idle(page)
        button = live(page).get_by_role("button", name="下载 PDF（中文）")
        button.scroll_into_view_if_needed()
        screenshot(page, "reports-old-report-on-demand")
        with page.expect_download() as info:
            button.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(str(target))
        assert info.value.suggested_filename == f"aq-report-{old.issue_date.isoformat()}-r{old.revision}.pdf"
        data = target.read_bytes()
        stored = report_file(db, old.id, "pdf")
        assert data.startswith(b"%PDF-") and data == stored.content
        assert hashlib.sha256(data).hexdigest() == stored.sha256
        db.dispose()
        ctx.close()
