"""Daily quantities modelled directly (issue #13 item 3) and the conformalised hourly intervals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.correction.daily_direct import (
    _conformal_levels,
    daily_aqi_distribution,
    daily_quantities,
    direct_daily,
)


def _world(days=40, seed=0):
    """Synthetic hourly observations of two districts and two models' forecasts (daily 12 UTC cycles,
    72 h), paired like the project pairs them."""
    from forecasting.correction import pair_forecasts

    rng = np.random.default_rng(seed)
    times = pd.date_range("2026-05-01 00:00", periods=24 * days, freq="h", tz="UTC")
    rows = []
    base = {"pm25": 40, "pm10": 70, "so2": 8, "no2": 30, "co": 0.7, "o3": 90}
    for d, k in (("310118", 1.0), ("320509", 1.3)):
        weather = np.exp(np.cumsum(rng.normal(0, 0.05, len(times))))
        hour = times.tz_convert("Asia/Shanghai").hour.to_numpy()
        for p, b in base.items():
            shape = 1 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24) if p == "o3" else 1.0
            v = b * k * weather * shape * np.exp(rng.normal(0, 0.1, len(times)))
            rows.append(pd.DataFrame({"time": times, "district": d, "pollutant": p, "value": v}))
    obs = pd.concat(rows, ignore_index=True)
    fc = []
    for cycle in pd.date_range(times[0], times[-1], freq="D") + pd.Timedelta(hours=12):
        for model, f in (("m1", 1.4), ("m2", 0.8)):
            v = obs[(obs["time"] > cycle) & (obs["time"] <= cycle + pd.Timedelta(hours=72))]
            fc.append(v.rename(columns={"pollutant": "variable"}).assign(model=model, cycle=cycle, valid_time=v["time"],
                               value=v["value"] * f * np.exp(rng.normal(0, 0.2, len(v)))))
    fc = pd.concat(fc, ignore_index=True).drop(columns=["time"])
    return pair_forecasts(fc, obs), obs


@pytest.fixture(scope="module")
def world():
    return _world()


def test_daily_quantities_agree_with_the_aqi_engine():
    """Daily means and O3 MDA8/1-h maximum equal forecasting.aqi.daily_indicators (GB 3095 rules), with gaps."""
    from forecasting.aqi import daily_indicators

    rng = np.random.default_rng(3)
    t = pd.date_range("2026-06-01 16:00", periods=24 * 4, freq="h", tz="UTC")
    wide = pd.DataFrame({p: rng.gamma(3, 20, len(t)) for p in ("pm25", "o3")}, index=t)
    wide.iloc[5:9, 1] = np.nan      # an O3 gap inside a window
    wide.iloc[30:36, 0] = np.nan    # six PM2.5 hours missing: 18 valid hours, no daily mean
    ref = daily_indicators(wide.rename_axis("time"))
    long = wide.reset_index(names="valid_time").melt(id_vars="valid_time", var_name="pollutant", value_name="v")
    got = daily_quantities(long.assign(d="x"), "v", ["d"]).pivot_table(index="date", columns="quantity", values="value")
    for q in ("pm25_24h", "o3_8h", "o3_1h"):
        r = ref[q].dropna()
        g = got[q].dropna() if q in got else pd.Series(dtype=float)
        assert list(pd.to_datetime(g.index)) == list(pd.to_datetime(r.index)), q
        assert np.allclose(g.to_numpy(), r.to_numpy()), q


def test_conformal_levels_are_the_finite_sample_ones():
    lo, mid, hi = _conformal_levels(99)
    assert (lo, mid, hi) == (10 / 99, 0.5, 90 / 99)  # ⌊100·0.1⌋/99, ⌈100·0.9⌉/99
    assert _conformal_levels(5)[2] == 1.0


def test_hand_computed_daily_correction_and_aqi():
    """Observations ``O + c = 2 (F + c)`` for every quantity: the log-space regression recovers it exactly,
    all three quantiles equal ``2F + c``, and the day's AQI is the HJ 633-2012 maximum sub-index."""
    pairs, obs = _world(days=30, seed=1)
    pairs = pairs[pairs["model"] == "m1"]
    # the forecast set to F = (O + c)/2 − c, so that O + c = 2 (F + c) holds hour by hour and so for daily
    # means, 8-h means and maxima (all commute with an increasing linear map)
    from forecasting.correction.daily_direct import DAILY_LOG_OFFSET

    c = pairs["pollutant"].map(DAILY_LOG_OFFSET).to_numpy(float)
    pairs = pairs.assign(forecast=(pairs["observed"].to_numpy(float) + c) / 2 - c)
    q = direct_daily(pairs, obs, lead_days=[1], alpha=0.0)
    q = q.dropna(subset=["observed"])
    assert len(q)
    assert np.allclose(q["q50"], q["observed"], rtol=1e-6)
    assert np.allclose(q["q10"], q["q90"], rtol=1e-6)
    # the AQI of quantities at their quantiles: hand-computed sub-indices (HJ 633-2012, Table 1)
    day = pd.DataFrame({"issue_date": pd.Timestamp("2016-06-01"), "district": "x", "date": pd.Timestamp("2016-06-02"),
                        "quantity": ["pm25_24h", "pm10_24h", "so2_24h", "no2_24h", "co_24h", "o3_8h", "o3_1h"],
                        "q10": [20, 40, 5, 20, 0.5, 60, 100], "q50": [35, 60, 8, 30, 0.7, 100, 150],
                        "q90": [115, 90, 10, 40, 0.9, 180, 250]})
    d = daily_aqi_distribution(day).iloc[0]
    # q10: PM10 40 → 40; q50: PM10 60 → 50 + 10/100·50 = 55; q90: PM2.5 115 → 150 (above O3 1 h 250 → 125)
    assert (d["aqi_q10"], d["aqi_q50"], d["aqi_q90"]) == (40.0, 55.0, 150.0)
    assert d["level"] == 2 and d["primary"] == ("pm10",)
    assert 0 < d["p_over_200"] < d["p_over_100"] < 0.5


def test_no_leak_observations_after_the_issue_time_do_not_change_the_daily_guidance(world):
    """Doubling every observation after the issue time leaves that issue date's quantiles unchanged;
    doubling those before it changes them (the test can fail)."""
    from forecasting.correction import pair_forecasts
    from forecasting.guidance import issue_cutoff

    pairs, obs = world
    issue = date(2026, 5, 30)
    cut = issue_cutoff(issue)
    kw = dict(issue_dates=[pd.Timestamp(issue)], cutoff=issue_cutoff, lead_days=[1, 2])
    base = direct_daily(pairs, obs, **kw)
    assert len(base) and base["trained_until"].max() <= cut

    def redo(mask):
        o = obs.assign(value=np.where(mask(obs["time"]), obs["value"] * 2, obs["value"]))
        p = pairs.drop(columns=["observed"]).merge(
            o.rename(columns={"time": "valid_time", "value": "observed"}), on=["valid_time", "district", "pollutant"],
            how="left")
        return direct_daily(p, o, **kw)

    after = redo(lambda t: t > cut)
    cols = ["q10", "q50", "q90"]
    assert np.allclose(after[cols].to_numpy(float), base[cols].to_numpy(float), equal_nan=True)
    before = redo(lambda t: t <= cut - pd.Timedelta(days=3))
    assert not np.allclose(before[cols].to_numpy(float), base[cols].to_numpy(float), equal_nan=True)
    del pair_forecasts


def test_conformalised_intervals_reach_the_nominal_coverage():
    """Base intervals far too narrow (±0.1 in log space for errors of sd 0.5): CQR calibrated on the
    previous window brings the next block's coverage to 80 % ± sampling error (n = 3000)."""
    from forecasting.correction.probabilistic import conformalize

    rng = np.random.default_rng(7)
    n = 6000
    vt = pd.date_range("2026-01-01", periods=n, freq="h", tz="UTC")
    central = np.full(n, 50.0)
    obs = np.exp(np.log(51.0) + rng.normal(0, 0.5, n)) - 1
    f = pd.DataFrame({"valid_time": vt, "issue_time": vt - pd.Timedelta(hours=20), "pollutant": "pm25",
                      "lead_day": 1, "central": central, "observed": obs,
                      "q10": np.exp(np.log(51.0) - 0.1) - 1, "q50": 50.0, "q90": np.exp(np.log(51.0) + 0.1) - 1})
    grid = pd.DatetimeIndex([vt[0] - pd.Timedelta(days=1), vt[n // 2]])
    out = conformalize(f, grid=grid, window_days=3650)
    late = out[out["issue_time"] >= grid[1]]
    cov = ((late["q10"] <= late["observed"]) & (late["observed"] <= late["q90"])).mean()
    assert 0.77 <= cov <= 0.83
    early = out[out["issue_time"] < grid[1]]
    assert np.allclose(early["q90"], f.loc[early.index, "q90"])  # no calibration scores yet: unchanged
