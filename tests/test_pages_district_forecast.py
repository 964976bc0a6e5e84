"""AppTest of the district forecast page on the (small) demo world."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apptest_support import goto, new_app, sign_in, texts

from forecasting.i18n import t
from forecasting.store.db import get_database
from forecasting.training import active_corrections


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
    assert "AQI>100 概率" in page and "80% 区间" in page  # as the room's grid says it
    # the day and its date on two lines (seven narrow cards broke "12-08" after its hyphen)
    heads = [m.value for m in at.markdown if m.value.startswith("**第 1 天**")]
    assert heads == [f"**第 1 天**  \n{beijing_today() + timedelta(days=1):%m-%d}"], heads
    assert "模式指导截至" in page and "展望" in page
    # the small world's 12 days are too few to calibrate the modelled days: the cards say so (not a blank)
    from forecasting.guidance import guidance_for

    modelled = [g for g in guidance_for(get_database(app_demo), beijing_today())
                if g.method == "ensemble" and g.district == "330421"]
    assert modelled and all(g.p_over_100 is None for g in modelled)
    assert page.count("尚无概率与区间") == len(modelled)
    assert "当前使用：" in page and "第 1–3 天逐小时 RMSE 均值最低" in page and "lowest mean" not in page
    skill = at.dataframe[0].value
    assert list(skill.columns)[1:4] == ["第 1 天", "第 2 天", "第 3 天"] and len(skill) >= 5  # a row per method
    # the method in use first, marked; each day's cell holds its stored RMSE and NMB ("30.7 (+0%)"; PM2.5 RMSE are over 10 µg/m³)
    in_use = [c for c in active_corrections(get_database(app_demo), district="330421") if c.pollutant == "pm25"][0]
    assert skill["方法"].iloc[0] == "✓ " + t(f"method.{in_use.method}", "zh")
    d1 = in_use.scores[in_use.method]["D+1"]
    assert d1["rmse"] >= 10 and skill["第 1 天"].iloc[0] == f"{d1['rmse']:.1f} ({100 * d1['nmb']:+.0f}%)"
    # the small world's validation period is too short for quantiles: no coverage (a "—" cell), no PIT chart
    assert skill["覆盖率"].isna().all() and "PIT 直方图" not in page
    at.selectbox(key="dfc_pollutant").select("o3").run()
    assert not at.exception
    assert "O₃ 逐小时" in texts(at)


def test_a_day_a_run_reaches_for_a_few_hours_has_one_card(app_demo):
    """CAMS's 00 UTC run of the issue date (120 h) reaches D+5 for 8 hours: too few for an AQI, so D+5 gets
    the outlook. The page showed two cards for D+5 ("有效小时不足，无 AQI" and the outlook); now one."""
    import pandas as pd

    from forecasting import datastore
    from forecasting.consultation import beijing_today
    from forecasting.guidance import compute_guidance
    from forecasting.permissions import Actor

    db = get_database(app_demo)
    today = beijing_today()
    cycle = pd.Timestamp(today, tz="UTC")
    older = datastore.forecast_frame(db, model="CAMS", cycle_since=(cycle - pd.Timedelta(hours=12)).to_pydatetime(),
                                     cycle_until=(cycle - pd.Timedelta(hours=12)).to_pydatetime())
    assert older["lead_hours"].max() == 120
    wide = older.pivot_table(index=["valid_time", "district"], columns="variable", values="value").reset_index()
    wide = pd.concat([wide, wide[wide["valid_time"] > wide["valid_time"].max() - pd.Timedelta(hours=12)]
                      .assign(valid_time=lambda f: f["valid_time"] + pd.Timedelta(hours=12))], ignore_index=True)
    wide = wide.rename(columns={"valid_time": "time"}).assign(
        lead_hours=lambda f: (f["time"] - cycle) / pd.Timedelta(hours=1))
    datastore.store_district_series(db, Actor.system("test"), wide[wide["lead_hours"] >= 1], model="CAMS",
                                    cycle=cycle.to_pydatetime())
    compute_guidance(db, Actor.system("test"), today)
    at = goto(sign_in(new_app(), "js_zhou", "demo-2026-yrd"), "district_forecast.py")
    assert not at.exception, at.exception
    heads = [m.value.split("  \n")[0] for m in at.markdown if m.value.startswith("**第 ")]
    assert heads == [f"**第 {n} 天**" for n in range(1, 8)], heads
    assert "有效小时不足" not in texts(at)


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
    # the form: the outlook days are named once in the rule line above it (a third line under each of them put
    # their boxes lower than the modelled days' boxes in the same row)
    leads = sorted((day - beijing_today()).days for d, day in outlook if d == "330421")
    assert leads and leads == list(range(leads[0], leads[-1] + 1))
    rule = next(c.value for c in at.caption if c.value.startswith("规则："))
    assert rule.endswith(f"。第 {leads[0]}–{leads[-1]} 天超出模式时效：“展望”为气候态与持续性展望，不确定性更大"), rule
    days = [c.value for c in at.caption if c.value.startswith(("指导 ", "展望 "))]
    assert sum(v.startswith("展望 ") for v in days) == len(leads) and not any("超出模式时效" in v for v in days)
    # every day's caption says its probability or that there is none yet, so the days' boxes line up (the modelled
    # days' one-line captions put their boxes above the outlook days' in a journey's picture)
    assert all(v.endswith(("尚无概率", "%")) for v in days) and sum(v.endswith("尚无概率") for v in days) == 7 - len(leads)


def _scales(chart, channel: str) -> dict[str, object]:
    """Name -> value of every ``channel`` scale (color, strokeWidth) in a chart element's Vega-Lite spec."""
    import json

    found: dict[str, object] = {}

    def walk(node):
        if isinstance(node, dict):
            enc = node.get("encoding", {}).get(channel)
            if isinstance(enc, dict) and isinstance(enc.get("scale"), dict) and "range" in enc["scale"]:
                found.update(zip(enc["scale"]["domain"], enc["scale"]["range"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(chart.proto.spec))
    return found


def test_a_model_has_one_colour_on_both_pages_and_the_observation_is_the_thickest_black_line(app_demo):
    """A tour read the observation pink and thinner than the models on this page (black on the guidance
    page), and a model's colour changed between the two pages."""
    at = goto(sign_in(new_app(), "qp_chen", "demo-2026-yrd"), "district_forecast.py")
    assert not at.exception, at.exception
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    colours = {k: v for c in charts for k, v in _scales(c, "color").items()}
    widths = {k: v for c in charts for k, v in _scales(c, "strokeWidth").items()}
    assert colours["观测"] == "#111111"
    assert widths["观测"] == max(widths.values()) and list(widths.values()).count(widths["观测"]) == 1
    # the raw models are named by their names alone (the caption says what the thin lines are)
    here = {name: colour for name, colour in colours.items() if name not in ("观测", "订正预报")}
    guide = goto(at, "model_guidance.py")
    assert not guide.exception, guide.exception
    there = {k: v for c in (guide.get("arrow_vega_lite_chart") or guide.get("vega_lite_chart"))
             for k, v in _scales(c, "color").items()}
    assert here and all(colour == there[model] for model, colour in here.items() if model in there), (here, there)
    assert len(set(there[m] for m in ("CAMS", "CMAQ-YRD", "NAQPMS-SH"))) == 3  # three models, three colours


def test_the_skill_table_shows_each_methods_coverage_and_the_pit_histogram_of_the_method_in_use(app_demo):
    """Issue #13 (PIT histograms and coverage): the page shows, as the training stored them, the D+1 coverage
    of every method's 80 % interval on the validation period (in per cent) and the PIT histogram of the method
    in use. The stored scores are written here (the small world is too short for quantiles)."""
    from sqlalchemy import select

    from forecasting.store.science import TrainedCorrectionRecord

    pit = [0.2, 0.12, 0.1, 0.09, 0.08, 0.08, 0.09, 0.1, 0.06, 0.08]  # observations low: forecasts too high
    db = get_database(app_demo)
    with db.transaction() as s:
        record = s.scalars(select(TrainedCorrectionRecord).where(
            TrainedCorrectionRecord.active.is_(True), TrainedCorrectionRecord.district == "330421",
            TrainedCorrectionRecord.pollutant == "pm25")).one()
        scores = {m: {k: dict(v) for k, v in by.items()} for m, by in record.scores.items()}
        scores[record.method]["D+1"].update(coverage80=0.72, pit10=pit)
        scores["raw"]["D+1"].update(coverage80=0.55)
        record.scores = scores
        in_use = record.method
    at = goto(sign_in(new_app(), "js_zhou", "demo-2026-yrd"), "district_forecast.py")
    assert not at.exception, at.exception
    skill = at.dataframe[0].value
    shown = dict(zip(skill["方法"], skill["覆盖率"]))
    assert shown["✓ " + t(f"method.{in_use}", "zh")] == pytest.approx(72.0) and shown["原始模式"] == pytest.approx(55.0)
    page = texts(at)
    assert f"当前方法“{t(f'method.{in_use}', 'zh')}”第 1 天的 PIT 直方图" in page and "（U 形）：区间过窄" in page
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    bars = [c for c in charts if "tenth" in str(c.proto)]
    assert len(bars) == 1
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    [data] = [f for f in (convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in bars[0].proto.datasets)
              if "tenth" in f.columns]
    assert data["tenth"].tolist() == [f"{k / 10:.1f}–{(k + 1) / 10:.1f}" for k in range(10)]
    assert data["share"].tolist() == pytest.approx([100 * f for f in pit])
