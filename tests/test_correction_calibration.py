"""Calibrated distributions (issue #13): quantiles in log space per lead day and forecast-level bin."""

import numpy as np
import pandas as pd
import pytest

from forecasting.correction import correct, pair_forecasts
from forecasting.correction.probabilistic import (
    coverage,
    crps_ensemble,
    crps_from_quantiles,
    level_bin,
    quantile_members,
)
from tests.correction_data import START, model_forecasts


def _lognormal_world(days=80, sigma=0.35, seed=4):
    """PM2.5 alternating between clean (~20) and polluted (~160 µg/m³) spells of 3 days; the model is
    the truth times exp(e), e ~ N(0, σ²) per run and hour: a purely multiplicative error, so the
    80 % interval is O·exp(±1.2816σ) — its width grows with the level."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(START - pd.Timedelta(days=2), START + pd.Timedelta(days=days + 8), freq="h")
    spell = ((times - times[0]) // pd.Timedelta(days=3)) % 2
    value = np.where(spell == 1, 160.0, 20.0) * np.exp(0.1 * rng.standard_normal(len(times)))
    obs = pd.DataFrame({"time": times, "district": "310118", "pollutant": "pm25", "value": value})
    fc = model_forecasts(obs, days=days, bias=0.0, max_lead=48)
    fc["value"] = fc["value"] * np.exp(sigma * rng.standard_normal(len(fc)))
    return obs, pair_forecasts(fc, obs)


def test_intervals_are_calibrated_in_every_level_bin():
    """An additive pooled residual quantile (the old interval) covers clean hours too often and
    polluted hours too rarely; per-bin log quantiles cover about 80 % in each bin."""
    obs, pairs = _lognormal_world()
    out = correct(pairs, obs, method="raw", refit_days=10, min_train_days=10, interval_window_days=40)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=30)]
    assert late["q10"].notna().all()
    bins = level_bin(late["pollutant"], late["central"])
    clean, polluted = late[bins == 0], late[bins >= 2]
    assert len(clean) > 500 and len(polluted) > 500
    for part in (clean, polluted):
        assert 0.72 <= coverage(part["q10"], part["q90"], part["observed"]) <= 0.88
    # the width grows with the level (each bin learns the spread of O given its forecasts)
    assert (polluted["q90"] - polluted["q10"]).median() > 4 * (clean["q90"] - clean["q10"]).median()
    assert (late["q10"] <= late["q50"]).all() and (late["q50"] <= late["q90"]).all()


def test_crps_of_an_ensemble_matches_scoringrules():
    import scoringrules

    rng = np.random.default_rng(1)
    members = rng.gamma(2.0, 20.0, size=(50, 20))
    y = rng.gamma(2.0, 20.0, size=50)
    np.testing.assert_allclose(crps_ensemble(y, members), scoringrules.crps_ensemble(y, members, estimator="nrg"),
                               rtol=1e-10)


def test_crps_from_quantiles_approaches_the_lognormal_closed_form():
    """Symmetric quantiles on log(x + 1) are a log-normal of x + 1; its CRPS has a closed form
    (Baran and Lerch 2015, in scoringrules.crps_lognormal). 200 members agree to 0.5 %."""
    import scoringrules
    from scipy.stats import norm

    mu, s = np.log(61.0), 0.4
    q = [np.exp(mu + s * norm.ppf(p)) - 1 for p in (0.1, 0.5, 0.9)]
    for y in (20.0, 60.0, 150.0):
        got = crps_from_quantiles([q[0]], [q[1]], [q[2]], [y], ["pm25"], k=200)[0]
        want = float(scoringrules.crps_lognormal(y + 1.0, mu, s))
        assert got == pytest.approx(want, rel=5e-3)


def test_quantile_members_go_through_the_quantiles():
    m = quantile_members([10.0], [30.0], [90.0], ["o3"], k=1001)[0]
    assert np.quantile(m, 0.5) == pytest.approx(30.0, rel=1e-6)
    assert np.quantile(m, 0.1) == pytest.approx(10.0, rel=2e-2)
    assert np.quantile(m, 0.9) == pytest.approx(90.0, rel=2e-2)


def test_analog_ensemble_returns_what_verified_similar_forecasts():
    """Days alternate between a clean run (F = 10) and a polluted run (F = 40); the truth is always
    F·1.5 + 5 (20 or 65). Every analog of a clean forecast is a clean day, so the AnEn mean and all
    its quantiles are exactly 20 (65 for polluted) once history exists — a bias no additive filter
    removes in one step, since the error alternates between +10 and +25."""
    times = pd.date_range(START - pd.Timedelta(days=2), START + pd.Timedelta(days=40), freq="h")
    polluted = ((times.tz_convert("Asia/Shanghai").normalize() - START.tz_convert("Asia/Shanghai").normalize())
                .days % 2).astype(bool)
    truth = np.where(polluted, 65.0, 20.0)
    obs = pd.DataFrame({"time": times, "district": "310118", "pollutant": "pm25", "value": truth})
    fc = model_forecasts(obs, days=30, bias=0.0, max_lead=30)
    fc["value"] = (fc["value"] - 5.0) / 1.5
    pairs = pair_forecasts(fc, obs)
    out = correct(pairs, obs, method="analog_ensemble", refit_days=5, min_train_days=5, analogs=5)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=15)]
    assert len(late) > 100 and not late["fallback"].any()
    np.testing.assert_allclose(late["central"], late["observed"], atol=1e-9)
    np.testing.assert_allclose(late["q10"], late["observed"], atol=1e-9)
    np.testing.assert_allclose(late["q90"], late["observed"], atol=1e-9)


def test_a_bin_with_fewer_than_100_scores_takes_the_pooled_correction():
    """CQR per (pollutant, lead day, bin) needs CONFORMAL_MIN_COUNT (100) scores: 60 polluted hours,
    each 0.5 above its interval on the log scale, are too few; the pooled (pollutant, lead day) key
    of 400 clean hours at −0.1 and those 60 gives Q = −0.1 (its ⌈461·0.8⌉/460 quantile lies among the
    400), so the polluted hour's interval narrows by exp(−0.1) on the log scale instead of widening."""
    from forecasting.correction.probabilistic import CONFORMAL_MIN_COUNT, conformalize

    assert CONFORMAL_MIN_COUNT == 100
    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    grid = pd.DatetimeIndex([t0, t0 + pd.Timedelta(days=30)])
    rows = []
    for k in range(460):  # calibration: issued in block 0, verified before the second origin
        polluted = k < 60
        central = 200.0 if polluted else 20.0
        q10, q90 = central / 2, central * 2
        hi = np.log(q90 + 1)
        y = hi + 0.5 if polluted else hi - 0.1
        rows.append({"issue_time": t0 + pd.Timedelta(hours=k), "valid_time": t0 + pd.Timedelta(hours=k + 20),
                     "central": central, "q10": q10, "q50": central, "q90": q90, "observed": np.exp(y) - 1})
    rows.append({"issue_time": grid[1] + pd.Timedelta(hours=1), "valid_time": grid[1] + pd.Timedelta(hours=21),
                 "central": 200.0, "q10": 100.0, "q50": 200.0, "q90": 400.0, "observed": np.nan})
    frame = pd.DataFrame(rows).assign(pollutant="pm25", lead_day=1)
    last = conformalize(frame, grid=grid, window_days=60).iloc[-1]
    assert last["q90"] == pytest.approx(np.exp(np.log(401.0) - 0.1) - 1)
    assert last["q10"] == pytest.approx(np.exp(np.log(101.0) + 0.1) - 1)
    # with 30 as the minimum the 60 polluted scores are enough: Q = 0.5, the interval widens
    wide = conformalize(frame, grid=grid, window_days=60, min_count=30).iloc[-1]
    assert wide["q90"] == pytest.approx(np.exp(np.log(401.0) + 0.5) - 1)
