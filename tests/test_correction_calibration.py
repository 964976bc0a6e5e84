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


def test_the_asymmetric_step_calibrates_each_end_on_its_own_misses():
    """200 hours, all below their interval [10, 40] by 0, 0.005, …, 0.995 on log(x + 1) (ozone at night):
    the symmetric step adds Q, the ⌈201·0.8⌉/200 quantile of those scores, to both ends, so the upper end
    widens for misses it never had. The asymmetric step (Romano et al. 2019) moves the lower end by the
    ⌈201·0.9⌉/200 quantile of ``E_lo = log(q10 + 1) − log(O + 1)`` and the upper end by that of
    ``E_hi = log(O + 1) − log(q90 + 1)``, which is negative here: the upper end narrows, down to the median."""
    from forecasting.correction.probabilistic import conformalize

    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    grid = pd.DatetimeIndex([t0, t0 + pd.Timedelta(days=30)])
    lo, hi = np.log(11.0), np.log(41.0)
    below = np.arange(200) / 200
    rows = [{"issue_time": t0 + pd.Timedelta(hours=k), "valid_time": t0 + pd.Timedelta(hours=k + 20),
             "observed": np.exp(lo - below[k]) - 1} for k in range(200)]
    rows.append({"issue_time": grid[1] + pd.Timedelta(hours=1), "valid_time": grid[1] + pd.Timedelta(hours=21),
                 "observed": np.nan})
    frame = pd.DataFrame(rows).assign(pollutant="pm25", lead_day=1, central=20.0, q10=10.0, q50=20.0, q90=40.0)
    symmetric = conformalize(frame, grid=grid, window_days=60).iloc[-1]
    q = np.quantile(below, 161 / 200)
    assert symmetric["q10"] == pytest.approx(np.exp(lo - q) - 1)
    assert symmetric["q90"] == pytest.approx(np.exp(hi + q) - 1)  # wider above, with no miss above
    asymmetric = conformalize(frame, grid=grid, window_days=60, asymmetric=True).iloc[-1]
    assert asymmetric["q10"] == pytest.approx(np.exp(lo - np.quantile(below, 181 / 200)) - 1)
    e_hi = (lo - below) - hi
    assert np.exp(hi + np.quantile(e_hi, 181 / 200)) - 1 < 20.0  # below the median: held at the median
    assert asymmetric["q90"] == pytest.approx(20.0)


def _aci_frame(t0, grid, late_score: float) -> pd.DataFrame:
    """200 calibration hours issued in block 0 with conformity scores 0, 0.005, …, 0.995 (above q90 on
    the log scale), 10 hours issued in block 1 scoring ``late_score``, one hour issued in block 2."""
    hi = np.log(40.0 + 1)
    rows = []
    for k in range(200):
        rows.append({"issue_time": t0 + pd.Timedelta(hours=k), "valid_time": t0 + pd.Timedelta(hours=k + 20),
                     "observed": np.exp(hi + k / 200) - 1})
    for k in range(10):
        rows.append({"issue_time": grid[1] + pd.Timedelta(hours=k), "valid_time": grid[1] + pd.Timedelta(hours=k + 20),
                     "observed": np.exp(hi + late_score) - 1})
    rows.append({"issue_time": grid[2] + pd.Timedelta(hours=1), "valid_time": grid[2] + pd.Timedelta(hours=21),
                 "observed": np.nan})
    return pd.DataFrame(rows).assign(pollutant="pm25", lead_day=1, central=20.0, q10=10.0, q50=20.0, q90=40.0)


def test_adaptive_conformal_widens_a_key_whose_intervals_missed():
    """ACI (Gibbs and Candès 2021): the 10 hours of block 1 all fall outside their interval (score 1.5
    above the block's Q, the ⌈201·0.8⌉/200 quantile of 0 … 0.995), so with rate 0.5 the key's α at the
    third origin is 0.2 + 0.5·(0.2 − 10/10) = −0.2: the 1 − α level is above 1 and Q is the largest
    calibration score, 1.5. Without ACI Q is the ⌈211·0.8⌉/210 quantile of the 210 scores, below 1."""
    from forecasting.correction.probabilistic import conformalize

    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    grid = pd.DatetimeIndex([t0, t0 + pd.Timedelta(days=30), t0 + pd.Timedelta(days=60)])
    frame = _aci_frame(t0, grid, late_score=1.5)
    hi = np.log(41.0)
    aci = conformalize(frame, grid=grid, window_days=60, adapt=0.5)
    assert aci["q90"].iloc[-1] == pytest.approx(np.exp(hi + 1.5) - 1)
    block1 = aci.iloc[200:210]  # Q of block 1: α was not moved yet (block 0 had no interval of its own)
    scores = np.arange(200) / 200
    assert block1["q90"].to_numpy() == pytest.approx(np.exp(hi + np.quantile(scores, 161 / 200)) - 1)
    plain = conformalize(frame, grid=grid, window_days=60)
    q = np.quantile(np.r_[scores, np.full(10, 1.5)], 169 / 210)
    assert q < 1 and plain["q90"].iloc[-1] == pytest.approx(np.exp(hi + q) - 1)


def test_adaptive_conformal_with_the_asymmetric_step_counts_a_miss_at_either_end():
    """The same hours with the asymmetric step: block 1 is calibrated at ⌈201·0.9⌉/200 (each end at
    1 − α/2); its 10 hours all miss above, so α = −0.2 at the third origin as with the symmetric step,
    1 − α/2 is above 1, and the upper end moves by the largest ``E_hi``, 1.5."""
    from forecasting.correction.probabilistic import conformalize

    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    grid = pd.DatetimeIndex([t0, t0 + pd.Timedelta(days=30), t0 + pd.Timedelta(days=60)])
    frame = _aci_frame(t0, grid, late_score=1.5)
    hi = np.log(41.0)
    aci = conformalize(frame, grid=grid, window_days=60, adapt=0.5, asymmetric=True)
    assert aci["q90"].iloc[-1] == pytest.approx(np.exp(hi + 1.5) - 1)
    block1 = aci.iloc[200:210]
    assert block1["q90"].to_numpy() == pytest.approx(np.exp(hi + np.quantile(np.arange(200) / 200, 181 / 200)) - 1)


def test_adaptive_conformal_narrows_a_key_that_always_covered_and_never_looks_ahead():
    """The 10 hours of block 1 all inside (score −1): α = 0.2 + 0.5·(0.2 − 0) = 0.3, so Q is the
    ⌈211·0.7⌉/210 quantile. Their observations, verified after the third origin, do not move it."""
    from forecasting.correction.probabilistic import conformalize

    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    grid = pd.DatetimeIndex([t0, t0 + pd.Timedelta(days=30), t0 + pd.Timedelta(days=60)])
    frame = _aci_frame(t0, grid, late_score=-1.0)
    hi = np.log(41.0)
    scores = np.r_[np.arange(200) / 200, np.full(10, -1.0)]
    got = conformalize(frame, grid=grid, window_days=60, adapt=0.5)["q90"].iloc[-1]
    assert got == pytest.approx(np.exp(hi + np.quantile(scores, np.ceil(211 * 0.7 - 1e-9) / 210)) - 1)
    later = frame.copy()
    later.loc[200:209, "valid_time"] = grid[2] + pd.Timedelta(hours=5)  # verified after the origin
    unmoved = conformalize(later, grid=grid, window_days=60, adapt=0.5)["q90"].iloc[-1]
    assert unmoved == pytest.approx(np.exp(hi + np.quantile(np.arange(200) / 200, 161 / 200)) - 1)


@pytest.mark.parametrize(("adapt", "step", "hours"), [(0.0, "origin", "all"), (0.3, "origin", "all"),
                                                      (0.3, "origin", "some"), (0.3, "rows", "some"),
                                                      (0.3, "rows", "unverified")])
def test_daily_conformal_step_matches_a_plain_recomputation(adapt, step, hours):
    """One key (PM2.5, D+1, one bin), 40 days of hourly rows issued a day ahead, daily origins: each day's
    Q recomputed here with a plain loop (window scores, np.quantile at ⌈(n + 1)(1 − α)⌉/n, α moved once per
    origin: by the fraction of the rows verified since the previous one that missed (``"origin"``), or by
    ``(k·0.2 − missed)/k̄`` with ``k`` those rows and ``k̄`` the mean ``k`` of the origins that had rows so far
    (``"rows"``)) equals the project's. With ``hours="some"`` each day keeps a random 3-24 of its hours, so
    the two steps differ; with ``hours="unverified"`` a random sixth of the hours has no observation: such an
    hour neither calibrates nor moves α."""
    from forecasting.correction.probabilistic import conformalize

    rng = np.random.default_rng(5)
    t0 = pd.Timestamp("2026-03-01", tz="UTC")
    issue = t0 + pd.to_timedelta(np.repeat(np.arange(40), 24), "D")
    valid = issue + pd.to_timedelta(np.tile(np.arange(24, 48), 40), "h")
    frame = pd.DataFrame({"issue_time": issue, "valid_time": valid, "pollutant": "pm25", "lead_day": 1,
                          "central": 20.0, "q10": 12.0, "q50": 20.0, "q90": 30.0,
                          "observed": 20.0 * np.exp(rng.normal(0.0, 0.5, len(issue)))})
    if hours == "some":
        kept = np.concatenate([np.arange(24) < rng.integers(3, 25) for _ in range(40)])
        frame = frame[kept].reset_index(drop=True)
        issue, valid = issue[kept], valid[kept]
    if hours == "unverified":
        frame.loc[rng.random(len(frame)) < 1 / 6, "observed"] = np.nan
    grid = pd.date_range(t0 + pd.Timedelta(days=5), t0 + pd.Timedelta(days=40), freq="D")
    got = conformalize(frame, grid=grid, window_days=10, adapt=adapt, aci_step=step)

    score = np.maximum(np.log(13.0) - np.log(frame["observed"] + 1), np.log(frame["observed"] + 1) - np.log(31.0))
    shift = np.full(len(frame), np.nan)
    alpha, previous, counts = 0.2, None, []
    for j, t in enumerate(grid):
        if previous is not None:
            errs = [float(score[i] > shift[i]) for i in range(len(frame))
                    if previous < valid[i] <= t and issue[i] < t and np.isfinite(shift[i]) and np.isfinite(score[i])]
            if errs and step == "origin":
                alpha += adapt * (0.2 - sum(errs) / len(errs))
            elif errs:
                counts.append(len(errs))
                alpha += adapt * (0.2 * len(errs) - sum(errs)) / np.mean(counts)
        previous = t
        cal = score[(valid > t - pd.Timedelta(days=10)) & (valid <= t) & (issue < t) & np.isfinite(score)]
        end = grid[j + 1] if j + 1 < len(grid) else pd.Timestamp.max.tz_localize("UTC")
        rows = (issue >= t) & (issue < end)
        if len(cal) >= 100:
            n = len(cal)
            level = min(1.0, max(0.0, 1.0 - alpha))
            shift[rows] = np.quantile(cal, min(1.0, np.ceil((n + 1) * level - 1e-9) / n))
    expected = np.where(np.isfinite(shift), np.maximum(np.exp(np.log(31.0) + shift) - 1, 20.0), 30.0)
    np.testing.assert_allclose(got["q90"].to_numpy(), expected, rtol=1e-12)
    assert np.isfinite(shift).sum() > (500 if hours == "all" else 250)
    assert adapt == 0 or len(set(np.round(shift[np.isfinite(shift)], 9))) > 20


def test_the_two_aci_steps_differ_only_when_the_hours_per_origin_differ():
    """Hours valid 25-48 h after their midnight issue, daily origins at midnight: every origin sees exactly
    the 24 hours of one issue (``k = k̄``), so the ``"rows"`` step equals the ``"origin"`` step and the
    intervals are the same; an unknown step is refused."""
    from forecasting.correction.probabilistic import conformalize

    rng = np.random.default_rng(7)
    t0 = pd.Timestamp("2026-03-01", tz="UTC")
    issue = t0 + pd.to_timedelta(np.repeat(np.arange(30), 24), "D")
    frame = pd.DataFrame({"issue_time": issue, "valid_time": issue + pd.to_timedelta(np.tile(np.arange(25, 49), 30), "h"),
                          "pollutant": "pm25", "lead_day": 1, "central": 20.0, "q10": 12.0, "q50": 20.0,
                          "q90": 30.0, "observed": 20.0 * np.exp(rng.normal(0.0, 0.6, len(issue)))})
    grid = pd.date_range(t0 + pd.Timedelta(days=5), t0 + pd.Timedelta(days=30), freq="D")
    by_origin = conformalize(frame, grid=grid, window_days=10, adapt=0.3, asymmetric=True)
    by_rows = conformalize(frame, grid=grid, window_days=10, adapt=0.3, asymmetric=True, aci_step="rows")
    np.testing.assert_allclose(by_rows[["q10", "q90"]].to_numpy(), by_origin[["q10", "q90"]].to_numpy(), rtol=1e-12)
    plain = conformalize(frame, grid=grid, window_days=10, asymmetric=True)
    assert (np.abs(by_origin["q90"] - plain["q90"]) > 0.01).sum() > 100  # α moved: the equality says something
    with pytest.raises(ValueError, match="aci_step"):
        conformalize(frame, grid=grid, window_days=10, adapt=0.3, aci_step="hours")


def test_two_days_of_history_give_no_daily_origin_and_leave_the_intervals_as_they_are():
    """A 2-day world (the demo's smallest) has no origin 14 days after its first issue: with the conformal
    step's daily origins the grid is empty (the 2-day demo seed failed on it once) and the intervals stay."""
    from forecasting.correction.engine import origins
    from forecasting.correction.probabilistic import conformalize

    t0 = pd.Timestamp("2026-03-01 12:00", tz="UTC")
    frame = pd.DataFrame({"issue_time": [t0, t0 + pd.Timedelta(days=1)],
                          "valid_time": [t0 + pd.Timedelta(hours=20), t0 + pd.Timedelta(hours=44)],
                          "pollutant": "pm25", "lead_day": 1, "central": 20.0, "q10": 12.0, "q50": 20.0,
                          "q90": 30.0, "observed": [25.0, np.nan]})
    grid = origins(frame, refit_days=1, min_train_days=14, start=t0)
    assert len(grid) == 0
    out = conformalize(frame, grid=grid, window_days=90, adapt=0.01)
    assert out["q10"].tolist() == [12.0, 12.0] and out["q90"].tolist() == [30.0, 30.0]
