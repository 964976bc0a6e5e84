"""The monthly and annual assessment of the zone (read-only over stored data; issue #18).

For a month or a year: the observed air quality of each district and of the zone by HJ 663
(:func:`forecasting.assessment.hj663.air_quality_statistics`), the same period of the previous year,
and the accuracy of the issued forecasts (:func:`forecasting.verification.period_summary`).

**Zone daily values** (UNCONFIRMED, ``docs/assessment.md`` §3): the arithmetic mean of the districts'
valid daily indicator values of that day, when at least :data:`ZONE_MIN_DISTRICTS` districts are valid
(after HJ 663-2013 §5.2's city value, the mean of its assessment points); the zone's daily AQI is
computed from those means by HJ 633 (:func:`forecasting.aqi.aqi_arrays`, edition of the day).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecasting.aqi import aqi_arrays, daily_aqi, daily_indicators, edition_for
from forecasting.assessment.hj663 import PERCENTILE_RULES, air_quality_statistics
from forecasting.errors import ValidationError
from forecasting.store.db import Database
from forecasting.vocab import BEIJING_ZONE, DISTRICT_ORDER

__all__ = ["Assessment", "assess", "parse_period", "daily_air_quality", "zone_daily", "ZONE", "ZONE_MIN_DISTRICTS",
           "AREAS"]

#: The zone's key in the tables.
ZONE = "zone"
#: Districts needed for a zone day [-].
ZONE_MIN_DISTRICTS = 2
#: Areas in display order: Qingpu, Wujiang, Jiashan, then the zone.
AREAS = (*DISTRICT_ORDER, ZONE)
_DAILY = [ind for ind, _ in PERCENTILE_RULES.values()]


def parse_period(*, month: str | None = None, year: str | int | None = None) -> tuple[str, date, date]:
    """``("month", first, last)`` from ``"2026-10"`` or ``("year", first, last)`` from ``2026``.

    Examples
    --------
    >>> parse_period(month="2026-02")
    ('month', datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    >>> parse_period(year="2026")
    ('year', datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    """
    if (month is None) == (year is None):
        raise ValidationError("give either a month (YYYY-MM) or a year (YYYY)", key="assess18.bad_period",
                              value="")
    if month is not None:
        m = re.fullmatch(r"(\d{4})-(\d{2})", str(month).strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
            raise ValidationError(f"month {str(month)[:20]!r}: expected YYYY-MM, e.g. 2026-10",
                                  key="assess18.bad_month", value=str(month)[:20])
        y, mo = int(m.group(1)), int(m.group(2))
        return "month", date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
    text = str(year).strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise ValidationError(f"year {text[:20]!r}: expected YYYY, e.g. 2026", key="assess18.bad_year",
                              value=text[:20])
    return "year", date(int(text), 1, 1), date(int(text), 12, 31)


def daily_air_quality(db: Database, first: date, last: date) -> pd.DataFrame:
    """Observed daily indicators (unrounded) and daily AQI per district and Beijing day ``first..last``:
    ``district date <indicators> aqi level`` (NaN where not valid / not published)."""
    from forecasting.datastore import observation_frame

    since = pd.Timestamp(first, tz=BEIJING_ZONE).tz_convert("UTC") + pd.Timedelta(hours=1)
    until = pd.Timestamp(last + timedelta(days=1), tz=BEIJING_ZONE).tz_convert("UTC")
    obs = observation_frame(db, since=since.to_pydatetime(), until=until.to_pydatetime())
    cols = ["district", "date", *_DAILY, "aqi", "level"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    wide = obs.pivot_table(index=["time", "district"], columns="pollutant", values="value", aggfunc="mean")
    wide = wide.reset_index().set_index("time")
    wide.columns.name = None
    ind = daily_indicators(wide).reset_index()
    aq = daily_aqi(wide).reset_index()[["district", "date", "aqi", "level"]]
    out = ind.merge(aq, on=["district", "date"], how="left")
    out["date"] = pd.to_datetime(out["date"]).dt.date
    out = out[(out["date"] >= first) & (out["date"] <= last)]
    for c in _DAILY:
        if c not in out:
            out[c] = np.nan
    return out[cols].reset_index(drop=True)


def zone_daily(daily: pd.DataFrame, *, min_districts: int = ZONE_MIN_DISTRICTS) -> pd.DataFrame:
    """The zone's daily values from the districts' (see the module docstring): ``date <indicators> aqi level``."""
    if daily.empty:
        return pd.DataFrame(columns=["date", *_DAILY, "aqi", "level"])
    rows = []
    for day, part in daily.groupby("date", sort=True):
        row = {"date": day}
        for c in _DAILY:
            v = pd.to_numeric(part[c], errors="coerce").dropna()
            row[c] = float(v.mean()) if len(v) >= min_districts else np.nan
        rows.append(row)
    zone = pd.DataFrame(rows)
    aqi = np.full(len(zone), np.nan)
    level = np.full(len(zone), np.nan)
    editions = np.array([edition_for(d) for d in zone["date"]])
    for ed in sorted(set(editions)):
        m = editions == ed
        res = aqi_arrays({c: zone.loc[m, c].to_numpy(float) for c in _DAILY}, edition=ed, kind="daily")
        a = res.aqi.astype(float)
        lv = res.level.astype(float)
        aqi[m] = np.where(a >= 0, a, np.nan)
        level[m] = np.where(lv > 0, lv, np.nan)
    zone["aqi"] = aqi
    zone["level"] = level
    return zone


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True)
class Assessment:
    """One assessment: the period, per-area statistics now and a year before, forecast accuracy."""

    kind: str                   # "month" or "year" (or "period")
    first: date
    last: date
    previous_first: date
    previous_last: date
    observed: dict              # area -> air_quality_statistics() of the period
    previous: dict              # area -> air_quality_statistics() of the same period a year before
    verification: object        # forecasting.verification.PeriodSummary
    daily: pd.DataFrame         # district and zone daily values of the period (area, date, ...)

    @property
    def label(self) -> str:
        return self.first.strftime("%Y-%m") if self.kind == "month" else (
            str(self.first.year) if self.kind == "year" else f"{self.first}_{self.last}")


def _area_stats(daily: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    out, frames = {}, []
    for area in AREAS[:-1]:
        part = daily[daily["district"] == area] if len(daily) else daily
        out[area] = air_quality_statistics(part)
        frames.append(part.assign(area=area))
    zone = zone_daily(daily)
    out[ZONE] = air_quality_statistics(zone)
    frames.append(zone.assign(area=ZONE, district=ZONE))
    return out, pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def assess(db: Database, first: date, last: date, *, kind: str = "period", n_boot: int = 1000) -> Assessment:
    """Assess the Beijing days ``first..last`` (see the module docstring). Read-only."""
    from forecasting.verification import period_summary

    if last < first:
        raise ValidationError(f"period {first} to {last}: the end is before the start", key="assess18.bad_period",
                              value=f"{first}..{last}")
    now, frame = _area_stats(daily_air_quality(db, first, last))
    pf, pl = _shift_year(first, -1), _shift_year(last, -1)
    before, _ = _area_stats(daily_air_quality(db, pf, pl))
    summary = period_summary(db, first, last, n_boot=n_boot)
    return Assessment(kind, first, last, pf, pl, now, before, summary, frame)
