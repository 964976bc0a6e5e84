"""Daily district forecast through the AQI engine (spec china-aqi.md §6 T29)."""

import pandas as pd
import pytest

from forecasting.correction import correct, pair_forecasts
from forecasting.correction.daily import daily_forecast
from forecasting.errors import ValidationError
from tests.correction_data import START, hourly_observations, model_forecasts

# T29 (HJ 633-2012 daily): PM2.5 80, PM10 120, SO2 10, NO2 45, CO 1.0, O3 8h 120 → AQI 107 (PM2.5)
T29 = {"pm25": 80.0, "pm10": 120.0, "so2": 10.0, "no2": 45.0, "co": 1.0, "o3": 120.0}


def _constant_world(days=6):
    obs = pd.concat([hourly_observations(days, pollutant=p).assign(value=v) for p, v in T29.items()])
    fc = model_forecasts(obs, days=days, bias=0.0, max_lead=168)
    return obs, pair_forecasts(fc, obs)


def test_daily_forecast_t29():
    obs, pairs = _constant_world()
    c = correct(pairs, obs, method="raw", refit_days=1, min_train_days=1)
    one = c[c["cycle"] == START + pd.Timedelta(days=4)]
    daily = daily_forecast(one).set_index("lead_day")
    d1 = daily.loc[1]
    assert d1["target_date"] == pd.Timestamp("2026-01-06")
    assert d1["edition"] == "HJ 633-2012"          # target date before 2026-03-01
    assert d1["aqi"] == pytest.approx(107)          # 100 + 50·5/40 = 106.25 → 107
    assert d1["level"] == 3 and d1["primary"] == ("pm25",)
    # a zero-width distribution at 107 lies wholly in level 3 (101-150): the range must not cross 100
    # (issue #13), so it is the 35-wide range inside 101..150 nearest 107 with ends on multiples of 5
    assert d1["aqi_q10"] == d1["aqi_q50"] == d1["aqi_q90"] == pytest.approx(107)
    assert (d1["range_lo"], d1["range_hi"]) == (105, 140)
    assert d1["levels"] == (3,) and d1["span_zh"] == "轻度污染"
    assert d1["p_over_100"] == 1.0 and d1["p_over_200"] == 0.0
    assert list(daily.index) == [1, 2, 3, 4, 5, 6, 7]
    assert pd.isna(daily.loc[7, "aqi"])             # D+7 is cut by the 168-h run: < 20 hours


def test_daily_forecast_takes_one_run():
    obs, pairs = _constant_world(3)
    c = correct(pairs, obs, method="raw")
    with pytest.raises(ValidationError, match="one model and one issue date"):
        daily_forecast(c)


def test_published_daily_scores_many_days_at_once():
    """Every D+1 day of several runs in one call: each day is T29 (AQI 107, 105-140, 轻度污染)."""
    from forecasting.correction.daily import published_daily

    obs, pairs = _constant_world()
    c = correct(pairs, obs, method="raw", refit_days=1, min_train_days=1)
    d1 = c[c["lead_day"] == 1]
    daily = published_daily(d1)
    assert len(daily) == d1["issue_date"].nunique() >= 5
    assert (daily["aqi"] == 107).all() and (daily["level"] == 3).all()
    assert set(zip(daily["range_lo"], daily["range_hi"])) == {(105, 140)}
    assert set(daily["levels"]) == {(3,)} and set(daily["span_zh"]) == {"轻度污染"}


def test_daily_forecasts_of_many_runs_equal_each_run_alone():
    """The demo's and the guidance's batch path: every (model, issue date) in one pass of the AQI
    engine gives exactly the rows of ``daily_forecast`` of that run alone (T29: AQI 107, 105-140)."""
    from forecasting.correction.daily import daily_forecasts

    obs, pairs = _constant_world()
    c = correct(pairs, obs, method="raw", refit_days=1, min_train_days=1)
    c = pd.concat([c, c.assign(model="other", central=c["central"] * 0.5)], ignore_index=True)
    batch = daily_forecasts(c)
    runs = c.groupby(["model", "issue_date"])
    assert len(runs) >= 10 and set(batch["model"]) == set(c["model"]) and len(set(c["model"])) == 2
    assert c.groupby(["model", "issue_date"])["q50"].apply(lambda q: q.isna().all()).any()  # a run without history
    from forecasting.correction.daily import published_daily

    def alone(part, model, issue):  # the run by itself, through published_daily (no group keys)
        d = published_daily(part).reset_index().rename(columns={"date": "target_date"})
        d["target_date"] = pd.to_datetime(d["target_date"])
        d["lead_day"] = ((d["target_date"] - pd.Timestamp(issue)) / pd.Timedelta(days=1)).round().astype(int)
        return d[d["lead_day"].between(1, 7)].assign(model=model, issue_date=pd.Timestamp(issue))

    expected = pd.concat([alone(part, m, i) for (m, i), part in runs], ignore_index=True)
    key = ["model", "issue_date", "district", "target_date"]
    got = batch.sort_values(key).reset_index(drop=True)
    want = expected[got.columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    full = got[(got["model"] != "other") & got["aqi"].notna()]
    assert (full["aqi"] == 107).all() and set(zip(full["range_lo"], full["range_hi"])) == {(105, 140)}
