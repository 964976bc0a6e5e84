"""Predictive distributions of corrected forecasts: 10/50/90 % quantiles in log space, CRPS, PIT, coverage.

Model errors of air-quality forecasts are mostly multiplicative (they grow with the concentration)
and grow with the lead, so the quantiles are learned on the log scale, ``z = log(O + c) − log(C + c)``
(``C`` the corrected central value, ``c`` a small offset per pollutant, :data:`LOG_OFFSET`), per
pollutant, lead day and **forecast-level bin** (:data:`LEVEL_BINS`, the bin of the central value,
known at issue time): split conformal calibration in the sense of Romano et al. (2019) /
Vovk et al. (2005) on the residuals of the last verified window, each bin calibrated on its own so
that polluted hours get their own, wider interval. A bin with fewer than ``min_count`` residuals
falls back to the pollutant and bin pooled over lead days, then to the pollutant and lead day,
then to the pollutant.

The distribution behind three quantiles (for the CRPS and for probabilities) is the two-piece
normal on the same log scale: median ``log(q50 + c)``, the lower and upper halves with standard
deviations ``(log(q50 + c) − log(q10 + c))/z₀.₉`` and ``(log(q90 + c) − log(q50 + c))/z₀.₉``
(``z₀.₉ = 1.2816``). :func:`quantile_members` samples it at the ``K`` equally spaced probability
levels ``(k − ½)/K``; the CRPS is that ensemble's CRPS (Gneiting and Raftery 2007, eq. 21,
:func:`crps_ensemble`), so it is reproduced from ``q10 q50 q90 observed`` alone. The probability
integral transform (PIT) of an observation is that distribution's CDF at it (:func:`pit_from_quantiles`);
the histogram of PIT values over many forecasts (:func:`pit_histogram`) is flat for calibrated forecasts,
U-shaped for intervals too narrow, hump-shaped for too wide and sloped for a biased median (Gneiting,
Balabdaoui and Raftery 2007, doi:10.1111/j.1467-9868.2007.00587.x).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

__all__ = ["QUANTILES", "LOG_OFFSET", "log_offsets", "LEVEL_BINS", "CONFORMAL_MIN_COUNT", "level_bin", "add_quantiles",
           "fit_log_quantiles",
           "apply_log_quantiles", "conformalize", "quantile_members",
           "crps_ensemble", "crps_from_quantiles", "pit_from_quantiles", "pit_histogram", "coverage"]

QUANTILES = (0.1, 0.5, 0.9)
#: Offset of the log transform per pollutant [µg/m³; CO mg/m³]. O3's is 20 µg/m³ (was 1): its night-time values
#: of a few µg/m³ made the single models' log residuals, and so their intervals, huge; chosen among 1, 5, 10 and
#: 20 on the Dongsi validation year by a rule fixed before the run (python -m bench.interval_validation 6: the
#: single models' mean O3 CRPS 22.9 → 11.7, the chosen ensemble's 7.21 → 6.60, every target met).
LOG_OFFSET = {"pm25": 1.0, "pm10": 1.0, "o3": 20.0, "no2": 1.0, "so2": 1.0, "co": 0.05}
#: Forecast-level bin edges per pollutant [µg/m³; CO mg/m³]: the PM2.5 24-h IAQI breakpoints 35/75/150
#: (HJ 633-2012 Table 1), O3 hourly 100 and 160, the others at their low IAQI breakpoints.
LEVEL_BINS = {"pm25": (35.0, 75.0, 150.0), "pm10": (50.0, 150.0, 250.0), "o3": (100.0, 160.0),
              "no2": (40.0, 80.0), "so2": (50.0, 150.0), "co": (2.0, 4.0)}
Z90 = float(ndtri(0.9))
#: Conformity scores a key needs before its own conformal correction is used (else the next, coarser
#: key). Chosen on the Dongsi validation year 2015-03 … 2016-02 only (docs/correction.md §7): with 30,
#: the O3 D+1 ≥ 160 bin of the chosen ensemble covered 0.616; with 100, 0.738 (100-160: 0.735 both).
CONFORMAL_MIN_COUNT = 100


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, labels)`` of a column: one hash pass (``pd.factorize``), labels as ``str``. Much cheaper
    than mapping or concatenating a million strings (an Arrow string column converts row by row)."""
    codes, labels = pd.factorize(values if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values).ravel())
    return codes, np.asarray(labels).astype(str)


def log_offsets(pollutant) -> np.ndarray:
    """:data:`LOG_OFFSET` of each row's pollutant (1 for an unknown or missing one), one hash pass."""
    codes, labels = _codes(pollutant)
    table = np.array([LOG_OFFSET.get(p, 1.0) for p in labels] + [1.0])
    return table[codes]  # code -1 (a missing pollutant) takes the last entry


def level_bin(pollutant, value) -> np.ndarray:
    """Index of the forecast-level bin of each value (0 = below the first edge).

    Examples
    --------
    >>> level_bin(["pm25", "pm25", "o3"], [20.0, 80.0, 170.0]).tolist()
    [0, 2, 2]
    """
    codes, labels = _codes(pollutant)
    val = np.asarray(value, dtype=float)
    out = np.zeros(len(val), dtype=int)
    for i, p in enumerate(labels):
        edges = LEVEL_BINS.get(p)
        if edges is not None:
            m = codes == i
            out[m] = np.searchsorted(np.asarray(edges), val[m], side="right")
    return out


def times_ns(times) -> np.ndarray:
    return pd.DatetimeIndex(times).tz_convert("UTC").as_unit("ns").asi8


#: Key levels, finest first, and the columns of each: a key with too few rows falls back to the next.
_LEVEL_PARTS = {"full": ("pol", "lead", "bin"), "bin": ("pol", "bin"), "lead": ("pol", "lead"), "pol": ("pol",)}
_LEVELS = tuple(_LEVEL_PARTS)


def _combined(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, combinations)`` of ``(codes, labels)`` columns: one integer per row (mixed radix, code −1
    counted as a value of its own) numbered by a hash pass in order of first appearance."""
    combo = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, labels in parts:
        combo = combo * (len(labels) + 1) + (codes + 1)
    inverse, uniq = pd.factorize(combo)  # a hash pass: sorting a million keys (np.unique) took 4 times longer
    return inverse.astype(np.int64), uniq


def _joined(*parts: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``"a|b|c"`` keys of ``(codes, labels)`` columns: each distinct combination is written once."""
    inverse, uniq = _combined(*parts)
    text = []
    for value in uniq.tolist():
        words = []
        for codes, labels in reversed(parts):
            value, code = divmod(value, len(labels) + 1)
            words.append(labels[code - 1] if code else "nan")
        text.append("|".join(reversed(words)))
    return np.array(text, dtype=object)[inverse]


def _key_parts(pollutant, lead_day, central) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The ``(codes, labels)`` of a row's pollutant, lead day and forecast-level bin."""
    return {"pol": _codes(pollutant), "lead": _codes(np.asarray(lead_day, dtype=int)),
            "bin": _codes(level_bin(pollutant, central))}


def _keys(pollutant, lead_day, central) -> dict[str, np.ndarray]:
    parts = _key_parts(pollutant, lead_day, central)
    return {level: _joined(*(parts[name] for name in names)) for level, names in _LEVEL_PARTS.items()}


def _key_codes(pollutant, lead_day, central) -> dict[str, np.ndarray]:
    """:func:`_keys` as small integers (the same groups, numbered in order of first appearance): no
    strings are written, so a million rows cost a few hash passes."""
    parts = _key_parts(pollutant, lead_day, central)
    return {level: _combined(*(parts[name] for name in names))[0] for level, names in _LEVEL_PARTS.items()}


def _log_residual(pollutant, central, observed) -> np.ndarray:
    off = log_offsets(pollutant)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.log(np.maximum(np.asarray(observed, dtype=float), 0) + off)
                - np.log(np.maximum(np.asarray(central, dtype=float), 0) + off))


def fit_log_quantiles(frame: pd.DataFrame, *, min_count: int = 30, coverage: float = 0.8) -> dict:
    """Quantile tables of the log residual ``z`` of verified rows ``pollutant lead_day central observed``:
    ``{level: {key: (z_lo, z_50, z_hi)}}`` for the keys (pollutant, lead day, bin), (pollutant, bin),
    (pollutant, lead day) and pollutant (the first three need ``min_count`` residuals)."""
    lo_q, hi_q = (1 - coverage) / 2, (1 + coverage) / 2
    z = _log_residual(frame["pollutant"].to_numpy(), frame["central"].to_numpy(), frame["observed"].to_numpy())
    keys = _keys(frame["pollutant"].to_numpy(), frame["lead_day"].to_numpy(), frame["central"].to_numpy(dtype=float))
    ok = np.isfinite(z)
    tables = {}
    for level in _LEVELS:
        if not ok.any():
            tables[level] = {}
            continue
        g = pd.Series(z[ok]).groupby(keys[level][ok])
        size = g.size()
        table = g.quantile([lo_q, 0.5, hi_q]).unstack()
        table = table[size.reindex(table.index) >= (min_count if level != "pol" else 1)]
        tables[level] = {k: (float(r[lo_q]), float(r[0.5]), float(r[hi_q])) for k, r in table.iterrows()}
    return tables


def apply_log_quantiles(frame: pd.DataFrame, tables: dict) -> np.ndarray:
    """``(n, 3)`` array of ``q10 q50 q90`` for rows ``pollutant lead_day central`` from
    :func:`fit_log_quantiles` tables (the most specific key with enough residuals; NaN when none)."""
    central = frame["central"].to_numpy(dtype=float)
    keys = _keys(frame["pollutant"].to_numpy(), frame["lead_day"].to_numpy(), central)
    got = np.full((len(frame), 3), np.nan)
    for level in _LEVELS:
        need = ~np.isfinite(got[:, 0])
        if not need.any():
            break
        table = tables.get(level) or {}
        if not table:
            continue
        vals = np.array([table.get(k, (np.nan, np.nan, np.nan)) for k in keys[level][need]], dtype=float)
        got[need] = vals.reshape(-1, 3)
    off = log_offsets(frame["pollutant"].to_numpy())
    base = np.log(np.maximum(central, 0) + off)
    return np.maximum(0.0, np.exp(base[:, None] + got) - off[:, None])


def add_quantiles(frame: pd.DataFrame, *, grid: pd.DatetimeIndex, window_days: int, min_count: int = 30,
                  coverage: float = 0.8) -> pd.DataFrame:
    """Set ``q10 q50 q90`` (and ``lower = q10``, ``upper = q90``) from past log residuals.

    At each refit origin ``T`` of ``grid`` the residuals of rows verified in ``(T − window_days, T]``
    give, per (pollutant, lead day, forecast-level bin), the quantiles ``(1 − coverage)/2``, ½ and
    ``(1 + coverage)/2`` of ``z`` (:func:`fit_log_quantiles`); rows issued in the block starting at
    ``T`` get ``q = exp(log(C + c) + z_q) − c`` (clipped at 0). Uses only observations known at ``T``.
    """
    vt = times_ns(frame["valid_time"])
    order = np.argsort(vt, kind="stable")
    vts = vt[order]
    block = np.searchsorted(times_ns(grid), times_ns(frame["issue_time"]), side="right") - 1
    qs = np.full((len(frame), 3), np.nan)
    win = pd.Timedelta(days=window_days).value
    cols = ["pollutant", "lead_day", "central", "observed"]
    for j, t in enumerate(times_ns(grid)):
        rows = np.flatnonzero(block == j)
        if not len(rows):
            continue
        a, b = np.searchsorted(vts, t - win, side="right"), np.searchsorted(vts, t, side="right")
        pool = frame.iloc[order[a:b]][cols]
        pool = pool[pool["observed"].notna()]
        if not len(pool):
            continue
        tables = fit_log_quantiles(pool, min_count=min_count, coverage=coverage)
        qs[rows] = apply_log_quantiles(frame.iloc[rows], tables)
    out = frame.copy()
    for i, name in enumerate(("q10", "q50", "q90")):
        out[name] = qs[:, i]
    out["lower"], out["upper"] = out["q10"], out["q90"]
    return out


def conformalize(frame: pd.DataFrame, *, grid: pd.DatetimeIndex, window_days: int,
                 min_count: int = CONFORMAL_MIN_COUNT, coverage: float = 0.8, adapt: float = 0.0,
                 asymmetric: bool = False, aci_step: str = "origin") -> pd.DataFrame:
    """Conformalised quantile regression (CQR, Romano et al. 2019) of the ``q10``/``q90`` already set,
    in log space, per pollutant, lead day and forecast-level bin (same fallbacks as the tables).

    At each origin ``T`` of ``grid`` the calibration rows are those verified in ``(T − window_days, T]``
    whose interval was issued before ``T`` (out of sample; also before the grid's first origin, so that a
    grid starting today still calibrates on the last window); their conformity score is
    ``E = max(log(q10 + c) − log(O + c), log(O + c) − log(q90 + c))`` and the rows issued from ``T`` to the
    next origin get ``[exp(log(q10 + c) − Q) − c, exp(log(q90 + c) + Q) − c]`` with ``Q`` the
    ``⌈(n + 1)·coverage⌉/n`` empirical quantile of ``E`` (the finite-sample correction). ``Q`` may be
    negative (an interval that covered too often narrows). Rows without ``min_count`` calibration
    scores at any key level keep their interval. Uses only observations known at ``T``. The correction
    methods pass daily origins (``DEFAULTS["conformal_refit_days"]``): the scores are a day old at most.

    ``min_count`` is :data:`CONFORMAL_MIN_COUNT` (100 hours): hourly errors are autocorrelated, so 30
    scores are one or two episodes, and the 80 % quantile of so few moved the rare high bins' intervals
    too little or too much.

    ``adapt`` > 0 adds adaptive conformal inference (ACI, Gibbs and Candès 2021) per (pollutant, lead
    day, bin): at each origin that key's miscoverage level ``α`` (starting at ``1 − coverage``) moves by
    ``adapt · (1 − coverage − m)``, ``m`` the fraction of its rows verified since the previous origin whose
    observation fell outside the row's final interval (one step per origin, however many models, districts
    and hours the key holds: a step per row made a nine-member key move nine times as fast), and ``Q`` is
    the ``⌈(n + 1)(1 − α)⌉/n`` quantile (the level clipped to ``[0, 1]``): a key whose recent intervals
    missed too often widens, one that covered too often narrows. Only rows verified by ``T`` and issued
    before it move ``α``. Its rate in the correction methods is ``DEFAULTS["conformal_adapt"]``.

    ``asymmetric`` calibrates each end on its own (Romano et al. 2019, the asymmetric version; Sesia and
    Candès 2020): ``E_lo = log(q10 + c) − log(O + c)`` and ``E_hi = log(O + c) − log(q90 + c)``, each end
    shifted by its own ``⌈(n + 1)(1 − α/2)⌉/n`` quantile, so that misses far below the interval (ozone at
    night) do not widen its upper end. ACI then counts a row as missed when either end missed.

    ``aci_step`` is how one origin moves a key's ``α``. ``"origin"`` (above): by ``adapt · (1 − coverage − m)``,
    whatever the number of rows, so that ACI's guarantee holds for the *days* (the mean of ``m`` over
    origins tends to ``1 − coverage``). Days with few rows in a bin, when the forecast crosses a bin edge,
    miss more often than full ones; counted as much as a full day, they leave the bin's *hours* covered too
    often (the demo world's PM2.5 D+1 bins, docs/correction.md §8 round 7: 0.16-0.22 of a day's hours
    missed on average, 0.12-0.15 of the hours). ``"rows"``: by ``adapt · (k·(1 − coverage) − missed)/k̄``, ``k`` the key's rows verified since the
    previous origin, ``missed`` those outside their interval and ``k̄`` the key's mean ``k`` over the
    origins where it had rows so far (this one included): a step per hour, scaled so that a day of ``k̄``
    hours moves ``α`` as far as the ``"origin"`` step does. Scale-free (nine members multiply ``k``,
    ``missed`` and ``k̄`` alike), and the guarantee then holds for the hours, which the coverage targets count.
    """
    if aci_step not in ("origin", "rows"):
        raise ValueError(f"aci_step must be 'origin' or 'rows', got {aci_step!r}")
    if not len(frame) or "q10" not in frame or not frame["q10"].notna().any():
        return frame
    pol = frame["pollutant"].to_numpy()
    off = log_offsets(pol)
    lo = np.log(np.maximum(frame["q10"].to_numpy(dtype=float), 0) + off)
    hi = np.log(np.maximum(frame["q90"].to_numpy(dtype=float), 0) + off)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.log(np.maximum(frame["observed"].to_numpy(dtype=float), 0) + off)
    ends = (lo - y, y - hi) if asymmetric else (np.maximum(lo - y, y - hi),)
    grid_ns = times_ns(grid)
    win = pd.Timedelta(days=window_days).value
    vt, it = times_ns(frame["valid_time"]), times_ns(frame["issue_time"])
    block = np.searchsorted(grid_ns, it, side="right") - 1
    # only rows issued from the first origin on, or verified in the first origin's window, take part
    part = (np.flatnonzero((block >= 0) | (vt > grid_ns[0] - win)) if len(grid_ns)
            else np.zeros(0, dtype=np.int64))
    vt, it, block = vt[part], it[part], block[part]
    scores = [e[part] for e in ends]
    score = scores[0] if not asymmetric else np.maximum(scores[0], scores[1])  # finite where both are
    codes = _key_codes(pol[part], frame["lead_day"].to_numpy()[part],
                       frame["central"].to_numpy(dtype=float)[part])
    n_rows = len(part)
    # every score's rank, and all rows sorted once by key · N + rank per key level: a window's scores of one
    # key are then a mask away, in order, without a sort per origin. Only rows with a score can calibrate,
    # so the others are left out of these orders once, instead of being masked out at every origin.
    scored = np.isfinite(score)
    ranks = []
    for sc in scores:
        by_score = np.argsort(sc, kind="stable")
        rank = np.empty(n_rows, dtype=np.int64)
        rank[by_score] = np.arange(n_rows)
        ranked = sc[by_score]
        keyed = {}
        for level in _LEVELS:
            k = np.sort(codes[level][scored] * n_rows + rank[scored])
            at = k % n_rows
            keyed[level] = (k // n_rows, ranked[at], by_score[at], int(codes[level].max(initial=-1)) + 2)
        ranks.append(keyed)
    by_valid = np.argsort(vt, kind="stable")
    vts = vt[by_valid]
    by_block = np.argsort(block, kind="stable")
    first_of = np.searchsorted(block[by_block], np.arange(len(grid_ns) + 1), side="left")
    shifts = [np.full(n_rows, np.nan) for _ in scores]
    alpha = np.full(int(codes["full"].max(initial=-1)) + 1, 1.0 - coverage)  # ACI: per (pollutant, lead day, bin)
    seen_origins, seen_rows = np.zeros(len(alpha)), np.zeros(len(alpha))  # for the mean rows per origin (k̄)
    previous = None
    for j, t in enumerate(grid_ns):
        if adapt > 0 and previous is not None:
            seen = by_valid[np.searchsorted(vts, previous, side="right"):np.searchsorted(vts, t, side="right")]
            seen = seen[(it[seen] < t) & np.isfinite(score[seen])
                        & np.logical_and.reduce([np.isfinite(sh[seen]) for sh in shifts])]
            miss = np.logical_or.reduce([sc[seen] > sh[seen] for sc, sh in zip(scores, shifts)]).astype(float)
            count = np.bincount(codes["full"][seen], minlength=len(alpha))
            missed = np.bincount(codes["full"][seen], weights=miss, minlength=len(alpha))
            if aci_step == "rows":
                seen_origins += count > 0
                seen_rows += count
                typical = np.divide(seen_rows, seen_origins, out=np.ones(len(alpha)), where=seen_origins > 0)
                alpha += np.where(count > 0, adapt * (count * (1.0 - coverage) - missed) / typical, 0.0)
            else:
                rate = np.divide(missed, count, out=np.zeros(len(alpha)), where=count > 0)  # of each key
                alpha += np.where(count > 0, adapt * ((1.0 - coverage) - rate), 0.0)
        previous = t
        rows = by_block[first_of[j]:first_of[j + 1]]
        if not len(rows):
            continue
        cal = by_valid[np.searchsorted(vts, t - win, side="right"):np.searchsorted(vts, t, side="right")]
        cal = cal[(it[cal] < t) & np.isfinite(score[cal])]  # any interval issued before T and verified
        if not len(cal):
            continue
        miscover = np.full(len(rows), 1.0 - coverage) if adapt <= 0 else alpha[codes["full"][rows]]
        level_of = np.clip(1.0 - (miscover / 2 if asymmetric else miscover), 0.0, 1.0)
        in_cal = np.zeros(n_rows, dtype=bool)
        in_cal[cal] = True
        for keyed, shift in zip(ranks, shifts):
            shift[rows] = _window_quantiles(codes, keyed, in_cal, rows, level_of, min_count)
    out = frame.copy()
    q50 = out["q50"].to_numpy(dtype=float) if "q50" in out else np.full(len(out), np.nan)
    full = []
    for shift in shifts:
        f = np.full(len(frame), np.nan)
        f[part] = shift
        full.append(f)
    shift_lo, shift_hi = full if asymmetric else (full[0], full[0])
    has = np.isfinite(shift_lo) & np.isfinite(shift_hi) & np.isfinite(lo) & np.isfinite(hi)
    q10 = np.maximum(np.exp(lo - shift_lo) - off, 0.0)
    q90 = np.maximum(np.exp(hi + shift_hi) - off, 0.0)
    # a negative shift never crosses the median
    out["q10"] = np.where(has, np.where(np.isfinite(q50), np.minimum(q10, q50), q10), out["q10"].to_numpy(float))
    out["q90"] = np.where(has, np.where(np.isfinite(q50), np.maximum(q90, q50), q90), out["q90"].to_numpy(float))
    out["lower"], out["upper"] = out["q10"], out["q90"]
    return out


def _window_quantiles(codes: dict, keyed: dict, in_cal: np.ndarray, rows: np.ndarray,
                      level_of: np.ndarray, min_count: int) -> np.ndarray:
    """Per row of ``rows``: the ``⌈(n + 1)·level⌉/n`` quantile of the scores of the rows in ``in_cal`` (a mask)
    that share its key at the most specific key level holding ``min_count`` of them (NaN when none);
    ``keyed[level]`` is ``(key, score, row)`` of every scored row, sorted by key and, within a key, by score,
    and the size of a table indexed by that level's key codes."""
    got = np.full(len(rows), np.nan)
    for level in _LEVELS:
        need = np.flatnonzero(~np.isfinite(got))
        if not len(need):
            break
        want = codes[level][rows[need]]
        key_all, score_all, row_of, n_keys = keyed[level]
        take = in_cal[row_of]
        if level != _LEVELS[0]:  # only keys asked for
            asked = np.zeros(n_keys, dtype=bool)
            asked[want] = True
            take &= asked[key_all]
        key_of, values = key_all[take], score_all[take]
        if not len(key_of):
            continue
        starts = np.r_[0, np.flatnonzero(np.diff(key_of)) + 1]
        uniq, counts = key_of[starts], np.diff(np.r_[starts, len(key_of)])
        at = np.minimum(np.searchsorted(uniq, want), len(uniq) - 1)
        ok = (uniq[at] == want) & (counts[at] >= min_count)
        at, need = at[ok], need[ok]
        n = counts[at]
        # numpy's default ("linear") quantile at ⌈(n + 1)·level⌉/n, clipped to 1
        h = (n - 1) * np.minimum(1.0, np.ceil((n + 1) * level_of[need] - 1e-9) / n)
        low = np.floor(h).astype(np.int64)
        a = values[starts[at] + low]
        b = values[starts[at] + np.minimum(low + 1, n - 1)]
        got[need] = a + (h - low) * (b - a)
    return got


def quantile_members(q10, q50, q90, pollutant, *, k: int = 20) -> np.ndarray:
    """``k`` members of the two-piece log-normal through the three quantiles (module docstring).

    Returns an array of shape ``(n, k)`` [units of the input].

    Examples
    --------
    >>> m = quantile_members([9.0], [19.0], [39.0], ["pm25"], k=3)
    >>> round(float(m[0, 1]), 6)
    19.0
    """
    q10, q50, q90 = (np.asarray(v, dtype=float) for v in (q10, q50, q90))
    off = log_offsets(pollutant)
    mu = np.log(q50 + off)
    s_lo = np.maximum(mu - np.log(q10 + off), 0) / Z90
    s_hi = np.maximum(np.log(q90 + off) - mu, 0) / Z90
    z = ndtri((np.arange(k) + 0.5) / k)
    spread = np.where(z[None, :] < 0, s_lo[:, None], s_hi[:, None])
    return np.maximum(np.exp(mu[:, None] + z[None, :] * spread) - off[:, None], 0.0)


def crps_ensemble(observed, members) -> np.ndarray:
    """CRPS of an ensemble (the empirical distribution of its members), Gneiting and Raftery (2007)
    eq. 21: ``E|X − y| − ½ E|X − X'|`` per row [units of the input].

    Examples
    --------
    >>> crps_ensemble([1.0], [[0.0, 1.0, 2.0]]).round(6).tolist()
    [0.222222]
    """
    y = np.asarray(observed, dtype=float)[:, None]
    x = np.sort(np.asarray(members, dtype=float), axis=1)
    k = x.shape[1]
    first = np.abs(x - y).mean(axis=1)
    # E|X − X'| of the sorted members: Σ (2i − k − 1) x_i · 2 / k²  (i = 1..k)
    w = 2 * np.arange(1, k + 1) - k - 1
    second = 2 * (x * w).sum(axis=1) / k**2
    return first - 0.5 * second


def crps_from_quantiles(q10, q50, q90, observed, pollutant, *, k: int = 20) -> np.ndarray:
    """CRPS of the two-piece log-normal through ``q10 q50 q90`` (module docstring), NaN where any input is."""
    obs = np.asarray(observed, dtype=float)
    members = quantile_members(q10, q50, q90, pollutant, k=k)
    out = crps_ensemble(np.where(np.isfinite(obs), obs, 0.0), np.where(np.isfinite(members), members, 0.0))
    bad = ~np.isfinite(obs) | ~np.isfinite(members).all(axis=1)
    return np.where(bad, np.nan, out)


def pit_from_quantiles(q10, q50, q90, observed, pollutant) -> np.ndarray:
    """PIT of each observation: the CDF at it of the two-piece log-normal through ``q10 q50 q90`` (module
    docstring), NaN where any input is.

    The distribution is clipped at zero, so it holds an atom ``P(X = 0) = F(0)``; an observation of zero
    (or below) gets the atom's middle, ``F(0)/2``. With a half of zero spread the CDF steps at the median
    (0 below, 1 above, ½ at it). An observation at ``q10``, ``q50`` or ``q90`` has PIT 0.1, 0.5 or 0.9 exactly, so the
    fraction of PIT values in ``[0.1, 0.9]`` is the coverage of ``[q10, q90]``.

    Examples
    --------
    >>> pit_from_quantiles([9.0, 9.0, 9.0], [19.0, 19.0, 19.0], [39.0, 39.0, 39.0], [9.0, 19.0, 39.0],
    ...                    ["pm25"] * 3).round(6).tolist()
    [0.1, 0.5, 0.9]
    """
    q10, q50, q90, y = (np.asarray(v, dtype=float).ravel() for v in (q10, q50, q90, observed))
    off = log_offsets(pollutant)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.log(q50 + off)
        s_lo = np.maximum(mu - np.log(np.minimum(q10, q50) + off), 0) / Z90
        s_hi = np.maximum(np.log(np.maximum(q90, q50) + off) - mu, 0) / Z90

        def cdf(x):
            d = np.log(np.maximum(x, 0.0) + off) - mu
            s = np.where(d < 0, s_lo, s_hi)
            z = np.where(s > 0, d / np.where(s > 0, s, 1.0), np.where(d < 0, -np.inf, np.inf))
            return np.where(d == 0, 0.5, ndtr(z))

        out = np.where(y > 0, cdf(y), 0.5 * cdf(np.zeros_like(y)))
    bad = ~(np.isfinite(q10) & np.isfinite(q50) & np.isfinite(q90) & np.isfinite(y))
    return np.where(bad, np.nan, out)


def pit_histogram(pit, *, bins: int = 10) -> list[float]:
    """Fraction of the finite PIT values in each of ``bins`` equal bins of ``[0, 1]`` (the last bin closed):
    ``1/bins`` each when calibrated. Empty list when none is finite.

    Examples
    --------
    >>> pit_histogram([0.05, 0.15, 0.95, 1.0, float("nan")], bins=2)
    [0.5, 0.5]
    """
    p = np.asarray(pit, dtype=float).ravel()
    p = p[np.isfinite(p)]
    if not len(p):
        return []
    counts = np.bincount(np.minimum((p * bins).astype(int), bins - 1), minlength=bins)
    return [float(c) for c in counts / len(p)]


def coverage(lower, upper, observed) -> float:
    """Fraction of rows (all three finite) with ``lower ≤ observed ≤ upper`` (NaN when none)."""
    lo, hi, y = (np.asarray(v, dtype=float) for v in (lower, upper, observed))
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(y)
    if not ok.any():
        return float("nan")
    return float(((lo[ok] <= y[ok]) & (y[ok] <= hi[ok])).mean())
