"""Whole journeys in a real headless Chromium on the demo world (issue #9).

1. Three forecasters sign in (separate browsers), review the guidance and submit; a flag appears;
   the duty chief acknowledges it, writes the conclusion, signs with the password and issues; a
   manager opens the report and downloads the PDF.
2. A forecaster tries the chief desk and a submission for another district; a manager tries to
   write: all refused with a clear message.

Screenshots of each step go to ``test-artifacts/journey-*.png`` (four of them are in docs/img/).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from browser_support import app_server, browser, live, one, screenshot, sign_in, wait_idle, wait_until

pytestmark = pytest.mark.browser
PASSWORD = "demo-2026-yrd"


def _sign_in(page, base, username):
    sign_in(page, base, username, PASSWORD)


def _open(page, link):
    page.get_by_role("link", name=link).click()
    wait_idle(page)


@pytest.fixture
def demo(demo_url, tmp_path):
    """The demo world: today's session is open. Who sits in the chief seat today comes from the
    rota; Jiashan's forecaster saved a draft this morning with a high D+1 (a flag will follow)."""
    from forecasting import accounts
    from forecasting import consultation as c
    from forecasting.permissions import Actor
    from forecasting.store.db import Database

    db = Database(demo_url)
    today = c.beijing_today()
    duty = c.duty_for(db, today)
    users = {u.id: u for u in accounts.list_users(db, Actor.system("t"))}
    chief = users[duty.chief_id]
    submitters = {}
    for u in sorted(users.values(), key=lambda u: u.username):
        if u.role == "forecaster" and u.district not in submitters:
            submitters[u.district] = u
    submitters[chief.district] = chief
    js = submitters["330421"]
    rows = {r.target_date: r for r in c.guidance_rows(db, today) if r.district != "330421" and r.method == "ensemble"}
    d1 = today + timedelta(days=1)
    neighbour_hi = max((r.aqi_hi for r in rows.values() if r.target_date == d1), default=60)
    lo, hi, primary = ((105, 135, ("pm25",)) if neighbour_hi < 100 else (20, 40, ()))
    session = c.get_session(db, today)
    entries = [c.SubmissionInput(d, lo, hi, primary, {}, "上午草稿") if d == d1 else
               c.SubmissionInput(d, 40, 55, (), {}, "上午草稿") for d in session.target_dates]
    actor = Actor(js.id, js.username, js.role, js.district, js.display_name)
    c.save_submissions(db, actor, today, "330421", entries)
    db.dispose()
    with app_server(demo_url, data_dir=tmp_path) as base:
        yield base, demo_url, today, chief, submitters


def test_journey_consultation_to_issued_report(demo):
    base, url, today, chief, submitters = demo
    from forecasting import consultation as c
    from forecasting.reports import latest_report
    from forecasting.store.db import Database

    db = Database(url)
    with browser() as b:
        pages = {}
        for district, user in submitters.items():
            ctx = b.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN", accept_downloads=True)
            page = ctx.new_page()
            _sign_in(page, base, user.username)
            _open(page, "会商室")
            page.get_by_text("客观预报指导与昨日检验").click()  # review the guidance
            page.get_by_text("预报填报").first.wait_for(timeout=30_000)
            wait_idle(page)
            pages[district] = page
        screenshot(pages["310118"], "journey-1-room-guidance")
        for district, page in pages.items():
            page.get_by_role("button", name="提交", exact=True).click()
            page.get_by_text("已提交。").wait_for(timeout=30_000)
            wait_idle(page)
        subs = c.list_submissions(db, today)
        assert {s.district for s in subs if s.status == "submitted"} == {"310118", "320509", "330421"}
        flags = c.session_flags(db, today)
        assert flags, "Jiashan's D+1 differs from its neighbours: the consultation must flag it"
        screenshot(pages["330421"], "journey-2-submitted-flags")

        desk = pages[chief.district]
        _open(desk, "首席工作台")
        if c.get_session(db, today).state == "open":  # app state (a count() could run before the page drew)
            one(live(desk).get_by_role("button", name="开始会商")).click()
            wait_until(lambda: c.get_session(db, today).state == "consulting", what="consultation started")
            wait_idle(desk)
        for _ in range(len(flags)):
            done = sum(f.acknowledged for f in c.session_flags(db, today))
            one(live(desk).get_by_label("确认说明")).fill("嘉善受上游输送影响，保留其判断")
            one(live(desk).get_by_role("button", name="确认", exact=True)).click()
            # the previous flash may still be on screen: wait on the database, then on the page
            wait_until(lambda: sum(f.acknowledged for f in c.session_flags(db, today)) > done, what="flag acknowledged")
            wait_idle(desk)
        assert all(f.acknowledged for f in c.session_flags(db, today))
        desk.get_by_label("会商结论").fill("三地会商：未来三天示范区以良为主，嘉善明日受输送影响偏高。")
        desk.get_by_role("button", name="保存会商结论").click()
        desk.get_by_text("会商结论已保存。").wait_for(timeout=30_000)
        wait_idle(desk)
        desk.get_by_role("button", name="签发", exact=True).click()
        dialog = desk.get_by_role("dialog")
        dialog.get_by_label("密码").fill(PASSWORD)
        dialog.get_by_role("button", name="确认签发").click()
        desk.get_by_text("已签发，会商已锁定。").wait_for(timeout=30_000)
        wait_idle(desk)
        desk.get_by_role("button", name="发布", exact=True).click()
        desk.get_by_role("dialog").get_by_role("button", name="确认发布").click()
        desk.get_by_text("已发布（SHA-256").wait_for(timeout=60_000)
        wait_idle(desk)
        screenshot(desk, "journey-3-chief-issued")
        assert c.get_session(db, today).state == "issued"
        stored = latest_report(db)
        assert stored is not None and stored.issue_date == today

        mctx = b.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN", accept_downloads=True)
        manager = mctx.new_page()
        _sign_in(manager, base, "mgr_sun")
        _open(manager, "会商报告")
        manager.get_by_text(f"{today.year}年第").first.wait_for(timeout=30_000)
        wait_idle(manager)
        screenshot(manager, "journey-4-manager-report")
        with manager.expect_download(timeout=60_000) as info:
            manager.get_by_role("button", name="下载 PDF（中文）").first.click()
        pdf = info.value.path().read_bytes()
        assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == stored.sha256
    db.dispose()


def test_journey_refusals(demo):
    base, url, today, chief, submitters = demo
    from forecasting import tokens
    from forecasting.permissions import Actor
    from forecasting.store.db import Database

    other = next(u for d, u in submitters.items() if d != chief.district)
    db = Database(url)
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        _sign_in(page, base, other.username)
        _open(page, "首席工作台")
        page.get_by_text("您不是该日的轮值首席或副班：只能查看。").wait_for(timeout=30_000)
        assert page.get_by_role("button", name="签发", exact=True).count() == 0
        screenshot(page, "journey-5-forecaster-desk-refused")
        # a program with this forecaster's token submits for another district: refused, clearly
        _, secret = tokens.create_token(db, Actor(other.id, other.username, other.role, other.district), name="j")
        target = next(d for d in ("310118", "320509", "330421") if d != other.district)
        r = page.request.post(f"{base}/api/v1/sessions/{today}/submissions/{target}",
                              headers={"Authorization": f"Bearer {secret}"},
                              data={"entries": [{"target_date": str(today + timedelta(days=1)), "aqi_lo": 60,
                                                 "aqi_hi": 80, "primary": ["pm25"]}]})
        assert r.status == 403
        error = r.json()["error"]
        assert error["status"] == 403 and error["message_zh"] and error["message"]
        ctx.close()

        mctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        manager = mctx.new_page()
        _sign_in(manager, base, "mgr_he")
        _open(manager, "会商室")
        manager.get_by_text("您可以查看会商，但不能修改。").wait_for(timeout=30_000)
        assert manager.get_by_role("button", name="提交", exact=True).count() == 0
        assert manager.get_by_role("button", name="添加记录").count() == 0
        screenshot(manager, "journey-6-manager-read-only")
    db.dispose()
