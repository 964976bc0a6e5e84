"""A whole consultation in a real headless Chromium: three forecasters submit from separate
browsers, the duty chief acknowledges a flag, signs with the password, and the room becomes read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from browser_support import alert, app_server, browser, live, screenshot, sign_in, wait_idle

pytestmark = pytest.mark.browser
PASSWORD = "demo-2026-yrd"
CAST = [("qp_chen", "陈静", "310118"), ("qp_li", "李明", "310118"),
        ("wj_wang", "王磊", "320509"), ("js_zhou", "周婷", "330421")]


@pytest.fixture
def consult_server(sqlite_url, tmp_path):
    """Four forecasters, a rota from today (Qingpu: 陈静 chief, 李明 deputy), today's session in
    consultation (3 days), and each district's draft (the form is prefilled from it)."""
    from forecasting import accounts, consultation as c
    from forecasting.permissions import Actor
    from forecasting.store.db import Database

    db = Database(sqlite_url)
    op = Actor.system("t")
    actors = {}
    for username, name, district in CAST:
        v = accounts.create_user(db, op, username=username, password=PASSWORD, role="forecaster",
                                 district=district, display_name=name)
        actors[username] = Actor(v.id, v.username, v.role, v.district, v.display_name)
    today = c.beijing_today()
    c.generate_rota(db, op, today, today + timedelta(days=6))
    c.open_session(db, op, today, days=3)
    c.start_consultation(db, actors["qp_chen"], today, expected_version=1)
    for username in ("qp_chen", "wj_wang", "js_zhou"):
        a = actors[username]
        entries = [c.SubmissionInput(today + timedelta(days=k), 60, 80, ("pm25",), {}, "草稿") for k in (1, 2, 3)]
        c.save_submissions(db, a, today, a.district, entries)
    db.dispose()
    with app_server(sqlite_url, data_dir=tmp_path) as base:
        yield base, sqlite_url, today


def _sign_in(page, base, username):
    sign_in(page, base, username, PASSWORD)


def _open(page, link):
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=link, exact=True).click()
    wait_idle(page)


def test_three_districts_submit_the_chief_acknowledges_signs_and_the_room_locks(consult_server):
    base, url, today = consult_server
    with browser() as b:
        pages = {}
        for username in ("qp_chen", "wj_wang", "js_zhou"):
            ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page = ctx.new_page()
            _sign_in(page, base, username)
            _open(page, "会商室")
            page.get_by_text("预报填报").first.wait_for()
            pages[username] = page
        # Jiashan changes day 3 to 85-105 (no overlap with 60-80: two amber flags), then all submit
        js = pages["js_zhou"]
        js.get_by_label("AQI 上限").nth(2).fill("105")
        js.get_by_label("AQI 下限").nth(2).fill("85")
        js.get_by_label("AQI 下限").nth(2).press("Tab")
        for username, page in pages.items():
            wait_idle(page)
            # what the form holds just before the click (a CI run once found Jiashan's primary pollutants and
            # analysis empty at submit and waited 10 minutes for the confirmation): a loss says so here, at once
            held = page.evaluate("""() => ({
                primary: [...document.querySelectorAll("[class*='st-key-sub_'][class*='_primary']")]
                    .map(e => e.innerText.includes("PM2.5")),
                analysis: [...document.querySelectorAll("[class*='st-key-sub_'][class*='_analysis'] textarea")]
                    .map(e => e.value)})""")
            assert held == {"primary": [True, True, True], "analysis": ["草稿"]}, (username, held)
            page.get_by_role("button", name="提交", exact=True).click()
            alert(page, "已提交。").wait_for()
            wait_idle(page)
        screenshot(js, "consultation-room-submitted")

        from forecasting import consultation as c
        from forecasting.store.db import Database

        db = Database(url)
        subs = c.list_submissions(db, today)
        assert len(subs) == 9 and all(s.status == "submitted" for s in subs)
        assert sorted((s.aqi_lo, s.aqi_hi) for s in subs if s.district == "330421") == [(60, 80), (60, 80), (85, 105)]
        assert len(c.session_flags(db, today)) == 2

        chief = pages["qp_chen"]
        _open(chief, "首席工作台")
        chief.get_by_text("分歧（按区县对和类型合并）", exact=True).wait_for()
        # one reason, one click for both groups (#14)
        chief.get_by_role("textbox", name="确认理由（一条理由适用于所选各组）").fill("嘉善第三天受上游输送影响，偏高合理")
        chief.get_by_role("button", name="全部确认（2 组）").click()
        alert(chief, "已确认 2 组分歧。").wait_for()
        wait_idle(chief)
        screenshot(chief, "consultation-desk-flags-acknowledged")
        assert all(f.acknowledged for f in c.session_flags(db, today))
        chief.get_by_role("textbox", name="区域综述（发布在报告中）").fill("未来三天示范区以良为主。")
        chief.get_by_role("button", name="保存联合预报、综述与结论").click()
        chief.get_by_text("可以签发。").wait_for()
        wait_idle(chief)

        chief.get_by_role("button", name="签发", exact=True).click()
        dialog = chief.get_by_role("dialog")
        dialog.get_by_label("密码").fill(PASSWORD)
        # the chief leaves the field with Tab (onto its own "show password" eye) before pressing the button: the
        # password typed was never sent, and the dialog said "请输入密码后再签发。" over a full field
        dialog.get_by_label("密码").press("Tab")
        wait_idle(chief)
        # Streamlit's English-only hint under a typed field ("Press Enter to apply") is not shown in Chinese
        hints = dialog.locator("[data-testid='InputInstructions']")
        assert hints.evaluate_all("els => els.every(e => !e.checkVisibility())"), hints.all_inner_texts()
        screenshot(chief, "consultation-sign-dialog")
        dialog.get_by_role("button", name="确认签发").click()
        alert(chief, "已签发，会商已锁定。").wait_for()
        wait_idle(chief)
        screenshot(chief, "consultation-desk-signed")
        assert c.get_session(db, today).state == "signed"

        wj = pages["wj_wang"]
        wj.reload()
        wait_idle(wj)
        _open(wj, "会商室")
        wj.get_by_text("内容已锁定，只读").wait_for()
        assert wj.get_by_role("button", name="提交", exact=True).count() == 0
        screenshot(wj, "consultation-room-read-only")
        db.dispose()


def _expect_values(page, label: str, values: list[str]) -> None:
    """The boxes labelled ``label`` of the current run hold ``values``, waited for as the page settles (a
    fragment's refresh can redraw the page between two reads: a run under load read the third box as empty
    once, reading each box a single time from any run, stale ones included). A box that stays wrong fails."""
    boxes = live(page).get_by_label(label)
    expect(boxes).to_have_count(len(values))
    for k, value in enumerate(values):
        expect(boxes.nth(k)).to_have_value(value)


def test_the_form_keeps_what_it_holds_across_a_trip_to_another_page(consult_server):
    """Two tours went from the room to the home page and back: every box of the form was empty (the draft
    and what they had typed), and 提交 said "请填写这一天的 AQI 下限和上限" seven times. Streamlit drops a widget's
    value when its page is left; the room keeps its own copy."""
    base, url, today = consult_server
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        _sign_in(page, base, "wj_wang")
        _open(page, "会商室")
        page.get_by_text("预报填报").first.wait_for()
        wait_idle(page)
        _expect_values(page, "AQI 上限", ["80", "80", "80"])  # the draft
        upper = live(page).get_by_label("AQI 上限")
        upper.nth(1).fill("75")
        upper.nth(1).press("Tab")
        # straight to the home page, as a forecaster would: the value may reach the server only with the switch
        # (a fresh-clone run lost it so: the room never ran again to keep it)
        for _ in range(2):  # there and back twice: the second trip starts from kept values
            _open(page, "首页")
            page.get_by_text("您好，王磊（吴江区）").wait_for()
            wait_idle(page)
            _open(page, "会商室")
            page.get_by_text("预报填报").first.wait_for()
            wait_idle(page)
            _expect_values(page, "AQI 上限", ["80", "75", "80"])
            _expect_values(page, "AQI 下限", ["60"] * 3)
            expect(live(page).get_by_role("textbox", name="气象条件分析")).to_have_value("草稿")
        page.get_by_role("button", name="提交", exact=True).click()
        alert(page, "已提交。").wait_for()
        wait_idle(page)
        screenshot(page, "consultation-room-kept-after-a-trip")

        from forecasting import consultation as c
        from forecasting.store.db import Database

        db = Database(url)
        subs = sorted((s.target_date, s.aqi_hi, s.status) for s in c.list_submissions(db, today) if s.district == "320509")
        db.dispose()
        assert [(hi, status) for _, hi, status in subs] == [(80, "submitted"), (75, "submitted"), (80, "submitted")]
