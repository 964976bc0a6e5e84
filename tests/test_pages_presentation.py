"""AppTest of the presentation mode page without a consultation (the demo-world journey with keyboard
navigation is in ``test_browser_pictures.py``)."""

from __future__ import annotations

from datetime import timedelta

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD


def test_presentation_without_a_session_says_so(users, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = goto(sign_in(new_app(), "fc_qp", PASSWORD), "presentation.py")
    assert not at.exception, at.exception
    assert "当天尚无会商。" in texts(at)


def test_presentation_before_any_forecast_says_nothing_to_compare(users, db_url, db, monkeypatch):
    """A session with no forecast saved yet has nothing to compare: the flag card says so instead of
    "✓ 无一致性提示" (all consistent) beside an empty submissions card."""
    from consultation_data import ISSUE, make_rota, open_consulting

    make_rota(db)
    open_consulting(db, users["fc_qp"], days=3)
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = goto(sign_in(new_app(), "fc_qp", PASSWORD), "presentation.py")
    at.selectbox(key="pres_issue_date").select(ISSUE).run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "尚无可比对的相邻预报" in page and "无分歧" not in page
    # the submissions card names the district whole: at 1280 px it broke as "青浦" / "区"
    assert "<h3>各区县提交 · <span style='white-space:nowrap'>青浦区</span></h3>" in page


def _overview(at) -> str:
    """The zone strip at the foot of the page, as text (the table of the three districts)."""
    import re

    table = next(str(m.value) for m in at.markdown if str(m.value).startswith("<table"))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)).strip()


def test_the_zone_strip_says_whose_value_each_district_shows(users, db_url, db, monkeypatch):
    """The strip showed the chief's value, else the district's, else the guidance, all alike: the room read three
    "AQI 85–120" and could not tell Qingpu's submission from Wujiang's draft or the guidance."""
    from consultation_data import ISSUE, make_rota, open_consulting, submit_all

    make_rota(db)
    open_consulting(db, users["fc_qp"], days=3)
    submit_all(db, users["fc_qp"], 60, 80)
    submit_all(db, users["fc_wj"], 90, 110, submit=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = goto(sign_in(new_app(), "fc_qp", PASSWORD), "presentation.py")
    at.selectbox(key="pres_issue_date").select(ISSUE).run()
    assert not at.exception, at.exception
    # Jiashan has neither a forecast nor guidance in this database
    assert _overview(at) == "青浦区 · 已提交 AQI 60–80 良 吴江区 · 草稿 AQI 90–110 良 轻度污染 嘉善县 —"


def test_before_any_forecast_the_strip_shows_the_guidance_as_such(demo_url, monkeypatch):
    """The demo world's today: nobody has entered anything, so each district shows its objective guidance, labelled."""
    from forecasting import consultation as c
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    today = c.beijing_today()
    rows = c.best_guidance(c.guidance_rows(get_database(demo_url), today))
    tomorrow = today + timedelta(days=1)
    at = goto(sign_in(new_app(), "qp_chen", "demo-2026-yrd"), "presentation.py")
    assert not at.exception, at.exception
    strip = _overview(at)
    for d, name in (("310118", "青浦区"), ("320509", "吴江区"), ("330421", "嘉善县")):
        g = rows[(d, tomorrow)]
        assert f"{name} · 客观预报指导 AQI {g.aqi_lo}–{g.aqi_hi}" in strip, strip
    # the submissions card says what yesterday's issue said for Qingpu tomorrow (its D+2)
    was = c.standing_forecast(get_database(demo_url), today).ranges[("310118", tomorrow)]
    card = next(str(m.value) for m in at.markdown if "各区县提交" in str(m.value))
    assert f"<div class='pres-foot'>昨日发布 {was[0]}–{was[1]}</div>" in card, card


def test_a_day_past_the_models_reach_shows_its_outlook_as_an_outlook(demo_url, monkeypatch):
    """D+5..D+7 of the demo world are past the longest model lead: the room and the district page label them 展望,
    but the presentation's card and strip said "客观预报指导" over the climatology-and-persistence outlook."""
    from forecasting import consultation as c
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    today = c.beijing_today()
    rows = c.best_guidance(c.guidance_rows(get_database(demo_url), today))
    outlook_days = sorted({day for (d, day), g in rows.items() if g.outlook})
    assert outlook_days and all(not rows[(d, outlook_days[0] - timedelta(days=1))].outlook
                                for d in ("310118", "320509", "330421"))
    at = goto(sign_in(new_app(), "qp_chen", "demo-2026-yrd"), "presentation.py")
    for _ in range((outlook_days[0] - today).days - 1):  # to the first outlook day, Qingpu
        next(b for b in at.button if b.label.startswith("下一页")).click().run()
    assert not at.exception, at.exception
    cards = [str(m.value) for m in at.markdown if "pres-card" in str(m.value)]
    assert cards[0].startswith("<div class='pres-card'><h3>展望</h3>") and "超出模式时效" in cards[0], cards[0]
    assert _overview(at).count("· 展望 AQI") == 3, _overview(at)
