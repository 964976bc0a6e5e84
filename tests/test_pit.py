"""The probability integral transform of the corrected forecasts' distributions (issue #13: "score with CRPS,
PIT histograms and coverage"). Expected values come from scipy's normal distribution written out here for the
two-piece log-normal of docs/correction.md §3, and from samples drawn from that distribution by inversion."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecasting.correction.probabilistic import coverage, pit_from_quantiles, pit_histogram

Z90 = stats.norm.ppf(0.9)


def _quantiles(mu, s_lo, s_hi, c):
    """q10, q50, q90 of the two-piece normal on log(x + c)."""
    return np.exp(mu - Z90 * s_lo) - c, np.exp(mu) - c, np.exp(mu + Z90 * s_hi) - c


def _sample(rng, n, mu, s_lo, s_hi, c):
    """Draws of the two-piece normal on log(x + c), by inversion of its CDF."""
    z = stats.norm.ppf(rng.uniform(size=n))
    return np.exp(mu + z * np.where(z < 0, s_lo, s_hi)) - c


@pytest.mark.parametrize("pollutant, c", [("pm25", 1.0), ("o3", 20.0), ("co", 0.05)])
def test_pit_is_the_cdf_of_the_two_piece_log_normal(pollutant, c):
    rng = np.random.default_rng(1)
    mu, s_lo, s_hi = np.log(60.0 + c), 0.3, 0.5
    q10, q50, q90 = _quantiles(mu, s_lo, s_hi, c)
    y = rng.uniform(1.0, 300.0, size=500)
    d = np.log(y + c) - mu
    want = np.where(d < 0, stats.norm.cdf(d / s_lo), stats.norm.cdf(d / s_hi))
    got = pit_from_quantiles(np.full(500, q10), np.full(500, q50), np.full(500, q90), y, [pollutant] * 500)
    assert got == pytest.approx(want, abs=1e-9)
    # at the quantiles themselves: 0.1, 0.5 and 0.9
    assert pit_from_quantiles([q10] * 3, [q50] * 3, [q90] * 3, [q10, q50, q90], [pollutant] * 3) == \
        pytest.approx([0.1, 0.5, 0.9], abs=1e-9)


def test_calibrated_forecasts_have_a_flat_histogram_and_miscalibrated_ones_do_not():
    rng = np.random.default_rng(7)
    n, c = 200_000, 1.0
    mu = np.log(rng.uniform(10.0, 200.0, size=n) + c)  # a different forecast every hour
    y = _sample(rng, n, mu, 0.4, 0.6, c)
    keep = y > 0  # the zero atom is not what this test is about
    mu, y = mu[keep], y[keep]
    calibrated = pit_histogram(pit_from_quantiles(*_quantiles(mu, 0.4, 0.6, c), y, ["pm25"] * len(y)))
    assert calibrated == pytest.approx([0.1] * 10, abs=0.005)
    # intervals half as wide as they should be: U-shaped, each outer tenth holds P(Z < -Z90/2) ≈ 0.26
    narrow = pit_histogram(pit_from_quantiles(*_quantiles(mu, 0.2, 0.3, c), y, ["pm25"] * len(y)))
    assert narrow[0] == pytest.approx(stats.norm.cdf(-Z90 / 2), abs=0.01)
    assert narrow[-1] == pytest.approx(stats.norm.cdf(-Z90 / 2), abs=0.01)
    # twice as wide: hump-shaped, the outer tenths nearly empty (P(Z < -2 Z90) ≈ 0.005)
    wide = pit_histogram(pit_from_quantiles(*_quantiles(mu, 0.8, 1.2, c), y, ["pm25"] * len(y)))
    assert wide[0] < 0.01 and wide[-1] < 0.01 and max(wide[4:6]) > 0.15
    # a median 30 % too high: the histogram slopes down (more observations below the median)
    high = pit_histogram(pit_from_quantiles(*_quantiles(mu + np.log(1.3), 0.4, 0.6, c), y, ["pm25"] * len(y)))
    assert sum(high[:5]) > 0.6


def test_the_middle_eight_tenths_are_the_coverage_of_the_80_percent_interval():
    rng = np.random.default_rng(3)
    n = 5_000
    mu = np.log(rng.uniform(20.0, 120.0, size=n) + 20.0)
    q10, q50, q90 = _quantiles(mu, 0.25, 0.35, 20.0)
    y = _sample(rng, n, mu + rng.normal(0, 0.2, size=n), 0.25, 0.35, 20.0)  # a little too narrow
    pit = pit_from_quantiles(q10, q50, q90, y, ["o3"] * n)
    inside = ((pit >= 0.1) & (pit <= 0.9)).mean()
    assert inside == pytest.approx(coverage(q10, q90, y), abs=1e-12)


def test_a_zero_observation_takes_the_middle_of_the_atom_and_missing_values_give_nan():
    c, mu, s = 1.0, np.log(5.0 + 1.0), 1.0  # a wide distribution near zero: P(X = 0) = Φ(−log 6) ≈ 0.04
    q10, q50, q90 = _quantiles(mu, s, s, c)
    got = pit_from_quantiles([q10, q10, np.nan], [q50, q50, q50], [q90, q90, q90], [0.0, np.nan, 3.0],
                             ["pm25"] * 3)
    assert got[0] == pytest.approx(0.5 * stats.norm.cdf((np.log(c) - mu) / s), abs=1e-12)
    assert np.isnan(got[1]) and np.isnan(got[2])
    assert pit_histogram([np.nan]) == []
