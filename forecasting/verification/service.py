"""Verification over the stored data: issued forecasts, guidance and persistence against observations.

Read-only (no table of its own; everything is computed from stored data on each call):

- observed daily AQI per district and Beijing day, by the edition in force on that day
  (:func:`forecasting.guidance.observed_daily_aqi`);
- ``issued``: the newest revision of each issue date's issued forecast (the canonical JSON snapshot in
  ``issued_forecasts``; older revisions are superseded, :func:`forecasting.consultation.issued_forecasts`);
- ``ensemble`` (the corrected guidance suggested to forecasters), ``corrected`` and ``raw`` per model,
  from the stored guidance of the same issue date (:mod:`forecasting.guidance`);
- ``persistence``: the observed daily AQI, level and primary pollutant(s) of the day before the issue
  date (the newest published daily report at the 15:00 consultation), as the forecast of every lead
  day, published as a range with the default width rules (:func:`forecasting.aqi.aqi_range`).

A period ``first..last`` is a set of **target dates** (the days verified). Lead day = target date −
issue date. By default (``same_days=True``) every source is verified on the (issue date, district,
target date) triples the issued forecasts cover, so the value the consultation adds is measured on
the same days; with no issued forecast in the period the objective sources are verified on all
their days. See ``docs/verification.md``.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import select

from forecasting.aqi import aqi_range, edition_for, level_of
from forecasting.consultation import duty_for, list_notes
from forecasting.errors import NotFound, ValidationError
from forecasting.guidance import observed_daily_aqi
from forecasting.store.consultation import IssuedForecast
from forecasting.store.db import Database
from forecasting.store.science import Guidance
from forecasting.textlimits import csv_safe
from forecasting.verification.rules import (
    EVENT_RULES,
    CompositeWeights,
    annotate,
    rolling_scores,
    score_table,
    value_added,
)

__all__ = ["SOURCES", "BREAKDOWNS", "VerificationReport", "YesterdayRow", "YesterdaySummary", "verification_pairs",
           "verify", "yesterday_summary", "session_notes", "to_csv", "from_csv", "MAX_LEAD_DAYS"]

#: Sources of forecasts, in display order.
SOURCES = ("issued", "ensemble", "corrected", "raw", "persistence")
#: Columns a score table may be broken down by (besides ``label``).
BREAKDOWNS = ("lead_day", "district", "month", "season", "duty_chief", "obs_class")
#: The longest lead of an issued forecast looked back for [d] (sessions have 7 target days by default).
MAX_LEAD_DAYS = 31
_EMPTY_COLUMNS = ["source", "model", "label", "issue_date", "district", "target_date", "lead_day", "edition", "aqi_lo",
                  "aqi_hi", "centre", "level_lo", "level_hi", "primary", "revision", "signed_by", "duty_chief",
                  "obs_edition", "obs_aqi", "obs_level", "obs_primary", "p100"]


def _label(source: str, model: str) -> str:
    return f"{source}:{model}" if model else source


def _issued_rows(db: Database, first: date, last: date) -> list[dict]:
    """The newest revision per issue date, days with target date in ``first..last``."""
    with db.read() as s:
        rows = list(s.execute(
            select(IssuedForecast.issue_date, IssuedForecast.revision, IssuedForecast.snapshot)
            .where(IssuedForecast.issue_date >= first - timedelta(days=MAX_LEAD_DAYS),
                   IssuedForecast.issue_date < last)
            .order_by(IssuedForecast.issue_date, IssuedForecast.revision)))
    newest: dict[date, tuple[int, str]] = {}
    for issue, revision, snapshot in rows:  # ordered by revision: the last one per date wins
        newest[issue] = (revision, snapshot)
    out = []
    for issue, (revision, text) in sorted(newest.items()):
        snap = json.loads(text)
        for d in snap.get("districts", []):
            for e in d.get("days", []):
                target = date.fromisoformat(e["target_date"])
                if not first <= target <= last:
                    continue
                lo, hi = e.get("aqi_lo"), e.get("aqi_hi")
                out.append({
                    "source": "issued", "model": "", "issue_date": issue, "district": d["adcode"],
                    "target_date": target, "lead_day": (target - issue).days,
                    "edition": e.get("edition") or edition_for(target), "aqi_lo": lo, "aqi_hi": hi,
                    "centre": (lo + hi) / 2.0 if lo is not None and hi is not None else math.nan,
                    "level_lo": e.get("level_lo") or level_of(lo), "level_hi": e.get("level_hi") or level_of(hi),
                    "primary": tuple(e.get("primary") or ()), "revision": revision,
                    "signed_by": snap.get("signed_by", ""),
                })
    return out


def _guidance_rows(db: Database, first: date, last: date, sources: set[str]) -> list[dict]:
    methods = {"ensemble": "ensemble", "corrected": "corrected", "raw": "raw"}
    wanted = [m for s, m in methods.items() if s in sources]
    if not wanted:
        return []
    # P(AQI > 100) of the guidance (issue #13's ``Guidance.p_over_100``) when the column exists
    p100 = getattr(Guidance, "p_over_100", None)
    q = (select(Guidance.issue_date, Guidance.district, Guidance.target_date, Guidance.method, Guidance.model,
                Guidance.edition, Guidance.centre, Guidance.aqi_lo, Guidance.aqi_hi, Guidance.level_lo,
                Guidance.level_hi, Guidance.primary, *([p100] if p100 is not None else []))
         .where(Guidance.target_date >= first, Guidance.target_date <= last, Guidance.issue_date < Guidance.target_date,
                Guidance.method.in_(wanted)))
    with db.read() as s:
        rows = list(s.execute(q))
    out = []
    for row in rows:
        issue, district, target, method, model, edition, centre, lo, hi, llo, lhi, primary = row[:12]
        prob = row[12] if len(row) > 12 and row[12] is not None else math.nan
        model = "" if method == "ensemble" else (model or "")
        out.append({
            "source": method, "model": model, "issue_date": issue, "district": district, "target_date": target,
            "lead_day": (target - issue).days, "edition": edition, "aqi_lo": lo, "aqi_hi": hi,
            "centre": math.nan if centre is None else float(centre), "level_lo": llo, "level_hi": lhi,
            "primary": tuple(primary or ()), "revision": None, "signed_by": "", "p100": float(prob),
        })
    return out


def _persistence_rows(keys: Iterable[tuple[date, str, date]], observed: dict) -> list[dict]:
    out = []
    for issue, district, target in keys:
        o = observed.get((district, issue - timedelta(days=1)))
        aqi = o["aqi"] if o else math.nan
        row = {"source": "persistence", "model": "", "issue_date": issue, "district": district, "target_date": target,
               "lead_day": (target - issue).days, "edition": edition_for(target), "aqi_lo": None, "aqi_hi": None,
               "centre": math.nan, "level_lo": None, "level_hi": None, "primary": (), "revision": None,
               "signed_by": ""}
        if o and math.isfinite(aqi):
            rng = aqi_range(float(aqi), edition=edition_for(target))
            row.update(aqi_lo=rng.lo, aqi_hi=rng.hi, centre=float(aqi), level_lo=min(rng.levels),
                       level_hi=max(rng.levels), primary=tuple(o["primary"]))
        out.append(row)
    return out


def _observed(db: Database, first: date, last: date) -> dict[tuple[str, date], dict]:
    frame = observed_daily_aqi(db, first, last)
    out = {}
    for r in frame.itertuples(index=False):
        aqi = float(r.aqi) if r.aqi is not None and np.isfinite(r.aqi) else math.nan
        level = level_of(aqi) if math.isfinite(aqi) else None
        out[(r.district, r.date)] = {"aqi": aqi, "level": level, "primary": tuple(r.primary or ()),
                                     "edition": r.edition}
    return out


def _duty_chiefs(db: Database, issue_dates: Iterable[date]) -> dict[date, str]:
    out = {}
    for d in sorted(set(issue_dates)):
        out[d] = duty_for(db, d).chief_name or ""  # a day without a rota turn has no chief: ""
    return out


def verification_pairs(db: Database, first: date, last: date, *, sources: Sequence[str] = SOURCES,
                       same_days: bool = True) -> pd.DataFrame:
    """(forecast, observation) pairs of the target dates ``first..last``, one row per source, model,
    issue date, district and target date (columns: ``source model label issue_date district
    target_date lead_day edition aqi_lo aqi_hi centre level_lo level_hi primary revision signed_by
    duty_chief obs_edition obs_aqi obs_level obs_primary``; ``obs_aqi`` NaN where the day has no
    published AQI). See the module docstring for the sources and ``same_days``."""
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValidationError(f"unknown source(s) {', '.join(sorted(unknown))}: expected {', '.join(SOURCES)}",
                              key="verif.bad_source", source=", ".join(sorted(unknown)))
    wanted = set(sources)
    issued = _issued_rows(db, first, last) if "issued" in wanted else []
    guidance = _guidance_rows(db, first, last, wanted)
    issues = [r["issue_date"] for r in issued + guidance]
    observed = _observed(db, min([first, *issues]) - timedelta(days=1), last)  # persistence: the day before
    keys_issued = {(r["issue_date"], r["district"], r["target_date"]) for r in issued}
    if "persistence" in wanted:
        keys = keys_issued | {(r["issue_date"], r["district"], r["target_date"]) for r in guidance}
        persistence = _persistence_rows(sorted(keys), observed)
    else:
        persistence = []
    rows = issued + guidance + persistence
    if same_days and keys_issued:
        rows = [r for r in rows if (r["issue_date"], r["district"], r["target_date"]) in keys_issued]
    if not rows:
        return pd.DataFrame(columns=_EMPTY_COLUMNS)
    chiefs = _duty_chiefs(db, {r["issue_date"] for r in rows})
    for r in rows:
        r["duty_chief"] = chiefs.get(r["issue_date"], "")
        o = observed.get((r["district"], r["target_date"]))
        r["obs_edition"] = o["edition"] if o else edition_for(r["target_date"])
        r["obs_aqi"] = o["aqi"] if o else math.nan
        r["obs_level"] = o["level"] if o else None
        r["obs_primary"] = o["primary"] if o else ()
    frame = pd.DataFrame(rows)
    frame["label"] = [_label(s, m) for s, m in zip(frame["source"], frame["model"])]
    order = {s: i for i, s in enumerate(SOURCES)}
    frame["_o"] = frame["source"].map(order)
    frame = frame.sort_values(["_o", "model", "issue_date", "district", "target_date"]).drop(columns="_o")
    for c in ("aqi_lo", "aqi_hi", "level_lo", "level_hi", "revision", "obs_level"):
        frame[c] = pd.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
                             for v in frame[c]], dtype="Int64")
    frame["centre"] = frame["centre"].astype(float)
    frame["obs_aqi"] = frame["obs_aqi"].astype(float)
    frame["p100"] = pd.to_numeric(frame["p100"], errors="coerce").astype(float) if "p100" in frame else math.nan
    return frame[_EMPTY_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class VerificationReport:
    """The verification of a period: annotated pairs and the score tables derived from them."""

    first: date
    last: date
    pairs: pd.DataFrame  # annotated (:func:`forecasting.verification.annotate`)
    event_rule: str = "upper"
    weights: CompositeWeights = field(default_factory=CompositeWeights)

    @property
    def labels(self) -> list[str]:
        """Labels present, issued first, then ensemble, corrected, raw, persistence."""
        if self.pairs.empty:
            return []
        seen = self.pairs.drop_duplicates("label")
        return list(seen["label"])

    @property
    def has_issued(self) -> bool:
        return bool((self.pairs["source"] == "issued").any()) if len(self.pairs) else False

    def table(self, by: Sequence[str] = ("lead_day",)) -> pd.DataFrame:
        """Scores per label and ``by`` columns (any of :data:`BREAKDOWNS`; ``()`` for the whole period)."""
        return score_table(self.pairs, by=["label", *by], event_rule=self.event_rule, weights=self.weights)

    def value_added(self, by: Sequence[str] = ("lead_day",)) -> pd.DataFrame:
        """Issued minus the best objective guidance per score (:func:`forecasting.verification.value_added`)."""
        return value_added(self.table(by), by=list(by))

    def rolling(self, window: int = 30, *, by: Sequence[str] = ("label",), lead_day: int | None = None,
                columns: Sequence[str] = ("range_hit_rate", "level_hit_rate", "rmse", "composite")) -> pd.DataFrame:
        """Trailing ``window``-day scores per target date (optionally one lead day only)."""
        part = self.pairs if lead_day is None else self.pairs[self.pairs["lead_day"] == lead_day]
        return rolling_scores(part, window=window, by=by, columns=columns, event_rule=self.event_rule,
                              weights=self.weights)

    def worst_misses(self, n: int = 20, *, source: str = "issued") -> pd.DataFrame:
        """The ``n`` worst days of one source: largest level distance, then largest |AQI error|."""
        p = self.pairs[(self.pairs["label"] == source) & self.pairs["obs_aqi"].notna()].copy()
        if p.empty:
            return p
        p["abs_error"] = p["error"].abs()
        p["_d"] = p["level_distance"].fillna(0).astype(int)
        p = p.sort_values(["_d", "abs_error", "target_date"], ascending=[False, False, False]).head(n)
        return p.drop(columns=["_d"]).reset_index(drop=True)


def verify(db: Database, first: date, last: date, *, sources: Sequence[str] = SOURCES, same_days: bool = True,
           event_rule: str = "upper", weights: CompositeWeights | None = None) -> VerificationReport:
    """Verify the target dates ``first..last`` (see the module docstring); returns the report."""
    if last < first:
        raise ValidationError(f"--to {last} is before --from {first}", key="common.dates_reversed",
                              first=first.isoformat(), last=last.isoformat())
    if event_rule not in EVENT_RULES:
        raise ValidationError(f"event rule {event_rule!r}: expected one of {', '.join(EVENT_RULES)}",
                              key="verif.bad_event_rule", rule=event_rule)
    w = weights or CompositeWeights()
    pairs = annotate(verification_pairs(db, first, last, sources=sources, same_days=same_days), weights=w)
    return VerificationReport(first, last, pairs, event_rule, w)


# -- yesterday, for the consultation room --------------------------------------------------------------


@dataclass(frozen=True)
class YesterdayRow:
    """One forecast of yesterday (a district, a lead day, a source) against what was observed."""

    district: str
    lead_day: int
    issue_date: date
    source: str
    aqi_lo: int | None
    aqi_hi: int | None
    level_lo: int | None
    level_hi: int | None
    primary: tuple[str, ...]
    observed_aqi: float | None
    observed_level: int | None
    observed_primary: tuple[str, ...]
    range_hit: bool | None
    level_hit: bool | None
    primary_hit: bool | None
    error: float | None  # centre − observed [AQI]


@dataclass(frozen=True)
class YesterdaySummary:
    """Yesterday's verification: per district the issued forecasts (every lead) and the suggested
    guidance and persistence of the same issue dates, against the observed daily AQI."""

    issue_date: date
    day: date
    rows: tuple[YesterdayRow, ...]

    def of(self, source: str = "issued", *, lead_day: int | None = 1) -> list[YesterdayRow]:
        """The rows of one source (and lead day; ``None`` = every lead), in district order."""
        return [r for r in self.rows if r.source == source and (lead_day is None or r.lead_day == lead_day)]

    def hit_count(self, source: str = "issued", *, lead_day: int | None = 1) -> tuple[int, int]:
        """``(range hits, days verified)`` of one source and lead day."""
        rows = [r for r in self.of(source, lead_day=lead_day) if r.range_hit is not None]
        return sum(r.range_hit for r in rows), len(rows)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([r.__dict__ for r in self.rows])


def _opt(v, cast):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return cast(v)


def yesterday_summary(db: Database, issue_date: date | str, *,
                      sources: Sequence[str] = ("issued", "ensemble", "persistence")) -> YesterdaySummary:
    """Verification of the day before ``issue_date`` (Beijing), for the consultation room.

    Every issued forecast that covered yesterday (D+1 issued the day before, D+2 two days before ...,
    the newest revision of each), with ``ensemble`` and ``persistence`` of the same issue dates, against
    yesterday's observed daily AQI (``None`` fields when not yet observed or not forecast).
    """
    if isinstance(issue_date, str):
        issue_date = date.fromisoformat(issue_date)
    day = issue_date - timedelta(days=1)
    pairs = annotate(verification_pairs(db, day, day, sources=sources, same_days=False))
    rows = []
    for r in pairs.itertuples(index=False):
        rows.append(YesterdayRow(
            r.district, int(r.lead_day), r.issue_date, r.label, _opt(r.aqi_lo, int), _opt(r.aqi_hi, int),
            _opt(r.level_lo, int), _opt(r.level_hi, int), tuple(r.primary), _opt(r.obs_aqi, float),
            _opt(r.obs_level, int), tuple(r.obs_primary), _opt(r.range_hit, bool), _opt(r.level_hit, bool),
            _opt(r.primary_hit, bool), _opt(r.error, float)))
    order = {s: i for i, s in enumerate(SOURCES)}
    rows.sort(key=lambda r: (r.district, order.get(r.source.split(":")[0], 9), r.source, r.lead_day))
    return YesterdaySummary(issue_date, day, tuple(rows))


def session_notes(db: Database, issue_date: date) -> list:
    """The consultation notes of ``issue_date`` (:func:`forecasting.consultation.list_notes`); empty
    when that date had no consultation."""
    try:
        return list_notes(db, issue_date)
    except NotFound:
        return []


# -- CSV export ---------------------------------------------------------------------------------------


def _cell(v):
    if isinstance(v, (frozenset, set)):
        return "+".join(sorted(str(x) for x in v))
    if isinstance(v, (tuple, list)):
        return "+".join(str(x) for x in v)
    return v


def to_csv(frame: pd.DataFrame) -> bytes:
    """A score table or pairs frame as UTF-8 CSV with a byte-order mark (so Excel on a Chinese Windows
    reads its Chinese as Chinese, like the audit and assessment exports; dates ISO, pollutant sets joined by
    ``+``, full float precision) that :func:`from_csv` (or ``pandas.read_csv``) reads back."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = [csv_safe(_cell(v)) for v in out[c]]  # no spreadsheet formulas (#15)
    buf = io.StringIO()
    out.to_csv(buf, index=False, date_format="%Y-%m-%d")  # floats as repr: exact round trip
    return buf.getvalue().encode("utf-8-sig")


def from_csv(data: bytes) -> pd.DataFrame:
    """Read an export of :func:`to_csv` back (dates as ``datetime.date``, pollutant sets as tuples)."""
    text = {c: str for c in ("district", "source", "model", "label", "duty_chief", "signed_by", "edition",
                             "obs_edition", "month", "season", "best_label", "score")}
    frame = pd.read_csv(io.BytesIO(data), dtype=text, keep_default_na=True, encoding="utf-8-sig")
    for c in text:
        if c in frame:
            frame[c] = frame[c].fillna("")
    for c in ("issue_date", "target_date", "date"):
        if c in frame:
            frame[c] = [date.fromisoformat(str(v)) if isinstance(v, str) and v else None for v in frame[c]]
    for c in ("primary", "obs_primary"):
        if c in frame:
            frame[c] = [tuple(str(v).split("+")) if isinstance(v, str) and v else () for v in frame[c]]
    return frame
