"""Pairing forecasts with observations: issue time, lead hours, lead day (Beijing days), hour labels."""

import numpy as np
import pandas as pd
import pytest

from forecasting.correction import pair_forecasts
from forecasting.correction.simulate import DEFAULT_MODELS, ModelErrors, simulate_forecasts
from forecasting.errors import ValidationError
from tests.correction_data import hourly_observations, model_forecasts


def test_issue_time_lead_day_and_hour_labels():
    """Cycle 2026-01-01 00 UTC + 6 h → issue 14:00 Beijing on 01-01. Valid 16 UTC = Beijing
    01-02 00:00, labelled 24:00 of 01-01 (hour-ending): lead day 0. Valid 17 UTC = 01:00 on
    01-02: D+1. Valid 01-02 16 UTC = 24:00 of 01-02: still D+1; 17 UTC: D+2."""
    obs = hourly_observations(3)
    pairs = pair_forecasts(model_forecasts(obs, days=1, max_lead=48), obs, issue_delay_hours=6)
    row = pairs.set_index("lead_hours")
    assert row.loc[1, "issue_time"] == pd.Timestamp("2026-01-01 06:00", tz="UTC")
    assert row.loc[1, "issue_date"] == pd.Timestamp("2026-01-01")
    assert (row.loc[16, "lead_day"], row.loc[16, "hour"]) == (0, 24)
    assert (row.loc[17, "lead_day"], row.loc[17, "hour"]) == (1, 1)
    assert (row.loc[40, "lead_day"], row.loc[40, "hour"]) == (1, 24)
    assert (row.loc[41, "lead_day"], row.loc[41, "hour"]) == (2, 1)
    assert (pairs["forecast"] - pairs["observed"]).eq(5.0).all()


def test_late_issue_moves_the_issue_date():
    """Cycle 12 UTC + 6 h = 02:00 Beijing next day: the issue date is the next day."""
    obs = hourly_observations(3)
    pairs = pair_forecasts(model_forecasts(obs, days=1, cycle_hour=12, max_lead=24), obs, issue_delay_hours=6)
    assert (pairs["issue_date"] == pd.Timestamp("2026-01-02")).all()
    assert pairs.set_index("lead_hours").loc[24, "lead_day"] == 0  # valid 01-02 12 UTC = 20:00 Beijing 01-02


def test_meteorological_predictors_become_columns():
    obs = hourly_observations(2)
    fc = model_forecasts(obs, days=1, max_lead=3)
    met = fc.assign(variable="t2", value=21.5)
    pairs = pair_forecasts(pd.concat([fc, met]), obs)
    assert (pairs["t2"] == 21.5).all() and len(pairs) == 3


def test_naive_times_are_refused():
    obs = hourly_observations(2)
    fc = model_forecasts(obs, days=1, max_lead=3)
    fc["cycle"] = fc["cycle"].dt.tz_localize(None)
    with pytest.raises(ValidationError, match="without a UTC offset"):
        pair_forecasts(fc, obs)


def test_unknown_variable_is_refused():
    obs = hourly_observations(2)
    fc = model_forecasts(obs, days=1, max_lead=3).assign(variable="pm2.5")
    with pytest.raises(ValidationError, match="unknown variable"):
        pair_forecasts(fc, obs)


def test_simulation_without_errors_reproduces_the_observations():
    obs = hourly_observations(5)
    perfect = ModelErrors("perfect", sigma0=0.0)
    fc = simulate_forecasts(obs, models=[perfect], sigma_valid=0.0, max_lead=168)
    pairs = pair_forecasts(fc, obs).dropna(subset=["observed"])
    np.testing.assert_allclose(pairs["forecast"], pairs["observed"])
    assert fc.groupby("cycle").size().max() == 168
    assert sorted(pairs["lead_hours"].unique())[:2] == [1, 2]


def test_simulation_is_seeded_and_biased_as_documented():
    obs = hourly_observations(20, noise=5.0)
    a = simulate_forecasts(obs, seed=4, max_lead=48)
    b = simulate_forecasts(obs, seed=4, max_lead=48)
    c = simulate_forecasts(obs, seed=5, max_lead=48)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["value"], c["value"])
    assert set(a["model"]) == {m.name for m in DEFAULT_MODELS}
    # multiplicative bias: the cmaq PM2.5 scale is 1.40, the cams one 0.60 (median ratio to O)
    pairs = pair_forecasts(a, obs)
    ratio = (pairs["forecast"] / pairs["observed"]).groupby(pairs["model"]).median()
    assert ratio["cmaq"] == pytest.approx(1.40, rel=0.15)
    assert ratio["cams"] == pytest.approx(0.60, rel=0.15)

