"""Bias-removal methods: ``rolling_bias`` (Wilczak et al. 2006) and ``kalman_filter`` (Delle Monache et al. 2006).

Both estimate the bias of a model's forecast separately for each model, district, pollutant,
cycle hour and lead hour (one "forecast hour" of a run, as in Delle Monache et al. 2006, so each
hour of day has its own estimate), from the errors ``y = F − O`` of earlier runs. The errors of one
key form a daily series indexed by the cycle date. A forecast issued at ``I`` and valid at ``v``
may use the errors of runs ``m = ceil((v − I)/24 h)`` or more days older (those whose same-lead
forecast was verified by ``I``): training never includes the future.

``rolling_bias`` (Wilczak et al. 2006, doi:10.1029/2006JD007598, §3): the mean error of the last
``window_days`` available runs (7 days in the paper), ``F* = F − mean(y)``.

``kalman_filter`` (Delle Monache et al. 2006, doi:10.1029/2005JD006311, eqs. 1-6): the bias
``x`` is a random walk observed with noise, ``x_t = x_{t−1} + η``, ``y_t = x_t + ε``::

    P⁻_t = P_{t−1} + r                  (r = σ²_η / σ²_ε, variances scaled by σ²_ε)
    K_t  = P⁻_t / (P⁻_t + 1)
    x_t  = x_{t−1} + K_t (y_t − x_{t−1})
    P_t  = (1 − K_t) P⁻_t

A missing error skips the update (``x_t = x_{t−1}``, ``P_t = P⁻_t``). The gain converges to
``K∞ = (−r + sqrt(r² + 4 r)) / 2``; after a step change in bias a fraction ``(1 − K∞)^n`` is left
after ``n`` updates (one a day). The paper tuned ``r`` by sensitivity analysis; our default
``r = 0.3`` gives ``K∞ = 0.418``: 80 % of a regime change (model upgrade) absorbed in 3 days.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_KALMAN_RATIO",
    "DEFAULT_ROLLING_DAYS",
    "bias_keys",
    "error_matrix",
    "kalman_gains",
    "kalman_steady_gain",
    "kalman_states",
    "rolling_states",
    "bias_estimate",
]

DEFAULT_KALMAN_RATIO = 0.3
DEFAULT_KALMAN_P0 = 1000.0
DEFAULT_ROLLING_DAYS = 7
_KEY = ["model", "district", "pollutant", "cycle_hour", "lead_hours"]


def kalman_steady_gain(ratio: float) -> float:
    """Limit of the gain sequence, ``K∞ = (−r + sqrt(r² + 4r))/2`` for ``r = σ²_η/σ²_ε``."""
    return (-ratio + math.sqrt(ratio * ratio + 4 * ratio)) / 2


def kalman_gains(n: int, *, ratio: float = DEFAULT_KALMAN_RATIO, p0: float = DEFAULT_KALMAN_P0) -> np.ndarray:
    """The first ``n`` gains ``K_1..K_n`` with no missing errors (data-independent)."""
    out, p = np.empty(n), p0
    for i in range(n):
        pm = p + ratio
        out[i] = pm / (pm + 1)
        p = (1 - out[i]) * pm
    return out


def bias_keys(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int, pd.DataFrame]:
    """(key code, day index, number of days, key table) of each pair row.

    A key is one (model, district, pollutant, cycle hour, lead hour); codes number the keys in the
    order of their first row, and row ``k`` of the key table is key ``k``.

    Examples
    --------
    >>> cycle = pd.to_datetime(["2026-11-01 12:00", "2026-11-02 12:00", "2026-11-02 12:00"], utc=True)
    >>> pairs = pd.DataFrame({"model": ["CAMS", "CMAQ", "CAMS"], "district": "310118", "pollutant": "pm25",
    ...                       "cycle": cycle, "lead_hours": 1})
    >>> code, day, n_days, table = bias_keys(pairs)
    >>> code.tolist(), day.tolist(), n_days, table["model"].tolist()
    ([0, 1, 0], [0, 1, 1], 2, ['CAMS', 'CMAQ'])
    """
    if not len(pairs):
        return np.array([], int), np.array([], int), 0, pd.DataFrame(columns=_KEY)
    cyc = pairs["cycle"]
    day0 = cyc.dt.floor("D")
    columns = {
        "model": pairs["model"].to_numpy(),
        "district": pairs["district"].to_numpy(),
        "pollutant": pairs["pollutant"].to_numpy(),
        "cycle_hour": cyc.dt.hour.to_numpy().astype(np.int64),
        "lead_hours": pairs["lead_hours"].to_numpy(),
    }
    # one integer per key (mixed radix of each column's codes), numbered in order of first appearance:
    # the numbering of the key tuples themselves, without building them (3x faster on 300,000 pairs)
    combined = np.zeros(len(pairs), np.int64)
    for values in columns.values():
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        combined = combined * len(uniques) + codes
    code, _ = pd.factorize(combined)
    first = np.flatnonzero(~pd.Series(combined).duplicated().to_numpy())  # key k's first row, in code order
    table = pd.DataFrame({name: values[first] for name, values in columns.items()})
    day = ((day0 - day0.min()) / pd.Timedelta(days=1)).round().astype(int).to_numpy()
    return code, day, int(day.max()) + 1, table


def error_matrix(code: np.ndarray, day: np.ndarray, err: np.ndarray, n_days: int, n_keys: int) -> np.ndarray:
    """Daily error series ``Y[day, key]`` (NaN where no verified pair)."""
    Y = np.full((n_days, n_keys), np.nan)
    Y[day, code] = err
    return Y


def kalman_states(Y: np.ndarray, *, ratio: float = DEFAULT_KALMAN_RATIO, p0: float = DEFAULT_KALMAN_P0):
    """Filtered bias after each day, ``X[d, k]`` (NaN before the first update), and final ``P``."""
    n_days, n_keys = Y.shape
    X = np.full(Y.shape, np.nan)
    x = np.zeros(n_keys)
    p = np.full(n_keys, float(p0))
    seen = np.zeros(n_keys, bool)
    for d in range(n_days):
        y = Y[d]
        ok = np.isfinite(y)
        pm = p + ratio
        k = pm / (pm + 1)
        x = np.where(ok, x + k * (np.where(ok, y, 0.0) - x), x)
        p = np.where(ok, (1 - k) * pm, pm)
        seen |= ok
        X[d] = np.where(seen, x, np.nan)
    return X, p


def rolling_states(Y: np.ndarray, *, window_days: int = DEFAULT_ROLLING_DAYS) -> np.ndarray:
    """Mean error over the last ``window_days`` days up to each day (NaN if none)."""
    ok = np.isfinite(Y)
    s = np.cumsum(np.where(ok, Y, 0.0), axis=0)
    c = np.cumsum(ok, axis=0)
    pad = np.zeros((1, Y.shape[1]))
    s = np.vstack([pad, s])
    c = np.vstack([pad, c])
    hi = np.arange(1, Y.shape[0] + 1)
    lo = np.maximum(0, hi - window_days)
    num, den = s[hi] - s[lo], c[hi] - c[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def bias_estimate(pairs: pd.DataFrame, *, method: str, ratio: float = DEFAULT_KALMAN_RATIO,
                  p0: float = DEFAULT_KALMAN_P0, window_days: int = DEFAULT_ROLLING_DAYS) -> np.ndarray:
    """Bias known at each row's issue time (NaN when nothing verified yet) for ``method``."""
    code, day, n_days, table = bias_keys(pairs)
    if not len(pairs):
        return np.array([])
    err = (pairs["forecast"] - pairs["observed"]).to_numpy(dtype=float)
    lag = np.ceil(((pairs["valid_time"] - pairs["issue_time"]) / pd.Timedelta(hours=24)).to_numpy(dtype=float))
    lag = np.maximum(lag, 0).astype(int)
    src = day - lag
    out = np.full(len(pairs), np.nan)
    # Chunk the key axis to bound memory (days × keys floats).
    chunk = max(1, int(4e6 // max(n_days, 1)))
    for start in range(0, len(table), chunk):
        sel = (code >= start) & (code < start + chunk)
        nk = min(chunk, len(table) - start)
        Y = error_matrix(code[sel] - start, day[sel], err[sel], n_days, nk)
        if method == "kalman_filter":
            S, _ = kalman_states(Y, ratio=ratio, p0=p0)
        else:
            S = rolling_states(Y, window_days=window_days)
        idx = np.flatnonzero(sel)
        good = src[idx] >= 0
        out[idx[good]] = S[src[idx[good]], code[idx[good]] - start]
    return out
