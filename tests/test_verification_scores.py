"""Verification rules and scores (pure): spec vectors T52-T54, the ``scores`` library (nci/scores
2.7.0) for the continuous scores, a hand contingency table for POD/FAR/CSI, the composite score."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import scores as nci
import xarray as xr

from forecasting import verification as v
from forecasting.errors import ValidationError
from verification_data import DAY, QP, WJ, contingency_pairs, frame, pair

TOL = 1e-9


# -- spec §6 vectors ------------------------------------------------------------------------------------


def test_t52_continuous_scores_of_the_range_centre():
    """T52: F = [60, 80, 100], O = [50, 90, 100] → NMB 0 %, NME 8.33 %, RMSE 8.165, R 0.945."""
    p = frame([pair(lo=f - 10, hi=f + 10, obs=o, target=DAY + timedelta(days=i))
               for i, (f, o) in enumerate(zip([60, 80, 100], [50, 90, 100]))])
    s = v.score_pairs(p)
    assert s["n"] == 3
    assert s["nmb"] == pytest.approx(0.0, abs=TOL)
    assert s["nme"] == pytest.approx(20 / 240, abs=TOL)  # 8.33 %
    assert s["rmse"] == pytest.approx(math.sqrt(200 / 3), abs=TOL)  # 8.165
    assert round(s["r"], 3) == 0.945  # 1000 / sqrt(800 · 1400) = 0.9449


def test_t53_range_miss_level_hit():
    """T53: forecast 55-75 (level 2 at both ends), observed 78 → range miss, level hit."""
    assert v.range_hit(55, 75, 78) is False
    assert v.level_hit(2, 2, 2) is True
    a = v.annotate(frame([pair(lo=55, hi=75, obs=78)]))
    assert (bool(a["range_hit"][0]), bool(a["level_hit"][0])) == (False, True)


def test_t54_level_span_hit():
    """T54: forecast 良至轻度污染 (AQI 90-110), observed 120 → range miss; level 3 ∈ {2, 3} hits."""
    a = v.annotate(frame([pair(lo=90, hi=110, obs=120)]))
    assert (a["level_lo"][0], a["level_hi"][0], a["obs_level"][0]) == (2, 3, 3)
    assert (bool(a["range_hit"][0]), bool(a["level_hit"][0])) == (False, True)


# -- per-day rules, both sides of every edge ------------------------------------------------------------


@pytest.mark.parametrize("lo,hi,obs,expected", [
    (55, 75, 55, True), (55, 75, 75, True),  # both ends inclusive
    (55, 75, 54, False), (55, 75, 76, False),
    (55, 75, 54.9, False),
    (55, 75, math.nan, None), (None, 75, 60, None),
])
def test_range_hit(lo, hi, obs, expected):
    assert v.range_hit(lo, hi, obs) is expected


@pytest.mark.parametrize("llo,lhi,obs_level,distance", [
    (2, 2, 2, 0), (2, 3, 3, 0), (2, 3, 4, 1), (2, 3, 1, 1), (3, 3, 6, 3), (2, 2, None, None), (2, 2, 0, None),
])
def test_level_distance_and_hit(llo, lhi, obs_level, distance):
    assert v.level_distance(llo, lhi, obs_level) == distance
    assert v.level_hit(llo, lhi, obs_level) is (None if distance is None else distance == 0)


@pytest.mark.parametrize("forecast,observed,aqi,expected", [
    (("pm25",), ("pm25",), 80, True),
    (("o3",), ("pm25",), 80, False),
    (("o3",), ("pm25", "o3"), 102, True),          # observed tie (并列): either counts
    (("pm25", "o3"), ("o3",), 102, True),          # two forecast labels: a hit when the sets intersect
    ((), ("pm25",), 80, False),                    # "none" forecast on a day with a primary pollutant: miss
    (("pm25",), (), 50, None),                     # AQI ≤ 50: not evaluated
    (("pm25",), ("pm25",), 50, None),              # exactly 50 is ≤ 50
    (("pm25",), ("pm25",), 51, True),
    (("pm25",), ("pm25",), math.nan, None),
])
def test_primary_hit(forecast, observed, aqi, expected):
    assert v.primary_hit(forecast, observed, aqi) is expected


def test_primary_accuracy_counts_only_days_above_50():
    p = frame([pair(lo=40, hi=60, obs=45, primary=("pm25",), obs_primary=()),                       # excluded
               pair(lo=60, hi=80, obs=70, primary=("pm25",), obs_primary=("pm25",), target=DAY + timedelta(1)),
               pair(lo=60, hi=80, obs=75, primary=("o3",), obs_primary=("pm25",), target=DAY + timedelta(2)),
               pair(lo=60, hi=80, obs=75, primary=("o3",), obs_primary=("pm25", "o3"), target=DAY + timedelta(3))])
    s = v.score_pairs(p)
    assert (s["n"], s["n_primary"]) == (4, 3)
    assert s["primary_accuracy"] == pytest.approx(2 / 3)


# -- categorical scores: the hand table in verification_data ----------------------------------------------


def test_contingency_aqi_above_100_upper_rule():
    s = v.score_pairs(contingency_pairs(), event_rule="upper")
    assert (s["hits_100"], s["false_alarms_100"], s["misses_100"], s["correct_negatives_100"]) == (5, 1, 1, 1)
    assert s["pod_100"] == pytest.approx(5 / 6, abs=TOL)
    assert s["far_100"] == pytest.approx(1 / 6, abs=TOL)
    assert s["csi_100"] == pytest.approx(5 / 7, abs=TOL)


def test_contingency_aqi_above_100_centre_rule():
    s = v.score_pairs(contingency_pairs(), event_rule="centre")
    assert (s["hits_100"], s["false_alarms_100"], s["misses_100"], s["correct_negatives_100"]) == (4, 0, 2, 2)
    assert (s["pod_100"], s["far_100"], s["csi_100"]) == pytest.approx((4 / 6, 0.0, 4 / 6), abs=TOL)


def test_contingency_aqi_above_200():
    s = v.score_pairs(contingency_pairs(), event_rule="upper")
    assert (s["hits_200"], s["false_alarms_200"], s["misses_200"], s["correct_negatives_200"]) == (1, 1, 1, 5)
    assert (s["pod_200"], s["far_200"], s["csi_200"]) == pytest.approx((1 / 2, 1 / 2, 1 / 3), abs=TOL)


def test_contingency_agrees_with_the_scores_library():
    p = contingency_pairs()
    obs = xr.DataArray(p["obs_aqi"].to_numpy(float), dims="t")
    upper = xr.DataArray(p["aqi_hi"].to_numpy(float), dims="t")
    table = nci.categorical.ThresholdEventOperator().make_contingency_manager(upper, obs, event_threshold=100)
    ours = v.score_pairs(p)
    assert ours["pod_100"] == pytest.approx(float(table.probability_of_detection()), abs=TOL)
    assert ours["far_100"] == pytest.approx(float(table.false_alarm_ratio()), abs=TOL)
    assert ours["csi_100"] == pytest.approx(float(table.threat_score()), abs=TOL)


def test_event_forecast_rules():
    assert v.event_forecast(90, 110, 100, 100) is True                   # upper 110 > 100
    assert v.event_forecast(90, 110, 100, 100, rule="centre") is False   # centre 100 is not > 100
    assert v.event_forecast(80, 100, 90, 100) is False                   # AQI 100 is level 2
    with pytest.raises(ValidationError, match="event rule 'max'"):
        v.event_forecast(1, 2, 1.5, 100, rule="max")
    with pytest.raises(ValidationError, match="expected one of upper, centre"):
        v.score_pairs(contingency_pairs(), event_rule="mean")


# -- continuous scores against nci/scores 2.7.0 -----------------------------------------------------------


def _random_pairs(seed=7, n=60):
    rng = np.random.default_rng(seed)
    obs = rng.gamma(4.0, 20.0, n)
    centre = obs * rng.normal(1.05, 0.2, n) + rng.normal(0, 8, n)
    obs[[3, 17]] = np.nan  # days without a published AQI are left out
    rows = []
    for i in range(n):
        lead = 1 + i % 3
        rows.append(pair(lo=int(centre[i]) - 10, hi=int(centre[i]) + 10, centre=float(centre[i]), obs=float(obs[i]),
                         lead=lead, target=DAY + timedelta(days=i), obs_level=1))
    return frame(rows)


def test_continuous_scores_agree_with_the_scores_library():
    p = _random_pairs()
    table = v.score_table(p, by=["label", "lead_day"])
    assert list(table["lead_day"]) == [1, 2, 3]
    for row in table.itertuples(index=False):
        part = p[(p["lead_day"] == row.lead_day) & p["obs_aqi"].notna()]
        f = xr.DataArray(part["centre"].to_numpy(float), dims="t")
        o = xr.DataArray(part["obs_aqi"].to_numpy(float), dims="t")
        assert row.n == len(part)
        assert row.mb == pytest.approx(float(nci.continuous.additive_bias(f, o)), abs=TOL)
        assert row.nmb == pytest.approx(float(nci.continuous.pbias(f, o)) / 100, abs=TOL)
        assert row.nme == pytest.approx(float(nci.continuous.mae(f, o)) / float(o.mean()), abs=TOL)
        assert row.rmse == pytest.approx(float(nci.continuous.rmse(f, o)), abs=TOL)
        assert row.r == pytest.approx(float(nci.continuous.correlation.pearsonr(f, o)), abs=TOL)


def test_missing_observations_are_left_out_not_counted_as_misses():
    p = frame([pair(lo=50, hi=70, obs=60), pair(lo=50, hi=70, obs=math.nan, target=DAY + timedelta(1))])
    s = v.score_pairs(p)
    assert s["n"] == 1 and s["range_hit_rate"] == 1.0


# -- composite score (Shanghai practice, spec §3.3) ---------------------------------------------------------


@pytest.mark.parametrize("distance,error,primary,expected", [
    (0, 0.0, True, 100.0),
    (0, 10.0, False, 80.0),                 # 0.2·0 + 0.5·100 + 0.3·100
    (1, 30.0, False, 49.0),                 # 0.5·50 + 0.3·80
    (2, -60.0, True, 50.5),                 # 0.2·100 + 0.5·25 + 0.3·60
    (3, 120.0, True, 29.0),                 # 20 + 0 + 0.3·30
    (4, 151.0, False, 0.0),
    (0, 25.0, None, 100.0),                 # AQI ≤ 50: (0.5·100 + 0.3·100)/0.8
    (1, 50.0, None, (0.5 * 50 + 0.3 * 80) / 0.8),
])
def test_composite_score_by_hand(distance, error, primary, expected):
    assert v.composite_score(level_distance=distance, error=error, primary=primary) == pytest.approx(expected)


def test_composite_weights_are_configurable_and_checked():
    w = v.CompositeWeights.parse("0.4,0.4,0.2")
    assert v.composite_score(level_distance=1, error=30.0, primary=True, weights=w) == pytest.approx(40 + 20 + 16)
    with pytest.raises(ValidationError, match="sum to 1"):
        v.CompositeWeights(0.5, 0.5, 0.5)
    with pytest.raises(ValidationError, match="expected three numbers"):
        v.CompositeWeights.parse("0.2,0.8")
    p = frame([pair(lo=60, hi=80, obs=120, primary=("o3",), obs_primary=("pm25",))])  # distance 1, error 50
    assert v.score_pairs(p, weights=w)["composite"] == pytest.approx(0 + 0.4 * 50 + 0.2 * 80)


def test_composite_weights_typed_with_a_chinese_input_method_are_read():
    """"0.2，0.5，0.3" (full-width commas, as a Chinese input method types them) was refused as not three numbers."""
    for typed in ("0.2，0.5，0.3", "０.２，０.５，０.３", "0.2、0.5、0.3", " 0.2 , 0.5 , 0.3 "):
        assert v.CompositeWeights.parse(typed) == v.CompositeWeights(0.2, 0.5, 0.3), typed
    with pytest.raises(ValidationError, match="expected three numbers"):
        v.CompositeWeights.parse("0.2 0.5 0.3")


# -- value added, rolling windows, seasons ----------------------------------------------------------------


def test_value_added_is_issued_minus_the_best_objective_guidance():
    rows = []
    for i, (issued, ens, raw) in enumerate([(60, 70, 100), (100, 90, 100), (140, 120, 100)]):
        obs = [65, 95, 130][i]
        t = DAY + timedelta(days=i)
        rows += [pair("issued", lo=issued - 10, hi=issued + 10, obs=obs, target=t),
                 pair("ensemble", lo=ens - 10, hi=ens + 10, obs=obs, target=t),
                 pair("raw", "M1", lo=raw - 10, hi=raw + 10, obs=obs, target=t)]
    # centre − observed: issued −5, +5, +10; ensemble +5, −5, −10; raw +35, +5, −30
    # range hits (±10 around the centre): issued 3/3, ensemble 3/3, raw 1/3 → best 1.0, value added 0
    # RMSE: issued sqrt((25+25+100)/3) = sqrt(50); ensemble the same (best); raw sqrt((1225+25+900)/3)
    table = v.score_table(frame(rows), by=["label"])
    va = v.value_added(table, by=[]).set_index("score")
    assert va.loc["range_hit_rate", "best"] == 1.0
    assert va.loc["range_hit_rate", "value_added"] == 0.0
    assert va.loc["rmse", "best_label"] == "ensemble"
    assert va.loc["rmse", "value_added"] == pytest.approx(0.0, abs=TOL)
    worse = [dict(r, aqi_lo=r["aqi_lo"] + 20, aqi_hi=r["aqi_hi"] + 20, centre=r["centre"] + 20)
             if r["source"] == "issued" else r for r in rows]
    va2 = v.value_added(v.score_table(frame(worse), by=["label"]), by=[]).set_index("score")
    # issued errors now +15, +25, +30: RMSE sqrt((225+625+900)/3) − sqrt(50) > 0 (worse than the ensemble)
    assert va2.loc["rmse", "value_added"] == pytest.approx(math.sqrt(1750 / 3) - math.sqrt(50), abs=TOL)
    assert va2.loc["range_hit_rate", "value_added"] == pytest.approx(0 / 3 - 1.0, abs=TOL)  # 70-90 vs 65 ...: no hit


def test_rolling_window_counts_the_trailing_days():
    rows = [pair(lo=50, hi=70, obs=o, target=DAY + timedelta(days=i)) for i, o in enumerate([60, 80, 60, 60])]
    r = v.rolling_scores(frame(rows), window=2, columns=["range_hit_rate"])
    # windows: {d0} 1/1, {d0,d1} 1/2, {d1,d2} 1/2, {d2,d3} 2/2
    assert list(r["n"]) == [1, 2, 2, 2]
    assert list(r["range_hit_rate"]) == [1.0, 0.5, 0.5, 1.0]


@pytest.mark.parametrize("day,season", [(date(2026, 1, 5), "DJF"), (date(2026, 3, 1), "MAM"),
                                        (date(2026, 8, 31), "JJA"), (date(2026, 11, 24), "SON"),
                                        (date(2026, 12, 1), "DJF")])
def test_season_of(day, season):
    assert v.season_of(day) == season


def test_breakdowns_by_district_and_month():
    rows = [pair(lo=50, hi=70, obs=60, district=QP), pair(lo=50, hi=70, obs=90, district=WJ),
            pair(lo=50, hi=70, obs=60, district=WJ, target=date(2026, 12, 2))]
    a = v.annotate(frame(rows))
    t = v.score_table(a, by=["label", "district"]).set_index("district")
    assert t.loc[QP, "range_hit_rate"] == 1.0 and t.loc[WJ, "range_hit_rate"] == 0.5
    m = v.score_table(a, by=["label", "month", "season"])
    assert list(m["month"]) == ["2026-11", "2026-12"] and list(m["season"]) == ["SON", "DJF"]


def test_csv_export_round_trips():
    a = v.annotate(contingency_pairs())
    t = v.score_table(a, by=["label", "lead_day"])
    back = v.from_csv(v.to_csv(t))
    pd.testing.assert_frame_equal(back, t, check_dtype=False)
    cols = ["issue_date", "target_date", "district", "aqi_lo", "aqi_hi", "centre", "obs_aqi", "primary", "obs_primary"]
    pairs_back = v.from_csv(v.to_csv(a[cols]))
    pd.testing.assert_frame_equal(pairs_back, a[cols].reset_index(drop=True), check_dtype=False)


def test_fast_rolling_sums_equal_the_day_by_day_scores():
    """Regression guard: the cumulative-sum path of rolling_scores gives the numbers score_pairs gives
    (gaps in the dates, days without an observation, two labels and lead days)."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(70):
        if i % 9 == 4:
            continue
        for lead in (1, 2):
            for source, model in (("issued", ""), ("raw", "M")):
                c = int(rng.uniform(20, 220))
                o = float(rng.uniform(20, 220)) if rng.uniform() > 0.15 else math.nan
                rows.append(pair(source, model, lo=c - 10, hi=c + 10, obs=o, lead=lead, target=DAY + timedelta(days=i),
                                 primary=("pm25",) if rng.uniform() > 0.4 else ("o3",), obs_primary=("pm25",)))
    a = v.annotate(frame(rows))
    cols = ["range_hit_rate", "level_hit_rate", "primary_accuracy", "mb", "nmb", "nme", "rmse", "composite"]
    fast = v.rolling_scores(a, window=30, by=["label", "lead_day"], columns=cols)
    slow = v.rolling_scores(a, window=30, by=["label", "lead_day"], columns=[*cols, "r"])  # "r" forces score_pairs
    pd.testing.assert_frame_equal(fast, slow.drop(columns="r"), rtol=1e-12, check_dtype=False)
