"""The consultation room shows yesterday's verification (issue #8) on the demo world."""

from apptest_support import goto, new_app, sign_in, texts


def test_room_shows_yesterdays_verification(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    at = goto(sign_in(new_app(), "wj_wang", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception
    assert "昨日预报检验" in [e.label for e in at.expander]
    page = texts(at)
    assert "联合发布的第 1 天预报命中" in page
    tables = [d.value for d in at.dataframe if "实测 AQI" in d.value.columns]
    assert tables and set(tables[0]["来源"]) >= {"联合发布", "订正集合", "持续性"}
    # a range is written with its dash as everywhere else ("75–95", not "75-95")
    assert all("–" in r and "-" not in r for r in tables[0]["预报 AQI（第 1 天）"] if r != "—"), tables[0]


def test_room_guidance_panel_names_the_methods(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    at = goto(sign_in(new_app(), "js_zhou", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception
    panel = [d.value for d in at.dataframe if "方法" in d.value.columns]
    assert panel, "the guidance panel is shown"
    methods = list(panel[0]["方法"])
    assert methods[0] == "订正集合（建议）"  # the suggested guidance first
    assert any(m.startswith("原始模式 · ") for m in methods) and any(m.startswith("订正 · ") for m in methods)
    # a method without a range says so with the tables' dash, in every language (it read "NA")
    assert "NA" not in set(panel[0]["AQI 范围"]) and all("-" not in r for r in panel[0]["AQI 范围"])


def test_the_form_shows_what_yesterdays_issue_said_for_each_day(demo_url, monkeypatch):
    """Today's D+1 was yesterday's D+2: a forecaster keeps in line with the issued forecast or changes it on
    purpose, and the form did not show it. Each day now says what the forecast issued before this one said for
    the district, and "—" for the day it did not reach."""
    import json
    from datetime import timedelta

    from forecasting import consultation as c
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    today = c.beijing_today()
    yesterday = c.issued_forecasts(get_database(demo_url), today - timedelta(days=1))[-1]
    days = {d["target_date"]: d for x in json.loads(yesterday.snapshot)["districts"] if x["adcode"] == "320509"
            for d in x["days"]}
    expected = [f"昨日发布 {days[t]['aqi_lo']}–{days[t]['aqi_hi']}" if (t := (today + timedelta(days=k)).isoformat())
                in days else "昨日发布 —" for k in range(1, 8)]
    assert expected[-1] == "昨日发布 —" and "—" not in expected[0]  # yesterday's 7 days end the day before ours
    at = goto(sign_in(new_app(), "wj_wang", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception

    def shown():
        """Each day's line: a caption, or an orange mark where the form's range does not overlap it (the
        prefilled guidance may not, on some days of the demo world)."""
        plain = [c_.value for c_ in at.caption if c_.value.startswith("昨日发布")]
        marked = [m.value for m in at.markdown if str(m.value).startswith(":orange[昨日发布")]
        return plain, marked

    plain, marked = shown()
    assert sorted(plain + [m.removeprefix(":orange[").removesuffix(" · 不重叠]") for m in marked]) == sorted(expected)
    # a range that does not overlap the issued one is marked where it is typed (changed on purpose, or a slip)
    d1 = today + timedelta(days=1)
    lo, hi = days[d1.isoformat()]["aqi_lo"], days[d1.isoformat()]["aqi_hi"]
    key = f"sub_{today.isoformat()}_320509_{d1.isoformat()}"
    at.text_input(key=key + "_lo").set_value(str(hi + 10))
    at.text_input(key=key + "_hi").set_value(str(hi + 30)).run()
    assert not at.exception, at.exception
    assert f":orange[昨日发布 {lo}–{hi} · 不重叠]" in shown()[1]
    at.text_input(key=key + "_lo").set_value(str(hi)).run()  # touching the issued range: in line with it
    assert f":orange[昨日发布 {lo}–{hi} · 不重叠]" not in shown()[1] and f"昨日发布 {lo}–{hi}" in shown()[0]


def test_the_standing_forecast_of_a_past_day_is_the_one_issued_before_it(demo_url):
    """A past session reads what its forecasters had, never a later issue."""
    from datetime import timedelta

    from forecasting import consultation as c
    from forecasting.store.db import get_database

    db = get_database(demo_url)
    dates = sorted(c.latest_issue_dates(db, limit=100))
    past = dates[2]  # a past session with issues before and after it
    standing = c.standing_forecast(db, past)
    assert standing.issue_date == dates[1] < past
    days = {day for _, day in standing.ranges}
    assert min(days) == dates[1] + timedelta(days=1)  # its own D+1, not a later issue's
    assert c.standing_forecast(db, dates[0]) == c.StandingForecast(None, {})  # nothing was issued before the first


def test_the_chief_desk_grid_shows_what_yesterdays_issue_said(demo_url, monkeypatch):
    """The duty chief composes the combined forecast beside each district's entry and, now, the forecast issued
    yesterday for the same district and day."""
    import json
    from datetime import timedelta

    from forecasting import consultation as c
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    today = c.beijing_today()
    yesterday = c.issued_forecasts(get_database(demo_url), today - timedelta(days=1))[-1]
    said = {(x["adcode"], d["target_date"]): f"{d['aqi_lo']}–{d['aqi_hi']}"
            for x in json.loads(yesterday.snapshot)["districts"] for d in x["days"]}
    from forecasting.store.models import User

    with get_database(demo_url).read() as s:  # whoever holds today's chief seat in the demo world
        username = s.get(User, c.duty_for(get_database(demo_url), today).chief_id).username
    at = goto(sign_in(new_app(), username, "demo-2026-yrd"), "chief_desk.py")
    assert not at.exception, at.exception
    grid = next(d.value for d in at.dataframe if "昨日发布" in d.value.columns)
    shown = dict(zip(zip(grid["district"], grid["day"]), grid["昨日发布"]))
    assert len(shown) == 21 and shown == {k: said.get(k, "—") for k in shown}
    assert sum(v == "—" for v in shown.values()) == 3  # the 7th day: yesterday's forecast ended the day before


def test_the_chief_desk_names_the_ranges_that_jump_from_yesterdays_issue(demo_url, monkeypatch):
    """A combined range that does not overlap yesterday's issue for the same day is a change to explain (or a slip):
    the desk names it before the chief signs."""
    import json
    from datetime import timedelta

    from sqlalchemy import select

    from forecasting import accounts
    from forecasting import consultation as c
    from forecasting.store.db import get_database
    from forecasting.store.models import User

    monkeypatch.setenv("DATABASE_URL", demo_url)
    db = get_database(demo_url)
    today = c.beijing_today()
    d1 = today + timedelta(days=1)
    said = {(x["adcode"], d["target_date"]): (d["aqi_lo"], d["aqi_hi"])
            for x in json.loads(c.issued_forecasts(db, today - timedelta(days=1))[-1].snapshot)["districts"]
            for d in x["days"]}
    was = said[("320509", d1.isoformat())]
    with db.read() as s:
        wj = s.scalars(select(User).where(User.district_adcode == "320509", User.role == "forecaster")).first()
        chief = s.get(User, c.duty_for(db, today).chief_id).username
    actor = accounts.Actor(wj.id, wj.username, wj.role, wj.district_adcode, wj.display_name)
    lo = was[1] + 15  # wholly above yesterday's range, within the width rules
    c.save_submissions(db, actor, today, "320509",
                       [c.SubmissionInput(d1, lo, lo + 20, ("pm25",), {}, "分析", 0)], submit=False)
    at = goto(sign_in(new_app(), chief, "demo-2026-yrd"), "chief_desk.py")
    assert not at.exception, at.exception
    warnings = [x.value for x in at.warning if "不重叠" in x.value]
    assert warnings == [f"与昨日发布不重叠：吴江区 {d1:%m-%d}（{was[0]}–{was[1]} → {lo}–{lo + 20}）。请在会商结论中说明原因。"]


def test_one_click_fills_the_boxes_with_what_was_issued(demo_url, monkeypatch):
    """A forecaster who keeps yesterday's ranges and changes a day on purpose typed each of them over the
    guidance the boxes are prefilled with. One button now puts the issued ranges into the days they cover;
    the day they did not reach keeps its guidance, the primary pollutants stay."""
    import json
    from datetime import timedelta

    from forecasting import consultation as c
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    today = c.beijing_today()
    yesterday = c.issued_forecasts(get_database(demo_url), today - timedelta(days=1))[-1]
    days = {d["target_date"]: (d["aqi_lo"], d["aqi_hi"]) for x in json.loads(yesterday.snapshot)["districts"]
            if x["adcode"] == "330421" for d in x["days"]}
    at = goto(sign_in(new_app(), "js_shen", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception
    prefix = f"sub_{today.isoformat()}_330421_"
    last = (today + timedelta(days=7)).isoformat()
    before = {k: at.text_input(key=prefix + last + k).value for k in ("_lo", "_hi")}
    primaries = [at.multiselect(key=prefix + (today + timedelta(days=k)).isoformat() + "_primary").value
                 for k in range(1, 8)]
    at.button(key=prefix + "take_standing").click().run()
    assert not at.exception, at.exception
    for k in range(1, 7):
        day = (today + timedelta(days=k)).isoformat()
        got = (at.text_input(key=prefix + day + "_lo").value, at.text_input(key=prefix + day + "_hi").value)
        assert got == tuple(str(v) for v in days[day]), (day, got, days[day])
    assert {k: at.text_input(key=prefix + last + k).value for k in ("_lo", "_hi")} == before  # not reached
    assert [at.multiselect(key=prefix + (today + timedelta(days=k)).isoformat() + "_primary").value
            for k in range(1, 8)] == primaries
    assert not [m for m in at.markdown if str(m.value).startswith(":orange[昨日发布")]  # nothing jumps now
    # the filled ranges are what a save sends
    at.button(key=prefix + "save").click().run()
    assert not at.exception, at.exception
    saved = {v.target_date.isoformat(): (v.aqi_lo, v.aqi_hi) for v in c.list_submissions(get_database(demo_url), today)
             if v.district == "330421"}
    assert all(saved[d] == tuple(days[d]) for d in saved if d in days) and len(saved) == 7
