"""Consistency flags between the districts' forecasts, computed on every change.

For every day and every pair of districts (the three districts of the zone all border each other):

| kind | severity | raised when |
|---|---|---|
| ``level_gap`` | red | the closest levels of the two level spans are more than one level apart |
| ``range_disjoint`` | amber | the two AQI ranges do not overlap (touching ends overlap) |
| ``primary_differs`` | amber | both name primary pollutants and the sets differ |

and for every district and day:

| ``guidance_far`` | amber | the range centre is more than the threshold (default 25 AQI) from the guidance centre |

Before sign-off each flag is resolved (a changed forecast makes it disappear) or acknowledged with a
note; an acknowledgement holds for the values that raised the flag (its ``fingerprint``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Iterable, Mapping

__all__ = ["ForecastEntry", "Flag", "compute_flags", "SEVERITY"]

SEVERITY = {"level_gap": "red", "range_disjoint": "amber", "primary_differs": "amber", "guidance_far": "amber"}


@dataclass(frozen=True)
class ForecastEntry:
    """One district's forecast of one day (a submission or the chief's combined entry)."""

    district: str
    target_date: date
    aqi_lo: int
    aqi_hi: int
    level_lo: int
    level_hi: int
    primary: tuple[str, ...] = ()
    source: str = "submission"

    @property
    def centre(self) -> float:
        return (self.aqi_lo + self.aqi_hi) / 2.0


@dataclass(frozen=True)
class Flag:
    key: str
    kind: str
    severity: str
    target_date: date
    district_a: str
    district_b: str  # "" for a single-district flag (guidance_far)
    detail: dict
    fingerprint: str


def _fingerprint(*parts) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _values(e: ForecastEntry) -> list:
    return [e.aqi_lo, e.aqi_hi, list(e.primary)]


def _flag(kind: str, day: date, a: str, b: str, detail: dict, *values) -> Flag:
    return Flag(f"{kind}:{day.isoformat()}:{a}:{b}", kind, SEVERITY[kind], day, a, b, detail,
                _fingerprint(kind, *values))


def compute_flags(entries: Iterable[ForecastEntry], guidance: Mapping[tuple[str, date], float] | None = None, *,
                  threshold: float = 25.0, order: tuple[str, ...] | None = None) -> list[Flag]:
    """Flags of a set of forecast entries (see the module docstring), red first, then by day.

    Parameters
    ----------
    entries : ForecastEntry
        At most one per district and day.
    guidance : mapping (district, target_date) → AQI centre [AQI], optional
    threshold : float
        Distance from the guidance centre that raises ``guidance_far`` [AQI].
    order : tuple of adcodes, optional
        District order inside a pair key (default: sorted adcodes).
    """
    by_day: dict[date, dict[str, ForecastEntry]] = {}
    for e in entries:
        by_day.setdefault(e.target_date, {})[e.district] = e
    rank = {d: i for i, d in enumerate(order or ())}
    flags: list[Flag] = []
    for day in sorted(by_day):
        day_entries = by_day[day]
        districts = sorted(day_entries, key=lambda d: (rank.get(d, len(rank)), d))
        for a, b in combinations(districts, 2):
            ea, eb = day_entries[a], day_entries[b]
            gap = max(0, eb.level_lo - ea.level_hi, ea.level_lo - eb.level_hi)
            if gap > 1:
                flags.append(_flag("level_gap", day, a, b, {"levels": [[ea.level_lo, ea.level_hi],
                                                                       [eb.level_lo, eb.level_hi]], "gap": gap},
                                   _values(ea), _values(eb)))
            if ea.aqi_hi < eb.aqi_lo or eb.aqi_hi < ea.aqi_lo:
                flags.append(_flag("range_disjoint", day, a, b,
                                   {"ranges": [[ea.aqi_lo, ea.aqi_hi], [eb.aqi_lo, eb.aqi_hi]]},
                                   _values(ea), _values(eb)))
            if ea.primary and eb.primary and set(ea.primary) != set(eb.primary):
                flags.append(_flag("primary_differs", day, a, b, {"primary": [list(ea.primary), list(eb.primary)]},
                                   _values(ea), _values(eb)))
        for d in districts:
            centre = (guidance or {}).get((d, day))
            e = day_entries[d]
            if centre is not None and abs(e.centre - centre) > threshold:
                flags.append(_flag("guidance_far", day, d, "", {"centre": e.centre, "guidance": round(centre, 1),
                                                                "threshold": threshold},
                                   _values(e), round(centre, 1)))
    flags.sort(key=lambda f: (f.severity != "red", f.target_date, f.key))
    return flags
