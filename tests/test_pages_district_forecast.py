"""AppTest of the district forecast page on the (small) demo world."""

from __future__ import annotations

import pytest

from apptest_support import goto, new_app, sign_in, texts

from forecasting.store.db import get_database


@pytest.fixture
def app_demo(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    return demo_url


def test_district_forecast_page_shows_cards_chart_and_skill(app_demo, monkeypatch):
    at = goto(sign_in(new_app(), "js_zhou", "demo-2026-yrd"), "district_forecast.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert at.selectbox(key="dfc_district").value == "330421"  # the forecaster's own district first
    from forecasting.consultation import beijing_today

    assert f"指导产品发布日：{beijing_today().isoformat()}" in page  # today's guidance
    assert "第 1 天" in page and "首要污染物" in page
    # issue #13: level probabilities, quantiles, and where model guidance ends (120-h runs: D+4)
    assert "AQI>100 概率" in page and "AQI 10%–90%" in page
    assert "模式指导截至" in page and "展望" in page
    # the small world's 12 days are too few to calibrate the modelled days: the cards say so (not a blank)
    from forecasting.guidance import guidance_for

    modelled = [g for g in guidance_for(get_database(app_demo), beijing_today())
                if g.method == "ensemble" and g.district == "330421"]
    assert modelled and all(g.p_over_100 is None for g in modelled)
    assert page.count("尚无概率与区间") == len(modelled)
    assert "当前使用：" in page and "第 1–3 天逐小时 RMSE 均值最低" in page and "lowest mean" not in page
    skill = at.dataframe[0].value
    assert "第 1 天 RMSE" in skill.columns and len(skill) >= 5  # one row per method compared
    at.selectbox(key="dfc_pollutant").select("o3").run()
    assert not at.exception
    assert "O₃ 逐小时" in texts(at)


def test_the_room_grid_says_when_a_modelled_day_has_no_probabilities_yet(app_demo):
    """The three-district grid shows each cell's guidance with its 80 % range and P(AQI>100); in the small
    world the modelled days have none yet, and the cell says so instead of leaving them out silently."""
    from forecasting.consultation import beijing_today
    from forecasting.guidance import guidance_for

    rows = guidance_for(get_database(app_demo), beijing_today())
    modelled = {(g.district, g.target_date) for g in rows if g.method == "ensemble" and g.aqi_lo is not None}
    outlook = {(g.district, g.target_date) for g in rows if g.method == "outlook"}
    assert modelled and outlook and all(g.p_over_100 is None for g in rows if g.method == "ensemble")
    at = goto(sign_in(new_app(), "js_zhou", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception
    grid = next(m.value for m in at.markdown if "<table" in m.value and "尚无概率" in m.value)
    assert grid.count("尚无概率") == len(modelled)
    assert grid.count("AQI&gt;100 概率") == len(outlook) and "P(AQI" not in grid  # in Chinese, as the caption
    assert "第 1 天" in grid and "D+1" not in grid  # the day as every Chinese page names it
    assert "nowrap'>·" not in grid and " ·</span>" in grid  # no wrapped line begins with the separator
