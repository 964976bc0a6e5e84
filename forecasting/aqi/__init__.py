"""China AQI engine: HJ 633-2026 and HJ 633-2012 (issue #3).

Turns concentrations into what a Chinese forecast publishes: IAQIs, AQI, level, category, colour,
primary pollutants, with the edition used. See ``docs/aqi.md`` for the rules and edge cases.

The time rules (:mod:`forecasting.aqi.timerules`: daily and hourly AQI of series) need pandas and
xarray; they are imported on first use of one of their names, so ``import forecasting.aqi`` (and the
``aqi`` command) costs numpy only.
"""

from forecasting.aqi.core import (
    KINDS,
    AQIArrays,
    AQIResult,
    aqi_arrays,
    aqi_from_indicators,
    iaqi,
    resolve_edition,
    round_concentration,
)
from forecasting.aqi.levels import (
    LEVEL_UPPER_BOUNDS,
    SENSITIVE_GROUPS,
    LevelInfo,
    level_info,
    level_of,
    levels,
    sensitive_groups,
)
from forecasting.aqi.ranges import AQIRange, RangeRules, aqi_range, level_span_text
from forecasting.aqi.tables import (
    BREAKPOINTS,
    DECIMALS,
    EDITION_2012,
    EDITION_2026,
    EDITIONS,
    IAQI_BREAKPOINTS,
    INDICATOR_LABELS,
    INDICATORS,
    POLLUTANT_LABELS,
    POLLUTANT_OF,
    POLLUTANTS,
    SWITCH_DATE,
    USED_INDICATORS,
    AQIInputError,
    edition_for,
    normalize_edition,
)
from forecasting.aqi.units import ppb_to_mass, to_reference_state

__all__ = [
    "KINDS",
    "AQIArrays",
    "AQIResult",
    "aqi_arrays",
    "aqi_from_indicators",
    "iaqi",
    "resolve_edition",
    "round_concentration",
    "LEVEL_UPPER_BOUNDS",
    "SENSITIVE_GROUPS",
    "LevelInfo",
    "level_info",
    "level_of",
    "levels",
    "sensitive_groups",
    "AQIRange",
    "RangeRules",
    "aqi_range",
    "level_span_text",
    "BREAKPOINTS",
    "DECIMALS",
    "EDITION_2012",
    "EDITION_2026",
    "EDITIONS",
    "IAQI_BREAKPOINTS",
    "INDICATOR_LABELS",
    "INDICATORS",
    "POLLUTANT_LABELS",
    "POLLUTANT_OF",
    "POLLUTANTS",
    "SWITCH_DATE",
    "USED_INDICATORS",
    "AQIInputError",
    "edition_for",
    "normalize_edition",
    "beijing_day_bounds",
    "daily_aqi",
    "daily_indicators",
    "hour_labels",
    "hourly_aqi",
    "hourly_indicators",
    "ppb_to_mass",
    "to_reference_state",
]

#: Names re-exported from :mod:`forecasting.aqi.timerules`, imported on first access (PEP 562).
_TIMERULES = frozenset({"beijing_day_bounds", "daily_aqi", "daily_indicators", "hour_labels", "hourly_aqi",
                        "hourly_indicators"})


def __getattr__(name: str):
    if name in _TIMERULES:
        from forecasting.aqi import timerules

        value = getattr(timerules, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _TIMERULES)
