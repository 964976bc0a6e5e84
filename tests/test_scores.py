"""HJ 1130-style continuous scores and AQI categorical scores, against hand computations."""

import math

import numpy as np
import pytest

from forecasting import scores


def test_spec_vector_t52():
    """spec china-aqi.md §6 T52: F = [60, 80, 100], O = [50, 90, 100]."""
    s = scores.continuous_scores([60, 80, 100], [50, 90, 100])
    assert s["n"] == 3
    assert s["mb"] == pytest.approx(0.0)                 # (10 − 10 + 0)/3
    assert s["nmb"] == pytest.approx(0.0)
    assert s["nme"] == pytest.approx(20 / 240)           # 8.33 %
    assert s["rmse"] == pytest.approx(math.sqrt(200 / 3))  # 8.165
    assert s["r"] == pytest.approx(0.9449, abs=1e-4)     # 1000 / sqrt(800 · 1400)


def test_bias_scores_by_hand():
    # F − O = [+2, +4, −1]; Σ O = 30
    f, o = [12, 14, 9], [10, 10, 10]
    assert scores.mean_bias(f, o) == pytest.approx(5 / 3)
    assert scores.normalized_mean_bias(f, o) == pytest.approx(5 / 30)
    assert scores.normalized_mean_error(f, o) == pytest.approx(7 / 30)
    assert scores.rmse(f, o) == pytest.approx(math.sqrt(21 / 3))


def test_missing_pairs_are_dropped():
    s = scores.continuous_scores([1.0, np.nan, 3.0, 5.0], [1.0, 2.0, np.nan, 7.0])
    assert s["n"] == 2
    assert s["mb"] == pytest.approx(-1.0)  # pairs (1, 1) and (5, 7): (0 − 2)/2


@pytest.mark.parametrize("f,o", [([], []), ([np.nan], [1.0])])
def test_empty_gives_nan(f, o):
    s = scores.continuous_scores(f, o)
    assert s["n"] == 0 and math.isnan(s["rmse"]) and math.isnan(s["r"])


def test_constant_series_has_no_correlation():
    assert math.isnan(scores.pearson_r([1, 1, 1], [1, 2, 3]))


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in length"):
        scores.rmse([1, 2], [1])


def test_event_scores_aqi_above_100():
    # forecast / observed AQI: hit (120/130), false alarm (110/90), miss (80/150), correct negative (50/60),
    # and exactly 100 is not an event (HJ 633: AQI > 100).
    f = [120, 110, 80, 50, 100]
    o = [130, 90, 150, 60, 101]
    s = scores.event_scores(f, o, threshold=100)
    assert (s["hits"], s["false_alarms"], s["misses"], s["correct_negatives"]) == (1, 1, 2, 1)
    assert s["pod"] == pytest.approx(1 / 3)
    assert s["far"] == pytest.approx(1 / 2)
    assert s["csi"] == pytest.approx(1 / 4)


def test_event_scores_without_events_are_nan():
    s = scores.event_scores([10, 20], [30, 40], threshold=100)
    assert math.isnan(s["pod"]) and math.isnan(s["far"]) and math.isnan(s["csi"])


def test_level_accuracy():
    assert scores.level_accuracy([1, 2, 3, None], [1, 3, 3, 2]) == pytest.approx(2 / 3)


def test_primary_pollutant_accuracy_excludes_clean_days_and_accepts_ties():
    forecast = ["pm25", "o3", "pm10", "pm25"]
    observed = [{"pm25", "pm10"}, {"pm25"}, set(), {"o3"}]
    aqi = [120, 80, 40, 45]  # the last two days are ≤ 50: excluded
    assert scores.primary_pollutant_accuracy(forecast, observed, observed_aqi=aqi) == pytest.approx(1 / 2)
