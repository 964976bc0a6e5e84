"""Verification scores for concentration and AQI forecasts (pure functions).

Continuous scores follow the usage labelled "HJ 1130-2020 §6" in public implementations
(see ``docs/references.md``; the text of §6 itself was not read, spec ``china-aqi.md`` §3.2)::

    MB   = (1/N) Σ (F_i − O_i)
    NMB  = Σ (F_i − O_i) / Σ O_i
    NME  = Σ |F_i − O_i| / Σ O_i
    RMSE = sqrt((1/N) Σ (F_i − O_i)²)
    R    = Pearson correlation of F and O

NMB and NME are returned as fractions (0.05 = 5 %). Pairs where either value is missing are
dropped. Categorical scores for an event (e.g. daily AQI > 100) come from the 2 × 2 contingency
table (Wilks 2011, *Statistical Methods in the Atmospheric Sciences*, §8.2):
POD = a/(a+c), FAR = b/(a+b), CSI = a/(a+b+c) with a = hits, b = false alarms, c = misses.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "finite_or_none",
    "mean_bias",
    "normalized_mean_bias",
    "normalized_mean_error",
    "rmse",
    "pearson_r",
    "continuous_scores",
    "contingency",
    "event_scores",
    "level_accuracy",
    "primary_pollutant_accuracy",
]


def finite_or_none(value) -> float | None:
    """``value`` as a float when it is a finite number, else ``None`` (a missing score, NaN, ±inf, text).

    Examples
    --------
    >>> finite_or_none("19.5"), finite_or_none(float("nan")), finite_or_none(None), finite_or_none("x")
    (19.5, None, None, None)
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _pairs(forecast, observed) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(forecast, dtype=float).ravel()
    o = np.asarray(observed, dtype=float).ravel()
    if f.shape != o.shape:
        raise ValueError(f"forecast and observed differ in length: {f.size} vs {o.size}")
    ok = np.isfinite(f) & np.isfinite(o)
    return f[ok], o[ok]


def mean_bias(forecast, observed) -> float:
    """MB = (1/N) Σ (F − O) [unit of the data]; NaN when no valid pair.

    Examples
    --------
    F − O = (−2, 2, −3), so MB = −3 / 3:

    >>> mean_bias([10, 20, 30], [12, 18, 33])
    -1.0
    >>> mean_bias([10, float("nan")], [12, 18])   # the pair with a NaN is left out
    -2.0
    """
    f, o = _pairs(forecast, observed)
    return float(np.mean(f - o)) if f.size else math.nan


def normalized_mean_bias(forecast, observed) -> float:
    """NMB = Σ (F − O) / Σ O [fraction]; NaN when no pair or Σ O = 0.

    Examples
    --------
    Σ (F − O) = −3, Σ O = 63:

    >>> round(normalized_mean_bias([10, 20, 30], [12, 18, 33]), 6)
    -0.047619
    """
    f, o = _pairs(forecast, observed)
    s = o.sum()
    return float((f - o).sum() / s) if f.size and s != 0 else math.nan


def normalized_mean_error(forecast, observed) -> float:
    """NME = Σ |F − O| / Σ O [fraction]; NaN when no pair or Σ O = 0.

    Examples
    --------
    Σ |F − O| = 2 + 2 + 3 = 7, Σ O = 63:

    >>> round(normalized_mean_error([10, 20, 30], [12, 18, 33]), 6)
    0.111111
    """
    f, o = _pairs(forecast, observed)
    s = o.sum()
    return float(np.abs(f - o).sum() / s) if f.size and s != 0 else math.nan


def rmse(forecast, observed) -> float:
    """RMSE = sqrt(mean((F − O)²)) [unit of the data].

    Examples
    --------
    sqrt((4 + 4 + 9) / 3) = sqrt(17 / 3):

    >>> round(rmse([10, 20, 30], [12, 18, 33]), 4)
    2.3805
    """
    f, o = _pairs(forecast, observed)
    return float(np.sqrt(np.mean((f - o) ** 2))) if f.size else math.nan


def pearson_r(forecast, observed) -> float:
    """Pearson correlation; NaN with fewer than 2 pairs or a constant series.

    Examples
    --------
    Anomalies (−10, 0, 10) and (−9, −3, 12): r = 210 / sqrt(200 · 234):

    >>> round(pearson_r([10, 20, 30], [12, 18, 33]), 4)
    0.9707
    >>> pearson_r([1, 1, 1], [1, 2, 3])
    nan
    """
    f, o = _pairs(forecast, observed)
    if f.size < 2:
        return math.nan
    fa, oa = f - f.mean(), o - o.mean()
    den = math.sqrt(float((fa**2).sum() * (oa**2).sum()))
    return float((fa * oa).sum() / den) if den > 0 else math.nan


def continuous_scores(forecast, observed) -> dict:
    """``{"n", "mb", "nmb", "nme", "rmse", "r"}`` over the valid pairs (NMB, NME as fractions)."""
    f, o = _pairs(forecast, observed)
    return {
        "n": int(f.size),
        "mb": mean_bias(f, o),
        "nmb": normalized_mean_bias(f, o),
        "nme": normalized_mean_error(f, o),
        "rmse": rmse(f, o),
        "r": pearson_r(f, o),
    }


def contingency(forecast, observed, *, threshold: float) -> dict:
    """2 × 2 table for the event ``value > threshold``: hits, false_alarms, misses, correct_negatives.

    Examples
    --------
    >>> contingency([120, 90, 150, 60], [110, 105, 80, 70], threshold=100)
    {'hits': 1, 'false_alarms': 1, 'misses': 1, 'correct_negatives': 1}
    """
    f, o = _pairs(forecast, observed)
    fe, oe = f > threshold, o > threshold
    return {
        "hits": int((fe & oe).sum()),
        "false_alarms": int((fe & ~oe).sum()),
        "misses": int((~fe & oe).sum()),
        "correct_negatives": int((~fe & ~oe).sum()),
    }


def event_scores(forecast, observed, *, threshold: float) -> dict:
    """POD, FAR, CSI for ``value > threshold`` (e.g. AQI > 100); NaN where undefined.

    Examples
    --------
    One hit, one false alarm, one miss: POD = 1/2, FAR = 1/2, CSI = 1/3.

    >>> s = event_scores([120, 90, 150, 60], [110, 105, 80, 70], threshold=100)
    >>> s["pod"], s["far"], round(s["csi"], 4)
    (0.5, 0.5, 0.3333)
    """
    t = contingency(forecast, observed, threshold=threshold)
    a, b, c = t["hits"], t["false_alarms"], t["misses"]
    return {
        **t,
        "pod": a / (a + c) if a + c else math.nan,
        "far": b / (a + b) if a + b else math.nan,
        "csi": a / (a + b + c) if a + b + c else math.nan,
    }


def level_accuracy(forecast_levels, observed_levels) -> float:
    """Fraction of days whose forecast AQI level equals the observed level (missing dropped).

    Examples
    --------
    >>> round(level_accuracy([2, 3, None, 4], [2, 2, 3, 4]), 4)   # 2 of the 3 complete days
    0.6667
    """
    pairs = [(f, o) for f, o in zip(forecast_levels, observed_levels) if _present(f) and _present(o)]
    return sum(int(f) == int(o) for f, o in pairs) / len(pairs) if pairs else math.nan


def primary_pollutant_accuracy(forecast_primary, observed_primary, *, observed_aqi=None) -> float:
    """Fraction of days whose forecast primary pollutant is among the observed ones.

    Each element is a set (or iterable / single string) of pollutant names. Following the
    operational rule (spec ``china-aqi.md`` §3.3, UNCONFIRMED), days with observed AQI ≤ 50 (no
    primary pollutant) are excluded; with ``observed_aqi`` omitted, days with an empty observed
    set are excluded. A forecast hits if it shares at least one pollutant with the observation.
    """
    hits = total = 0
    aqis = observed_aqi if observed_aqi is not None else [None] * len(observed_primary)
    for f, o, a in zip(forecast_primary, observed_primary, aqis):
        fs, os_ = _as_set(f), _as_set(o)
        if a is not None and (not _present(a) or float(a) <= 50):
            continue
        if not os_:
            continue
        total += 1
        hits += bool(fs & os_)
    return hits / total if total else math.nan


def _present(x) -> bool:
    try:
        return x is not None and not (isinstance(x, float) and math.isnan(x)) and x == x
    except TypeError:
        return True


def _as_set(x) -> set:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return set()
    if isinstance(x, str):
        return {x} if x else set()
    return set(x)
