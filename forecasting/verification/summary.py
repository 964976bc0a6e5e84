"""The manager's answers: one period, one headline, intervals on every rate (issue #18).

:func:`period_summary` verifies a period (a preset such as "last month", or any dates) and returns
everything the verification page and the assessment report show first:

- the issued forecast's level hit rate and AQI range hit rate with block-bootstrap 95 % intervals
  (:mod:`forecasting.verification.compare`);
- polluted days (observed AQI > 100): how many district-days, and on how many the issued level span
  held the observed level ("污染日命中 5/7"). The AQI > 100 *event* scores (POD/FAR/CSI of the score
  table) read a range as forecasting the event when its **upper bound** exceeds 100 (``event_rule
  "upper"``, ``docs/verification.md`` §2); the headline counts level hits instead, which needs no rule;
- the difference from the **best objective guidance chosen on the preceding period**
  (:func:`forecasting.verification.compare.choose_reference`), from persistence and from
  climatology, each on the cases both have, with the number of cases and an interval;
- rates per district, per observed class (优良 / 轻度 / 中度及以上) and per lead day;
- Brier score and reliability of P(AQI > 100) when the guidance carries that probability.

**Climatology** (the no-skill reference of the MSE skill score): for each case, the mean observed daily
AQI of the district over the :data:`CLIMATOLOGY_DAYS` days before the issue date (only what was known
at the time; the demo world and a new installation have no multi-year record to take a calendar
climatology from). Its range is published with the default width rules like persistence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from forecasting.aqi import aqi_range, edition_for
from forecasting.store.db import Database
from forecasting.verification.compare import (
    OBSERVED_CLASSES,
    Interval,
    choose_reference,
    compare_with,
    brier_score,
    preceding_period,
    rate_interval,
    reliability_table,
)
from forecasting.errors import ValidationError
from forecasting.guidance import observed_daily_aqi
from forecasting.i18n import signed, t
from forecasting.verification.rules import annotate
from forecasting.verification.service import verify
from forecasting.vocab import DISTRICT_ORDER  # re-exported

__all__ = ["PRESETS", "preset_period", "PeriodSummary", "period_summary", "summary_pairs", "summarize",
           "CLIMATOLOGY_DAYS", "headline", "climatology_pairs", "DISTRICT_ORDER"]

#: The presets of the page, in display order.
PRESETS = ("last_month", "this_month", "last_quarter", "this_quarter", "this_year", "last_year")
#: Days of observations before the issue date that make a case's climatology [d].
CLIMATOLOGY_DAYS = 90
#: The zone's districts in display order (Qingpu, Wujiang, Jiashan).
_OBJECTIVE = ("ensemble", "corrected", "raw")


def _month_end(y: int, m: int) -> date:
    return (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))


def preset_period(name: str, today: date) -> tuple[date, date]:
    """The target dates of a preset, relative to ``today`` (Beijing); a current period ends yesterday.

    Examples
    --------
    >>> preset_period("last_month", date(2026, 11, 29))
    (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    >>> preset_period("this_month", date(2026, 11, 29))
    (datetime.date(2026, 11, 1), datetime.date(2026, 11, 28))
    >>> preset_period("last_quarter", date(2026, 11, 29))
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    >>> preset_period("this_year", date(2026, 1, 1))
    (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))
    """
    yesterday = today - timedelta(days=1)
    if name == "this_month":
        first, last = today.replace(day=1), yesterday
    elif name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
    elif name in ("this_quarter", "last_quarter"):
        q0 = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if name == "this_quarter":
            first, last = q0, yesterday
        else:
            last = q0 - timedelta(days=1)
            first = date(last.year, last.month - 2, 1)
    elif name == "this_year":
        first, last = date(today.year, 1, 1), yesterday
    elif name == "last_year":
        first, last = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    else:
        raise ValidationError(f"period preset {name!r}: expected one of {', '.join(PRESETS)}",
                              key="verif18.bad_preset", preset=str(name)[:40])
    return first, max(first, last)


def climatology_pairs(pairs: pd.DataFrame, observed: pd.DataFrame, *, days: int = CLIMATOLOGY_DAYS) -> pd.DataFrame:
    """Climatology forecasts for the issued cases of ``pairs`` (see the module docstring).

    ``observed`` is :func:`forecasting.guidance.observed_daily_aqi` covering ``days`` before the
    earliest issue date. Returns pair rows labelled ``climatology`` (observation columns copied from
    the issued rows), not annotated.
    """
    issued = pairs[pairs["label"] == "issued"]
    if issued.empty or observed.empty:
        return pairs.iloc[0:0].copy()
    obs = observed.copy()
    obs["aqi"] = pd.to_numeric(obs["aqi"], errors="coerce")
    series = {d: part.set_index("date")["aqi"].dropna().sort_index() for d, part in obs.groupby("district")}
    rows = []
    for r in issued.to_dict("records"):
        s = series.get(r["district"])
        mean = math.nan
        if s is not None and len(s):
            window = s[(s.index >= r["issue_date"] - timedelta(days=days)) & (s.index < r["issue_date"])]
            if len(window):
                mean = float(window.mean())
        row = dict(r, source="climatology", model="", label="climatology", revision=None, signed_by="",
                   primary=(), aqi_lo=None, aqi_hi=None, level_lo=None, level_hi=None, centre=mean)
        if math.isfinite(mean):
            rng = aqi_range(mean, edition=edition_for(r["target_date"]))
            row.update(aqi_lo=rng.lo, aqi_hi=rng.hi, level_lo=min(rng.levels), level_hi=max(rng.levels))
        rows.append(row)
    keep = [c for c in pairs.columns if c not in ("error", "range_hit", "level_distance", "level_hit", "primary_hit",
                                                  "composite", "month", "season", "obs_class")]
    return pd.DataFrame(rows)[keep]


@dataclass(frozen=True)
class PeriodSummary:
    """A verified period, ready to show (see the module docstring)."""

    first: date
    last: date
    lead_day: int | None
    n: int                      # issued cases with an observed AQI
    level: Interval             # issued level hit rate
    range: Interval             # issued AQI range hit rate
    polluted_hits: int          # polluted district-days whose level the issued span held
    polluted_days: int          # district-days with observed AQI > 100 (and an issued forecast)
    reference: dict             # choose_reference(): label, value, n, first, last
    comparisons: dict           # label -> compare_with() for the reference, persistence, climatology
    by_district: pd.DataFrame
    by_class: pd.DataFrame
    by_lead: pd.DataFrame
    brier: dict = field(default_factory=dict)  # label -> {"brier", "n", "reliability"} when probabilities exist
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def has_issued(self) -> bool:
        return self.n > 0


def _rates(part: pd.DataFrame, *, n_boot: int) -> dict:
    lv = rate_interval(part, "level_hit", n_boot=n_boot)
    rg = rate_interval(part, "range_hit", n_boot=n_boot)
    polluted = part[pd.to_numeric(part["obs_aqi"], errors="coerce") > 100]
    return {"n": lv.n, "level_hit_rate": lv.value, "level_lo": lv.lo, "level_hi": lv.hi,
            "range_hit_rate": rg.value, "range_lo": rg.lo, "range_hi": rg.hi,
            "polluted_days": int(polluted["level_hit"].notna().sum()),
            "polluted_hits": int(polluted["level_hit"].fillna(False).astype(bool).sum())}


def _breakdown(issued: pd.DataFrame, column: str, order, *, n_boot: int) -> pd.DataFrame:
    rows = []
    for key in order:
        part = issued[issued[column] == key]
        if len(part):
            rows.append({column: key, **_rates(part, n_boot=n_boot)})
    cols = [column, "n", "level_hit_rate", "level_lo", "level_hi", "range_hit_rate", "range_lo", "range_hi",
            "polluted_days", "polluted_hits"]
    return pd.DataFrame(rows, columns=cols)


def _p100_column(pairs: pd.DataFrame) -> str | None:
    for c in ("p100", "p_aqi_gt_100", "p_exceed_100"):
        if c in pairs and pd.to_numeric(pairs[c], errors="coerce").notna().any():
            return c
    return None


def period_summary(db: Database, first: date, last: date, *, lead_day: int | None = None,
                   n_boot: int = 1000) -> PeriodSummary:
    """Verify ``first..last`` for managers (see the module docstring). ``lead_day=None``: every lead.
    The same as ``summarize(summary_pairs(db, first, last), first, last, ...)``."""
    return summarize(summary_pairs(db, first, last), first, last, lead_day=lead_day, n_boot=n_boot)


def summary_pairs(db: Database, first: date, last: date) -> pd.DataFrame:
    """The annotated pairs a summary of ``first..last`` is computed from, every lead day: the period and the
    preceding one (where the reference is chosen), with the climatological forecast of each case. The part
    of :func:`period_summary` that reads the database (most of its time); a page keeps it while only the
    lead day changes."""
    p_first, _ = preceding_period(first, last)
    pairs = verify(db, p_first, last).pairs
    if len(pairs):
        start = min(pairs["issue_date"]) - timedelta(days=CLIMATOLOGY_DAYS)
        clim = climatology_pairs(pairs, observed_daily_aqi(db, start, last))
        if len(clim):
            pairs = pd.concat([pairs, annotate(clim)], ignore_index=True)
    return pairs


def summarize(pairs: pd.DataFrame, first: date, last: date, *, lead_day: int | None = None,
              n_boot: int = 1000) -> PeriodSummary:
    """The :class:`PeriodSummary` of ``first..last`` from :func:`summary_pairs` (no database)."""
    p_first, _ = preceding_period(first, last)
    if lead_day is not None and len(pairs):
        pairs = pairs[pairs["lead_day"] == lead_day]
    if len(pairs):
        in_period = (pairs["target_date"] >= first) & (pairs["target_date"] <= last)
        now = pairs[in_period].reset_index(drop=True)
    else:
        now = pairs
    objective = sorted({x for x in pairs.get("label", pd.Series(dtype=str)) if x.split(":")[0] in _OBJECTIVE})
    reference = choose_reference(pairs, first, last, candidates=objective) if len(pairs) else \
        {"label": "", "value": math.nan, "n": 0, "first": p_first, "last": first - timedelta(days=1)}
    issued = now[(now["label"] == "issued") & now["obs_aqi"].notna()] if len(now) else now
    whole = _rates(issued, n_boot=n_boot) if len(issued) else None
    comparisons = {}
    for label in [reference["label"], "persistence", "climatology"]:
        if label and len(issued):
            comparisons[label] = compare_with(now, label, n_boot=n_boot)
    brier = {}
    col = _p100_column(now) if len(now) else None
    if col:
        for label, part in now.groupby("label", sort=False):  # the pairs' order: the guidance before the models
            p = pd.to_numeric(part[col], errors="coerce")
            if p.notna().any():
                o = pd.to_numeric(part["obs_aqi"], errors="coerce")
                brier[label] = {"brier": brier_score(p, o), "n": int((p.notna() & o.notna()).sum()),
                                "reliability": reliability_table(p, o)}
    empty = Interval(math.nan, math.nan, math.nan, 0, 0)
    return PeriodSummary(
        first, last, lead_day, int(whole["n"]) if whole else 0,
        rate_interval(issued, "level_hit", n_boot=n_boot) if whole else empty,
        rate_interval(issued, "range_hit", n_boot=n_boot) if whole else empty,
        whole["polluted_hits"] if whole else 0, whole["polluted_days"] if whole else 0,
        reference, comparisons,
        _breakdown(issued, "district", DISTRICT_ORDER, n_boot=n_boot) if whole else pd.DataFrame(),
        _breakdown(issued, "obs_class", OBSERVED_CLASSES, n_boot=n_boot) if whole else pd.DataFrame(),
        _breakdown(issued, "lead_day", sorted(set(issued["lead_day"])), n_boot=n_boot) if whole else pd.DataFrame(),
        brier, now)


def _pct(x: float) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{100 * x:.0f}"


def headline(summary: PeriodSummary, lang: str = "zh", *, period_name: str = "") -> str:
    """The one-line answer, e.g. "上月：等级准确率 75 %（95 % 区间 66–83 %），污染日命中 5/7，较客观指导 +6 %".

    ``period_name`` is the preset's name in ``lang`` (or the dates). The difference from the objective
    guidance is the level hit rate of the issued forecast minus that of the reference chosen on the
    preceding period, on their common cases.
    """
    name = period_name or f"{summary.first}–{summary.last}"
    if not summary.has_issued:
        return t("verif18.headline_none", lang, period=name)
    if math.isfinite(summary.level.lo) and math.isfinite(summary.level.hi):
        text = t("verif18.headline", lang, period=name, rate=_pct(summary.level.value), lo=_pct(summary.level.lo),
                 hi=_pct(summary.level.hi), hits=summary.polluted_hits, days=summary.polluted_days)
    else:  # fewer than three weeks with data: no honest interval
        text = t("verif18.headline_noci", lang, period=name, rate=_pct(summary.level.value),
                 hits=summary.polluted_hits, days=summary.polluted_days)
    ref = summary.reference.get("label")
    cmp_ = summary.comparisons.get(ref) if ref else None
    if cmp_ and cmp_["n"] and math.isfinite(cmp_["level_hit_rate"]["difference"].value):
        d = cmp_["level_hit_rate"]["difference"].value
        text += t("verif18.headline_vs", lang, delta=signed(100 * d))
    return text
