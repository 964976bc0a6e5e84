"""The published range is chosen from the AQI distribution and always obeys the submission rules (issue #13)."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from forecasting.consultation.config import ConsultationConfig
from forecasting.consultation.rules import check_forecast
from forecasting.correction.published import aqi_cdf, choose_range, exceedance, level_probabilities

BOUNDARIES = (50, 100, 150, 200, 300)


def _quantiles(median, sigma_lo, sigma_hi):
    m = math.log(median + 1)
    return (math.exp(m - 1.2815515655446004 * sigma_lo) - 1, median, math.exp(m + 1.2815515655446004 * sigma_hi) - 1)


@pytest.mark.parametrize("widths", [((100.0, 20), (math.inf, 35)), ((150.0, 25), (math.inf, 40))])
def test_every_chosen_range_passes_the_rules_and_crosses_only_what_the_distribution_crosses(widths):
    rng = np.random.default_rng(13)
    cfg = ConsultationConfig(widths=widths)
    for _ in range(1500):
        q = _quantiles(float(rng.uniform(0, 480)), float(rng.uniform(0, 0.6)), float(rng.uniform(0, 0.6)))
        lo, hi = choose_range(*q, widths=widths)
        primary = () if hi <= 50 else ("pm25",)
        check_forecast(lo, hi, primary, config=cfg)  # raises when the rules refuse it
        assert lo % 5 == 0 and hi % 5 == 0
        for b in BOUNDARIES:
            if lo <= b < hi:  # the range spans the levels on both sides of b
                assert q[0] <= b <= q[2], (q, lo, hi, b)


def test_the_jiashan_case_is_now_submittable():
    """Issue #13: a point of about 101 with an interval centred below 100 was published as 80-115
    (width 35 around a centre of 97.5: refused, at most 20). From the distribution the range obeys the rule."""
    q = (78.0, 101.0, 120.0)
    lo, hi = choose_range(*q)
    check_forecast(lo, hi, ("pm25",), config=ConsultationConfig())
    assert (hi - lo) <= (20 if (lo + hi) / 2 <= 100 else 35)


def test_probabilities_follow_the_two_piece_lognormal():
    """Symmetric log spread: P(AQI > x) = 1 − Φ((log(x + 1) − log(q50 + 1))/σ), σ from q90."""
    q10, q50, q90 = _quantiles(80.0, 0.3, 0.3)
    for x in (50.0, 100.0, 200.0):
        want = 1 - norm.cdf((math.log(x + 1) - math.log(81.0)) / 0.3)
        assert exceedance(x, q10, q50, q90) == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert float(aqi_cdf(q10, q10, q50, q90)) == pytest.approx(0.1)
    assert float(aqi_cdf(q90, q10, q50, q90)) == pytest.approx(0.9)
    probs = level_probabilities(q10, q50, q90)
    assert sum(probs) == pytest.approx(1.0) and probs[1] == max(probs)  # median 80: 良 (51-100)
    assert exceedance(100, 120, 120, 120) == 1.0 and exceedance(100, 90, 90, 90) == 0.0


def test_a_narrow_distribution_stays_inside_its_level():
    # wholly in 轻度污染 (101-150): the lowest end above 100 on the 5-grid is 105, width 35 above a centre of 100
    assert choose_range(101.0, 104.0, 110.0) == (105, 140)
    assert choose_range(88.0, 94.0, 99.0) == (80, 100)
    lo, hi = choose_range(40.0, 55.0, 75.0)  # 50 inside the 80 % interval: crossing allowed
    assert lo <= 50 < hi


@pytest.mark.parametrize("q10, q50, q90", [(45.0, 76.0, 160.0), (40.0, 75.6, 200.0), (60.0, 95.0, 260.0)])
def test_the_offered_range_holds_the_median(q10, q50, q90):
    """Regression (merge review of #13): the rules allow 35-wide ranges above 100, so the most probable
    window of a wide right-skewed distribution was 85-120 for a median near 76 — a range leaving out
    the median, straddling 100 only for its width, and "far from the guidance" for the unchanged prefill."""
    lo, hi = choose_range(q10, q50, q90)
    assert lo <= q50 <= hi
    assert hi - lo <= (20 if (lo + hi) / 2 <= 100 else 35)


def _hj633_level(aqi: float) -> int:
    """HJ 633 Table 1: 0-50 level 1, 51-100 level 2, 101-150 level 3, 151-200 level 4, 201-300 level 5, >300 6."""
    return next((k for k, top in enumerate(BOUNDARIES, start=1) if aqi <= top), 6)


@pytest.mark.parametrize("spread", [0.0, 0.5, 2.0])
def test_a_point_forecast_is_offered_a_range_of_its_own_level(spread):
    """A day with no verified history yet has its point AQI as the whole distribution. Just above a
    boundary no valid range holds it without straddling (ends are multiples of 5); the range offered was
    then the widest of zero probability: 51 (良) got 105-140 (轻度污染), and the room showed "105–140 · ≈101".
    Now: a range of the AQI's own level, passing the submission rules, for every AQI 0-500."""
    cfg = ConsultationConfig()
    for aqi in range(0, 501):
        q = (float(aqi), aqi + spread / 2, aqi + spread)
        lo, hi = choose_range(*q)
        check_forecast(lo, hi, () if hi <= 50 else ("pm25",), config=cfg)
        level = _hj633_level(math.ceil(q[1]))
        assert _hj633_level(lo) <= level <= _hj633_level(hi), (q, lo, hi)
    assert choose_range(51.0, 51.0, 51.0) == (55, 75)
    assert choose_range(101.0, 101.0, 101.0) == (105, 125)
