"""Correction methods on small series whose answers are worked out by hand (see correction_data.py)."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from forecasting.correction import (
    METHODS,
    TrainedCorrection,
    combine,
    correct,
    fit_correction,
    kalman_gains,
    kalman_steady_gain,
    pair_forecasts,
    pool_bases,
    validate_method,
)
from forecasting.correction.trained import CORRECTION_VERSION
from forecasting.errors import ValidationError
from tests.correction_data import DISTRICT, START, hourly_observations, model_forecasts

FAST = {"refit_days": 5, "min_train_days": 5, "max_iter": 20}


def _world(days=30, **kw):
    obs = hourly_observations(days, noise=kw.pop("noise", 0.0))
    fc = model_forecasts(obs, days=days, **kw)
    return obs, pair_forecasts(fc, obs)


def _gains_by_hand(n, r, p0):
    """Delle Monache et al. 2006 eqs: P⁻ = P + r, K = P⁻/(P⁻ + 1), P = (1 − K) P⁻ (σ²_ε = 1)."""
    out, p = [], p0
    for _ in range(n):
        pm = p + r
        k = pm / (pm + 1)
        out.append(k)
        p = (1 - k) * pm
    return np.array(out)


def test_unknown_method_is_refused():
    with pytest.raises(ValidationError, match="choose one of raw, persistence"):
        validate_method("kalman")
    for m in METHODS:
        assert validate_method(m) == m


def test_raw_is_the_model_value():
    obs, pairs = _world(5)
    out = correct(pairs, obs, method="raw")
    np.testing.assert_allclose(out["central"], pairs["forecast"])


@pytest.mark.parametrize("method", ["rolling_bias", "kalman_filter", "gradient_boosting"])
def test_constant_bias_is_removed(method):
    """F = O + 5 everywhere: once an error is verified the bias estimate is exactly 5 for the
    running mean and the trees (constant target O − F = −5); the Kalman filter after many updates."""
    obs, pairs = _world(30, bias=5.0)
    out = correct(pairs, obs, method=method, **FAST)
    late = out[(out["issue_time"] >= START + pd.Timedelta(days=20)) & (out["lead_day"] >= 1)]
    assert len(late) and not late["fallback"].any()
    np.testing.assert_allclose(late["central"], late["observed"], atol=1e-6 if method != "kalman_filter" else 1e-3)


def test_kalman_log_removes_a_multiplicative_bias_that_the_additive_filter_cannot():
    """F = 1.5·O + 0.5, i.e. F + 1 = 1.5·(O + 1) with PM2.5's log offset c = 1, on a noisy O: the log-ratio
    error log(F + 1) − log(O + 1) = log 1.5 every hour, so the filter on log ratios gives O back once it has
    converged; the additive error F − O = 0.5·O + 0.5 changes with O, so the additive filter cannot."""
    obs = hourly_observations(30, noise=5.0, seed=4)
    pairs = pair_forecasts(model_forecasts(obs, days=30, bias=0.5, scale=1.5), obs)
    late = {}
    for method in ("kalman_log", "kalman_filter"):
        out = correct(pairs, obs, method=method, **FAST)
        late[method] = out[(out["issue_time"] >= START + pd.Timedelta(days=20)) & (out["lead_day"] >= 1)]
        assert len(late[method]) and not late[method]["fallback"].any()
    np.testing.assert_allclose(late["kalman_log"]["central"], late["kalman_log"]["observed"], atol=1e-4)
    additive = late["kalman_filter"]
    assert np.sqrt(((additive["central"] - additive["observed"]) ** 2).mean()) > 1.0


def test_ensemble_log_combines_the_models_corrected_by_kalman_log():
    """``ensemble_log`` is the weighted ensemble of the ``kalman_log`` corrections (labelled as itself), in
    ``correct`` and in ``run_methods`` alike; ``ensemble`` stays over the additive filter."""
    from forecasting.correction import combine, run_methods

    obs = hourly_observations(30, noise=5.0, seed=4)
    fc = pd.concat([model_forecasts(obs, days=30, model=m, bias=b, scale=s)
                    for m, b, s in (("A", 0.5, 1.5), ("B", -0.2, 0.8))])
    pairs = pair_forecasts(fc, obs)
    params = {"refit_days": 5, "min_train_days": 5}
    expected = combine(correct(pairs, obs, method="kalman_log", **params), refit_days=5, min_train_days=5)
    got = correct(pairs, obs, method="ensemble_log", **params)
    assert set(got["method"]) == {"ensemble_log"}
    np.testing.assert_allclose(got["central"].to_numpy(), expected["central"].to_numpy())
    runs = run_methods(pairs, obs, methods=["ensemble", "ensemble_log"], **params)
    np.testing.assert_allclose(runs["ensemble_log"]["central"].to_numpy(), expected["central"].to_numpy())
    additive = combine(correct(pairs, obs, method="kalman_filter", **params), refit_days=5, min_train_days=5)
    np.testing.assert_allclose(runs["ensemble"]["central"].to_numpy(), additive["central"].to_numpy())
    assert not np.allclose(runs["ensemble"]["central"].to_numpy(), runs["ensemble_log"]["central"].to_numpy())


def test_the_guidance_corrects_an_ensemble_log_series_with_kalman_log():
    """A series whose training chose ``ensemble_log``: the guidance corrects its models with ``kalman_log``
    (and ``ensemble`` with the additive filter), and its suggested row combines them."""
    from forecasting.correction import combine
    from forecasting.guidance import corrected_guidance, guidance_window

    obs = hourly_observations(30, noise=5.0, seed=4)
    fc = pd.concat([model_forecasts(obs, days=30, model=m, bias=b, scale=s)
                    for m, b, s in (("A", 0.5, 1.5), ("B", -0.2, 0.8))])
    pairs = pair_forecasts(fc, obs)
    first = (START + pd.Timedelta(days=25)).date()
    for chosen, base in (("ensemble_log", "kalman_log"), ("ensemble", "kalman_filter")):
        _, corrected, ensemble = corrected_guidance(pairs, obs, first, lambda *_: chosen)
        assert set(corrected["method"]) == {base}
        np.testing.assert_allclose(ensemble["central"].to_numpy(), combine(
            corrected, start=guidance_window(first)[1])["central"].to_numpy())


def test_ensemble_mix_pools_the_kalman_log_and_mos_ridge_corrections():
    """``ensemble_mix`` is the weighted ensemble of every (model, base) pair of the ``kalman_log`` and
    ``mos_ridge`` corrections (four members for two models), in ``correct`` and in ``run_methods`` alike."""
    from forecasting.correction import run_methods

    obs = hourly_observations(30, noise=5.0, seed=4)
    fc = pd.concat([model_forecasts(obs, days=30, model=m, bias=b, scale=s)
                    for m, b, s in (("A", 0.5, 1.5), ("B", -0.2, 0.8))])
    pairs = pair_forecasts(fc, obs)
    bases = {b: correct(pairs, obs, method=b, **FAST) for b in ("kalman_log", "mos_ridge")}
    expected = combine(pool_bases(bases), refit_days=5, min_train_days=5)
    got = correct(pairs, obs, method="ensemble_mix", **FAST)
    assert set(got["method"]) == {"ensemble_mix"} and (got["n_members"] == 4).all()
    np.testing.assert_allclose(got["central"].to_numpy(), expected["central"].to_numpy())
    np.testing.assert_allclose(got["upper"].to_numpy(), expected["upper"].to_numpy())
    runs = run_methods(pairs, obs, methods=["ensemble_log", "ensemble_mix", "mos_ridge"], **FAST)
    np.testing.assert_allclose(runs["ensemble_mix"]["central"].to_numpy(), expected["central"].to_numpy())
    np.testing.assert_allclose(runs["mos_ridge"]["central"].to_numpy(), bases["mos_ridge"]["central"].to_numpy())
    with pytest.raises(ValidationError, match="single-model"):
        correct(pairs, obs, method="ensemble", base_method="ensemble_mix", **FAST)


def test_the_guidance_combines_each_series_over_its_own_bases():
    """Two districts, one on ``ensemble_mix`` and one on ``ensemble_log``; the first switches from
    ``ensemble_log`` to ``ensemble_mix`` on its second issue date. Each district's models are shown corrected
    by ``kalman_log``; each issue date's suggested rows are that series' own ensemble over its whole
    history (the mix pooling the ``kalman_log`` and ``mos_ridge`` members), as if computed alone."""
    from forecasting.guidance import corrected_guidance, guidance_window

    other = "320509"
    obs = pd.concat([hourly_observations(40, noise=5.0, seed=4), hourly_observations(40, district=other, noise=5.0, seed=5)])
    fc = pd.concat([model_forecasts(obs, days=40, model=m, bias=b, scale=s)
                    for m, b, s in (("A", 0.5, 1.5), ("B", -0.2, 0.8))])
    pairs = pair_forecasts(fc, obs)
    first = (START + pd.Timedelta(days=30)).date()
    switch = (START + pd.Timedelta(days=31)).date()
    start = guidance_window(first)[1]

    def method_of(day, district, _pollutant):
        return "ensemble_mix" if district != other and day >= switch else "ensemble_log"

    _, corrected, ensemble = corrected_guidance(pairs, obs, first, method_of)
    assert set(corrected["method"]) == {"kalman_log"}
    assert set(corrected["district"]) == {DISTRICT, other}
    for district in (DISTRICT, other):
        alone = pairs[pairs["district"] == district]
        log_only = combine(correct(alone, obs, method="kalman_log", start=start), start=start)
        mix = combine(pool_bases({b: correct(alone, obs, method=b, start=start) for b in ("kalman_log", "mos_ridge")}),
                      start=start)
        served = ensemble[ensemble["district"] == district].set_index(["issue_date", "valid_time"])["central"]
        for name, own in (("ensemble_log", log_only), ("ensemble_mix", mix)):
            own = own.set_index(["issue_date", "valid_time"])["central"]
            days = [d for d in served.index.get_level_values(0).unique()
                    if method_of(max(d.date(), first), district, "pm25") == name]
            if district == other and name == "ensemble_mix":
                assert not days
                continue
            assert days
            want = own.loc[own.index.get_level_values(0).isin(days)]
            got = served.loc[served.index.get_level_values(0).isin(days)]
            pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_mos_ridge_inverts_a_linear_model_error():
    """F = 2·O + 5 with a noisy O: the linear regression O = (F − 5)/2 is recovered (tiny penalty)."""
    obs = hourly_observations(30, noise=3.0, seed=1)
    pairs = pair_forecasts(model_forecasts(obs, days=30, bias=5.0, scale=2.0), obs)
    out = correct(pairs, obs, method="mos_ridge", alpha=1e-8, mos_space="linear", **FAST)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=20)]
    np.testing.assert_allclose(late["central"], late["observed"], atol=1e-3)


def test_mos_ridge_in_log_space_inverts_a_multiplicative_error():
    """F = 1.5·O + 0.5, i.e. 1 + F = 1.5·(1 + O): log(1 + O) = log(1 + F) − log 1.5 exactly, the
    residuals are 0 and Duan's smearing factor is exactly 1, so O is recovered."""
    from forecasting.correction.features import ObservationIndex, regression_features
    from forecasting.correction.regression import fit_regression

    obs = hourly_observations(30, noise=3.0, seed=1)
    pairs = pair_forecasts(model_forecasts(obs, days=30, bias=0.5, scale=1.5), obs)
    out = correct(pairs, obs, method="mos_ridge", alpha=1e-8, mos_space="log", **FAST)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=20)]
    np.testing.assert_allclose(late["central"], late["observed"], atol=1e-3)
    state = fit_regression(pairs, regression_features(pairs, ObservationIndex(obs)), method="mos_ridge",
                           params={"alpha": 1e-8, "mos_space": "log"})
    assert state["spaces"][("A", "pm25")] == "log"
    assert state["smearing"][("A", "pm25")] == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("law, expected", [("additive", "linear"), ("power", "log")])
def test_mos_ridge_auto_space_picks_the_space_where_the_error_law_is_linear(law, expected):
    """Two worlds with an exact answer in one space only: F = O + 20 is linear in the
    concentrations and curved in log(1 + ·); 1 + F = (1 + O)^1.3 is linear in log(1 + ·) and curved
    in the concentrations. ``mos_space="auto"`` must choose that space on its time-ordered holdout
    (and then recover O within 1e-3)."""
    from forecasting.correction.features import ObservationIndex, regression_features
    from forecasting.correction.regression import fit_regression

    obs = hourly_observations(30, noise=8.0, seed=2)
    obs["value"] = obs["value"].clip(lower=1.0)
    fc = model_forecasts(obs, days=30, bias=0.0)
    fc["value"] = fc["value"] + 20.0 if law == "additive" else (1.0 + fc["value"]) ** 1.3 - 1.0
    pairs = pair_forecasts(fc, obs)
    state = fit_regression(pairs, regression_features(pairs, ObservationIndex(obs)), method="mos_ridge",
                           params={"alpha": 1e-8})
    assert state["spaces"][("A", "pm25")] == expected
    out = correct(pairs, obs, method="mos_ridge", alpha=1e-8, **FAST)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=20)]
    np.testing.assert_allclose(late["central"], late["observed"], atol=1e-3)


def test_kalman_gain_converges_to_closed_form():
    r, p0 = 0.3, 1000.0
    k = kalman_gains(40, ratio=r, p0=p0)
    np.testing.assert_allclose(k, _gains_by_hand(40, r, p0))
    # Fixed point of P⁻ = (1 − K) P⁻ + r with K = P⁻/(P⁻ + 1): K² = r (1 − K).
    k_inf = (-r + math.sqrt(r * r + 4 * r)) / 2
    assert kalman_steady_gain(r) == pytest.approx(k_inf)
    assert k_inf == pytest.approx(0.4179, abs=1e-4)
    assert k[-1] == pytest.approx(k_inf, abs=1e-9)


def test_kalman_filter_follows_the_gain_sequence():
    """Constant error c: after n updates the estimate is c·(1 − Π(1 − K_i))."""
    obs, pairs = _world(12, bias=5.0)
    out = correct(pairs, obs, method="kalman_filter")
    gains = _gains_by_hand(12, 0.3, 1000.0)
    # lead 24 h: valid 00 UTC next day, issue 06 UTC: the run of the day before is the latest verified
    rows = out[out["lead_hours"] == 24].sort_values("cycle")
    for d, (_, row) in enumerate(rows.iterrows()):
        if d == 0:
            assert row["fallback"]
            continue
        expected_bias = 5.0 * (1 - np.prod(1 - gains[:d]))
        assert row["forecast"] - row["central"] == pytest.approx(expected_bias, rel=1e-9)


def test_kalman_filter_adapts_to_a_model_upgrade_in_three_days():
    """Regime change: from cycle day 15 the bias jumps from 5 to 25. With r = 0.3 the left-over
    error after n post-change updates is 20·Π(1 − K_i) ≈ 20·0.582ⁿ: 3.9 after 3 days (< 25 %)."""
    obs, pairs = _world(30, bias=5.0, step_day=15, step_bias=20.0)
    kf = correct(pairs, obs, method="kalman_filter")
    rb = correct(pairs, obs, method="rolling_bias")
    gains = _gains_by_hand(30, 0.3, 1000.0)
    lead = 24
    for n in (1, 2, 3, 5):
        day = START + pd.Timedelta(days=15 + n)
        sel = (kf["lead_hours"] == lead) & (kf["cycle"] == day)
        err = float((kf.loc[sel, "central"] - kf.loc[sel, "observed"]).iloc[0])
        # updates 1..15 saw bias 5, updates 16..15+n saw 25
        x = 0.0
        for i in range(15 + n):
            x += gains[i] * ((5.0 if i < 15 else 25.0) - x)
        assert err == pytest.approx(25.0 - x, rel=1e-9)
    sel3 = (kf["lead_hours"] == lead) & (kf["cycle"] == START + pd.Timedelta(days=18))
    left_kf = float((kf.loc[sel3, "central"] - kf.loc[sel3, "observed"]).iloc[0])
    left_rb = float((rb.loc[sel3, "central"] - rb.loc[sel3, "observed"]).iloc[0])
    assert left_kf < 0.25 * 20
    assert left_rb == pytest.approx(20 * 4 / 7)  # 7-day mean holds 4 old errors of 7
    assert left_kf < left_rb


def test_persistence_uses_the_latest_same_hour_known_at_issue():
    """O(t) = hours since START; issue 06 UTC. Valid 05 UTC next day (23 h ahead) → O one day
    earlier; valid 07 UTC next day (25 h ahead) → O two days earlier."""
    times = pd.date_range(START - pd.Timedelta(days=3), START + pd.Timedelta(days=6), freq="h")
    obs = pd.DataFrame({"time": times, "district": "310118", "pollutant": "o3",
                        "value": (times - START) / pd.Timedelta(hours=1)})
    fc = model_forecasts(obs, days=2, max_lead=48)
    out = correct(pair_forecasts(fc, obs), obs, method="persistence")
    day1 = out[out["cycle"] == START + pd.Timedelta(days=1)].set_index("lead_hours")
    assert day1.loc[29, "central"] == pytest.approx(29 + 24 - 24)       # valid 05 UTC day 2 → 05 UTC day 1
    assert day1.loc[31, "central"] == pytest.approx(24 + 31 - 48)       # valid 07 UTC day 2 → 07 UTC day 0


def test_ensemble_median_and_skill_weights_by_hand():
    """Raw members with biases +2, −4 (+10): the median is O + 2; inverse-MSE weights 1/4 and
    1/16 give a bias (2/4 − 4/16)/(1/4 + 1/16) = 0.8."""
    obs = hourly_observations(20)
    fc = pd.concat([model_forecasts(obs, days=20, model=m, bias=b) for m, b in (("A", 2.0), ("B", -4.0))])
    pairs = pair_forecasts(fc, obs)
    w = correct(pairs, obs, method="ensemble", base_method="raw", **FAST)
    late = w[w["issue_time"] >= START + pd.Timedelta(days=12)]
    np.testing.assert_allclose(late["central"] - late["observed"], 0.8, atol=1e-9)
    fc3 = pd.concat([fc, model_forecasts(obs, days=20, model="C", bias=10.0)])
    pairs3 = pair_forecasts(fc3, obs)
    med = correct(pairs3, obs, method="ensemble_median", base_method="raw", **FAST)
    np.testing.assert_allclose(med["central"] - med["observed"], 2.0, atol=1e-9)
    assert set(med["model"]) == {"ensemble"} and (med["n_members"] == 3).all()


def test_a_multi_method_ensemble_weights_each_model_and_method_by_its_own_error():
    """One model corrected two ways, errors +2 and −4: pooled as two members, inverse-MSE weights 1/4 and
    1/16 give (2/4 − 4/16)/(1/4 + 1/16) = 0.8 (Bates and Granger 1969), as two models would."""
    obs = hourly_observations(20)
    pairs = pair_forecasts(model_forecasts(obs, days=20, model="A", bias=2.0), obs)
    plus2 = correct(pairs, obs, method="raw", **FAST)
    members = pool_bases({"raw": plus2, "shifted": plus2.assign(central=plus2["central"] - 6.0)})
    assert sorted(set(members["model"])) == ["A·raw", "A·shifted"]
    mix = combine(members, refit_days=5, min_train_days=5)
    late = mix[mix["issue_time"] >= START + pd.Timedelta(days=12)]
    np.testing.assert_allclose(late["central"] - late["observed"], 0.8, atol=1e-9)
    assert set(mix["model"]) == {"ensemble"} and (mix["n_members"] == 2).all()
    np.testing.assert_allclose(mix["forecast"] - mix["observed"], 2.0, atol=1e-9)  # the raw model, once
    with pytest.raises(ValueError, match="at least two"):
        pool_bases({"raw": plus2})


def test_interval_from_lead_dependent_residual_quantiles():
    """F = O + 5 + e, e ~ N(0, 4²): the 80 % interval of raw is F − 5 ± 1.2816·4 (width 10.25)."""
    obs = hourly_observations(40)
    fc = model_forecasts(obs, days=40, bias=5.0)
    fc["value"] += np.random.default_rng(3).normal(0.0, 4.0, len(fc))
    out = correct(pair_forecasts(fc, obs), obs, method="raw", coverage=0.8, **FAST)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=15)]
    assert late["lower"].notna().all()
    width = late["upper"] - late["lower"]
    assert width.median() == pytest.approx(2 * 1.2816 * 4.0, rel=0.2)
    mid = (late["upper"] + late["lower"]) / 2 - late["central"]
    assert mid.median() == pytest.approx(-5.0, abs=1.0)
    inside = ((late["observed"] >= late["lower"]) & (late["observed"] <= late["upper"])).mean()
    assert 0.7 < inside < 0.9


def _assert_no_leak(run, *, changes_later: bool = True) -> None:
    """``run(pairs, observations)`` issued by T is unchanged when every observation after T is perturbed and
    shuffled (central and interval); with ``changes_later`` the perturbation does change later forecasts
    (the test can fail)."""
    obs = hourly_observations(30, noise=3.0, seed=2)
    fc = pd.concat([model_forecasts(obs, days=30, model=m, bias=b, scale=s)
                    for m, b, s in (("A", 5.0, 1.2), ("B", -3.0, 0.8))])
    cut = START + pd.Timedelta(days=20, hours=6)
    obs2 = obs.copy()
    future = obs2["time"] > cut
    rng = np.random.default_rng(7)
    obs2.loc[future, "value"] = rng.permutation(obs2.loc[future, "value"].to_numpy()) * 3.0 + 50.0
    a = run(pair_forecasts(fc, obs), obs)
    b = run(pair_forecasts(fc, obs2), obs2)
    past_a = a[a["issue_time"] <= cut].reset_index(drop=True)
    past_b = b[b["issue_time"] <= cut].reset_index(drop=True)
    assert len(past_a) > 0 and not past_a["fallback"].all()
    for col in ("central", "lower", "upper"):
        np.testing.assert_array_equal(past_a[col].to_numpy(), past_b[col].to_numpy())
    later = (a["issue_time"] > cut + pd.Timedelta(days=2)).to_numpy()
    if changes_later:
        assert not np.allclose(a.loc[later, "central"].to_numpy(), b.loc[later, "central"].to_numpy())


@pytest.mark.parametrize("method", METHODS)
def test_no_leak_future_observations_do_not_change_past_forecasts(method):
    """Perturbing and shuffling every observation after T leaves every forecast issued by T
    unchanged (central and interval): training never includes the future."""
    _assert_no_leak(lambda pairs, o: correct(pairs, o, method=method, **FAST), changes_later=method != "raw")


def test_missing_day_of_observations_is_tolerated():
    obs, _ = _world(30)
    fc = model_forecasts(obs, days=30, bias=5.0)
    gap = (obs["time"] > START + pd.Timedelta(days=10)) & (obs["time"] <= START + pd.Timedelta(days=11))
    obs = obs[~gap]
    pairs = pair_forecasts(fc, obs)
    for method in ("rolling_bias", "kalman_filter", "mos_ridge"):
        out = correct(pairs, obs, method=method, **FAST)
        late = out[out["issue_time"] >= START + pd.Timedelta(days=20)]
        assert late["central"].notna().all()
        assert (late["central"] - late["observed"]).abs().max() < 0.5


def test_change_of_year_is_seamless():
    start = pd.Timestamp("2025-12-20", tz="UTC")
    obs = hourly_observations(25, start=start)
    pairs = pair_forecasts(model_forecasts(obs, days=25, start=start), obs)
    out = correct(pairs, obs, method="rolling_bias")
    jan = out[out["issue_time"] >= pd.Timestamp("2026-01-01", tz="UTC")]
    np.testing.assert_allclose(jan["central"], jan["observed"], atol=1e-9)


def test_trained_correction_round_trip_and_apply():
    obs, pairs = _world(30, bias=5.0)
    until = START + pd.Timedelta(days=20)
    for method in ("rolling_bias", "kalman_filter", "kalman_log", "mos_ridge"):
        tc = fit_correction(pairs[pairs["issue_time"] <= until], obs[obs["time"] <= until], method=method,
                            until=until, **FAST)
        meta = json.loads(json.dumps(tc.metadata()))
        assert meta["method"] == method and meta["version"] == CORRECTION_VERSION
        assert meta["trained_until"].startswith("2026-01-21")
        if method == "mos_ridge":
            assert meta["spaces"]["A|pm25"] in ("log", "linear")
        back = TrainedCorrection.from_bytes(tc.to_bytes())
        new = pairs[(pairs["issue_time"] > until) & (pairs["issue_time"] <= until + pd.Timedelta(days=1))]
        out = back.apply(new, obs[obs["time"] <= until + pd.Timedelta(hours=6)])
        assert not out["fallback"].any()
        np.testing.assert_allclose(out["central"], out["observed"], atol=1e-3 if method != "mos_ridge" else 0.5)


def test_trained_correction_refuses_other_bytes():
    import pickle

    from forecasting.errors import FormatError

    with pytest.raises(FormatError, match="not a TrainedCorrection"):
        TrainedCorrection.from_bytes(pickle.dumps({"a": 1}))


def test_best_method_is_chosen_on_validation_per_district_and_pollutant():
    """Two districts: in 310118 the model is unbiased (raw best), in 320509 biased by +5 (a bias
    method best). The test period is not looked at."""
    from forecasting.correction import run_methods, select_best

    o1, o2 = hourly_observations(25, noise=2.0), hourly_observations(25, district="320509", noise=2.0, seed=3)
    obs = pd.concat([o1, o2])
    fc = pd.concat([model_forecasts(o1, days=25, bias=0.0), model_forecasts(o2, days=25, bias=5.0)])
    fc["value"] += np.random.default_rng(0).normal(0, 1.0, len(fc))
    res = run_methods(pair_forecasts(fc, obs), obs, methods=("raw", "rolling_bias"))
    best = select_best(res, since=START + pd.Timedelta(days=10), until=START + pd.Timedelta(days=20),
                       by=("district", "pollutant"))
    assert best == {("310118", "pm25"): "raw", ("320509", "pm25"): "rolling_bias"}


def test_gradient_boosting_log_ratio_target_removes_a_multiplicative_bias():
    """F = (1 + O)·e^0.3 − 1: the log-ratio target log(1 + O) − log(1 + F) = −0.3 is constant, so
    the trees return it exactly and the correction recovers O."""
    obs = hourly_observations(30, noise=3.0, seed=4)
    fc = model_forecasts(obs, days=30, bias=0.0)
    fc["value"] = (1 + fc["value"]) * math.exp(0.3) - 1
    out = correct(pair_forecasts(fc, obs), obs, method="gradient_boosting", gbm_target="log_ratio", **FAST)
    late = out[out["issue_time"] >= START + pd.Timedelta(days=20)]
    np.testing.assert_allclose(late["central"], late["observed"], rtol=1e-9, atol=1e-9)


def test_mos_ridge_imputation_matches_scikit_learn_median_imputer():
    """The training-median imputation equals SimpleImputer(median, keep_empty_features=True)."""
    from sklearn.impute import SimpleImputer

    from forecasting.correction.regression import _fill, _medians

    rng = np.random.default_rng(3)
    X = rng.normal(size=(501, 4))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 2] = np.nan
    ref = SimpleImputer(strategy="median", keep_empty_features=True).fit(X)
    np.testing.assert_allclose(_medians(X), ref.statistics_)
    np.testing.assert_allclose(_fill(X, _medians(X)), ref.transform(X))


def test_score_tables_scores_each_window_on_its_own_rows():
    """Weekly retraining scores one backtest over several windows: each window's RMSE and 80 % coverage
    are those of the rows it holds (valid time in [since, until), issued by its cut-off), computed here
    by hand; the rows' CRPS is computed once for all windows."""
    from forecasting.correction import score_table, score_tables

    t0 = pd.Timestamp("2026-10-01", tz="UTC")
    rows = []
    for k in range(48):  # two days of hours, two districts, lead days 1 and 2
        for district, offset in (("310118", 2.0), ("330421", -4.0)):
            for lead_day in (1, 2):
                valid = t0 + pd.Timedelta(hours=k)
                observed = 40.0 + k
                central = observed + offset * lead_day + (k % 5)
                rows.append({"district": district, "pollutant": "pm25", "lead_day": lead_day, "valid_time": valid,
                             "issue_time": valid - pd.Timedelta(days=lead_day), "central": central,
                             "observed": observed, "q10": central - 6.0, "q50": central, "q90": central + 6.0})
    frame = pd.DataFrame(rows)
    windows = [(t0, t0 + pd.Timedelta(hours=24), t0 + pd.Timedelta(hours=12)),
               (t0 + pd.Timedelta(hours=6), t0 + pd.Timedelta(hours=48), t0 + pd.Timedelta(hours=40))]
    tables = score_tables(frame, windows, by=("district", "pollutant"))
    assert len(tables) == 2
    for (since, until, issued_by), table in zip(windows, tables):
        held = frame[(frame["valid_time"] >= since) & (frame["valid_time"] < until) & (frame["issue_time"] <= issued_by)]
        for (district, lead_day), g in held.groupby(["district", "lead_day"]):
            got = table[(district, "pm25")][f"D+{lead_day}"]
            err = g["central"].to_numpy() - g["observed"].to_numpy()
            assert got["rmse"] == pytest.approx(math.sqrt(np.mean(err ** 2)))
            inside = (g["q10"] <= g["observed"]) & (g["observed"] <= g["q90"])
            assert got["coverage80"] == pytest.approx(inside.mean())
        # one window alone (score_table) agrees with the shared computation, CRPS included
        alone = score_table(frame[frame["issue_time"] <= issued_by], since=since, until=until,
                            by=("district", "pollutant"))
        assert alone == table


def test_bias_keys_number_each_forecast_hour_in_order_of_its_first_pair():
    """A key is (model, district, pollutant, cycle hour, lead hour); its code is the order in which the
    pairs first name it, and the key table's row k is key k (numbered here from the tuples themselves)."""
    from forecasting.correction.bias import bias_keys

    rng = np.random.default_rng(7)
    n = 5000
    cycle = pd.Series(pd.Timestamp("2026-11-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 20, n), unit="D")
                      + pd.to_timedelta(rng.choice([0, 12], n), unit="h"))
    pairs = pd.DataFrame({"model": rng.choice(["CAMS", "CMAQ-YRD", "NAQPMS-SH"], n),
                          "district": rng.choice(["310118", "320509", "330421"], n),
                          "pollutant": rng.choice(["pm25", "o3", "co"], n), "cycle": cycle,
                          "lead_hours": rng.integers(1, 25, n)})
    code, day, n_days, table = bias_keys(pairs)
    numbered: dict = {}
    expected = [numbered.setdefault(k, len(numbered)) for k in zip(
        pairs["model"], pairs["district"], pairs["pollutant"], cycle.dt.hour, pairs["lead_hours"])]
    assert code.tolist() == expected
    assert [tuple(k) for k in table.itertuples(index=False, name=None)] == list(numbered)
    assert day.tolist() == [(c.normalize() - cycle.min().normalize()).days for c in cycle]
    assert n_days == 20
