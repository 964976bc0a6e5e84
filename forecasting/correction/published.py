"""The daily AQI as a distribution, its level probabilities, and the published range chosen from it.

The day's AQI distribution is described by three quantiles ``aqi_q10 aqi_q50 aqi_q90`` (the daily
AQI of the hourly 10/50/90 % quantiles of every pollutant: the AQI is monotone in each concentration,
so under comonotone hourly errors — the run errors of one day are strongly correlated along the lead —
these are the quantiles of the daily AQI). Between and beyond them it is the two-piece normal on
``log(AQI + 1)`` of :mod:`forecasting.correction.probabilistic`.

The range offered to a forecaster (:func:`choose_range`) obeys the submission rules
(``forecasting.consultation.rules``: ``0 ≤ lo < hi ≤ 500``, width ≤ the configured maximum for its
centre, default 20 when the centre is ≤ 100 and 35 above; spec §3.1) and is the one that holds the
most probability among the ranges whose ends are multiples of ``step``; it straddles a level
boundary ``b`` (``lo ≤ b < hi``: the lower level holds ``b``) only when the distribution does,
i.e. when ``P(AQI ≤ b)`` and ``P(AQI > b)`` both reach ``straddle_min`` (default 0.1: ``b`` lies
inside the 80 % interval).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from forecasting.aqi import level_of

__all__ = ["aqi_cdf", "exceedance", "level_probabilities", "choose_range", "LEVEL_BOUNDARIES", "DEFAULT_WIDTHS"]

#: Upper bounds of AQI levels 1-5 (HJ 633-2026 Table 1): a level boundary ``b`` belongs to the lower level.
LEVEL_BOUNDARIES = (50, 100, 150, 200, 300)
#: ``(max_centre, width)`` pairs of the submission rules' default (spec §3.1, UNCONFIRMED convention).
DEFAULT_WIDTHS = ((100.0, 20), (math.inf, 35))
_Z90 = 1.2815515655446004


def _params(q10: float, q50: float, q90: float) -> tuple[float, float, float]:
    mu = math.log(max(q50, 0.0) + 1.0)
    s_lo = max(mu - math.log(max(min(q10, q50), 0.0) + 1.0), 0.0) / _Z90
    s_hi = max(math.log(max(q90, q50, 0.0) + 1.0) - mu, 0.0) / _Z90
    return mu, s_lo, s_hi


def aqi_cdf(x, q10: float, q50: float, q90: float) -> np.ndarray:
    """``P(AQI ≤ x)`` of the two-piece log-normal through the three quantiles.

    Examples
    --------
    >>> float(aqi_cdf(60.0, 40.0, 60.0, 90.0))
    0.5
    >>> round(float(aqi_cdf(90.0, 40.0, 60.0, 90.0)), 6)
    0.9
    """
    mu, s_lo, s_hi = _params(q10, q50, q90)
    y = np.log(np.maximum(np.asarray(x, dtype=float), 0.0) + 1.0) - mu
    s = np.where(y < 0, s_lo, s_hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, y / np.where(s > 0, s, 1.0), np.where(y < 0, -np.inf, np.inf))
    return np.where(y == 0, 0.5, ndtr(z)) if np.ndim(x) else float(np.where(y == 0, 0.5, ndtr(z)))


def exceedance(threshold: float, q10: float, q50: float, q90: float) -> float:
    """``P(AQI > threshold)``, e.g. ``threshold = 100`` for "lightly polluted or worse"."""
    if not all(math.isfinite(v) for v in (q10, q50, q90)):
        return float("nan")
    return float(1.0 - aqi_cdf(float(threshold), q10, q50, q90))


def level_probabilities(q10: float, q50: float, q90: float) -> tuple[float, ...]:
    """Probability of AQI levels 1..6 (sums to 1)."""
    cdf = [0.0] + [float(aqi_cdf(float(b), q10, q50, q90)) for b in LEVEL_BOUNDARIES] + [1.0]
    return tuple(max(0.0, cdf[i + 1] - cdf[i]) for i in range(6))


def _max_widths(widths, centres: np.ndarray) -> np.ndarray:
    """The widest range the rules allow at each centre: the width of the first ``(max_centre, width)``
    pair whose ``max_centre`` holds it (the last pair's beyond them all)."""
    out = np.full(np.shape(centres), int(widths[-1][1]))
    for max_centre, width in reversed(tuple(widths)):
        out = np.where(centres <= max_centre, int(width), out)
    return out


@lru_cache(maxsize=32)
def _windows(widths: tuple, step: int) -> tuple:
    """What :func:`choose_range` checks of every candidate range whatever the distribution, per size
    ``w``: ``(w, lo, hi, allowed, level of lo, level of hi, [(b, lo <= b < hi)])`` (computed once per
    rule set, not once per district and day)."""
    grid = np.arange(0, 501, step)
    out = []
    for w in sorted({(int(w) // step) * step or int(w) for _, w in widths}):
        lo = grid[grid + w <= 500]
        hi = lo + w
        arrays = [lo, hi, w <= _max_widths(widths, lo + w / 2.0), level_of(lo), level_of(hi)]
        straddles = [(b, (lo <= b) & (b < hi)) for b in LEVEL_BOUNDARIES]
        for a in arrays + [across for _, across in straddles]:
            a.setflags(write=False)  # shared by every call
        out.append((w, *arrays, straddles))
    return tuple(out)


def choose_range(q10: float, q50: float, q90: float, *, widths=DEFAULT_WIDTHS, step: int = 5,
                 straddle_min: float = 0.1) -> tuple[int, int]:
    """The published range ``(lo, hi)`` chosen from the AQI distribution (module docstring).

    Among valid ranges (``lo`` and ``hi`` multiples of ``step``, ``0 ≤ lo < hi ≤ 500``, width ≤
    the rule for the centre, crossing only boundaries the distribution crosses, holding the median
    whenever one can) the one with the highest probability; ties go to the wider (the conventional
    width), then to the one centred nearer the median. When none holds the median, a range of the
    median's own level or with at least ``straddle_min`` probability comes first (a point just above a
    boundary, no spread known yet, gets the nearest range of its own level, not the widest of none).

    Holding the median matters because the rules allow wider ranges above 100: without it a wide,
    right-skewed distribution with its median near 75 was offered 85-120, a range that leaves out the
    median and straddles 100 only because the wider window holds more probability (merge review of
    issue #13; it also raised a "far from the guidance" flag on the unchanged prefill).

    Examples
    --------
    A narrow distribution just under 100 stays inside "良" (51-100) although its median is near 100:

    >>> choose_range(88.0, 94.0, 99.0)
    (80, 100)

    A distribution across 100 gets a range across 100 (width 35 when the centre is above 100):

    >>> choose_range(80.0, 105.0, 140.0)
    (85, 120)

    A wide distribution whose median is 76 keeps its median inside the range:

    >>> lo, hi = choose_range(45.0, 76.0, 160.0)
    >>> lo <= 76 <= hi
    True

    A point just above a boundary (no spread known yet) gets the nearest range of its own level, "良":

    >>> choose_range(51.0, 51.0, 51.0)
    (55, 75)
    """
    if not all(math.isfinite(v) for v in (q10, q50, q90)):
        raise ValueError(f"AQI quantiles must be finite, got {q10!r}, {q50!r}, {q90!r}")
    q10, q90 = min(q10, q50), max(q90, q50)
    grid = np.arange(0, 501, step)
    cdf = aqi_cdf(grid.astype(float), q10, q50, q90)
    at_boundary = aqi_cdf(np.array(LEVEL_BOUNDARIES, dtype=float), q10, q50, q90)
    crossable = {b for b, p in zip(LEVEL_BOUNDARIES, at_boundary.tolist())
                 if p >= straddle_min and 1.0 - p >= straddle_min}
    windows = _windows(tuple((float(c), int(w)) for c, w in widths), step)
    median_level = level_of(q50)
    best, best_key = None, None
    for w, lo, hi, allowed, level_lo, level_hi, straddles in windows:
        ok = allowed.copy()
        for b, across in straddles:
            if b not in crossable:
                ok &= ~across
        holds_median = ok & (lo <= q50) & (q50 <= hi)
        if holds_median.any():  # a range that leaves out the median misplaces the forecast
            ok = holds_median
        if not ok.any():
            continue
        hi_cdf = aqi_cdf(hi.astype(float), q10, q50, q90) if w % step else cdf[hi // step]
        mass = np.round(hi_cdf - cdf[lo // step], 9)
        dist = np.abs(lo + w / 2.0 - q50)
        # a range with next to no probability (a point just above a boundary, e.g. a day with no verified
        # history yet whose AQI is 51, is held by no valid range) comes after the ranges of the median's own
        # level, the nearest first, not the widest (51 was offered 105-140, two levels up)
        home = (level_lo <= median_level) & (median_level <= level_hi)
        pref = home | (mass >= straddle_min)
        cand = np.flatnonzero(ok)
        order = np.lexsort((dist[cand], -mass[cand], ~pref[cand]))
        i = cand[order[0]]
        key = (bool(lo[i] <= q50 <= hi[i]), bool(pref[i]), float(mass[i]), w if mass[i] > 0 else 0,
               -float(dist[i]))
        if best_key is None or key > best_key:
            best, best_key = (int(lo[i]), int(hi[i])), key
    if best is None:  # cannot happen with the default widths (every level is wider than 35); keep a valid answer
        w = windows[0][0]
        lo = int(min(max(0, round((q50 - w / 2) / step) * step), 500 - w))
        best = (lo, lo + w)
    return best
