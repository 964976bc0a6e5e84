"""The daily conformal step of the day's AQI distribution (``calibrate_daily``), from hand-derived quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.correction.daily import calibrate_daily
from forecasting.correction.published import exceedance

DISTRICT = "310118"


def _world(n_days: int = 100):
    """``n_days`` D+1 rows issued daily, each with the distribution 40 / 60 / 90; the observed AQI of the
    target day of issue ``k`` sits ``(k − 50)/100`` above the upper quantile on ``log(AQI + 1)``."""
    issue = pd.date_range("2026-03-01", periods=n_days, freq="D")
    table = pd.DataFrame({"model": "x", "issue_date": issue, "district": DISTRICT,
                          "target_date": issue + pd.Timedelta(days=1), "lead_day": 1, "edition": "HJ633-2026",
                          "aqi": 60.0, "aqi_q10": 40.0, "aqi_q50": 60.0, "aqi_q90": 90.0, "level": 2,
                          "primary_point": [("pm25",)] * n_days, "primary_upper": [("pm25",)] * n_days})
    score = (np.arange(n_days) - 50) / 100
    observed = pd.Series(np.exp(np.log(91.0) + score) - 1.0,
                         index=pd.MultiIndex.from_arrays([[DISTRICT] * n_days, table["target_date"]]))
    return table, observed, score


def test_each_end_moves_by_its_own_quantile_of_the_days_that_ended_before_the_issue():
    """The last row (issued on day 99) is calibrated on the targets of days 9..98 (before its issue date,
    within 90 days): the 90 upper scores of issues 8..97, at ⌈91·0.9⌉/90; its lower end by the lower
    scores' quantile, never above the median."""
    table, observed, score = _world()
    got = calibrate_daily(table, observed).iloc[-1]
    cal = np.arange(8, 98)
    at = np.ceil(91 * 0.9 - 1e-9) / 90
    q_hi = np.quantile(score[cal], at)
    lower = np.log(41.0) - np.log(91.0) - score[cal]
    q_lo = np.quantile(lower, at)
    assert got["aqi_q90"] == pytest.approx(np.exp(np.log(91.0) + q_hi) - 1.0)
    assert got["aqi_q10"] == pytest.approx(min(np.exp(np.log(41.0) - q_lo) - 1.0, 60.0))
    assert got["p_over_100"] == pytest.approx(exceedance(100, got["aqi_q10"], 60.0, got["aqi_q90"]))
    assert got["range_lo"] < got["range_hi"] and got["range_hi"] - got["range_lo"] <= 20  # the rules still hold
    assert got["aqi_lower"] == got["aqi_q10"] and got["aqi_upper"] == got["aqi_q90"]


def test_a_day_not_yet_ended_and_a_short_history_change_nothing():
    """The observation of the issue date itself (not over at the issue time) is never read; with a 50-day
    window the 50 scores are fewer than 60 and the row keeps its quantiles."""
    table, observed, _ = _world()
    later = observed.copy()
    later.iloc[98] = 450.0  # target of issue 98 = day 99, the last row's issue date
    a, b = calibrate_daily(table, observed).iloc[-1], calibrate_daily(table, later).iloc[-1]
    assert a["aqi_q90"] == b["aqi_q90"] and a["aqi_q10"] == b["aqi_q10"]
    short = calibrate_daily(table, observed, window_days=50).iloc[-1]
    assert (short["aqi_q10"], short["aqi_q90"]) == (40.0, 90.0)
    first = calibrate_daily(table, observed).iloc[0]  # no history at all
    assert (first["aqi_q10"], first["aqi_q90"]) == (40.0, 90.0)


def test_the_lower_end_step_leaves_the_upper_quantile_as_it_was():
    """``ends="lower"``: the lower end moves exactly as with both ends (the same scores, the same finite-sample
    level); the upper quantile stays 90 and P(AQI > 100) follows the new distribution."""
    table, observed, score = _world()
    both = calibrate_daily(table, observed).iloc[-1]
    got = calibrate_daily(table, observed, ends="lower").iloc[-1]
    lower = np.log(41.0) - np.log(91.0) - score[np.arange(8, 98)]
    q_lo = np.quantile(lower, np.ceil(91 * 0.9 - 1e-9) / 90)
    assert got["aqi_q10"] == pytest.approx(min(np.exp(np.log(41.0) - q_lo) - 1.0, 60.0)) == both["aqi_q10"]
    assert got["aqi_q90"] == 90.0 and got["aqi_upper"] == 90.0
    assert got["p_over_100"] == pytest.approx(exceedance(100, got["aqi_q10"], 60.0, 90.0))
    with pytest.raises(ValueError, match="ends"):
        calibrate_daily(table, observed, ends="upper")
