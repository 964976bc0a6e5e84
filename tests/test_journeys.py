"""Whole journeys in a real headless Chromium on the demo world (issues #9, #14).

1. The consultation day: the chief sees "today"; three forecasters submit from the comparison
   grid (Jiashan two levels away on D+1), discuss with @mentions and a reply; the chief
   acknowledges every flag group with one reason (two actions), composes, signs, issues and opens
   the report; a manager sees today and downloads the PDF. Any request leaving the machine fails.
2. A forecaster tries the chief desk and a submission for another district; a manager tries to
   write: all refused with a clear message.

Screenshots of each step go to ``test-artifacts/journey-*.png`` (copied to docs/img/).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from browser_support import (LIVE, alert, app_server, browser, live, one, screenshot, sign_in, table_rows_in_sight,
                             wait_idle, wait_until)

pytestmark = pytest.mark.browser
PASSWORD = "demo-2026-yrd"


def _sign_in(page, base, username):
    sign_in(page, base, username, PASSWORD)


def _open(page, link):
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=link, exact=True).click()
    wait_idle(page)


def shot(page, name: str, anchor: str | None = None):
    """A screenshot in ``test-artifacts/`` (the ones shown in the docs are copied to docs/img by hand, after looking)."""
    if anchor:
        wait_idle(page)
        # the live board re-renders every 10 s: scroll the current run's copy of the anchor (the
        # locator is looked up again if a refresh replaces the element meanwhile)
        live(page).get_by_text(anchor, exact=True).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    wait_idle(page)
    return screenshot(page, name, toasts=False)  # these pictures are the documentation's


@pytest.fixture
def demo(demo_url, tmp_path):
    """The demo world: today's session is open. Who sits in the chief seat today comes from the
    rota; Jiashan's forecaster saved a draft this morning with D+1 two levels away from its
    neighbours (a red flag will follow); its other days start from the guidance."""
    from forecasting import accounts
    from forecasting import consultation as c
    from forecasting.aqi import level_of
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
    d1 = today + timedelta(days=1)
    rows = [r for r in c.guidance_rows(db, today) or [] if r.district != "330421" and r.target_date == d1
            and r.aqi_hi is not None]
    neighbour_hi = max((r.aqi_hi for r in rows), default=60)
    # two levels away from the neighbours' guidance (HJ 633-2026 Table 1: 良 51-100, 中度污染 151-200)
    lo, hi, primary = ((160, 190, ("pm25",)) if level_of(neighbour_hi) <= 2 else (20, 40, ()))
    actor = Actor(js.id, js.username, js.role, js.district, js.display_name)
    c.save_submissions(db, actor, today, "330421", [c.SubmissionInput(d1, lo, hi, primary, {}, "上午草稿：明日上游输送")])
    db.dispose()
    high = lo > 100
    story = {
        "note": ("@青浦 @吴江 明日偏北风，上游输送使嘉善 PM2.5 偏高，维持中度污染判断。" if high else
                 "@青浦 @吴江 明日嘉善处于清洁气团控制，预计为优，与两地相差两级。"),
        "reply": ("同意嘉善偏高；青浦受影响较小，维持良。" if high else
                  "同意嘉善偏低；青浦仍受本地排放影响，维持良至轻度污染。"),
        "reason": "嘉善受上游输送影响，保留其判断" if high else "嘉善位于清洁气团前沿，保留其判断",
        "summary": ("未来一周示范区以良为主；明日嘉善受上游输送影响，可能出现中度污染。" if high else
                    "未来一周示范区以良为主；明日嘉善受清洁气团影响为优，青浦、吴江良至轻度污染。"),
        "conclusion": f"三地会商：保留嘉善明日{'中度污染' if high else '优'}判断，其余按指导。",
    }
    with app_server(demo_url, data_dir=tmp_path) as base:
        yield base, demo_url, today, chief, submitters, story


def wait_chart(page):
    """Wait until the Vega chart (the home map) has drawn."""
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()


def test_journey_consultation_to_issued_report(demo):
    """The whole day (#14): three forecasters submit (Jiashan two levels away on D+1), discuss with
    a reply; the chief resolves the flags in two actions, composes, signs, issues and opens the
    report; a manager sees today and downloads the PDF. No request leaves the machine (``browser()``
    refuses it and fails the test)."""
    base, url, today, chief, submitters, story = demo
    from forecasting import consultation as c
    from forecasting.reports import latest_report
    from forecasting.store.db import Database

    db = Database(url)
    with browser() as b:
        pages = {}
        for district in ("310118", "320509", "330421"):
            user = submitters[district]
            ctx = b.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-CN", accept_downloads=True)
            page = ctx.new_page()
            _sign_in(page, base, user.username)
            pages[district] = page
        desk = pages[chief.district]
        desk.get_by_text("今天您是轮值首席。").wait_for()
        wait_chart(desk)
        shot(desk, "journey-0-today-chief")
        for district in ("310118", "320509", "330421"):
            page = pages[district]
            _open(page, "会商室")
            page.get_by_text("预报填报").first.wait_for()
            wait_idle(page)
        shot(pages["330421"], "journey-1-room-form", anchor="嘉善县 预报填报")
        for district in ("310118", "320509", "330421"):
            page = pages[district]
            page.get_by_role("button", name="提交", exact=True).click()
            alert(page, "已提交。").wait_for()
            wait_idle(page)
        subs = c.list_submissions(db, today)
        assert {s.district for s in subs if s.status == "submitted"} == {"310118", "320509", "330421"}
        groups = c.session_flag_groups(db, today)
        red = [g for g in groups if g.severity == "red" and g.kind == "level_gap"]
        # the story's flag: Jiashan two levels away on D+1. The guidance itself may be two levels apart elsewhere
        # (with the clock at 2027-07-26: Qingpu ≈98 and Wujiang ≈189 on D+4), and the chief confirms those too
        d1 = c.get_session(db, today).target_dates[0]
        assert any("330421" in (g.district_a, g.district_b) and d1 in g.days for g in red), red
        # Qingpu submitted first: its open room shows the neighbours' submissions at its next live refresh
        # (every 10 s), without a reload. The picture once showed Wujiang "未开始" and Jiashan's draft.
        cells = 3 * len(c.get_session(db, today).target_dates)
        pages["310118"].wait_for_function(
            "n => [...document.querySelectorAll(`" + LIVE + " .comparison-grid`)]"
            ".some(g => (g.innerText.match(/已提交/g) || []).length >= n)", arg=cells)
        shot(pages["310118"], "journey-2-room-grid", anchor="三地对比")

        # the discussion: Jiashan explains with @mentions, Qingpu replies under it
        js = pages["330421"]
        js.get_by_role("textbox", name="内容（纯文本显示）").fill(story["note"])
        js.get_by_role("button", name="添加记录").click()
        alert(js, "记录已添加。").wait_for()
        wait_idle(js)
        qp = pages["310118"]
        qp.reload()
        wait_idle(qp)
        qp.get_by_role("button", name="回复").first.click()
        qp.get_by_text("回复 #").first.wait_for()
        wait_idle(qp)
        qp.get_by_role("textbox", name="内容（纯文本显示）").fill(story["reply"])
        qp.get_by_role("button", name="添加记录").click()
        alert(qp, "记录已添加。").wait_for()
        wait_idle(qp)
        notes = [n for n in c.list_notes(db, today) if n.kind == "note"]
        assert len(notes) == 2 and notes[1].parent_id == notes[0].id and notes[0].mentions == ("310118", "320509")
        qp.get_by_text(story["reply"]).first.wait_for()  # the reply is drawn under its note
        wait_idle(qp)
        shot(qp, "journey-3-discussion", anchor="添加会商记录")

        _open(desk, "首席工作台")
        desk.get_by_text("分歧（按区县对和类型合并）", exact=True).wait_for()  # the page has drawn
        if c.get_session(db, today).state == "open":  # app state (a count() could run before the page drew)
            one(live(desk).get_by_role("button", name="开始会商")).click()
            wait_until(lambda: c.get_session(db, today).state == "consulting", what="consultation started")
            wait_idle(desk)
        open_groups = [g for g in c.session_flag_groups(db, today) if g.open]
        shot(desk, "journey-4-desk-flags", anchor="分歧（按区县对和类型合并）")
        # the flags in two actions: one reason, one button
        one(live(desk).get_by_role("textbox", name="确认理由（一条理由适用于所选各组）")).fill(story["reason"])
        one(live(desk).get_by_role("button", name=f"全部确认（{len(open_groups)} 组）")).click()
        wait_until(lambda: not [g for g in c.session_flag_groups(db, today) if g.open], what="flag groups acknowledged")
        alert(desk, f"已确认 {len(open_groups)} 组分歧。").wait_for()
        wait_idle(desk)
        assert not [g for g in c.session_flag_groups(db, today) if g.open]
        acks = [n for n in c.list_notes(db, today) if n.kind == "acknowledgement"]
        assert len(acks) == 1 and "[" not in acks[0].body and "嘉善县" in acks[0].body
        desk.get_by_role("textbox", name="区域综述（发布在报告中）").fill(story["summary"])
        desk.get_by_role("textbox", name="会商结论（记入报告附页）").fill(story["conclusion"])
        desk.get_by_role("button", name="保存联合预报、综述与结论").click()
        alert(desk, "已保存。").wait_for()
        wait_idle(desk)
        desk.get_by_text("可以签发。").wait_for()
        # the combined grid holds 3 districts × 7 days and shows them all: it does not scroll inside (it showed
        # 10 of its 21 rows, and the chief scrolled within it for Wujiang's later days and Jiashan)
        rows, scrolled, shown = table_rows_in_sight(desk, "final_grid")
        assert rows == 22, rows  # the header and 21 rows
        assert scrolled <= shown + 1, f"the grid scrolls inside: {scrolled} px of rows in {shown} px"
        shot(desk, "journey-5-desk-compose", anchor="联合预报（合成）")
        desk.get_by_role("button", name="签发", exact=True).click()
        dialog = desk.get_by_role("dialog")
        dialog.get_by_label("密码").fill(PASSWORD)
        dialog.get_by_role("button", name="确认签发").click()
        alert(desk, "已签发，会商已锁定。").wait_for()
        wait_idle(desk)
        desk.get_by_role("button", name="发布", exact=True).click()
        desk.get_by_role("dialog").get_by_role("button", name="确认发布").click()
        alert(desk, "已发布第 1 版。").wait_for()
        wait_idle(desk)
        shot(desk, "journey-6-desk-issued", anchor="轮值首席工作台")
        assert c.get_session(db, today).state == "issued"
        stored = latest_report(db)
        assert stored is not None and stored.issue_date == today
        snapshot = __import__("json").loads(c.issued_forecasts(db, today)[-1].snapshot)
        assert snapshot["acknowledgements"] and all(a["reason"] == story["reason"]
                                                    for a in snapshot["acknowledgements"])
        desk.get_by_role("link", name="打开报告页").click()
        desk.get_by_role("heading", name="联合预报会商报告").wait_for()  # the reports page, not the desk
        desk.get_by_text(f"{today.year}年第").first.wait_for()
        wait_idle(desk)
        shot(desk, "journey-7-report")

        mctx = b.new_context(viewport={"width": 1440, "height": 1100}, locale="zh-CN", accept_downloads=True)
        manager = mctx.new_page()
        _sign_in(manager, base, "mgr_sun")
        manager.get_by_text("最新发布").first.wait_for()
        wait_chart(manager)
        shot(manager, "journey-8-manager-today")
        _open(manager, "会商报告")
        manager.get_by_role("heading", name="联合预报会商报告").wait_for()
        manager.get_by_text(f"{today.year}年第").first.wait_for()
        wait_idle(manager)
        with manager.expect_download() as info:
            manager.get_by_role("button", name="下载 PDF（中文）").first.click()
        pdf = info.value.path().read_bytes()
        assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == stored.sha256
    db.dispose()


def test_journey_refusals(demo):
    base, url, today, chief, submitters, _story = demo
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
        page.get_by_text("您不是该日的轮值首席或副班：只能查看。").wait_for()
        assert page.get_by_role("button", name="签发", exact=True).count() == 0
        page.get_by_text("分歧（按区县对和类型合并）", exact=True).wait_for()
        wait_idle(page)  # the flag table drawn (the picture once showed its empty grey frame)
        # the flag table, or the page's words for no flags: whichever the world gives
        page.locator(".flag-table table").first.or_(page.get_by_text("三地预报一致，无分歧。")).or_(
            page.get_by_text("尚无可比对的相邻预报")).first.wait_for()
        screenshot(page, "journey-10-forecaster-desk-refused")
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
        # an unknown API path on the real server: JSON 404, not the app's HTML page (#14)
        r = page.request.get(f"{base}/api/v1/no-such-thing")
        assert r.status == 404 and r.headers["content-type"].startswith("application/json")
        assert r.json()["error"]["status"] == 404
        ctx.close()

        mctx = b.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        manager = mctx.new_page()
        _sign_in(manager, base, "mgr_he")
        _open(manager, "会商室")
        manager.get_by_text("您可以查看会商，但不能修改。").wait_for()
        assert manager.get_by_role("button", name="提交", exact=True).count() == 0
        assert manager.get_by_role("button", name="添加记录").count() == 0
        screenshot(manager, "journey-9-manager-read-only")
    db.dispose()
