"""Like-with-like comparison of forecasts, with block-bootstrap intervals (pure functions, no database).

Issue #18. Three rules make a comparison honest:

1. **The same cases.** The issued forecast and a reference are scored only on the (issue date,
   district, target date) triples where *both* have a forecast and the day has an observed AQI
   (:func:`paired`); the number of those cases is reported with every difference.
2. **A reference chosen before the fact.** "The best objective guidance" is chosen on the period
   *before* the one evaluated (:func:`preceding_period`, :func:`choose_reference`), never on the
   evaluated days themselves (which would favour the reference by selection).
3. **Uncertainty.** Daily AQIs of the three districts correlate at 0.98-0.99 and from one day to the
   next, so district-days are not independent. Every rate and skill score gets a 95 % interval from a
   **block bootstrap over target dates** (:func:`block_bootstrap`): the period is cut into consecutive
   blocks of ``block_days`` ≥ 7 days; blocks are drawn with replacement, and a drawn block brings every
   district, lead day and source of its days together (Künsch 1989; Wilks 2011 §5.3.5 "moving-blocks
   bootstrap"; non-overlapping blocks as in Carlstein 1986). Rates, hit-rate differences and MSE skill
   scores are ratios of sums, so each replicate is a weighted sum of per-block sums (fast).

Observed classes (the split managers ask for): ``good`` 优良 (levels 1-2, AQI ≤ 100), ``light`` 轻度污染
(level 3), ``moderate_plus`` 中度污染及以上 (levels 4-6) (HJ 633-2026 Table 2 levels).

Probability of AQI > 100 (when the guidance carries it): Brier score (Brier 1950; Wilks 2011 §8.4.2)
and the reliability table (forecast probability bins against observed frequency, Wilks 2011 §8.4.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from forecasting.errors import ValidationError

__all__ = ["OBSERVED_CLASSES", "KEY", "observed_class", "paired", "preceding_period", "choose_reference",
           "block_bootstrap", "Interval", "rate_interval", "compare_with", "skill_score", "brier_score",
           "reliability_table", "MIN_BLOCK_DAYS", "MIN_BLOCKS"]

#: The observed classes, in display order (HJ 633 levels 1-2, 3, 4-6).
OBSERVED_CLASSES = ("good", "light", "moderate_plus")
#: The columns that identify one case (one forecast of one district and target day, issued on a date).
KEY = ("issue_date", "district", "target_date")
#: The shortest block of the bootstrap [d] (one week: the synoptic time scale of AQI persistence).
MIN_BLOCK_DAYS = 7
#: Fewer blocks than this give no interval (a bootstrap of one or two weeks says nothing honest).
MIN_BLOCKS = 3


def observed_class(level) -> str | None:
    """``good`` (level 1-2), ``light`` (3), ``moderate_plus`` (4-6); ``None`` when unknown.

    Examples
    --------
    >>> [observed_class(x) for x in (1, 2, 3, 4, 6, None)]
    ['good', 'good', 'light', 'moderate_plus', 'moderate_plus', None]
    """
    try:
        lv = int(level)
    except (TypeError, ValueError):
        return None
    if lv < 1:
        return None
    return "good" if lv <= 2 else ("light" if lv == 3 else "moderate_plus")


def _valid(frame: pd.DataFrame) -> pd.Series:
    obs = pd.to_numeric(frame["obs_aqi"], errors="coerce")
    centre = pd.to_numeric(frame["centre"], errors="coerce")
    return obs.notna() & np.isfinite(obs) & centre.notna() & np.isfinite(centre)


def paired(pairs: pd.DataFrame, label: str, reference: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``label`` and ``reference`` on their common cases only.

    A case counts when both labels have a forecast (finite centre) for the same issue date,
    district and target date, and the day has an observed AQI. Both frames come back in the same
    case order, so ``len`` of either is the number of cases compared.

    Examples
    --------
    >>> f = pd.DataFrame({"label": ["a", "a", "b"], "issue_date": [1, 2, 1], "district": ["x"] * 3,
    ...                   "target_date": [2, 3, 2], "centre": [50.0, 60.0, 55.0], "obs_aqi": [52.0] * 3})
    >>> a, b = paired(f, "a", "b")
    >>> len(a), len(b), list(a["centre"]), list(b["centre"])
    (1, 1, [50.0], [55.0])
    """
    a = pairs[(pairs["label"] == label)]
    b = pairs[(pairs["label"] == reference)]
    a = a[_valid(a)] if len(a) else a
    b = b[_valid(b)] if len(b) else b
    a = a.drop_duplicates(list(KEY), keep="last").set_index(list(KEY))
    b = b.drop_duplicates(list(KEY), keep="last").set_index(list(KEY))
    common = a.index.intersection(b.index).sort_values()
    return a.loc[common].reset_index(), b.loc[common].reset_index()


def preceding_period(first: date, last: date) -> tuple[date, date]:
    """The period just before ``first..last``: the previous calendar month(s) when the period is whole
    months, otherwise the same number of days.

    Examples
    --------
    >>> preceding_period(date(2026, 10, 1), date(2026, 10, 31))
    (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
    >>> preceding_period(date(2026, 1, 1), date(2026, 3, 31))
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    >>> preceding_period(date(2026, 10, 5), date(2026, 10, 11))
    (datetime.date(2026, 9, 28), datetime.date(2026, 10, 4))
    """
    end = first - timedelta(days=1)
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        y, m = first.year, first.month - months
        while m < 1:
            m += 12
            y -= 1
        return date(y, m, 1), end
    return first - timedelta(days=(last - first).days + 1), end


def _rate_of(frame: pd.DataFrame, column: str) -> float:
    v = frame[column].dropna()
    return float(v.astype(bool).mean()) if len(v) else math.nan


def choose_reference(pairs: pd.DataFrame, first: date, last: date, *, score: str = "level_hit_rate",
                     candidates: Sequence[str] | None = None, issued: str = "issued",
                     min_cases: int = 7) -> dict:
    """The best objective guidance for the period ``first..last``, chosen on the preceding period.

    ``pairs`` is an annotated pairs frame (:func:`forecasting.verification.annotate`) that holds the
    preceding period's target dates (rows of the evaluated period are ignored here). Each candidate
    label (default: every label but ``issued``) is scored on its valid cases of the preceding period
    (``score`` is a per-day verdict column: ``level_hit``, ``range_hit``, or the rate names
    ``level_hit_rate``/``range_hit_rate``); the highest rate with at least ``min_cases`` cases wins,
    ties broken by label. Returns ``{"label", "score", "value", "n", "first", "last"}`` (``label`` is
    ``""`` when no candidate had enough cases), so the choice and its window are recorded.
    """
    column = {"level_hit_rate": "level_hit", "range_hit_rate": "range_hit"}.get(score, score)
    if column not in ("level_hit", "range_hit"):
        raise ValidationError(f"reference score {score!r}: expected level_hit_rate or range_hit_rate",
                              key="verif.bad_reference_score", score=score)
    p_first, p_last = preceding_period(first, last)
    out = {"label": "", "score": score, "value": math.nan, "n": 0, "first": p_first, "last": p_last}
    if pairs.empty:
        return out
    days = pd.Series(pairs["target_date"])
    window = pairs[(days >= p_first) & (days <= p_last)]
    window = window[_valid(window)] if len(window) else window
    labels = sorted(set(window["label"])) if len(window) else []
    if candidates is not None:
        labels = [x for x in labels if x in set(candidates)]
    labels = [x for x in labels if x != issued]
    best = None
    for label in labels:
        part = window[window["label"] == label]
        n = int(part[column].notna().sum())
        if n < min_cases:
            continue
        value = _rate_of(part, column)
        if best is None or value > best[0] + 1e-12:
            best = (value, label, n)
    if best is not None:
        out.update(label=best[1], value=best[0], n=best[2])
    return out


# -- block bootstrap --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A statistic with its bootstrap 95 % interval and the number of cases and blocks behind it."""

    value: float
    lo: float
    hi: float
    n: int
    blocks: int

    def as_dict(self) -> dict:
        return {"value": self.value, "lo": self.lo, "hi": self.hi, "n": self.n, "blocks": self.blocks}


def _blocks_of(dates: Sequence, block_days: int) -> np.ndarray:
    if block_days < MIN_BLOCK_DAYS:
        raise ValidationError(f"bootstrap block of {block_days} days: expected at least {MIN_BLOCK_DAYS} days",
                              key="verif.bad_block", days=str(block_days))
    d = pd.to_datetime(pd.Series(list(dates)).astype(str)).to_numpy()
    if len(d) == 0:
        return np.zeros(0, dtype=int)
    start = d.min()
    return ((d - start) // np.timedelta64(1, "D")).astype(int) // block_days


def block_bootstrap(dates: Sequence, columns: Mapping[str, Sequence[float]],
                    statistic: Callable[[Mapping[str, np.ndarray]], np.ndarray], *, block_days: int = 7,
                    n_boot: int = 2000, seed: int = 20261129, level: float = 0.95) -> Interval:
    """Block-bootstrap percentile interval of a statistic that is a function of column *sums*.

    Parameters
    ----------
    dates : sequence of date
        Target date of each row; rows of the same block of ``block_days`` consecutive days (counted
        from the first date) are drawn together, whatever their district, lead day or source.
    columns : mapping of name to per-row values
        Additive quantities (hits, cases, squared errors, ...).
    statistic : callable
        From a mapping of name to sums (arrays of shape ``(k,)``) to the statistic (shape ``(k,)``).
    block_days : int
        Block length [d], at least :data:`MIN_BLOCK_DAYS`.
    n_boot : int
        Number of bootstrap replicates.
    seed : int
        Seed of the generator (the interval is reproducible).
    level : float
        Coverage of the interval (0.95: the 2.5th and 97.5th percentiles of the replicates).

    Returns
    -------
    Interval
        ``lo``/``hi`` are NaN when fewer than :data:`MIN_BLOCKS` blocks hold data.

    Examples
    --------
    >>> days = [date(2026, 10, 1) + timedelta(days=i) for i in range(28)]
    >>> hits = [1.0] * 28
    >>> r = block_bootstrap(days, {"h": hits, "n": [1.0] * 28}, lambda s: s["h"] / s["n"])
    >>> (r.value, r.lo, r.hi, r.n, r.blocks)
    (1.0, 1.0, 1.0, 28, 4)
    """
    blocks = _blocks_of(dates, block_days)
    names = list(columns)
    values = np.vstack([np.asarray(columns[k], dtype=float) for k in names]).T if names else np.zeros((0, 0))
    if len(blocks) == 0:
        return Interval(math.nan, math.nan, math.nan, 0, 0)
    uniq, inv = np.unique(blocks, return_inverse=True)
    sums = np.zeros((len(uniq), len(names)))
    np.add.at(sums, inv, np.nan_to_num(values))
    total = sums.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(np.asarray(statistic({k: total[i:i + 1] for i, k in enumerate(names)}))[0])
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(uniq), size=(n_boot, len(uniq)))
        counts = np.zeros((n_boot, len(uniq)))
        np.add.at(counts, (np.repeat(np.arange(n_boot), len(uniq)), draws.ravel()), 1.0)
        boot = counts @ sums
        reps = np.asarray(statistic({k: boot[:, i] for i, k in enumerate(names)}), dtype=float)
    reps = reps[np.isfinite(reps)]
    if not math.isfinite(value) or len(reps) == 0 or len(uniq) < MIN_BLOCKS:
        return Interval(value, math.nan, math.nan, len(blocks), len(uniq))
    a = (1 - level) / 2
    lo, hi = np.quantile(reps, [a, 1 - a])
    return Interval(value, float(lo), float(hi), len(blocks), len(uniq))


def rate_interval(frame: pd.DataFrame, column: str, *, block_days: int = 7, n_boot: int = 2000) -> Interval:
    """Rate of a per-day verdict column (``level_hit``, ``range_hit``, ``primary_hit``) with its interval;
    rows where the verdict is missing are not cases."""
    f = frame[frame[column].notna()] if len(frame) else frame
    hits = f[column].astype(bool).astype(float).to_numpy() if len(f) else np.zeros(0)
    return block_bootstrap(list(f["target_date"]) if len(f) else [], {"h": hits, "n": np.ones(len(f))},
                           lambda s: s["h"] / s["n"], block_days=block_days, n_boot=n_boot)


def skill_score(forecast: pd.DataFrame, reference: pd.DataFrame, *, block_days: int = 7,
                n_boot: int = 2000) -> Interval:
    """MSE skill score of the AQI centre against a reference on the same cases:
    ``SS = 1 − Σ(f − o)² / Σ(r − o)²`` (Murphy 1988; Wilks 2011 §8.1.4 eq. 8.4), with its interval.

    ``forecast`` and ``reference`` come from :func:`paired` (same cases in the same order).
    """
    if len(forecast) != len(reference):
        raise ValueError("skill_score: forecast and reference must be paired (see paired())")
    o = pd.to_numeric(forecast["obs_aqi"], errors="coerce").to_numpy(float)
    ef = (pd.to_numeric(forecast["centre"], errors="coerce").to_numpy(float) - o) ** 2
    er = (pd.to_numeric(reference["centre"], errors="coerce").to_numpy(float) - o) ** 2
    return block_bootstrap(list(forecast["target_date"]), {"f": ef, "r": er},
                           lambda s: np.where(s["r"] > 0, 1.0 - s["f"] / np.where(s["r"] > 0, s["r"], 1.0), np.nan),
                           block_days=block_days, n_boot=n_boot)


#: Verdict columns whose rates are compared (name of the rate → per-day column).
RATES = {"level_hit_rate": "level_hit", "range_hit_rate": "range_hit", "primary_accuracy": "primary_hit"}


def compare_with(pairs: pd.DataFrame, reference: str, *, issued: str = "issued",
                 rates: Sequence[str] = ("level_hit_rate", "range_hit_rate"), block_days: int = 7,
                 n_boot: int = 2000) -> dict:
    """Issued against one reference on their common cases.

    Returns ``{"reference", "n", rate: {"issued", "reference", "difference"} (Intervals), "skill"
    (MSE skill score of issued against the reference, Interval)}``. ``difference`` = issued − reference
    rate on the same cases (positive: the consultation did better).
    """
    a, b = paired(pairs, issued, reference)
    out: dict = {"reference": reference, "n": len(a)}
    for rate in rates:
        col = RATES[rate]
        both = a[col].notna().to_numpy() & b[col].notna().to_numpy() if len(a) else np.zeros(0, bool)
        fa = a[col][both].astype(bool).astype(float).to_numpy() if len(a) else np.zeros(0)
        fb = b[col][both].astype(bool).astype(float).to_numpy() if len(b) else np.zeros(0)
        dates = list(a["target_date"][both]) if len(a) else []
        one = np.ones(len(fa))
        out[rate] = {
            "issued": block_bootstrap(dates, {"h": fa, "n": one}, lambda s: s["h"] / s["n"], block_days=block_days,
                                      n_boot=n_boot),
            "reference": block_bootstrap(dates, {"h": fb, "n": one}, lambda s: s["h"] / s["n"],
                                         block_days=block_days, n_boot=n_boot),
            "difference": block_bootstrap(dates, {"a": fa, "b": fb, "n": one}, lambda s: (s["a"] - s["b"]) / s["n"],
                                          block_days=block_days, n_boot=n_boot),
        }
    out["skill"] = skill_score(a, b, block_days=block_days, n_boot=n_boot) if len(a) else \
        Interval(math.nan, math.nan, math.nan, 0, 0)
    return out


# -- probabilities of AQI > 100 ----------------------------------------------------------------------------


def brier_score(probability: Sequence[float], observed_aqi: Sequence[float], *, threshold: float = 100) -> float:
    """Brier score of the probability of ``AQI > threshold``: mean of ``(p − o)²``, o = 1 when the
    observed AQI exceeds the threshold (Brier 1950; Wilks 2011 §8.4.2 eq. 8.36). Cases with a missing
    probability or observation are left out; NaN when none is left.

    Examples
    --------
    >>> brier_score([0.0, 1.0, 0.5, 0.2], [80, 120, 130, 90])
    0.0725
    """
    p = np.asarray(probability, dtype=float)
    o = np.asarray(observed_aqi, dtype=float)
    ok = np.isfinite(p) & np.isfinite(o)
    if not ok.any():
        return math.nan
    return float(np.round(np.mean((p[ok] - (o[ok] > threshold)) ** 2), 12))


def reliability_table(probability: Sequence[float], observed_aqi: Sequence[float], *, threshold: float = 100,
                      bins: int = 10) -> pd.DataFrame:
    """Reliability diagram data: per probability bin ``[k/bins, (k+1)/bins)`` (the last bin closed),
    the number of forecasts, their mean probability and the observed frequency of ``AQI > threshold``
    (Wilks 2011 §8.4.4). Empty bins are left out.

    Examples
    --------
    >>> t = reliability_table([0.05, 0.05, 0.95, 0.95], [50, 120, 150, 160], bins=2)
    >>> t.values.tolist()
    [[0.0, 0.5, 2.0, 0.05, 0.5], [0.5, 1.0, 2.0, 0.95, 1.0]]
    """
    p = np.asarray(probability, dtype=float)
    o = np.asarray(observed_aqi, dtype=float)
    ok = np.isfinite(p) & np.isfinite(o)
    p, e = p[ok], (o[ok] > threshold).astype(float)
    k = np.clip(np.floor(p * bins).astype(int), 0, bins - 1)
    rows = []
    for b in range(bins):
        m = k == b
        if m.any():
            rows.append({"bin_lo": b / bins, "bin_hi": (b + 1) / bins, "n": float(m.sum()),
                         "mean_probability": float(p[m].mean()), "observed_frequency": float(e[m].mean())})
    return pd.DataFrame(rows, columns=["bin_lo", "bin_hi", "n", "mean_probability", "observed_frequency"])
