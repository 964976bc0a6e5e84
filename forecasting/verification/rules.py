"""Verification rules for daily AQI forecasts issued as ranges (pure functions, no database).

A forecast of one district and target day is an AQI range ``[aqi_lo, aqi_hi]`` with the level span
it covers and a set of primary pollutants (spec ``china-aqi.md`` §3.1); its *centre* is
``(aqi_lo + aqi_hi) / 2`` (the centre of a model's guidance is the model's own daily AQI). The rules,
with their sources (all operational practice, UNCONFIRMED as national text; see ``docs/verification.md``):

- **AQI range hit**: the observed AQI lies in ``[aqi_lo, aqi_hi]``, both ends inclusive (spec §3.3,
  CNEMC 王晓彦 et al. 2022 "AQI范围预报评估").
- **Level hit**: the observed level is one of the levels the range spans, ``level_lo ≤ level ≤ level_hi``
  ("良至轻度污染" hits on level 2 or 3; spec §3.3, T53, T54).
- **Primary pollutant hit**: only days with observed AQI > 50 count (no primary pollutant otherwise,
  HJ 633-2026 §4.3.1); a hit when the forecast set and the observed set (ties, 并列) share at least
  one pollutant. A forecast with no primary pollutant on such a day is a miss.
- **Events** AQI > 100 (light pollution or worse) and AQI > 200 (heavy pollution, HJ 1130 "重污染天"):
  observed when the observed AQI exceeds the threshold; forecast, by default (``event_rule="upper"``),
  when the range's upper bound exceeds it, the same reading of a range as the level hit (a range
  reaching level 3 forecasts that level 3 may occur, and is credited when it does). ``"centre"`` uses
  the range centre instead. POD, FAR, CSI from the 2 × 2 table (:func:`forecasting.scores.event_scores`).
- **Continuous scores** MB, NMB, NME, RMSE, R of the centre against the observed AQI
  (:func:`forecasting.scores.continuous_scores`, HJ 1130-2020 §6 as used in public code, spec §3.2).
- **Composite score** (optional, Shanghai practice, 胡鸣 et al. 2015, spec §3.3):
  ``S = w1·f1 + w2·f2 + w3·f3`` with default weights 0.2 / 0.5 / 0.3; f1 primary hit 100/0; f2 level
  distance 0/1/2/≥3 → 100/50/25/0 (distance from the observed level to the forecast span); f3
  ``|centre − observed|`` ≤ 25/50/100/150/> 150 → 100/80/60/30/0. On a day whose primary pollutant is not
  evaluated (observed AQI ≤ 50) f1 is left out and the other weights are rescaled to sum to 1.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from forecasting import scores
from forecasting.errors import ValidationError

__all__ = [
    "THRESHOLDS",
    "EVENT_RULES",
    "SCORE_COLUMNS",
    "HIGHER_IS_BETTER",
    "CompositeWeights",
    "range_hit",
    "level_hit",
    "level_distance",
    "primary_hit",
    "event_forecast",
    "composite_score",
    "annotate",
    "score_pairs",
    "score_table",
    "rolling_scores",
    "value_added",
    "season_of",
]

#: AQI thresholds of the verified events: > 100 (轻度污染 or worse), > 200 (重度污染 or worse) [1].
THRESHOLDS = (100, 200)
#: How a range forecast "forecasts" an event (see the module docstring).
EVENT_RULES = ("upper", "centre")
#: Scores where a larger value is better (the rest: smaller, or smaller in absolute value for biases).
HIGHER_IS_BETTER = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "pod_100", "csi_100", "pod_200",
                    "csi_200", "r", "composite")
#: Scores whose absolute value is what matters (0 is best).
ABSOLUTE = ("mb", "nmb")
#: Columns of a score table, in order.
SCORE_COLUMNS = ("n", "range_hit_rate", "level_hit_rate", "n_primary", "primary_accuracy", "mb", "nmb", "nme",
                 "rmse", "r", "hits_100", "false_alarms_100", "misses_100", "correct_negatives_100", "pod_100",
                 "far_100", "csi_100", "hits_200", "false_alarms_200", "misses_200", "correct_negatives_200",
                 "pod_200", "far_200", "csi_200", "composite")


@dataclass(frozen=True)
class CompositeWeights:
    """Weights of the composite score (Shanghai practice: 0.2 primary, 0.5 level, 0.3 AQI error).

    Each weight is ≥ 0 and they sum to 1 (checked).
    """

    primary: float = 0.2
    level: float = 0.5
    aqi: float = 0.3

    def __post_init__(self):
        w = (self.primary, self.level, self.aqi)
        if any(not math.isfinite(x) or x < 0 for x in w) or abs(sum(w) - 1.0) > 1e-9:
            raise ValidationError(f"composite weights {w}: expected three numbers ≥ 0 that sum to 1, e.g. 0.2,0.5,0.3",
                                  key="verif.bad_weights", weights=",".join(str(x) for x in w))

    @classmethod
    def parse(cls, text: str) -> "CompositeWeights":
        """From ``"0.2,0.5,0.3"`` (primary, level, AQI error), as a Chinese input method may type it too:
        full-width digits and commas, or "、" between the numbers.

        Examples
        --------
        >>> CompositeWeights.parse("0.2，0.5，0.3") == CompositeWeights.parse("０.２、０.５、０.３")
        True
        """
        plain = unicodedata.normalize("NFKC", str(text)).replace("、", ",").replace(";", ",")
        try:
            a, b, c = (float(x) for x in plain.split(","))
        except ValueError:
            raise ValidationError(f"composite weights {text!r}: expected three numbers such as 0.2,0.5,0.3",
                                  key="verif.bad_weights", weights=str(text)) from None
        return cls(a, b, c)


def _num(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _set(x) -> frozenset:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return frozenset()
    if isinstance(x, str):
        return frozenset({x}) if x else frozenset()
    return frozenset(x)


def range_hit(aqi_lo, aqi_hi, observed_aqi) -> bool | None:
    """Observed AQI inside the forecast range, both ends inclusive; ``None`` when either is missing.

    Parameters
    ----------
    aqi_lo, aqi_hi : float
        The forecast AQI range [1].
    observed_aqi : float
        The observed daily AQI [1].

    Examples
    --------
    >>> range_hit(60, 80, 80), range_hit(60, 80, 81), range_hit(60, 80, None)
    (True, False, None)
    """
    lo, hi, o = _num(aqi_lo), _num(aqi_hi), _num(observed_aqi)
    if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(o)):
        return None
    return bool(lo <= o <= hi)


def level_distance(level_lo, level_hi, observed_level) -> int | None:
    """Levels between the observed level and the forecast span (0 when inside); ``None`` when missing.

    Examples
    --------
    >>> level_distance(2, 3, 3), level_distance(2, 3, 5), level_distance(2, 3, 1), level_distance(2, 3, None)
    (0, 2, 1, None)
    """
    lo, hi, o = _num(level_lo), _num(level_hi), _num(observed_level)
    if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(o)) or o < 1:
        return None
    return int(max(0.0, lo - o, o - hi))


def level_hit(level_lo, level_hi, observed_level) -> bool | None:
    """Observed level among the levels of the forecast span (spec §3.3); ``None`` when missing.

    Examples
    --------
    >>> level_hit(2, 3, 2), level_hit(2, 2, 3)
    (True, False)
    """
    d = level_distance(level_lo, level_hi, observed_level)
    return None if d is None else d == 0


def primary_hit(forecast_primary, observed_primary, observed_aqi) -> bool | None:
    """Primary pollutant hit: the sets intersect; ``None`` (not evaluated) unless observed AQI > 50
    and the observation names a primary pollutant (HJ 633-2026 §4.3.1, spec §3.3).

    Examples
    --------
    >>> primary_hit({"pm25"}, {"pm25", "o3"}, 120), primary_hit("o3", "pm25", 120), primary_hit("o3", "o3", 45)
    (True, False, None)
    """
    o = _num(observed_aqi)
    obs = _set(observed_primary)
    if not math.isfinite(o) or o <= 50 or not obs:
        return None
    return bool(_set(forecast_primary) & obs)


def event_forecast(aqi_lo, aqi_hi, centre, threshold: float, *, rule: str = "upper") -> bool | None:
    """Whether the forecast forecasts the event ``AQI > threshold`` under ``rule``."""
    if rule not in EVENT_RULES:
        raise ValidationError(f"event rule {rule!r}: expected one of {', '.join(EVENT_RULES)}",
                              key="verif.bad_event_rule", rule=rule)
    v = _num(aqi_hi) if rule == "upper" else _num(centre)
    if not math.isfinite(v):
        return None
    return bool(v > threshold)


def _f2(distance: int) -> float:
    return {0: 100.0, 1: 50.0, 2: 25.0}.get(distance, 0.0)


def _f3(error: float) -> float:
    e = abs(error)
    for bound, points in ((25, 100.0), (50, 80.0), (100, 60.0), (150, 30.0)):
        if e <= bound:
            return points
    return 0.0


def composite_score(*, level_distance: int | None, error: float | None, primary: bool | None,
                    weights: CompositeWeights | None = None) -> float:
    """Shanghai composite score of one forecast day [0-100] (胡鸣, 赵倩彪, 伏晴艳 2015; spec §3.3).

    Parameters
    ----------
    level_distance : int
        Levels between the observed level and the forecast span (0 inside).
    error : float
        ``centre − observed`` AQI [1].
    primary : bool or None
        Primary pollutant hit; ``None`` when not evaluated (observed AQI ≤ 50): f1 is then left out
        and the level and AQI weights are rescaled to sum to 1.
    weights : CompositeWeights

    Examples
    --------
    Level one step off (f2 = 50), AQI 30 off (f3 = 80), primary hit (f1 = 100):
    0.2 · 100 + 0.5 · 50 + 0.3 · 80 = 69. Without a primary (observed AQI ≤ 50) the level and
    AQI weights are rescaled: (0.5 · 100 + 0.3 · 100) / 0.8 = 100.

    >>> round(composite_score(level_distance=1, error=-30, primary=True), 6)
    69.0
    >>> round(composite_score(level_distance=0, error=10, primary=None), 6)
    100.0
    """
    w = weights or CompositeWeights()
    if level_distance is None or error is None or not math.isfinite(_num(error)):
        return math.nan
    f2, f3 = _f2(int(level_distance)), _f3(float(error))
    if primary is None:
        rest = w.level + w.aqi
        return (w.level * f2 + w.aqi * f3) / rest if rest > 0 else math.nan
    return w.primary * (100.0 if primary else 0.0) + w.level * f2 + w.aqi * f3


def season_of(day: date) -> str:
    """Meteorological season of a date: ``DJF`` (winter), ``MAM``, ``JJA``, ``SON``.

    Examples
    --------
    >>> season_of(date(2026, 12, 1)), season_of(date(2026, 2, 28)), season_of(date(2026, 6, 1))
    ('DJF', 'DJF', 'JJA')
    """
    return ("DJF", "DJF", "MAM", "MAM", "MAM", "JJA", "JJA", "JJA", "SON", "SON", "SON", "DJF")[day.month - 1]


# -- over a frame of (forecast, observation) pairs ---------------------------------------------------

#: Columns a pairs frame needs (see :func:`forecasting.verification.verification_pairs`).
PAIR_COLUMNS = ("source", "model", "label", "issue_date", "district", "target_date", "lead_day", "aqi_lo", "aqi_hi",
                "centre", "level_lo", "level_hi", "primary", "obs_aqi", "obs_level", "obs_primary")


def annotate(pairs: pd.DataFrame, *, weights: CompositeWeights | None = None) -> pd.DataFrame:
    """Add the per-day verdicts to a pairs frame: ``error range_hit level_distance level_hit
    primary_hit composite month season`` (``None``/NaN where not evaluated)."""
    out = pairs.copy()
    if out.empty:
        for c in ("error", "range_hit", "level_distance", "level_hit", "primary_hit", "composite", "month", "season",
                  "obs_class"):
            out[c] = pd.Series(dtype=object)
        return out
    rh, ld, lh, ph, comp, err = [], [], [], [], [], []
    for r in out.itertuples(index=False):
        e = _num(r.centre) - _num(r.obs_aqi)
        err.append(e)
        rh.append(range_hit(r.aqi_lo, r.aqi_hi, r.obs_aqi))
        d = level_distance(r.level_lo, r.level_hi, r.obs_level)
        ld.append(d)
        lh.append(None if d is None else d == 0)
        p = primary_hit(r.primary, r.obs_primary, r.obs_aqi)
        ph.append(p)
        comp.append(composite_score(level_distance=d, error=e if math.isfinite(e) else None, primary=p,
                                    weights=weights))
    out["error"] = err
    out["range_hit"] = pd.array(rh, dtype="boolean")
    out["level_distance"] = pd.array(ld, dtype="Int64")
    out["level_hit"] = pd.array(lh, dtype="boolean")
    out["primary_hit"] = pd.array(ph, dtype="boolean")
    out["composite"] = comp
    days = pd.to_datetime(pd.Series(out["target_date"]).astype(str))
    out["month"] = days.dt.strftime("%Y-%m").to_numpy()
    out["season"] = [season_of(d.date()) for d in days]
    from forecasting.verification.compare import observed_class  # issue #18: split by what happened

    out["obs_class"] = [observed_class(x) for x in out["obs_level"]]
    return out


def _rate(values: pd.Series) -> float:
    v = values.dropna()
    return float(v.astype(bool).mean()) if len(v) else math.nan


def score_pairs(pairs: pd.DataFrame, *, event_rule: str = "upper", weights: CompositeWeights | None = None) -> dict:
    """Every score of one group of pairs (one source over some days): see :data:`SCORE_COLUMNS`.

    ``pairs`` may already be :func:`annotate`-d; days without an observed AQI are left out.
    """
    if event_rule not in EVENT_RULES:
        raise ValidationError(f"event rule {event_rule!r}: expected one of {', '.join(EVENT_RULES)}",
                              key="verif.bad_event_rule", rule=event_rule)
    a = pairs if "range_hit" in pairs else annotate(pairs, weights=weights)
    obs = pd.to_numeric(a["obs_aqi"], errors="coerce").to_numpy(dtype=float)
    centre = pd.to_numeric(a["centre"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(obs) & np.isfinite(centre)
    a = a[ok]
    obs, centre = obs[ok], centre[ok]
    out: dict = {"n": int(ok.sum())}
    out["range_hit_rate"] = _rate(a["range_hit"])
    out["level_hit_rate"] = _rate(a["level_hit"])
    out["n_primary"] = int(a["primary_hit"].notna().sum())
    out["primary_accuracy"] = scores.primary_pollutant_accuracy(list(a["primary"]), list(a["obs_primary"]),
                                                                observed_aqi=list(obs))
    cont = scores.continuous_scores(centre, obs)
    out.update({k: cont[k] for k in ("mb", "nmb", "nme", "rmse", "r")})
    event_value = pd.to_numeric(a["aqi_hi" if event_rule == "upper" else "centre"], errors="coerce").to_numpy(float)
    for t in THRESHOLDS:
        ev = scores.event_scores(event_value, obs, threshold=t)
        out.update({f"{k}_{t}": ev[k] for k in ("hits", "false_alarms", "misses", "correct_negatives", "pod", "far",
                                                  "csi")})
    comp = pd.to_numeric(a["composite"], errors="coerce").dropna()
    out["composite"] = float(comp.mean()) if len(comp) else math.nan
    return {k: out[k] for k in SCORE_COLUMNS}


def score_table(pairs: pd.DataFrame, *, by: Sequence[str] = ("label", "lead_day"), event_rule: str = "upper",
                weights: CompositeWeights | None = None) -> pd.DataFrame:
    """Scores per group of ``by`` columns (e.g. ``label`` and ``lead_day``, ``district``, ``month``,
    ``season``, ``duty_chief``): one row per group, the ``by`` columns then :data:`SCORE_COLUMNS`.

    The labels keep the pairs' order (``verification_pairs``: issued, ensemble, corrected, raw, persistence; a
    sorted table put "issued" fifth, after "corrected:…" and "ensemble"); the other keys are sorted within a label.
    """
    by = list(by)
    a = pairs if "range_hit" in pairs else annotate(pairs, weights=weights)
    if a.empty:
        return pd.DataFrame(columns=[*by, *SCORE_COLUMNS])
    rows = []
    for key, part in a.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), **score_pairs(part, event_rule=event_rule, weights=weights)})
    table = pd.DataFrame(rows, columns=[*by, *SCORE_COLUMNS])
    if "label" in by:
        rank = {label: i for i, label in enumerate(pd.unique(a["label"]))}
        table = table.sort_values("label", key=lambda col: col.map(rank), kind="stable").reset_index(drop=True)
    return table


def rolling_scores(pairs: pd.DataFrame, *, window: int = 30, by: Sequence[str] = ("label",),
                   columns: Iterable[str] = ("range_hit_rate", "level_hit_rate", "rmse", "composite"),
                   event_rule: str = "upper", weights: CompositeWeights | None = None) -> pd.DataFrame:
    """Scores over the trailing ``window`` days [d] ending on each target date: ``by... date n <columns>``.

    The window holds target dates ``date − window + 1 .. date``.
    """
    by, columns = list(by), list(columns)
    a = pairs if "range_hit" in pairs else annotate(pairs, weights=weights)
    if a.empty:
        return pd.DataFrame(columns=[*by, "date", "n", *columns])
    if set(columns) <= set(_ADDITIVE):
        return _rolling_sums(a, window=window, by=by, columns=columns)
    rows = []
    for key, part in a.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        days = sorted(set(part["target_date"]))
        for day in days:
            sub = part[(part["target_date"] > day - timedelta(days=window)) & (part["target_date"] <= day)]
            sc = score_pairs(sub, event_rule=event_rule, weights=weights)
            rows.append({**dict(zip(by, key)), "date": day, "n": sc["n"], **{c: sc[c] for c in columns}})
    return pd.DataFrame(rows, columns=[*by, "date", "n", *columns])


#: Scores that are ratios of sums over days, so a rolling window is a difference of cumulative sums.
_ADDITIVE = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "mb", "nmb", "nme", "rmse", "composite")


def _rolling_sums(a: pd.DataFrame, *, window: int, by: list[str], columns: list[str]) -> pd.DataFrame:
    """:func:`rolling_scores` for :data:`_ADDITIVE` scores, from daily sums (same numbers, much faster)."""
    obs = pd.to_numeric(a["obs_aqi"], errors="coerce").to_numpy(float)
    centre = pd.to_numeric(a["centre"], errors="coerce").to_numpy(float)
    ok = np.isfinite(obs) & np.isfinite(centre)  # days without a valid pair count nowhere (as score_pairs)
    err = np.where(ok, centre - obs, 0.0)
    comp = pd.to_numeric(a["composite"], errors="coerce").to_numpy(float)
    comp_ok = ok & np.isfinite(comp)
    daily = pd.DataFrame({
        **{c: a[c].to_numpy() for c in by}, "date": a["target_date"].to_numpy(), "n": ok.astype(float),
        "obs": np.where(ok, obs, 0.0), "e": err, "ae": np.abs(err), "se": err ** 2,
        "comp_n": comp_ok.astype(float), "comp": np.where(comp_ok, comp, 0.0),
    })
    for name in ("range_hit", "level_hit", "primary_hit"):
        flag = a[name]
        present = flag.notna().to_numpy(dtype=bool) & ok
        daily[f"{name}_n"] = present.astype(float)
        daily[f"{name}_s"] = (flag.fillna(False).to_numpy(dtype=bool) & present).astype(float)
    daily = daily.groupby([*by, "date"], sort=True).sum().reset_index()
    rows = []
    for key, part in (daily.groupby(by, sort=True) if by else [((), daily)]):
        key = key if isinstance(key, tuple) else (key,)
        part = part.set_index("date").drop(columns=by)
        days = pd.to_datetime(pd.Series(part.index).astype(str)).to_numpy()
        cum = part.cumsum().to_numpy()
        zero = np.zeros((1, cum.shape[1]))
        cum = np.vstack([zero, cum])
        cols = {c: i for i, c in enumerate(part.columns)}
        starts = np.searchsorted(days, days - np.timedelta64(window, "D"), side="right")
        for j, day in enumerate(part.index):
            w = cum[j + 1] - cum[starts[j]]
            n = w[cols["n"]]

            def ratio(num, den):
                return float(num / den) if den > 0 else math.nan

            values = {
                "range_hit_rate": ratio(w[cols["range_hit_s"]], w[cols["range_hit_n"]]),
                "level_hit_rate": ratio(w[cols["level_hit_s"]], w[cols["level_hit_n"]]),
                "primary_accuracy": ratio(w[cols["primary_hit_s"]], w[cols["primary_hit_n"]]),
                "mb": ratio(w[cols["e"]], n),
                "nmb": ratio(w[cols["e"]], w[cols["obs"]]) if w[cols["obs"]] != 0 else math.nan,
                "nme": ratio(w[cols["ae"]], w[cols["obs"]]) if w[cols["obs"]] != 0 else math.nan,
                "rmse": math.sqrt(w[cols["se"]] / n) if n > 0 else math.nan,
                "composite": ratio(w[cols["comp"]], w[cols["comp_n"]]),
            }
            rows.append({**dict(zip(by, key)), "date": day, "n": int(round(n)), **{c: values[c] for c in columns}})
    return pd.DataFrame(rows, columns=[*by, "date", "n", *columns])


#: Scores reported in the value-added table.
VALUE_ADDED_SCORES = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "csi_100", "rmse", "nme", "composite")


def value_added(table: pd.DataFrame, *, by: Sequence[str] = ("lead_day",), issued: str = "issued",
                objective: Iterable[str] | None = None,
                columns: Sequence[str] = VALUE_ADDED_SCORES) -> pd.DataFrame:
    """Issued minus the best objective guidance, per group of ``by`` and score.

    ``table`` is a :func:`score_table` with a ``label`` column and the ``by`` columns. For each
    score the best objective label is chosen in each group (largest for :data:`HIGHER_IS_BETTER`,
    smallest otherwise, smallest absolute value for MB/NMB), among the labels in ``objective``
    (default: every label except ``issued``). Returns ``by... score issued best best_label
    value_added`` with ``value_added = issued − best``: positive is an improvement for
    higher-is-better scores, negative for errors (RMSE, NME, FAR) and biases (``|issued| − |best|``).
    """
    by = list(by)
    cols = [*by, "score", "issued", "best", "best_label", "value_added"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    groups = table.groupby(by, sort=True) if by else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        mine = part[part["label"] == issued]
        others = part[part["label"] != issued]
        if objective is not None:
            others = others[others["label"].isin(list(objective))]
        for score in columns:
            iv = float(mine[score].iloc[0]) if len(mine) and pd.notna(mine[score].iloc[0]) else math.nan
            cand = others[["label", score]].dropna()
            cand = cand[(others.loc[cand.index, "n"] > 0)] if len(cand) else cand
            best, best_label = math.nan, ""
            if len(cand):
                vals = cand[score].astype(float)
                if score in ABSOLUTE:
                    i = vals.abs().idxmin()
                elif score in HIGHER_IS_BETTER:
                    i = vals.idxmax()
                else:
                    i = vals.idxmin()
                best, best_label = float(vals[i]), str(cand.loc[i, "label"])
            va = (abs(iv) - abs(best)) if score in ABSOLUTE else iv - best
            rows.append({**dict(zip(by, key)), "score": score, "issued": iv, "best": best, "best_label": best_label,
                         "value_added": va})
    return pd.DataFrame(rows, columns=cols)
