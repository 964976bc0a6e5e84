"""Objective guidance: stored district forecasts + observations → corrected forecasts → daily AQI
ranges per district and target day, for each issue date. What forecasters start from.

For every issue date the guidance holds, per district and target day:

- ``raw`` for each model (the model's own daily AQI);
- ``corrected`` for each model: the method in use for that district and pollutant (the one the
  last ``python -m forecasting train`` chose on validation data; ``kalman_filter``, Delle Monache
  et al. 2006, until then);
- ``ensemble``: the skill-weighted mean of the corrected models, the suggested forecast (a method
  chosen as ``persistence`` or ``raw`` enters the same combination).

Each row uses only what was known at its issue time (:func:`forecasting.correction.correct` trains
in time order, strictly before each issue time); the knowledge cut-off of an issue date is 15:00
Beijing time, the consultation deadline. The AQI comes from :mod:`forecasting.aqi` with the edition
of the target date. The hourly series behind the guidance are kept for recent issue dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select

from forecasting import audit, datastore
from forecasting.accounts import _current
from forecasting.permissions import Actor, require_role
from forecasting.store.db import Database
from forecasting.store.science import Guidance, GuidanceSeries, TrainedCorrectionRecord

__all__ = [
    "GuidanceRow",
    "compute_guidance",
    "guidance_for",
    "guidance_series",
    "latest_issue_date",
    "observed_aqi",
    "observed_daily_aqi",
    "methods_in_use",
    "issue_cutoff",
    "DEFAULT_METHOD",
    "SUGGESTED",
]

BEIJING = ZoneInfo("Asia/Shanghai")
DEFAULT_METHOD = "kalman_filter"
SUGGESTED = "ensemble"
HISTORY_DAYS = 45
KEEP_SERIES_DAYS = 16
_BATCH = 20_000


@dataclass(frozen=True)
class GuidanceRow:
    """One guidance value: a district, a target day, a method (and model)."""

    issue_date: date
    district: str
    target_date: date
    method: str
    model: str
    edition: str
    centre: float | None
    aqi_lo: int | None
    aqi_hi: int | None
    level_lo: int | None
    level_hi: int | None
    primary: tuple[str, ...]

    @property
    def lead_day(self) -> int:
        return (self.target_date - self.issue_date).days


def issue_cutoff(day: date) -> pd.Timestamp:
    """The consultation's knowledge cut-off: 15:00 Beijing time on the issue date [UTC]."""
    return pd.Timestamp(datetime.combine(day, time(15, 0)), tz=BEIJING).tz_convert("UTC")


def methods_in_use(db: Database) -> dict[tuple[str, str], str]:
    """``{(district, pollutant): method}`` of the active trained corrections."""
    with db.read() as s:
        rows = s.execute(select(TrainedCorrectionRecord.district, TrainedCorrectionRecord.pollutant,
                                TrainedCorrectionRecord.method).where(TrainedCorrectionRecord.active.is_(True)))
        return {(d, p): m for d, p, m in rows}


def _daily_rows(corrected: pd.DataFrame, issue_dates: set, method: str) -> list[dict]:
    from forecasting.correction.daily import daily_forecast

    rows = []
    for (model, issue), part in corrected.groupby(["model", "issue_date"], sort=False):
        if pd.Timestamp(issue) not in issue_dates or part["pollutant"].nunique() < 6:
            continue
        for r in daily_forecast(part).itertuples(index=False):
            aqi = getattr(r, "aqi", np.nan)
            ok = aqi is not None and np.isfinite(aqi)
            levels = list(getattr(r, "levels", None) or []) if ok else []
            rows.append({
                "issue_date": pd.Timestamp(issue).date(), "district": r.district,
                "target_date": pd.Timestamp(r.target_date).date(), "method": method, "model": model,
                "edition": r.edition, "centre": float(aqi) if ok else None,
                "aqi_lo": int(r.range_lo) if ok else None, "aqi_hi": int(r.range_hi) if ok else None,
                "level_lo": int(min(levels)) if levels else None, "level_hi": int(max(levels)) if levels else None,
                "primary": list(r.primary) if ok else [],
            })
    return rows


def _series_rows(frame: pd.DataFrame, issue_dates: set, method: str) -> list[dict]:
    part = frame[frame["issue_date"].isin(issue_dates)]
    if part.empty:
        return []
    lower = part["lower"] if "lower" in part else pd.Series(np.nan, index=part.index)
    upper = part["upper"] if "upper" in part else pd.Series(np.nan, index=part.index)

    def num(values):
        return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]

    return [
        {"issue_date": pd.Timestamp(i).date(), "district": d, "method": method, "model": m, "pollutant": p,
         "valid_time": t, "central": c, "lower": lo, "upper": hi}
        for i, d, m, p, t, c, lo, hi in zip(part["issue_date"], part["district"], part["model"], part["pollutant"],
                                             pd.DatetimeIndex(part["valid_time"]).to_pydatetime(),
                                             num(part["central"]), num(lower), num(upper))
    ]


def compute_guidance(db: Database, actor: Actor | None, first: date, last: date | None = None, *,
                     history_days: int = HISTORY_DAYS, keep_series_days: int = KEEP_SERIES_DAYS) -> int:
    """Compute and store the guidance of the issue dates ``first``..``last`` (replacing theirs).

    One pass over the history serves every issue date. Returns the number of guidance rows.
    """
    from forecasting.correction import combine, correct, pair_forecasts

    last = last or first
    with db.read() as s:
        require_role(_current(s, actor, "compute guidance"), "admin", action="compute guidance")
    cut = issue_cutoff(last)
    since = issue_cutoff(first) - pd.Timedelta(days=history_days)
    forecasts = datastore.forecast_frame(db, cycle_since=since.to_pydatetime(), cycle_until=cut.to_pydatetime())
    observations = datastore.observation_frame(db, since=(since - pd.Timedelta(days=2)).to_pydatetime(),
                                               until=cut.to_pydatetime())
    in_use = methods_in_use(db)
    dates = {pd.Timestamp(first + timedelta(days=i)) for i in range((last - first).days + 1)}
    series_dates = {d for d in dates if d >= pd.Timestamp(last - timedelta(days=keep_series_days))}
    rows: list[dict] = []
    series: list[dict] = []
    if len(forecasts):
        pairs = pair_forecasts(forecasts.drop(columns=["lead_hours"]), observations)
        pairs = pairs[pairs["issue_time"] <= cut]
        start = issue_cutoff(first) - pd.Timedelta(days=1)
        raw = correct(pairs, observations, method="raw")
        # the method in use per district and pollutant; "ensemble" combines Kalman-filtered models
        chosen = {key: (DEFAULT_METHOD if m in ("ensemble", "ensemble_median") else m) for key, m in in_use.items()}
        key = list(zip(pairs["district"], pairs["pollutant"]))
        base_of = np.array([chosen.get(k, DEFAULT_METHOD) for k in key], dtype=object)
        parts = []
        for base in sorted(set(base_of)):
            sub = pairs[base_of == base]
            parts.append(correct(sub, observations, method=base, start=start))
        corrected = pd.concat(parts, ignore_index=True)
        ensemble = combine(corrected, start=start)
        rows = (_daily_rows(raw, dates, "raw") + _daily_rows(corrected, dates, "corrected")
                + _daily_rows(ensemble, dates, SUGGESTED))
        if series_dates:
            series = (_series_rows(raw, series_dates, "raw") + _series_rows(corrected, series_dates, "corrected")
                      + _series_rows(ensemble, series_dates, SUGGESTED))
    with db.transaction() as s:
        actor = require_role(_current(s, actor, "compute guidance"), "admin", action="compute guidance")
        s.execute(delete(Guidance).where(Guidance.issue_date >= first, Guidance.issue_date <= last))
        s.execute(delete(GuidanceSeries).where(GuidanceSeries.issue_date >= first, GuidanceSeries.issue_date <= last))
        if rows:
            s.execute(insert(Guidance), rows)
        for i in range(0, len(series), _BATCH):
            s.execute(insert(GuidanceSeries), series[i:i + _BATCH])
        audit.record(s, actor, "guidance.compute", object_type="guidance",
                     details={"from": first.isoformat(), "to": last.isoformat(), "rows": len(rows),
                              "series": len(series)})
    return len(rows)


def guidance_for(db: Database, issue_date: date, *, district: str | None = None) -> list[GuidanceRow]:
    """The stored guidance of an issue date (every method and model), by district and target day."""
    q = select(Guidance).where(Guidance.issue_date == issue_date).order_by(
        Guidance.district, Guidance.target_date, Guidance.method, Guidance.model)
    if district:
        q = q.where(Guidance.district == district)
    with db.read() as s:
        return [
            GuidanceRow(g.issue_date, g.district, g.target_date, g.method, g.model, g.edition, g.centre, g.aqi_lo,
                        g.aqi_hi, g.level_lo, g.level_hi, tuple(g.primary or ()))
            for g in s.scalars(q)
        ]


def observed_daily_aqi(db: Database, first: date, last: date, *, district: str | None = None) -> pd.DataFrame:
    """Observed daily AQI per district and Beijing day ``first``..``last`` (HJ 633, the edition of
    each day) from the district observations: ``district date edition aqi level primary``
    (``primary`` as pollutant names; ``aqi`` NaN where the day is not published)."""
    from forecasting.aqi import POLLUTANT_OF, daily_aqi

    since = pd.Timestamp(first, tz=BEIJING).tz_convert("UTC")
    until = pd.Timestamp(last + timedelta(days=1), tz=BEIJING).tz_convert("UTC")
    obs = datastore.observation_frame(db, since=(since + pd.Timedelta(hours=1)).to_pydatetime(),
                                      until=until.to_pydatetime(), district=district)
    if obs.empty:
        return pd.DataFrame(columns=["district", "date", "edition", "aqi", "level", "primary"])
    wide = obs.pivot_table(index=["time", "district"], columns="pollutant", values="value", aggfunc="mean")
    wide = wide.reset_index().set_index("time")
    wide.columns.name = None
    daily = daily_aqi(wide).reset_index()
    daily["date"] = pd.to_datetime(daily["date"]).dt.date
    daily["primary"] = [tuple(dict.fromkeys(POLLUTANT_OF[k] for k in t)) for t in daily["primary_pollutants"]]
    keep = daily[(daily["date"] >= first) & (daily["date"] <= last)]
    return keep[["district", "date", "edition", "aqi", "level", "primary"]].reset_index(drop=True)


def observed_aqi(db: Database, district: str, day: date) -> float | None:
    """The observed daily AQI of one district and Beijing day, or ``None`` when not published."""
    frame = observed_daily_aqi(db, day, day, district=district)
    if frame.empty or not np.isfinite(frame["aqi"].iloc[0]):
        return None
    return float(frame["aqi"].iloc[0])


def latest_issue_date(db: Database, *, on_or_before: date) -> date | None:
    """The newest issue date with stored guidance, not after ``on_or_before``."""
    from sqlalchemy import func

    with db.read() as s:
        return s.scalar(select(func.max(Guidance.issue_date)).where(Guidance.issue_date <= on_or_before))


def guidance_series(db: Database, *, district: str, pollutant: str, issue_dates: list[date]) -> pd.DataFrame:
    """Hourly series behind the guidance: ``issue_date method model valid_time central lower upper``."""
    q = select(GuidanceSeries.issue_date, GuidanceSeries.method, GuidanceSeries.model, GuidanceSeries.valid_time,
               GuidanceSeries.central, GuidanceSeries.lower, GuidanceSeries.upper).where(
        GuidanceSeries.district == district, GuidanceSeries.pollutant == pollutant,
        GuidanceSeries.issue_date.in_(issue_dates))
    with db.read() as s:
        rows = list(s.execute(q))
    frame = pd.DataFrame(rows, columns=["issue_date", "method", "model", "valid_time", "central", "lower", "upper"])
    frame["valid_time"] = pd.to_datetime(frame["valid_time"], utc=True)
    return frame
