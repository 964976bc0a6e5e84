"""AppTest tests of the consultation room, the duty chief desk and the rota page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD

QP, WJ, JS = "310118", "320509", "330421"


@pytest.fixture
def world(sqlite_url, monkeypatch):
    """Five users, a rota from today (Qingpu first: fc_qp chief, fc_qp2 deputy), today's session of 3 days."""
    from forecasting import accounts, consultation as c
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    db = get_database(sqlite_url)
    op = Actor.system("t")
    cast = {}
    for username, role, district in [("fc_qp", "forecaster", QP), ("fc_qp2", "forecaster", QP),
                                     ("fc_wj", "forecaster", WJ), ("fc_js", "forecaster", JS),
                                     ("mgr1", "manager", None), ("admin1", "admin", None)]:
        v = accounts.create_user(db, op, username=username, password=PASSWORD, role=role, district=district)
        cast[username] = Actor(v.id, v.username, v.role, v.district, v.display_name)
    today = c.beijing_today()
    c.generate_rota(db, op, today, today + timedelta(days=20))
    # today's deadlines at the day's end: what the pages show must not depend on the hour the test runs (two
    # tests failed after 15:00 Beijing time on "已过会商截止时间 15:00"); test_deadline_warnings_show_on_the_room
    # opens a session with the usual deadlines
    with monkeypatch.context() as m:
        m.setenv("FORECASTING_CONSULT_DEADLINE", "23:59")
        m.setenv("FORECASTING_ISSUE_DEADLINE", "23:59")
        c.open_session(db, op, today, days=3)
    return db, cast, today


def c_room(db, actor, day):
    from forecasting import consultation as c

    return c.room_view(db, actor, day)


def _fill(at, today, district, lo, hi, primary=("pm25",)):
    for k in range(1, 4):
        key = f"sub_{today.isoformat()}_{district}_{(today + timedelta(days=k)).isoformat()}"
        at.text_input(key=key + "_lo").set_value(str(lo))
        at.text_input(key=key + "_hi").set_value(str(hi))
        at.multiselect(key=key + "_primary").set_value(list(primary))


def _button(at, label):
    return [b for b in at.button if b.label == label][0]


def _flag_table(at) -> str:
    """The flag table's HTML (``ui.consultation.flag_table_html``) on the page."""
    [table] = [m.value for m in at.markdown if "class='flag-table'" in str(m.value)]
    return table


def _submit_all(db, cast, today, ranges: dict, *, start: bool = True, analysis: str = "分析"):
    """Start the consultation (as fc_qp, today's chief) and submit each forecaster's ``(lo, hi)`` for D+1..D+3
    (PM2.5 the primary pollutant above 50)."""
    from forecasting import consultation as c

    if start:
        c.start_consultation(db, cast["fc_qp"], today, expected_version=1)
    for u, (lo, hi) in ranges.items():
        entries = [c.SubmissionInput(today + timedelta(days=k), lo, hi, ("pm25",) if hi > 50 else (), {}, analysis, 0)
                   for k in (1, 2, 3)]
        c.save_submissions(db, cast[u], today, cast[u].district, entries, submit=True)


def test_forecaster_submits_for_their_district_and_sees_the_board(world):
    db, cast, today = world
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    assert "联合预报会商室" in texts(at)
    assert "暂无客观预报指导" in texts(at)  # no forecasting.guidance yet (or no rows)
    assert "吴江区 预报填报" in texts(at)
    # nothing saved yet: no "the districts agree" before there is anything to compare
    assert "尚无可比对的相邻预报" in texts(at) and "三地预报一致" not in texts(at)
    _fill(at, today, WJ, 60, 80)
    # two primary pollutants: the narrow day column clips the second chip, so the choice is also in words
    at.multiselect(key=f"sub_{today.isoformat()}_{WJ}_{(today + timedelta(days=2)).isoformat()}_primary").set_value(
        ["pm25", "pm10"]).run()
    assert "已选：PM2.5、PM10" in texts(at)
    # the live level chip of each day, its width rule on a line of its own however short the chip ("良"): beside
    # it, that day's concentration boxes sat a line higher than the days with "良至轻度污染" (a 1366 px tour)
    chips = [m.value for m in at.markdown if "border-radius:8px" in str(m.value)]
    assert len(chips) == 3 and all(">良</span></span><br><span" in chip and "宽 20（≤ 20）" in chip for chip in chips), chips
    # a span of two levels breaks between them only: at 1280 px its chip read "良至轻度污" / "染"
    _fill(at, today, WJ, 85, 120)
    at.run()
    chips = [m.value for m in at.markdown if "border-radius:8px" in str(m.value)]
    assert all("<span style='white-space:nowrap'>良至</span><wbr><span style='white-space:nowrap'>轻度污染</span>"
               in chip for chip in chips), chips
    _fill(at, today, WJ, 60, 80)
    # and what varies in height from day to day (the chip: one line "良" or two "Good to Lightly Polluted" in
    # English, the primaries in words, an error) stands under every box, so the boxes line up across the days
    for day_column in [col for col in at.columns if any(str(x.key).endswith("_o3") for x in col.text_input)]:
        order = [getattr(x, "key", None) or ("chip" if "border-radius:8px" in str(getattr(x, "value", "")) else
                                              "words" if "已选：" in str(getattr(x, "value", "")) else None)
                 for x in day_column.children.values()]
        boxes = [i for i, key in enumerate(order) if str(key).endswith(("_lo", "_hi", "_primary", "_pm25", "_o3"))]
        varying = [i for i, key in enumerate(order) if key in ("chip", "words")]
        assert len(boxes) == 5 and varying and max(boxes) < min(varying), order
    at.text_area(key=f"sub_{today.isoformat()}_{WJ}_analysis").input("偏东风，扩散条件一般")
    _button(at, "提交").click().run()
    assert not at.exception, at.exception
    assert "已提交。" in texts(at)
    assert "已提交。" in [t.value for t in at.toast]  # also where the user is (the line above is at the top)
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    # the comparison grid: Wujiang's row shows its range, level and state; the others are not started
    assert grid.index("青浦区") < grid.index("吴江区") < grid.index("嘉善县")
    assert "<b>60–80</b><br><span style='white-space:nowrap'>良</span>" in grid and grid.count("未开始") == 6
    from forecasting import consultation as c

    subs = c.list_submissions(db, today)
    assert {(s.district, s.status, s.aqi_lo, s.analysis) for s in subs} == {(WJ, "submitted", 60, "偏东风，扩散条件一般")}


def test_the_form_keeps_its_values_when_the_forecaster_comes_back_from_another_page(world):
    """A tour opened the room (the form prefilled), went to the home page and back: every box was empty,
    and 提交 said "请填写这一天的 AQI 下限和上限" seven times until the browser page was reloaded (Streamlit
    drops a widget's value when its page is left). The submitted values, and a value typed but not yet
    saved, are there on return."""
    db, cast, today = world
    from forecasting import consultation as c

    entries = [c.SubmissionInput(today + timedelta(days=k), 60, 80, ("pm25",), {}, "偏东风") for k in (1, 2, 3)]
    c.save_submissions(db, cast["fc_wj"], today, WJ, entries, submit=True)
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    key = f"sub_{today.isoformat()}_{WJ}_"
    d1, d2 = (today + timedelta(days=1)).isoformat(), (today + timedelta(days=2)).isoformat()
    assert at.text_input(key=key + d1 + "_lo").value == "60"
    at.text_input(key=key + d2 + "_hi").set_value("75").run()  # typed, not saved
    goto(at, "home.py")
    assert not at.exception, at.exception
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    assert [at.text_input(key=key + d + "_lo").value for d in (d1, d2)] == ["60", "60"]
    assert at.text_input(key=key + d2 + "_hi").value == "75"  # the unsaved edit too
    assert at.multiselect(key=key + d1 + "_primary").value == ["pm25"]
    assert at.text_area(key=key + "analysis").value == "偏东风"
    assert at.selectbox(key="cell_district").value == WJ  # the analysis and discussion of their own district first
    _button(at, "提交").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [] and "已提交。" in texts(at)
    d3 = (today + timedelta(days=3)).isoformat()
    assert {(s.target_date.isoformat(), s.aqi_hi) for s in c.list_submissions(db, today)} == {(d1, 80), (d2, 75), (d3, 80)}


def test_a_value_sent_with_the_switch_to_another_page_is_kept(world):
    """A fresh-clone run lost a typed value on the way to the home page: it reached the server only with the
    page switch (the room's own run, which keeps the form at its end, was cut short or never came), and the
    room put back the older copy on return. Each input keeps its change as it arrives."""
    db, cast, today = world
    _submit_all(db, cast, today, {"fc_wj": (60, 80)}, start=False)
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    key = f"sub_{today.isoformat()}_{WJ}_{(today + timedelta(days=2)).isoformat()}_hi"
    assert at.text_input(key=key).value == "80"
    at.text_input(key=key).set_value("75")  # not run here: the value goes with the switch
    goto(at, "home.py")
    assert not at.exception, at.exception
    goto(at, "consultation_room.py")
    assert at.text_input(key=key).value == "75"


def test_a_second_save_is_refused_naming_who_and_the_typed_values_stay(world):
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, QP, 70, 90)
    # meanwhile the deputy (same district) saves day 1
    c.save_submission(db, cast["fc_qp2"], today, QP, today + timedelta(days=1), aqi_lo=60, aqi_hi=80,
                      primary=["pm25"])
    _button(at, "保存草稿").click().run()
    assert not at.exception, at.exception
    # the deadline notices ("已过会商截止时间 15:00") depend on the hour the test runs: set them aside
    errors = [e.value for e in at.error if not str(e.value).startswith(("已过会商截止时间", "已过发布截止时间"))]
    assert len(errors) == 1 and "已被 fc_qp2 于" in errors[0] and "您的输入仍保留" in errors[0]
    key = f"sub_{today.isoformat()}_{QP}_{(today + timedelta(days=1)).isoformat()}_lo"
    assert at.text_input(key=key).value == "70"
    assert [s.aqi_lo for s in c.list_submissions(db, today)] == [60]  # nothing overwritten
    _button(at, "载入最新内容（放弃我的输入）").click().run()
    assert at.text_input(key=key).value == "60"


def test_one_district_alone_is_not_said_to_agree_with_the_others(world):
    """A tour read "三地预报一致，无检查项" when only Jiashan had submitted: with one district there is
    nothing to compare, with two the page names them, only with three do "the three districts agree"."""
    db, cast, today = world
    from forecasting import consultation as c

    days = [today + timedelta(days=k) for k in range(1, 4)]

    def submit(who, district):
        c.save_submissions(db, cast[who], today, district,
                           [c.SubmissionInput(d, 60, 80, ("pm25",)) for d in days], submit=True)

    def shown():
        at = sign_in(new_app(), "fc_qp", PASSWORD)
        goto(at, "consultation_room.py")
        assert not at.exception, at.exception
        return texts(at)

    submit("fc_js", JS)
    page = shown()
    assert "尚无可比对的相邻预报（1/3 个区县已填报）" in page and "三地预报一致" not in page
    submit("fc_wj", WJ)
    page = shown()
    assert "已填报的吴江区、嘉善县之间无分歧（2/3 个区县已填报）。" in page and "三地预报一致" not in page
    submit("fc_qp", QP)
    assert "三地预报一致，无分歧。" in shown()


def test_saving_a_submitted_forecast_says_what_happened(world):
    """A tour clicked 保存草稿 after 提交 and read "草稿已保存" although nothing had changed (and nothing
    goes back to draft): the message says what the save did."""
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, WJ, 60, 80)
    _button(at, "提交").click().run()
    assert "已提交。" in texts(at)
    _button(at, "保存草稿").click().run()
    assert not at.exception, at.exception
    assert "没有改动，未保存新版本。" in texts(at) and "草稿已保存。" not in texts(at)
    assert {(s.status, s.version) for s in c.list_submissions(db, today)} == {("submitted", 1)}
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{(today + timedelta(days=1)).isoformat()}_hi").set_value("75")
    _button(at, "保存草稿").click().run()
    assert "修改已保存，预报仍为已提交。" in texts(at)
    assert sorted((s.status, s.version) for s in c.list_submissions(db, today)) == [
        ("submitted", 1), ("submitted", 1), ("submitted", 2)]


def test_the_next_forecaster_at_the_same_tab_never_gets_the_last_ones_unsaved_form(world):
    """Regression (a tour): after a sign-out or an expired session on a shared computer, the next forecaster of
    the same district signed in at the same tab and found the last one's unsaved analysis and ranges in the
    room's form; pressing save sent them in their own name. The same person signing in again (an expired
    session) finds their form as they left it."""
    db, cast, today = world
    prefix = f"sub_{today.isoformat()}_{QP}_"
    first_day = prefix + (today + timedelta(days=1)).isoformat()
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, QP, 60, 80)
    at.text_area(key=prefix + "analysis").input("未保存的分析：偏东风")
    at.run()
    at.button(key="sign_out").click().run()
    sign_in(at, "fc_qp", PASSWORD)  # the same person again: the form as it was left
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    assert at.text_area(key=prefix + "analysis").value == "未保存的分析：偏东风"
    assert at.text_input(key=first_day + "_lo").value == "60"
    at.button(key="sign_out").click().run()
    sign_in(at, "fc_qp2", PASSWORD)  # another forecaster of Qingpu
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    assert at.text_area(key=prefix + "analysis").value == ""
    assert at.text_input(key=first_day + "_lo").value != "60"  # the guidance's prefill (none here), not the last one's
    assert "未保存的分析" not in texts(at)


def test_a_submission_without_its_analysis_is_kept_and_the_room_says_what_is_missing(world):
    """A tour submitted with 气象条件分析 blank and read only "已提交。". The guidance must post back
    unchanged (issue #13), so the submission stands; the room says that nobody can see the reasons."""
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, WJ, 60, 80)
    # no English "Select all" in a Chinese page (and no day has six primary pollutants)
    assert {m.proto.select_all for m in at.multiselect} == {0}
    at.text_area(key=f"sub_{today.isoformat()}_{WJ}_analysis").set_value("   ")
    _button(at, "提交").click().run()
    assert not at.exception, at.exception
    assert "已提交。" in texts(at)
    warned = "已提交，但未填写气象条件分析：相邻区县和轮值首席看不到您的预报依据，建议补写后再保存。"
    assert warned in [str(w.value) for w in at.warning]
    assert {s.status for s in c.list_submissions(db, today)} == {"submitted"}
    at.text_area(key=f"sub_{today.isoformat()}_{WJ}_analysis").set_value("偏北风，扩散一般")
    _button(at, "保存草稿").click().run()
    assert warned not in [str(w.value) for w in at.warning]
    assert {s.analysis for s in c.list_submissions(db, today)} == {"偏北风，扩散一般"}


def test_a_negative_aqi_is_refused_next_to_its_day_and_nothing_is_saved(world):
    """A tour typed -10 into a box with Streamlit's min_value=0: the browser kept the last valid value
    behind it, said so in English, and "草稿已保存" saved the old value. The boxes have no bounds of their
    own now (the browser passes what was typed) and the rules refuse it beside its day, in Chinese."""
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    key = f"sub_{today.isoformat()}_{WJ}_{(today + timedelta(days=2)).isoformat()}"
    for box in ("_lo", "_hi", "_pm25", "_o3"):
        assert at.text_input(key=key + box).max_chars in (None, 0), box  # text boxes: no bounds of their own
    _fill(at, today, WJ, 60, 80)
    at.text_input(key=key + "_lo").set_value("-10")
    _button(at, "保存草稿").click().run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert "AQI 范围 -10-80 无效：应满足 0 ≤ 下限 < 上限 ≤ 500。" in errors
    assert any(e.startswith("未保存任何一天") and (today + timedelta(days=2)).strftime("%m-%d") in e for e in errors)
    assert "草稿已保存。" not in texts(at)
    assert c.list_submissions(db, today) == []


def test_an_unreadable_aqi_is_refused_by_name_and_nothing_is_saved(world):
    """A tour typed "9e" into an AQI box and read "请填写这一天的 AQI 下限和上限。": Streamlit's number box handed
    the page nothing for it, as for an empty box. The boxes are read by the rules now: "9e" and "50.5" are refused
    by name beside their days, and nothing is saved."""
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, WJ, 60, 80)
    day1, day2 = (today + timedelta(days=k) for k in (1, 2))
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{day1.isoformat()}_lo").set_value("9e")
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{day2.isoformat()}_hi").set_value("50.5")
    _button(at, "保存草稿").click().run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert "AQI 应为整数：9e" in errors
    assert "AQI 应为整数：50.5" in errors
    assert "请填写这一天的 AQI 下限和上限。" not in errors
    summary = next(e for e in errors if e.startswith("未保存任何一天"))
    assert day1.strftime("%m-%d") in summary and day2.strftime("%m-%d") in summary
    assert c.list_submissions(db, today) == []


def test_full_width_digits_from_an_input_method_are_read_as_digits(world):
    """A Chinese input method left in full-width mode types ６０ and ８０; they are the numbers 60 and 80."""
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, WJ, 60, 80)
    day1 = today + timedelta(days=1)
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{day1.isoformat()}_lo").set_value("６５")
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{day1.isoformat()}_pm25").set_value("５２．５")
    _button(at, "保存草稿").click().run()
    assert not at.exception, at.exception
    assert [str(e.value) for e in at.error] == []
    saved = {s.target_date: s for s in c.list_submissions(db, today)}
    assert (saved[day1].aqi_lo, saved[day1].aqi_hi) == (65, 80)
    assert saved[day1].concentrations == {"pm25": 52.5}


def test_a_range_typed_whole_in_one_box_fills_both(world):
    """Forecasters write a range as "80-100": typed so in the lower box it was refused ("AQI 应为整数"), and they
    had to split it by hand at 15:00. Its ends now go to both boxes, full-width and "至" too."""
    db, cast, today = world
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    keys = [f"sub_{today.isoformat()}_{WJ}_{(today + timedelta(days=k)).isoformat()}" for k in (1, 2, 3)]
    at.text_input(key=keys[0] + "_lo").set_value("80-100")
    at.text_input(key=keys[1] + "_hi").set_value("８５～１２０")
    at.text_input(key=keys[2] + "_lo").set_value("60至80").run()
    assert not at.exception, at.exception
    assert [(at.text_input(key=k + "_lo").value, at.text_input(key=k + "_hi").value) for k in keys] == [
        ("80", "100"), ("85", "120"), ("60", "80")]
    for k in keys:
        at.multiselect(key=k + "_primary").set_value(["pm25"])
    _button(at, "保存草稿").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    saved = {e.target_date: (e.aqi_lo, e.aqi_hi) for e in c_room(db, cast["fc_wj"], today).entries}
    assert saved[today + timedelta(days=1)] == (80, 100) and saved[today + timedelta(days=3)] == (60, 80)


def test_a_cleared_aqi_box_asks_for_a_value_and_nothing_is_saved(world):
    """A tour emptied D+3's upper end and read "AQI 范围 60-0 无效" (a cleared box had become 0) and
    "以下日期未保存", as if the other days had been saved."""
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, WJ, 60, 80)
    day3 = today + timedelta(days=3)
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{day3.isoformat()}_hi").set_value("")
    _button(at, "提交").click().run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert "请填写这一天的 AQI 下限和上限。" in errors
    assert not any("60-0" in e or "60–0" in e for e in errors)
    assert any(e.startswith("未保存任何一天") and day3.strftime("%m-%d") in e for e in errors)
    assert c.list_submissions(db, today) == []


def test_a_days_error_goes_once_its_values_are_corrected(world):
    """A tour corrected day 1 from 40-70 (too wide) to 40-60 after 提交 and still read "AQI 范围 40-70 过宽" and
    "未保存任何一天……请先修改：第 1 天" under the valid range, until the next submit. An error stands only
    while its day holds what was refused; another day's error stays."""
    db, cast, today = world
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    _fill(at, today, WJ, 40, 70)  # every day 30 wide, the rule is 20
    _button(at, "提交").click().run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert sum("40-70 过宽" in e for e in errors) == 3 and any(e.startswith("未保存任何一天") for e in errors)
    day1 = today + timedelta(days=1)
    at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{day1.isoformat()}_hi").set_value("60").run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert sum("40-70 过宽" in e for e in errors) == 2  # days 2 and 3 still hold 40-70
    summary = next(e for e in errors if e.startswith("未保存任何一天"))
    assert day1.strftime("%m-%d") not in summary and (today + timedelta(days=2)).strftime("%m-%d") in summary
    for k in (2, 3):
        at.text_input(key=f"sub_{today.isoformat()}_{WJ}_{(today + timedelta(days=k)).isoformat()}_hi").set_value("60")
    at.run()
    assert [str(e.value) for e in at.error] == []  # nothing left to correct: no error, no summary


def test_an_analysis_over_its_limit_is_refused_with_a_message_not_dropped(world):
    """Streamlit drops, without a word, a paste that takes a box past its ``max_chars``: a tour's 5,200
    characters left the analysis box empty. The box takes any length; saving says what is too long."""
    db, cast, today = world
    from forecasting import consultation as c
    from forecasting.textlimits import TEXT_LIMITS

    limit = TEXT_LIMITS["analysis"][0]
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    assert not at.text_area(key=f"sub_{today.isoformat()}_{WJ}_analysis").max_chars  # 0: no limit in the box
    _fill(at, today, WJ, 60, 80)
    at.text_area(key=f"sub_{today.isoformat()}_{WJ}_analysis").input("风" * (limit + 200))
    _button(at, "提交").click().run()
    assert not at.exception, at.exception
    assert any(str(limit) in str(e.value) and str(limit + 200) in str(e.value) for e in at.error), \
        [e.value for e in at.error]
    assert at.text_area(key=f"sub_{today.isoformat()}_{WJ}_analysis").value == "风" * (limit + 200)  # kept
    assert c.list_submissions(db, today) == []


def test_manager_reads_notes_as_plain_text_without_forms(world):
    db, cast, today = world
    from forecasting import consultation as c

    c.add_note(db, cast["fc_js"], today, "<b>注意</b> **臭氧**")
    at = sign_in(new_app(), "mgr1", PASSWORD)
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    assert "您可以查看会商，但不能修改。" in texts(at)
    assert "<b>注意</b> **臭氧**" in [t.value for t in at.text]
    assert not [b for b in at.button if b.label in ("提交", "添加记录")]


def test_an_acknowledgement_reads_in_the_readers_language(world):
    """A tour read the Chinese chief's acknowledgement sentence ("首席确认 1 组分歧：…") in the English room:
    the app's sentence is in each reader's language, the chief's reason as typed."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (160, 190)})
    c.acknowledge_groups(db, cast["fc_qp"], today, kind="*", note="吴江受输送影响", lang="zh",
                         guidance_source=lambda *_: [])
    at = sign_in(new_app(), "mgr1", PASSWORD)
    at.segmented_control(key="lang_switch").set_value("en").run()
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    [shown] = [t.value for t in at.text if "吴江受输送影响" in str(t.value)]
    assert "Qingpu" in shown and "Wujiang" in shown and "首席确认" not in shown and "青浦" not in shown
    zh = goto(sign_in(new_app(), "mgr1", PASSWORD), "consultation_room.py")
    [shown] = [t.value for t in zh.text if "吴江受输送影响" in str(t.value)]
    assert shown.startswith("首席确认 2 组分歧") and "青浦区与吴江区" in shown


def test_a_long_note_shows_its_beginning_and_the_whole_in_a_fold(world):
    """A 5,000-character note filled the room's and the desk's discussion for screens on end."""
    db, cast, today = world
    from forecasting import consultation as c

    body = "长文本" * 700  # 2,100 characters
    c.add_note(db, cast["fc_js"], today, body)
    at = sign_in(new_app(), "mgr1", PASSWORD)
    goto(at, "consultation_room.py")
    assert not at.exception, at.exception
    shown = [t.value for t in at.text]
    assert body[:600] + "…" in shown and body in shown  # the beginning, and the whole text in the fold
    assert [e.label for e in at.expander if "展开全文" in e.label] == ["展开全文（2100 字）"]


def test_forecaster_adds_a_note_once(world):
    db, cast, today = world
    from forecasting import consultation as c

    at = sign_in(new_app(), "fc_js", PASSWORD)
    goto(at, "consultation_room.py")
    at.text_area(key="note_body_0").input("嘉善 PM2.5 偏高 @吴江")
    at.selectbox(key="note_district_0").select(JS)
    _button(at, "添加记录").click().run()
    assert not at.exception, at.exception
    assert "记录已添加。" in texts(at)
    notes = c.list_notes(db, today)
    assert [(n.body, n.district, n.author_name, n.mentions) for n in notes] == [
        ("嘉善 PM2.5 偏高 @吴江", JS, "fc_js", (WJ,))]
    assert "嘉善 PM2.5 偏高 @吴江" in [t.value for t in at.text]
    # the box is empty again (a second click cannot post the same text twice)
    assert at.text_area(key="note_body_1").value in ("", None)
    # a reply to the note: threaded under it
    [b for b in at.button if b.label == "回复"][0].click().run()
    assert "回复 #" in texts(at)
    at.text_area(key="note_body_1").input("同意")
    _button(at, "添加记录").click().run()
    assert not at.exception, at.exception
    notes = c.list_notes(db, today)
    assert [n.parent_id for n in notes] == [None, notes[0].id]


def test_chief_acknowledges_a_flag_signs_with_password_and_the_room_is_read_only(world):
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (85, 105)}, analysis="")
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "chief_desk.py")
    assert not at.exception, at.exception
    flags = _flag_table(at)
    # six flags (Jiashan against each neighbour on three days) in two groups, showing both values
    assert flags.count("<tr>") == 3 and flags.count("AQI 范围不重叠") == 2
    assert "60–80 PM2.5 对 85–105 PM2.5" in flags
    assert [m.proto.select_all for m in at.multiselect] == [0]  # the group picker: no English "Select all"
    assert "2 组分歧待确认" in texts(at) and not [b for b in at.button if b.label == "签发"]
    reason = "嘉善受上游输送影响，本地站点夜间偏高，保留嘉善的判断；青浦、吴江维持原预报，次日复核观测后再议。"
    at.text_input(key="ack_note_0").input(reason)
    _button(at, "全部确认（2 组）").click().run()
    assert not at.exception, at.exception
    assert "已确认 2 组分歧。" in texts(at)
    # the reason is in the table whole, wrapping in its cell (a tour saw it run off the table's edge,
    # "嘉善本地站点夜间偏高，保留嘉…"), beside the state of each group
    flags = _flag_table(at)
    assert flags.count("已确认（") == 2 and flags.count(f">{reason}</td>") == 2
    assert "尚未填写区域综述与会商结论" in texts(at)
    at.text_area(key="final_summary_0").input("示范区未来三天以良为主。")
    _button(at, "保存联合预报、综述与结论").click().run()
    assert not at.exception, at.exception
    assert "可以签发。" in texts(at)
    _button(at, "签发").click().run()
    at.text_input(key="sign_password").input("wrong-password-1")
    _button(at, "确认签发").click().run()
    assert "密码错误，未签发。" in [e.value for e in at.error]
    at.text_input(key="sign_password").input(PASSWORD)
    _button(at, "确认签发").click().run()
    assert not at.exception, at.exception
    assert "已签发，会商已锁定。" in texts(at)
    assert c.get_session(db, today).state == "signed"
    room = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(room, "consultation_room.py")
    assert "内容已锁定，只读" in texts(room)
    assert not [b for b in room.button if b.label in ("提交", "保存草稿", "添加记录")]


def test_the_desk_offers_no_acknowledgement_before_the_consultation_starts(world):
    """A tour acknowledged every flag group while the session was still open: the desk lists the flags,
    offers 开始会商 and no acknowledgement until the consultation has started."""
    db, cast, today = world
    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (85, 105)}, start=False, analysis="")
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "chief_desk.py")
    assert not at.exception, at.exception
    assert _flag_table(at).count("<tr>") == 3  # the two flag groups are listed (below their heading)
    labels = [b.label for b in at.button]
    assert "开始会商" in labels and not [x for x in labels if x.startswith("全部确认")], labels
    assert not [x for x in at.text_input if x.key.startswith("ack_note")]
    _button(at, "开始会商").click().run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button if b.label.startswith("全部确认")] == ["全部确认（2 组）"]


def test_a_forecaster_not_on_duty_sees_the_desk_read_only(world):
    db, cast, today = world
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "chief_desk.py")
    assert not at.exception, at.exception
    assert "您不是该日的轮值首席或副班：只能查看。" in texts(at)
    assert "尚无可比对的相邻预报" in texts(at) and "三地预报一致" not in texts(at)
    assert not [b for b in at.button if b.label in ("开始会商", "签发", "发布")]


def test_the_desk_names_a_district_that_submitted_nothing_once_not_with_every_day(world):
    """A tour read "Qingpu has not submitted D+1 12-08, D+2 12-09, …, D+7 12-14; Wujiang has not submitted D+1
    12-08, …" (第 1 天 12-08 … in Chinese) for each district before anyone had submitted: the desk says so in
    one clause, names a district that submitted nothing once with the number of days, and lists the days
    only of a partial submission."""
    db, cast, today = world
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "chief_desk.py")
    assert not at.exception, at.exception
    warning = [x.value for x in at.warning if x.value.startswith("签发前还需")][0]
    assert "各区县均尚未提交预报" in warning and "第 1 天" not in warning, warning
    from forecasting import consultation as c

    n = len(c.get_session(db, today).target_dates)  # the days of the session (this world: 3)
    # Qingpu submits D+1 only
    d1 = c.SubmissionInput(today + timedelta(days=1), 60, 80, ("pm25",), {}, "分析", 0)
    c.save_submissions(db, cast["fc_qp"], today, QP, [d1], submit=True)
    at.run()
    warning = [x.value for x in at.warning if x.value.startswith("签发前还需")][0]
    assert f"吴江区尚未提交（共 {n} 天）" in warning and f"嘉善县尚未提交（共 {n} 天）" in warning, warning
    d2 = today + timedelta(days=2)
    assert f"青浦区 第 2 天 {d2:%m-%d}" in warning and "第 1 天" not in warning, warning


def test_rota_page_shows_the_calendar_and_admin_generates(world):
    db, cast, today = world
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "rota.py")
    assert not at.exception, at.exception
    assert "跨区域轮值首席值班表" in texts(at)
    calendar = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    shown = re.sub(r"<[^>]+>", "", calendar)  # as read: each name is kept whole by a tag of its own
    assert "青浦区 · fc_qp / fc_qp2" in shown and "今天" in shown  # today is marked
    # the turns by their dates, district and people; no internal numbers (a tour read a "#" column of 10–13)
    assert list(at.dataframe[0].value.columns) == ["开始", "结束", "区县", "轮值首席", "副班", "最后修改"]
    at.date_input(key="gen_to").set_value(today + timedelta(days=40))
    _button(at, "生成").click().run()
    assert not at.exception, at.exception
    assert "已生成 3 个轮值。" in texts(at)
    # the same days again: nothing is created, and the page says why (it said "已生成 0 个轮值。")
    _button(at, "生成").click().run()
    shown = texts(at)
    assert not at.exception and "已生成 0 个轮值。" not in shown
    assert f"{at.date_input(key='gen_from').value} 至 {today + timedelta(days=40)} 的每一天都已有值班，未新建轮值。" in shown
    fc = sign_in(new_app(), "fc_js", PASSWORD)
    goto(fc, "rota.py")
    assert not fc.exception and "生成" not in [b.label for b in fc.button]


def test_a_day_nobody_is_on_duty_is_said_ahead_to_who_can_fill_it_and_on_the_day_to_everyone(world):
    """The rota runs out, or the people of a turn leave: on that day nobody can sign the forecast and only an
    admin can fill the seat. The pages said nothing (the duty line read "轮值首席：—" on the day itself).
    Now the admin and today's chief are told two weeks ahead, and everyone on the day."""
    from forecasting import accounts
    from forecasting.permissions import Actor

    db, cast, today = world
    gap = today + timedelta(days=7)  # the Wujiang turn: fc_wj alone (Wujiang has one forecaster)
    accounts.disable_user(db, Actor.system("t"), "fc_wj")
    ahead = f"{gap.isoformat()}（7 天后）无人值班：请在值班表中生成后续轮值或登记代班。"
    on_day = f"{today.isoformat()} 无人值班：轮值首席与副班均未安排（或账户已停用），当日会商无人可以签发。"
    for username, told in [("admin1", True), ("fc_qp", True), ("fc_js", False), ("mgr1", False)]:
        at = sign_in(new_app(), username, PASSWORD)
        assert not at.exception, at.exception
        assert (ahead in texts(at)) is told, (username, texts(at))
        assert on_day not in texts(at)
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "rota.py")
    assert not at.exception and ahead in texts(at)

    # today's chief and deputy leave: today nobody can sign, and every page of the day says so
    for username in ("fc_qp", "fc_qp2"):
        accounts.disable_user(db, Actor.system("t"), username)
    for username, page in [("mgr1", None), ("fc_js", None), ("fc_js", "chief_desk.py"),
                           ("fc_js", "consultation_room.py"), ("admin1", "rota.py")]:
        at = sign_in(new_app(), username, PASSWORD)
        if page:
            goto(at, page)
        assert not at.exception, at.exception
        assert on_day in texts(at), (username, page, texts(at))


@pytest.mark.parametrize("page, key", [("consultation_room.py", "room_issue_date"),
                                       ("chief_desk.py", "desk_issue_date")])
def test_a_tab_left_open_over_midnight_starts_the_new_day_at_its_session(world, page, key):
    """Signed in again next morning in the tab left open, a forecaster read yesterday's session (issued, locked)
    as if today's were done: the issue date had been remembered for good. A date chosen today is kept today."""
    db, cast, today = world
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, page)
    at.date_input(key=key).set_value(today - timedelta(days=3)).run()
    at.run()
    assert at.date_input(key=key).value == today - timedelta(days=3)  # chosen today: kept while it is today
    at.session_state[key + "__day"] = today - timedelta(days=1)  # ... chosen yesterday, and midnight has passed
    at.run()
    assert not at.exception, at.exception
    assert at.date_input(key=key).value == today


def test_a_reversed_range_on_the_rota_page_is_named_not_read_as_no_rota(world):
    """"该时段尚无值班安排" answered a range whose end came before its start; generating one said "结束日期早于开始日期"
    without the dates. Both name them, in the words the verification and audit pages use."""
    db, cast, today = world
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "rota.py")
    at.date_input(key="rota_to").set_value(today - timedelta(days=3)).run()
    says = f"截止日 {today - timedelta(days=3)} 早于起始日 {at.date_input(key='rota_from').value}：请调整日期范围。"
    assert not at.exception and [e.value for e in at.error] == [says]
    assert "该时段尚无值班安排。" not in texts(at)
    at.date_input(key="gen_from").set_value(today + timedelta(days=9))
    at.date_input(key="gen_to").set_value(today + timedelta(days=2))
    _button(at, "生成").click().run()
    assert f"截止日 {today + timedelta(days=2)} 早于起始日 {today + timedelta(days=9)}：请调整日期范围。" in texts(at)


@pytest.mark.parametrize("page, title", [("consultation_room.py", "Joint consultation room"),
                                         ("chief_desk.py", "Duty chief desk"), ("rota.py", "Duty chief rota")])
def test_pages_in_english(world, page, title):
    db, cast, today = world
    from forecasting import consultation as c

    c.add_note(db, cast["fc_qp"], today, "note")
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    at.segmented_control(key="lang_switch").set_value("en").run()
    goto(at, page)
    assert not at.exception, at.exception
    assert title in texts(at)


def test_deadline_warnings_show_on_the_room(world, monkeypatch):
    """A session whose deadlines are in the past says so (the record keeps the times)."""
    db, cast, today = world
    from forecasting import consultation as c

    yesterday = today - timedelta(days=1)
    c.open_session(db, cast["admin1"], yesterday, days=3)
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    at.date_input(key="room_issue_date").set_value(yesterday).run()
    assert not at.exception, at.exception
    assert "已过会商截止时间 15:00。" in texts(at) and "已过发布截止时间 20:00。" in texts(at)
    # once each: the live board's countdown said it a second time
    alerts = [str(e.value) for e in at.error]
    assert alerts.count("已过会商截止时间 15:00。") == 1 and alerts.count("已过发布截止时间 20:00。") == 1
    # a submission after the consultation's cut-off is taken (the room is open) but marked late in the grid
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    assert "逾期" not in grid
    c.save_submissions(db, cast["fc_wj"], yesterday, WJ,
                       [c.SubmissionInput(yesterday + timedelta(days=k), 60, 80, ("pm25",)) for k in (1, 2, 3)],
                       submit=True)
    at.run()
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    assert grid.count("已提交 · 逾期 ") == 3, grid


def test_the_desk_lists_two_primary_pollutants_as_a_chinese_list(world):
    """The chief's grid wrote two primary pollutants "PM2.5, O₃" in the Chinese desk; its parser reads "、" too."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (60, 80)})
    d1 = today + timedelta(days=1)
    c.save_final(db, cast["fc_qp"], today, [c.FinalInput(JS, d1, 105, 125, ("pm25", "o3"))])
    desk = goto(sign_in(new_app(), "fc_qp", PASSWORD), "chief_desk.py")
    assert not desk.exception, desk.exception
    compose = next(d.value for d in desk.dataframe if "来源" in d.value.columns)
    primary = dict(zip(zip(compose["district"], compose["day"]), compose["首要污染物"]))
    assert primary[(JS, d1.isoformat())] == "PM2.5、O₃"


def test_the_grid_shows_the_chiefs_combined_value_where_it_differs(world):
    """A tour read Jiashan's own 210–245 in the grid of a consultation whose combined (and then issued)
    forecast said 180–215: the grid showed only the districts' submissions."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (60, 80)})
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    assert "首席合成" not in grid
    c.save_final(db, cast["fc_qp"], today, [c.FinalInput(JS, today + timedelta(days=1), 90, 110, ("pm25",))])
    at.run()
    assert not at.exception, at.exception
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    assert grid.count("首席合成") == 1 and "首席合成 <b>90–110</b> PM2.5" in grid
    assert grid.count("<b>60–80</b>") == 9  # every district's own value stays in view
    # each row's district name stays at the left while a phone scrolls the grid sideways
    assert grid.count("position:sticky;left:0") == 4  # the three districts and the corner above them
    # the chief's desk says which combined values the chief changed and which keep the district's
    c.save_final(db, cast["fc_qp"], today, [c.FinalInput(QP, today + timedelta(days=1), 60, 80, ("pm25",))])
    desk = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(desk, "chief_desk.py")
    assert not desk.exception, desk.exception
    compose = next(d.value for d in desk.dataframe if "来源" in d.value.columns)
    source = dict(zip(zip(compose["district"], compose["day"]), compose["来源"]))
    d1 = (today + timedelta(days=1)).isoformat()
    assert source[(JS, d1)] == "首席修改" and source[(QP, d1)] == "采用区县值"
    assert source[(WJ, d1)] == "区县提交"
    # once issued, the published value leads the cell and the district's own value sits beneath it (a tour
    # read the district's 60–80 in large type over a small "已发布 90–110")
    for fs in c.session_flags(db, today):
        if not fs.acknowledged and fs.flag.needs_ack:
            c.acknowledge_flag(db, cast["fc_qp"], today, fs.flag.key, note="首席订正")
    c.save_final(db, cast["fc_qp"], today, [], zone_summary="以良为主。")
    c.sign_session(db, cast["fc_qp"], today, password=PASSWORD, expected_version=c.get_session(db, today).version)
    c.issue_session(db, cast["fc_qp"], today)
    at.run()
    assert not at.exception, at.exception
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    assert "首席合成" not in grid and grid.count("已发布") == 1
    issued_cell = grid.split("已发布", 1)[1].split("</td>", 1)[0]
    assert issued_cell.index("<b>90–110</b>") < issued_cell.index("区县提交 <b>60–80</b>"), issued_cell
    # every other cell was published as its district submitted it, and says so (a tour read "已提交" there)
    assert grid.count("已按区县提交发布") == 8 and "已提交" not in grid


def test_the_presentation_shows_the_chiefs_combined_value_beside_the_districts_own(world):
    """A tour read "嘉善 AQI 105–135" on the presentation page, in the card and in the zone strip, after the
    chief had issued 95–120 for that day: the page showed the districts' submissions only."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (105, 125)})
    c.save_final(db, cast["fc_qp"], today, [c.FinalInput(JS, today + timedelta(days=1), 95, 115, ("pm25",))])
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "presentation.py")
    at.selectbox(key="pres_issue_date").select(today).run()
    at.session_state["pres_district"] = 2  # Jiashan, day 1
    at.run()
    assert not at.exception, at.exception
    page = "\n".join(str(m.value) for m in at.markdown)
    card = next(v for v in page.split("pres-card") if "各区县提交" in v)
    assert "<small>AQI</small>105–125" in card and "首席合成为 <b style='white-space:nowrap'>AQI 95–115</b>" in card
    strip = page[page.index("<table"):]
    assert "AQI 95–115" in strip and "AQI 105–125" not in strip  # the zone at a glance: what will be issued
    at.session_state["pres_district"] = 0  # Qingpu: the chief kept its own value, no second line
    at.run()
    card = next(v for v in "\n".join(str(m.value) for m in at.markdown).split("pres-card") if "各区县提交" in v)
    assert "首席合成为" not in card


def test_a_flag_border_shows_on_every_level_colour(world):
    """A tour could not see the yellow-notice border (#F0A202) on yellow and orange cells: a flagged cell has a
    dark frame, dashed for a yellow notice, solid for a red warning."""
    db, cast, today = world
    # 60–80 against 85–105: disjoint, a yellow notice
    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (85, 105)}, start=False)
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    goto(at, "consultation_room.py")
    grid = [m.value for m in at.markdown if "<table" in str(m.value)][0]
    assert grid.count("border:3px dashed #6B4200") == 6 and "#F0A202" not in grid  # 2 districts × 3 days
    # with a white ring inside, so that the dark frame also shows on a red or purple cell (a later tour)
    assert grid.count("border:3px dashed #6B4200;box-shadow:inset 0 0 0 2px #FFFFFF") == 6
    assert grid.count("box-shadow:inset 0 0 0 2px #FFFFFF") == 6  # on the flagged cells only


def test_the_desk_says_which_flags_the_chiefs_own_combined_values_raised(world):
    """A tour acknowledged every flag group, then composed Jiashan's day 1: the step bar went back to
    "处理分歧" with "2 组分歧待确认", read as a step backwards. The desk says those groups come from the
    combined values."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (60, 80)})
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "chief_desk.py")
    assert not at.exception, at.exception
    assert not [i for i in at.info if "涉及首席合成的数值" in i.value]  # no flags at all yet
    c.save_final(db, cast["fc_qp"], today, [c.FinalInput(JS, today + timedelta(days=1), 95, 115, ("pm25",))])
    at.run()
    assert not at.exception, at.exception
    notes = [i.value for i in at.info if "涉及首席合成的数值" in i.value]
    open_groups = [g for g in c.session_flag_groups(db, today) if g.open]
    assert open_groups and notes == [f"其中 {len(open_groups)} 组涉及首席合成的数值：合成改变了数值，分歧按新数值重新检查，请确认或调整。"]


def test_the_home_page_says_where_the_flag_groups_past_its_list_went(world):
    """A tour read "Flag groups needing action: 6" above five bullets: the sixth is named as one more."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (20, 40), "fc_wj": (110, 130), "fc_js": (210, 240)})
    groups = [g for g in c.session_flag_groups(db, today) if g.open]
    assert len(groups) == 6
    at = sign_in(new_app(), "fc_wj", PASSWORD)
    assert not at.exception, at.exception
    assert "待处理分歧：6 组" in texts(at)
    assert len([x for x in at.text if x.value.startswith("• ")]) == 5 and "另有 1 组，见首席工作台。" in texts(at)


def test_the_chief_home_page_names_both_next_steps_before_the_consultation_starts(world):
    """At 14:00 the duty chief who has not filled their district yet has two things to do: fill it and
    start the consultation. The home page named only the first."""
    db, cast, today = world
    from forecasting import consultation as c

    chief = next(a for a in cast.values() if a.user_id == c.duty_for(db, today).chief_id)
    at = sign_in(new_app(), chief.username, PASSWORD)
    assert not at.exception, at.exception
    links = [e.proto.label for e in at.get("page_link")]
    assert "开始会商" in links and any(label.startswith("填报") for label in links), links


def test_a_refused_save_of_the_combined_grid_blocks_signing_until_corrected_or_discarded(world):
    """A tour changed Qingpu D+1 to 85-200 on the chief desk and saved: the rules refused it, but "可以签发"
    and the 签发 button stayed above the error, and signing would have signed the saved 60-80."""
    db, cast, today = world
    from forecasting import consultation as c

    _submit_all(db, cast, today, {"fc_qp": (60, 80), "fc_wj": (60, 80), "fc_js": (60, 80)}, analysis="")
    c.save_final(db, cast["fc_qp"], today, [], zone_summary="示范区未来三天以良为主。")
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "chief_desk.py")
    assert "可以签发。" in texts(at) and [b for b in at.button if b.label == "签发"]
    version = c.get_session(db, today).version
    at.session_state[f"final_grid_{today.isoformat()}_{version}"] = {
        "edited_rows": {0: {"上限": 200}}, "added_rows": [], "deleted_rows": []}
    _button(at, "保存联合预报、综述与结论").click().run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "合成表的修改未通过检查、尚未保存" in page and "可以签发。" not in page, page
    assert any("青浦区" in e.value and "过宽" in e.value for e in at.error), [e.value for e in at.error]
    assert not [b for b in at.button if b.label == "签发"]
    assert c.get_session(db, today).state == "consulting"
    assert all((e.aqi_lo, e.aqi_hi) == (60, 80) for e in c.room_view(db, cast["fc_qp"], today).entries)
    _button(at, "放弃未保存的修改").click().run()
    assert not at.exception, at.exception
    assert "可以签发。" in texts(at) and [b for b in at.button if b.label == "签发"]


def test_the_home_strip_marks_a_submission_after_the_cut_off_as_the_room_does(world):
    """A tour read "已提交 王磊 15:23" on the home page and "已提交 · 逾期 15:23" in the room for the same cell."""
    from sqlalchemy import update

    from forecasting import consultation as c
    from forecasting.store.consultation import ConsultationSession
    from forecasting.store.types import utcnow

    db, cast, today = world
    with db.transaction() as s:  # the consultation's cut-off was an hour ago
        s.execute(update(ConsultationSession).where(ConsultationSession.issue_date == today)
                  .values(consult_deadline=utcnow() - timedelta(hours=1)))
    c.save_submissions(db, cast["fc_wj"], today, WJ,
                       [c.SubmissionInput(today + timedelta(days=k), 60, 80, ("pm25",)) for k in (1, 2, 3)],
                       submit=True)
    c.save_submissions(db, cast["fc_js"], today, JS,
                       [c.SubmissionInput(today + timedelta(days=k), 60, 80, ("pm25",)) for k in (1, 2, 3)])
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    goto(at, "home.py")
    assert not at.exception, at.exception
    strip = [str(m.value) for m in at.markdown if "status-strip" in str(m.value)][0]
    rows = {r.split("</th>")[0].rsplit(">", 1)[-1]: r for r in strip.split("<tr>")[2:]}
    assert rows["吴江区"].count("逾期 ") == 3  # submitted after the cut-off: each day says so
    assert "逾期" not in rows["嘉善县"]  # a draft is not late
