"""Consistency flags between the districts' forecasts, computed on every change.

For every day and every pair of districts (the three districts of the zone all border each other):

| kind | severity | raised when |
|---|---|---|
| ``level_gap`` | red | the closest levels of the two level spans are more than one level apart |
| ``range_disjoint`` | amber | the two AQI ranges do not overlap (touching ends overlap) |
| ``primary_differs`` | amber | both name primary pollutants, the sets differ and one side reaches AQI > 100 |
| ``primary_differs`` | info | the same on a day where both ranges stay ≤ 100 (no acknowledgement needed) |

and for every district and day:

| ``guidance_far`` | amber | the range centre is more than the threshold (default 25 AQI) from the guidance centre |
| ``final_stale`` | red | the district submitted a different forecast after the chief composed that day (the chief's |
|                 |     | combined value would be issued without a look at it; raised by the sign-off services) |

Before sign-off each flag that needs it (red, amber) is resolved (a changed forecast makes it
disappear) or acknowledged with a note. An acknowledgement holds for the *conflict* that raised the
flag (its ``fingerprint``), not for every digit of both forecasts: the level spans for
``level_gap``/``range_disjoint``, the pollutant sets for ``primary_differs``, the level span and the
guidance level for ``guidance_far``. An edit that leaves the conflict as it was (a primary pollutant
changed on a range flag, 85-105 → 90-110 inside the same levels) keeps the acknowledgement.

:func:`group_flags` folds the flags of one district pair and kind over consecutive days into one
:class:`FlagGroup`: the chief reads and acknowledges a group with one reason (issue #14).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Iterable, Mapping

from forecasting.vocab import canonical_json

__all__ = ["ForecastEntry", "Flag", "FlagGroup", "compute_flags", "stale_final_flag", "group_flags", "SEVERITY",
           "SEVERITY_RANK", "PRIMARY_MATTERS_ABOVE"]

SEVERITY = {"level_gap": "red", "range_disjoint": "amber", "primary_differs": "amber", "guidance_far": "amber",
            "final_stale": "red"}
#: Order of severities (most severe first); ``info`` needs no acknowledgement.
SEVERITY_RANK = {"red": 0, "amber": 1, "info": 2}
#: A primary-pollutant difference matters when at least one side reaches an AQI above this
#: (HJ 633-2026 Table 1: above 100 the day is polluted and the pollutant drives the advice).
PRIMARY_MATTERS_ABOVE = 100


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
    #: the two sides' values ``((aqi_lo, aqi_hi, level_lo, level_hi, primary), ...)`` (one for guidance_far)
    sides: tuple = ()

    @property
    def needs_ack(self) -> bool:
        """Whether sign-off needs this flag resolved or acknowledged (``info`` flags do not)."""
        return self.severity != "info"


@dataclass(frozen=True)
class FlagGroup:
    """The flags of one district pair and kind on consecutive target days (one line for the chief)."""

    key: str                     # ``kind:a:b:first:last``
    kind: str
    severity: str                # the most severe member
    district_a: str
    district_b: str
    first: date
    last: date
    members: tuple               # the member :class:`Flag` objects (or flag states), by day
    acknowledged: bool           # every member acknowledged

    @property
    def needs_ack(self) -> bool:
        return self.severity != "info"

    @property
    def open(self) -> bool:
        """Needs an acknowledgement and does not have one yet."""
        return self.needs_ack and not self.acknowledged

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(_flag_of(m).target_date for m in self.members)

    @property
    def flag_keys(self) -> tuple[str, ...]:
        return tuple(_flag_of(m).key for m in self.members)

    @property
    def lead(self):
        """The member the group is shown by: the first of its most severe days (a group may join an
        information-only day to an amber one; its values, acknowledgement and reason are the amber day's).

        Examples
        --------
        >>> from datetime import date
        >>> def f(day, severity):
        ...     return Flag(f"primary_differs:{day}:A:B", "primary_differs", severity, day, "A", "B", {}, "x")
        >>> group = group_flags([f(date(2027, 1, 5), "info"), f(date(2027, 1, 6), "amber")])[0]
        >>> group.severity, group.lead.target_date.day
        ('amber', 6)
        """
        return min(self.members, key=lambda m: SEVERITY_RANK.get(_flag_of(m).severity, 9))


def _fingerprint(*parts) -> str:
    text = canonical_json(parts, default=str, ascii_only=True)  # the bytes of fingerprints already stored
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _side(e: ForecastEntry) -> tuple:
    return (e.aqi_lo, e.aqi_hi, e.level_lo, e.level_hi, tuple(e.primary))


def _levels(e: ForecastEntry) -> list:
    return [e.level_lo, e.level_hi]


def _flag(kind: str, day: date, a: str, b: str, detail: dict, conflict, sides, severity: str | None = None) -> Flag:
    """``conflict``: what the acknowledgement holds for (see the module docstring)."""
    return Flag(f"{kind}:{day.isoformat()}:{a}:{b}", kind, severity or SEVERITY[kind], day, a, b, detail,
                _fingerprint(kind, conflict), tuple(sides))


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
                                   [_levels(ea), _levels(eb)], (_side(ea), _side(eb))))
            if ea.aqi_hi < eb.aqi_lo or eb.aqi_hi < ea.aqi_lo:
                flags.append(_flag("range_disjoint", day, a, b,
                                   {"ranges": [[ea.aqi_lo, ea.aqi_hi], [eb.aqi_lo, eb.aqi_hi]]},
                                   [_levels(ea), _levels(eb), ea.aqi_hi < eb.aqi_lo], (_side(ea), _side(eb))))
            if ea.primary and eb.primary and set(ea.primary) != set(eb.primary):
                matters = max(ea.aqi_hi, eb.aqi_hi) > PRIMARY_MATTERS_ABOVE
                flags.append(_flag("primary_differs", day, a, b, {"primary": [list(ea.primary), list(eb.primary)]},
                                   [sorted(ea.primary), sorted(eb.primary), matters], (_side(ea), _side(eb)),
                                   None if matters else "info"))
        for d in districts:
            centre = (guidance or {}).get((d, day))
            e = day_entries[d]
            if centre is not None and abs(e.centre - centre) > threshold:
                flags.append(_flag("guidance_far", day, d, "", {"centre": e.centre, "guidance": round(centre, 1),
                                                                "threshold": threshold},
                                   [_levels(e), e.centre > centre], (_side(e),)))
    flags.sort(key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.target_date, f.key))
    return flags


def stale_final_flag(submitted: ForecastEntry, final: ForecastEntry) -> Flag | None:
    """``final_stale``: the district's submission (made after the chief composed the day) differs from
    the chief's combined entry; ``None`` when they agree. The acknowledgement (keep the chief's value,
    with a reason) holds for exactly these two values; a changed combined entry resolves it.

    Examples
    --------
    >>> from datetime import date
    >>> day = date(2026, 12, 2)
    >>> sub = ForecastEntry("330421", day, 150, 180, 3, 4, ("pm25",))
    >>> fin = ForecastEntry("330421", day, 50, 70, 2, 2, ("pm25",), "final")
    >>> flag = stale_final_flag(sub, fin)
    >>> flag.key, flag.severity, flag.detail
    ('final_stale:2026-12-02:330421:', 'red', {'submitted': [150, 180], 'final': [50, 70]})
    >>> stale_final_flag(sub, ForecastEntry("330421", day, 150, 180, 3, 4, ("pm25",), "final")) is None
    True
    """
    if _side(submitted) == _side(final):
        return None
    return _flag("final_stale", submitted.target_date, submitted.district, "",
                 {"submitted": [submitted.aqi_lo, submitted.aqi_hi], "final": [final.aqi_lo, final.aqi_hi]},
                 [_side(submitted), _side(final)], (_side(submitted), _side(final)))


def _flag_of(item) -> Flag:
    """A :class:`Flag` or anything carrying one as ``.flag`` (a flag state)."""
    return item if isinstance(item, Flag) else item.flag


def group_flags(items: Iterable, *, order: tuple[str, ...] | None = None) -> list[FlagGroup]:
    """Fold flags (or flag states with ``.flag`` and ``.acknowledged``) into groups: one per district
    pair and kind over a run of consecutive target days. Most severe first, then by first day.

    Examples
    --------
    >>> from datetime import date
    >>> d1, d2, d4 = date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 8)
    >>> def f(day):
    ...     return Flag(f"range_disjoint:{day}:A:B", "range_disjoint", "amber", day, "A", "B", {}, "x")
    >>> [(g.first.day, g.last.day, len(g.members)) for g in group_flags([f(d1), f(d2), f(d4)])]
    [(5, 6, 2), (8, 8, 1)]
    """
    rank = {d: i for i, d in enumerate(order or ())}
    runs: dict[tuple, list] = {}
    for item in sorted(items, key=lambda m: (_flag_of(m).kind, _flag_of(m).district_a, _flag_of(m).district_b,
                                              _flag_of(m).target_date)):
        f = _flag_of(item)
        lane = (f.kind, f.district_a, f.district_b)
        bucket = runs.setdefault(lane, [])
        if bucket and (f.target_date - _flag_of(bucket[-1][-1]).target_date).days == 1:
            bucket[-1].append(item)
        else:
            bucket.append([item])
    groups = []
    for (kind, a, b), chains in runs.items():
        for chain in chains:
            flags = [_flag_of(m) for m in chain]
            severity = min((f.severity for f in flags), key=lambda v: SEVERITY_RANK.get(v, 9))
            acked = all(getattr(m, "acknowledged", False) for m in chain if _flag_of(m).needs_ack)
            first, last = flags[0].target_date, flags[-1].target_date
            groups.append(FlagGroup(f"{kind}:{a}:{b}:{first.isoformat()}:{last.isoformat()}", kind, severity, a, b,
                                    first, last, tuple(chain), acked))
    groups.sort(key=lambda g: (SEVERITY_RANK.get(g.severity, 9), g.first, rank.get(g.district_a, 9),
                               rank.get(g.district_b, 9), g.kind))
    return groups
