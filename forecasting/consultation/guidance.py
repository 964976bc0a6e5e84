"""The guidance panel's data: objective guidance per district and target day, and yesterday's
issued forecast against what was observed.

The guidance tables belong to ``forecasting.guidance``. This module defines the small protocol
the panel needs (:class:`GuidanceRow`) and fetches through :func:`guidance_rows`, which calls
``forecasting.guidance.guidance_for(db, issue_date)`` unless a ``source`` is given (tests, benches).
Items are converted by attribute (or key) name, so any object with the same fields fits.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from sqlalchemy import select

from forecasting.consultation.config import parse_day
from forecasting.store.consultation import IssuedForecast
from forecasting.store.db import Database
from forecasting.vocab import DISTRICT_ORDER

__all__ = ["GuidanceRow", "central_value", "guidance_rows", "guidance_centres", "best_guidance", "Verification", "yesterday_check"]

#: Preferred methods when several give guidance for one district and day (first found wins).
#: ``forecasting.guidance`` labels rows ``raw`` and ``corrected`` per model and ``ensemble`` (the suggestion).
PREFERRED_METHODS = ("ensemble", "best", "corrected", "kalman_filter", "rolling_bias", "mos_ridge", "outlook")


@dataclass(frozen=True)
class GuidanceRow:
    """Objective guidance of one method for one district and target day."""

    district: str
    target_date: date
    method: str
    aqi_lo: int | None
    aqi_hi: int | None
    level_lo: int | None
    level_hi: int | None
    primary: list[str] = field(default_factory=list)
    centre: float | None = None
    #: issue #13: the day's AQI quantiles, P(AQI > 100), P(AQI > 200), and whether this is the
    #: labelled outlook past the longest model lead (not model guidance)
    aqi_q10: float | None = None
    aqi_q50: float | None = None
    aqi_q90: float | None = None
    p_over_100: float | None = None
    p_over_200: float | None = None
    outlook: bool = False

    @property
    def central(self) -> float | None:
        """The guidance's one number: the median of the day's AQI distribution when there is one (10, 50
        and 90 % quantiles; the published range holds it), else the point AQI. The point AQI of the central hourly forecast can lie
        outside a range chosen from the distribution (a right-skewed day: range 55-75, point 76).

        Examples
        --------
        >>> from datetime import date
        >>> GuidanceRow("310118", date(2026, 12, 2), "ensemble", 55, 75, 2, 2, centre=76.0,
        ...             aqi_q10=43.0, aqi_q50=72.0, aqi_q90=130.0).central
        72.0
        >>> GuidanceRow("310118", date(2026, 12, 2), "raw:CAMS", 55, 75, 2, 2, centre=76.0).central
        76.0
        """
        return central_value(self)


def _get(item, name, default=None):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def central_value(item) -> float | None:
    """:attr:`GuidanceRow.central` of a row or a mapping of its fields: the median ``aqi_q50`` when the
    10/50/90 % quantiles are all there, else ``median`` or the point ``centre``."""
    if None not in (_get(item, "aqi_q10"), _get(item, "aqi_q50"), _get(item, "aqi_q90")):
        return _get(item, "aqi_q50")
    median = _get(item, "median")
    return median if median is not None else _get(item, "centre")


def _row(item) -> GuidanceRow:
    if isinstance(item, GuidanceRow):
        return item
    method = _get(item, "method", "") or ""
    model = _get(item, "model", "") or ""
    if model:
        method = f"{method}:{model}"
    centre = _get(item, "centre")
    def num(name):
        v = _get(item, name)
        return None if v is None else float(v)

    return GuidanceRow(str(_get(item, "district")), parse_day(_get(item, "target_date")), method,
                       _get(item, "aqi_lo"), _get(item, "aqi_hi"), _get(item, "level_lo"), _get(item, "level_hi"),
                       list(_get(item, "primary") or []), None if centre is None else float(centre),
                       num("aqi_q10"), num("aqi_q50"), num("aqi_q90"), num("p_over_100"), num("p_over_200"),
                       bool(_get(item, "outlook", False)))


def guidance_rows(db: Database, issue_date, *, source: Callable | None = None) -> list[GuidanceRow]:
    """Guidance rows of ``issue_date`` (empty when none is stored).

    Parameters
    ----------
    source : callable ``(db, issue_date) -> iterable``, optional
        Where to read from; default ``forecasting.guidance.guidance_for``.
    """
    if source is None:
        # imported here: forecasting.guidance brings numpy and pandas, which the rest of the
        # consultation package (rota, notes, CLI commands) does not need
        from forecasting.guidance import guidance_for as source
    return [_row(item) for item in (source(db, parse_day(issue_date)) or [])]


def best_guidance(rows: list[GuidanceRow]) -> dict[tuple[str, date], GuidanceRow]:
    """One row per (district, day): the preferred corrected method, else the first with a range."""
    out: dict[tuple[str, date], GuidanceRow] = {}
    rank = {m: i for i, m in enumerate(PREFERRED_METHODS)}

    def score(method: str) -> int:
        base = method.split(":")[0]
        return rank.get(base, len(rank) + (1 if base == "raw" else 0))

    for row in rows:
        if row.aqi_lo is None or row.aqi_hi is None:
            continue
        key = (row.district, row.target_date)
        current = out.get(key)
        if current is None or score(row.method) < score(current.method):
            out[key] = row
    return out


def guidance_centres(rows: list[GuidanceRow] | None) -> dict[tuple[str, date], float]:
    """The AQI centre of the preferred guidance per (district, day), for the ``guidance_far`` flag: its
    median when it has a distribution (:attr:`GuidanceRow.central`), else its point AQI or mid-range."""
    centres = {}
    for key, row in best_guidance(rows or []).items():
        central = row.central
        centres[key] = central if central is not None else (row.aqi_lo + row.aqi_hi) / 2.0
    return centres


@dataclass(frozen=True)
class Verification:
    """Yesterday's issued forecast for one district against the observed AQI (``None`` = not known)."""

    district: str
    day: date
    issued_lo: int | None
    issued_hi: int | None
    observed_aqi: float | None

    @property
    def hit(self) -> bool | None:
        if self.issued_lo is None or self.observed_aqi is None:
            return None
        return self.issued_lo <= self.observed_aqi <= self.issued_hi


def yesterday_check(db: Database, issue_date, *, observed: Callable | None = None) -> list[Verification]:
    """For the day before ``issue_date``: the newest issued forecast covering it (not superseded) and
    the observed daily AQI of every district from one ``forecasting.guidance.observed_daily_aqi``
    (``observed(db, district, day)`` overrides it)."""
    issue_date = parse_day(issue_date)
    day = issue_date - timedelta(days=1)
    if observed is None:
        from forecasting.guidance import observed_daily_aqi  # numpy and pandas: see guidance_rows

        # every district's observed AQI in one pass of the AQI engine (a report renders this)
        daily = observed_daily_aqi(db, day, day)
        table = {r.district: float(r.aqi) for r in daily.itertuples(index=False) if math.isfinite(float(r.aqi))}

        def observed(_db, district, _day):
            return table.get(district)
    with db.read() as s:
        rows = list(s.scalars(select(IssuedForecast).where(IssuedForecast.issue_date < day + timedelta(days=1),
                                                           IssuedForecast.issue_date >= day - timedelta(days=10))
                              .order_by(IssuedForecast.issue_date.desc(), IssuedForecast.revision.desc())))
    found: dict[str, tuple[int, int]] = {}
    for row in rows:
        snap = json.loads(row.snapshot)
        for d in snap.get("districts", []):
            for entry in d.get("days", []):
                if entry["target_date"] == day.isoformat() and d["adcode"] not in found:
                    found[d["adcode"]] = (entry["aqi_lo"], entry["aqi_hi"])
    out = []
    for district in [*DISTRICT_ORDER, *sorted(set(found) - set(DISTRICT_ORDER))]:
        lo, hi = found.get(district, (None, None))
        obs = observed(db, district, day)  # a failure is a fault to see, not an "unknown" to show
        out.append(Verification(district, day, lo, hi, None if obs is None else float(obs)))
    return out
