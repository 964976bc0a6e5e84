"""Breakpoint tables, indicators and editions of the Chinese AQI (HJ 633-2012, HJ 633-2026).

Every number here is copied from the standards' tables (see ``docs/references.md``):

- HJ 633-2012 Table 1 (空气质量分指数及对应的污染物项目浓度限值), in force 2016-01-01 to 2026-02-28;
- HJ 633-2026 Table 3, in force from 2026-03-01. It differs from 2012 only in the IAQI = 100
  breakpoint of PM2.5 (75 → 60 µg/m³) and PM10 (150 → 120 µg/m³), in the fixed values for
  SO2 1 h > 800 (IAQI 200, note b) and O3 8 h > 800 (IAQI 300, note c), and in using PM 1-h
  concentrations against the daily breakpoints in the real-time report (§4.2.3).

Concentrations are in µg/m³, CO in mg/m³, gases at the reference state 298.15 K, 1013.25 hPa
(GB 3095-2026 §4.3).
"""

from __future__ import annotations

import datetime as _dt
from functools import cache

import numpy as np

from forecasting.errors import ValidationError
from forecasting.vocab import BEIJING, INDICATORS, POLLUTANTS

__all__ = [
    "EDITION_2012",
    "EDITION_2026",
    "EDITIONS",
    "SWITCH_DATE",
    "POLLUTANTS",
    "INDICATORS",
    "IAQI_BREAKPOINTS",
    "BREAKPOINTS",
    "DECIMALS",
    "USED_INDICATORS",
    "FIXED_ABOVE",
    "SUBSTITUTE_ABOVE",
    "POLLUTANT_OF",
    "INDICATOR_LABELS",
    "POLLUTANT_LABELS",
    "AQIInputError",
    "normalize_edition",
    "edition_for",
    "iaqi_lookup_table",
]

EDITION_2012 = "HJ 633-2012"
EDITION_2026 = "HJ 633-2026"
EDITIONS = (EDITION_2012, EDITION_2026)

#: First target date under HJ 633-2026 (its date of entry into force).
SWITCH_DATE = _dt.date(2026, 3, 1)

# POLLUTANTS (names of hourly series) and INDICATORS (pollutant + averaging period) are the
# DESIGN.md vocabulary, defined in forecasting.vocab and re-exported here.

#: IAQI values of the table rows (HJ 633-2012 Table 1, HJ 633-2026 Table 3).
IAQI_BREAKPOINTS = (0, 50, 100, 150, 200, 300, 400, 500)

_COMMON = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    # 1-h SO2 stops at 800 (IAQI 200): above it, note (2) of 2012 / note b of 2026 applies.
    "so2_1h": (0, 150, 500, 650, 800),
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    # 8-h O3 stops at 800 (IAQI 300): above it, note (3) of 2012 / note c of 2026 applies.
    "o3_8h": (0, 100, 160, 215, 265, 800),
}
_PM10_2012 = (0, 50, 150, 250, 350, 420, 500, 600)
_PM25_2012 = (0, 35, 75, 115, 150, 250, 350, 500)
_PM10_2026 = (0, 50, 120, 250, 350, 420, 500, 600)
_PM25_2026 = (0, 35, 60, 115, 150, 250, 350, 500)

#: Concentration breakpoints per edition and indicator [µg/m³; CO mg/m³]; the k-th value maps to
#: ``IAQI_BREAKPOINTS[k]``. An indicator absent from an edition has no sub-index there
#: (PM 1-h under HJ 633-2012 is published without a sub-index, §5.1.3).
BREAKPOINTS: dict[str, dict[str, tuple[int, ...]]] = {
    EDITION_2012: {**_COMMON, "pm10_24h": _PM10_2012, "pm25_24h": _PM25_2012},
    EDITION_2026: {
        **_COMMON,
        "pm10_24h": _PM10_2026,
        "pm25_24h": _PM25_2026,
        # HJ 633-2026 §4.2.3: PM 1-h concentrations use the daily breakpoints.
        "pm10_1h": _PM10_2026,
        "pm25_1h": _PM25_2026,
    },
}

#: Decimals kept when rounding a concentration (HJ 633-2026 §4.2.2, §4.2.3; GB/T 8170).
DECIMALS = {key: (1 if key.startswith("co_") else 0) for key in INDICATORS}

#: Indicators that enter the AQI, per edition and kind of report.
#: 2012 §5.1.2 (daily, 7 indicators) and §5.1.3/Table 4 (real-time, 7 sub-indices);
#: 2026 §4.2.2 (daily, 6) and §4.2.3 (real-time, 6).
USED_INDICATORS: dict[tuple[str, str], tuple[str, ...]] = {
    (EDITION_2012, "daily"): ("pm25_24h", "pm10_24h", "so2_24h", "no2_24h", "co_24h", "o3_1h", "o3_8h"),
    (EDITION_2026, "daily"): ("pm25_24h", "pm10_24h", "so2_24h", "no2_24h", "co_24h", "o3_8h"),
    (EDITION_2012, "hourly"): ("pm25_24h", "pm10_24h", "so2_1h", "no2_1h", "co_1h", "o3_1h", "o3_8h"),
    (EDITION_2026, "hourly"): ("pm25_1h", "pm10_1h", "so2_1h", "no2_1h", "co_1h", "o3_1h"),
}

#: HJ 633-2026 Table 3 notes b and c: a concentration above the last breakpoint gets a fixed IAQI.
FIXED_ABOVE: dict[str, dict[str, int]] = {
    EDITION_2012: {},
    EDITION_2026: {"so2_1h": 200, "o3_8h": 300},
}

#: HJ 633-2012 Table 1 notes (2) and (3): above the last breakpoint no sub-index is computed and
#: the pollutant's IAQI is taken from another indicator instead.
SUBSTITUTE_ABOVE: dict[str, dict[str, str]] = {
    EDITION_2012: {"so2_1h": "so2_24h", "o3_8h": "o3_1h"},
    EDITION_2026: {},
}

POLLUTANT_OF = {key: key.split("_")[0] for key in INDICATORS}

POLLUTANT_LABELS = {"pm25": "PM2.5", "pm10": "PM10", "o3": "O3", "no2": "NO2", "so2": "SO2", "co": "CO"}

#: Display labels of indicators, as in bulletins ("O3_8h" for the 8-h value; spec §1.5).
INDICATOR_LABELS = {
    "pm25_24h": "PM2.5", "pm10_24h": "PM10", "so2_24h": "SO2", "no2_24h": "NO2", "co_24h": "CO",
    "o3_8h": "O3_8h", "o3_1h": "O3_1h", "so2_1h": "SO2_1h", "no2_1h": "NO2_1h", "co_1h": "CO_1h",
    "pm25_1h": "PM2.5_1h", "pm10_1h": "PM10_1h",
}


class AQIInputError(ValidationError):
    """An AQI input that breaks a rule: unknown indicator or edition, wrong kind, bad value."""


def normalize_edition(edition: str | int) -> str:
    """The canonical edition name ``"HJ 633-2012"`` or ``"HJ 633-2026"``.

    Accepts ``2012``, ``"2026"``, ``"HJ 633-2026"``, ``"hj633-2012"`` and similar spellings.

    Examples
    --------
    >>> normalize_edition(2012), normalize_edition("2026"), normalize_edition("HJ 633-2026")
    ('HJ 633-2012', 'HJ 633-2026', 'HJ 633-2026')
    """
    text = str(edition).strip().upper().replace(" ", "").replace("_", "-")
    for name in EDITIONS:
        year = name[-4:]
        if text in (year, name.replace(" ", ""), f"HJ633{year}", f"HJ-633-{year}"):
            return name
    raise AQIInputError(
        f"unknown AQI edition {edition!r}: expected 2012, 2026, {EDITION_2012!r} or {EDITION_2026!r}",
        key="aqi.error.edition",
        value=str(edition),
    )


def edition_for(target_date) -> str:
    """The edition in force on a target date: HJ 633-2026 from 2026-03-01, HJ 633-2012 before.

    HJ 633-2026 (issued 2026-02-14) is in force from 2026-03-01 and replaces HJ 633-2012. The
    standards do not say which rules a forecast issued before the switch uses for a target day
    after it; we choose by **target date** (spec §0).

    Parameters
    ----------
    target_date : datetime.date, datetime.datetime, pandas.Timestamp or "YYYY-MM-DD"
        The Beijing date forecast or observed. A timezone-aware datetime is first converted to
        Beijing time (Asia/Shanghai); a naive one is taken as a Beijing date-time.

    Examples
    --------
    HJ 633-2026 applies from target date 2026-03-01:

    >>> import datetime
    >>> edition_for(datetime.date(2026, 2, 28)), edition_for(datetime.date(2026, 3, 1))
    ('HJ 633-2012', 'HJ 633-2026')
    """
    day = _as_date(target_date)
    return EDITION_2026 if day >= SWITCH_DATE else EDITION_2012


def _as_date(value) -> _dt.date:
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise AQIInputError(
                f"invalid date {value!r}: expected YYYY-MM-DD", key="aqi.error.date", value=value
            ) from None
    if isinstance(value, np.datetime64):
        import pandas as pd

        value = pd.Timestamp(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BEIJING)
        return value.date()
    if isinstance(value, _dt.date):
        return value
    raise AQIInputError(f"invalid date {value!r}: expected a date or YYYY-MM-DD", key="aqi.error.date",
                        value=str(value))


@cache
def iaqi_lookup_table(edition: str, indicator: str) -> np.ndarray:
    """IAQI of every rounded concentration from 0 to the last breakpoint, exactly.

    Entry ``c`` holds the IAQI of the concentration ``c / 10**DECIMALS[indicator]``, computed by
    HJ 633-2026 §4.2.4 eq. (1) (= HJ 633-2012 §4.2 eq. (1)) in integer arithmetic and rounded up
    (HJ 633-2026 §4.2.6, HJ 633-2012 §6.2)::

        IAQI = IAQI_Lo + ceil((IAQI_Hi - IAQI_Lo) * (C - BP_Lo) / (BP_Hi - BP_Lo))

    Integer arithmetic avoids the float trap of the standard's own example: CO 2.2 mg/m³ gives
    exactly 55, where float evaluation gives 55.000000000000014 and a ceiling of 56.
    The table is read-only, dtype int16.
    """
    bps = BREAKPOINTS[edition][indicator]
    scale = 10 ** DECIMALS[indicator]
    c = np.arange(bps[-1] * scale + 1, dtype=np.int64)
    out = np.empty_like(c)
    for k in range(len(bps) - 1):
        lo, hi = bps[k] * scale, bps[k + 1] * scale
        i_lo, i_hi = IAQI_BREAKPOINTS[k], IAQI_BREAKPOINTS[k + 1]
        seg = (c >= lo) & (c <= hi)
        num = (i_hi - i_lo) * (c[seg] - lo)
        out[seg] = i_lo + (-((-num) // (hi - lo)))  # exact ceiling of num / den
    table = out.astype(np.int16)
    table.setflags(write=False)
    return table
