"""IAQI and AQI from concentrations: GB/T 8170 rounding, eq. (1), special rules, primary pollutants.

The vectorised kernel :func:`aqi_arrays` works on numpy arrays of any shape (a district, a day, a
gridded map) with integer arithmetic: each concentration is rounded once to an integer number of
units of its last kept digit, then the exact IAQI is read from a lookup table built from the
breakpoints by integer ceiling division (:func:`forecasting.aqi.tables.iaqi_lookup_table`).
:func:`aqi_from_indicators` is the one-place form with a readable :class:`AQIResult`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from forecasting.aqi.levels import LEVEL_UPPER_BOUNDS, level_info
from forecasting.aqi.tables import (
    BREAKPOINTS,
    DECIMALS,
    EDITION_2012,
    FIXED_ABOVE,
    INDICATORS,
    SUBSTITUTE_ABOVE,
    USED_INDICATORS,
    AQIInputError,
    edition_for,
    iaqi_lookup_table,
    normalize_edition,
)

__all__ = [
    "KINDS",
    "round_concentration",
    "iaqi",
    "aqi_arrays",
    "AQIArrays",
    "AQIResult",
    "aqi_from_indicators",
    "resolve_edition",
]

KINDS = ("daily", "hourly")

#: A value whose distance to the half-way point is below this (in units of the last kept digit) is
#: taken as exactly half-way: float noise of a decimal "…5" (74.49999999999999 for 74.5).
_HALF_TOLERANCE = 1e-7

_LEVEL_BOUNDS = np.asarray(LEVEL_UPPER_BOUNDS, dtype=np.int16)

# Sentinels inside the integer kernel.
_MISSING = -1
_SUBSTITUTED = -2


def resolve_edition(edition=None, date=None) -> str:
    """The edition named by ``edition`` (if given) or in force on ``date`` (see :func:`edition_for`).

    Examples
    --------
    >>> import datetime
    >>> resolve_edition(date=datetime.date(2026, 2, 28)), resolve_edition(date=datetime.date(2026, 3, 1))
    ('HJ 633-2012', 'HJ 633-2026')
    >>> resolve_edition(2012)
    'HJ 633-2012'
    """
    if edition is not None:
        return normalize_edition(edition)
    if date is not None:
        return edition_for(date)
    raise AQIInputError("give an AQI edition (2012 or 2026) or a target date", key="aqi.error.no_edition")


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise AQIInputError(f"unknown kind {kind!r}: expected 'daily' or 'hourly'", key="aqi.error.kind",
                            value=str(kind))
    return kind


def _check_indicator(indicator: str) -> str:
    if indicator not in INDICATORS:
        raise AQIInputError(
            f"unknown AQI indicator {indicator!r}: expected one of {' '.join(INDICATORS)}",
            key="aqi.error.indicator",
            value=str(indicator),
        )
    return indicator


def _round_scaled(conc, decimals: int) -> np.ndarray:
    """Concentration × 10**decimals rounded half-to-even, as float64; NaN where missing or negative.

    GB/T 8170-2008 §3.3 (rounding rule of numbers, "四舍六入五成双"): below 5 drop, above 5 round up,
    exactly 5 round to an even kept digit, applied once to the **decimal** value. Binary floats cannot
    hold most decimal halves (2.35 is 2.35000000000000008882), so a value within
    ``_HALF_TOLERANCE`` of the half-way point is treated as exactly half-way.
    Negative and non-finite values are missing (spec §1.8: never clamp to 0).
    """
    x = np.asarray(conc, dtype=np.float64)
    y = x * (10.0**decimals) if decimals else x
    r = np.rint(y)  # half-to-even for exact binary halves
    with np.errstate(invalid="ignore"):
        near = np.abs(y - r) > 0.5 - _HALF_TOLERANCE
    if near.any():
        f = np.floor(y[near] + _HALF_TOLERANCE)  # the kept digit below the half
        r = np.array(r, copy=True)
        r[near] = f + (f % 2)
    bad = ~np.isfinite(y) | (x < 0)
    if bad.any():
        r = np.where(bad, np.nan, r)
    return r


def round_concentration(indicator: str, conc):
    """A concentration rounded as HJ 633-2026 §4.2.2/§4.2.3 requires (GB/T 8170, half to even).

    SO2, NO2, O3, PM10 and PM2.5 to an integer [µg/m³]; CO to one decimal [mg/m³]. The 2012 edition
    does not state it; operational practice used the same rule (spec §1.4).

    Parameters
    ----------
    indicator : str
        AQI indicator, e.g. ``"pm25_24h"`` or ``"co_1h"``.
    conc : float or array_like
        Concentration [µg/m³; CO mg/m³]. NaN, negative or infinite values are missing.

    Returns
    -------
    int, float or None for a scalar (``None`` if missing); a float64 array (NaN if missing) otherwise.

    Examples
    --------
    CO keeps one decimal, the others none (HJ 633-2026 §4.2.2); a final 5 rounds to the even digit
    (GB/T 8170 §3.3): 75.5 → 76 but 76.5 → 76, and CO 1.25 → 1.2:

    >>> round_concentration("pm25_24h", 75.5), round_concentration("pm25_24h", 76.5)
    (76, 76)
    >>> round_concentration("co_24h", 1.25)
    1.2
    """
    d = DECIMALS[_check_indicator(indicator)]
    r = _round_scaled(conc, d) / (10.0**d) if d else _round_scaled(conc, 0)
    if np.ndim(conc) == 0:
        v = float(r)
        if not np.isfinite(v):
            return None
        return round(v, d) if d else int(v)
    return _like(conc, r)


def _like(template, values: np.ndarray):
    """``values`` wrapped like ``template``: an xarray DataArray or pandas Series keeps its labels."""
    if hasattr(template, "dims") and hasattr(template, "copy"):
        return template.copy(data=values)
    if hasattr(template, "index") and getattr(template, "ndim", 0) == 1:
        return type(template)(values, index=template.index, name=getattr(template, "name", None))
    return values


@cache
def _extended_table(edition: str, indicator: str) -> tuple[np.ndarray, int, bool]:
    """Lookup table with two extra entries: [top + 1] = value above the last breakpoint, [top + 2] = missing."""
    lut = iaqi_lookup_table(edition, indicator)
    top = len(lut) - 1
    if indicator in FIXED_ABOVE[edition]:
        above_value, flags_above = FIXED_ABOVE[edition][indicator], False
    elif indicator in SUBSTITUTE_ABOVE[edition]:
        above_value, flags_above = _SUBSTITUTED, False
    else:
        above_value, flags_above = 500, True  # spec §1.8: cap at 500 and flag "above range"
    ext = np.concatenate([lut, np.array([above_value, _MISSING], dtype=np.int16)])
    ext.setflags(write=False)
    return ext, top, flags_above


def _iaqi_scaled(edition: str, indicator: str, scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer IAQI (int16; -1 missing, -2 substituted) and the above-range mask (or None)."""
    ext, top, flags_above = _extended_table(edition, indicator)
    idx = np.minimum(scaled, top + 1)
    idx = np.where(np.isnan(idx), top + 2, idx).astype(np.intp)
    out = ext.take(idx)
    above = (idx == top + 1) if flags_above else None
    return out, above


def iaqi(indicator: str, conc, *, edition=None, date=None):
    """Individual AQI of one indicator: HJ 633-2026 §4.2.4 eq. (1), HJ 633-2012 §4.2 eq. (1).

    The concentration is first rounded (GB/T 8170; integers, CO to 0.1 mg/m³), then interpolated
    between the bracketing breakpoints of HJ 633-2026 Table 3 / HJ 633-2012 Table 1 in exact integer
    arithmetic and rounded **up** (2026 §4.2.6, 2012 §6.2). Special cases:

    - above the last breakpoint: 500 (spec §1.8; :func:`aqi_arrays` also flags it ``above_range``);
    - HJ 633-2026 note b: SO2 1 h > 800 µg/m³ gives 200; note c: O3 8 h > 800 µg/m³ gives 300;
    - HJ 633-2012 notes (2)/(3): SO2 1 h > 800 and O3 8 h > 800 have **no** sub-index (``None``/NaN);
      the pollutant's IAQI comes from SO2 24 h / O3 1 h instead (done by :func:`aqi_from_indicators`).

    Parameters
    ----------
    indicator : str
        One of :data:`~forecasting.aqi.tables.INDICATORS` defined in the edition (PM 1-h has no
        sub-index under HJ 633-2012).
    conc : float or array_like
        Concentration [µg/m³; CO mg/m³]; NaN or negative means missing.
    edition : str or int, optional
        ``2012``/``2026``/``"HJ 633-2026"``...; else chosen from ``date``.
    date : date or str, optional
        Target date choosing the edition (HJ 633-2026 from 2026-03-01).

    Returns
    -------
    int or None for a scalar; float64 array (integer values, NaN if none) for an array, wrapped as
    the input when it is an xarray DataArray or a pandas Series.

    Examples
    --------
    PM₂.₅ 24-h 80 µg/m³ lies between the breakpoints 75 (IAQI 100) and 115 (IAQI 150) of HJ 633-2012
    Table 1: 100 + (80 − 75) × 50 / 40 = 106.25, rounded up to 107. Under HJ 633-2026 Table 3 the
    breakpoints are 60 and 115: 100 + 20 × 50 / 55 = 118.2 → 119. O₃ 8-h 160 µg/m³ is a breakpoint (100):

    >>> iaqi("pm25_24h", 80, edition=2012), iaqi("pm25_24h", 80, edition=2026), iaqi("o3_8h", 160, edition=2026)
    (107, 119, 100)
    """
    ed = resolve_edition(edition, date)
    _check_indicator(indicator)
    if indicator not in BREAKPOINTS[ed]:
        raise AQIInputError(f"{indicator} has no sub-index under {ed}", key="aqi.error.no_subindex",
                            indicator=indicator, edition=ed)
    out, _ = _iaqi_scaled(ed, indicator, _round_scaled(conc, DECIMALS[indicator]))
    if np.ndim(conc) == 0:
        v = int(out)
        return v if v >= 0 else None
    return _like(conc, np.where(out >= 0, out, np.nan))


@dataclass(frozen=True)
class AQIArrays:
    """Result of :func:`aqi_arrays`. Integer arrays use sentinels so that the kernel stays integer:

    ``aqi``/``aqi_computed``/``iaqi[k]`` are int16 with -1 for "none" (NA); ``level`` is int8 with 0 for
    NA; ``rounded[k]`` are float64 (NaN missing); masks are bool.
    """

    edition: str
    kind: str
    aqi: np.ndarray
    aqi_computed: np.ndarray
    level: np.ndarray
    iaqi: dict[str, np.ndarray]
    rounded: dict[str, np.ndarray]
    primary: dict[str, np.ndarray]
    above_range: dict[str, np.ndarray]
    missing: dict[str, np.ndarray]
    exceedance: dict[str, np.ndarray] | None
    n_missing: np.ndarray = field(repr=False)


def aqi_arrays(indicators: Mapping[str, object], *, edition=None, date=None, kind: str = "daily") -> AQIArrays:
    """AQI, IAQIs, level, primary pollutants and flags over arrays (vectorised, integer arithmetic).

    Rules applied (HJ 633-2026 unless noted; HJ 633-2012 equivalents in brackets):

    - indicators used: daily §4.2.2 [2012 §5.1.2, with O3 1-h max]; hourly (real-time) §4.2.3
      [2012 §5.1.3: PM 24-h and O3 8-h moving averages; PM 1-h values get no sub-index];
    - concentrations rounded per GB/T 8170 (§4.2.2); IAQI by eq. (1) rounded up (§4.2.4, §4.2.6);
      AQI = max IAQI (eq. (2));
    - Table 3 notes b/c [2012 Table 1 notes (2)/(3): SO2 1 h > 800 uses the SO2 24-h IAQI, O3 8 h > 800
      uses the O3 1-h IAQI; both then have no own sub-index];
    - primary pollutants (§4.3.1 [§4.4.2]): every indicator whose integer IAQI equals the AQI, only when
      AQI > 50, ties kept; exceedance pollutants, 2012 only (§3.4): IAQI > 100;
    - missing data (§5.3.1): with an indicator missing the AQI is computed from the others and published
      only when > 100; otherwise ``aqi`` is NA (``aqi_computed`` keeps the value).

    Parameters
    ----------
    indicators : mapping of indicator name to array_like
        Concentrations [µg/m³; CO mg/m³], broadcastable to one shape. An indicator that is needed and
        absent, NaN or negative is missing. Indicators not used by this edition and kind are rounded
        but get no sub-index.
    edition, date
        See :func:`iaqi`.
    kind : {"daily", "hourly"}
        Daily report/forecast or real-time report/hourly forecast (§4.2.5).

    Examples
    --------
    >>> a = aqi_arrays({"pm25_24h": [80, 20]}, edition=2012)
    >>> a.iaqi["pm25_24h"].tolist()   # 20 µg/m³: 20 × 50 / 35 = 28.6 → 29
    [107, 29]
    """
    ed = resolve_edition(edition, date)
    _check_kind(kind)
    for k in indicators:
        _check_indicator(k)
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in indicators.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    used = USED_INDICATORS[(ed, kind)]

    rounded_scaled = {k: _round_scaled(a, DECIMALS[k]) for k, a in arrays.items()}
    none = np.full(shape, _MISSING, dtype=np.int16)
    iaqis: dict[str, np.ndarray] = {}
    above: dict[str, np.ndarray] = {}
    missing: dict[str, np.ndarray] = {}
    for k in used:
        if k in rounded_scaled:
            out, ab = _iaqi_scaled(ed, k, rounded_scaled[k])
            iaqis[k] = np.broadcast_to(out, shape)
            above[k] = np.broadcast_to(ab, shape) if ab is not None else np.zeros(shape, dtype=bool)
            missing[k] = np.broadcast_to(out == _MISSING, shape)
        else:
            iaqis[k] = none
            above[k] = np.zeros(shape, dtype=bool)
            missing[k] = np.ones(shape, dtype=bool)
    for src, target in SUBSTITUTE_ABOVE[ed].items():
        if src not in used:
            continue
        sub = iaqis[src] == _SUBSTITUTED
        iaqis[src] = np.where(sub, np.int16(_MISSING), iaqis[src])
        if target in used or not sub.any():
            continue  # the target already enters the AQI (2012: O3 1 h beside O3 8 h)
        if target in rounded_scaled:
            t_out, t_ab = _iaqi_scaled(ed, target, rounded_scaled[target])
            t_out = np.broadcast_to(t_out, shape)
            iaqis[target] = np.where(sub, t_out, np.int16(_MISSING))
            above[target] = sub & (np.broadcast_to(t_ab, shape) if t_ab is not None else False)
            missing[target] = sub & (t_out == _MISSING)
        else:
            iaqis[target] = none
            above[target] = np.zeros(shape, dtype=bool)
            missing[target] = sub

    keys = list(iaqis)
    if keys:
        aqi_computed = iaqis[keys[0]].copy() if len(keys) == 1 else np.maximum.reduce([iaqis[k] for k in keys])
        n_missing = np.add.reduce([m.astype(np.int8) for m in missing.values()], dtype=np.int8)
    else:
        aqi_computed = none.copy()
        n_missing = np.zeros(shape, dtype=np.int8)
    aqi_computed = np.asarray(aqi_computed, dtype=np.int16)
    published = (aqi_computed > 100) | ((n_missing == 0) & (aqi_computed >= 0))
    aqi = np.where(published, aqi_computed, np.int16(_MISSING)).astype(np.int16)
    level = np.where(aqi >= 0, np.searchsorted(_LEVEL_BOUNDS, aqi, side="left") + 1, 0).astype(np.int8)
    has_primary = aqi > 50
    primary = {k: has_primary & (iaqis[k] == aqi) for k in keys}
    exceedance = {k: iaqis[k] > 100 for k in keys} if ed == EDITION_2012 else None
    rounded = {k: (r / (10.0 ** DECIMALS[k]) if DECIMALS[k] else r) for k, r in rounded_scaled.items()}
    return AQIArrays(ed, kind, aqi, aqi_computed, level, iaqis, rounded, primary, above, missing,
                     exceedance, n_missing)


@dataclass(frozen=True)
class AQIResult:
    """AQI of one place and time, ready to publish (HJ 633-2026 §5.1.1 content).

    ``aqi``, ``level``, categories, ``color`` and ``primary_pollutants`` are ``None``/empty when not
    published (§5.3.1); ``aqi_computed`` keeps the value computed from the available indicators.
    ``exceedance_pollutants`` is ``None`` under HJ 633-2026 (the notion was deleted).
    """

    edition: str
    kind: str
    aqi: int | None
    aqi_computed: int | None
    level: int | None
    category_zh: str | None
    category_en: str | None
    color: str | None
    primary_pollutants: tuple[str, ...]
    exceedance_pollutants: tuple[str, ...] | None
    iaqi: dict[str, int]
    concentrations: dict[str, float | int]
    above_range: tuple[str, ...]
    missing: tuple[str, ...]

    def to_dict(self) -> dict:
        """The JSON layout of ``python -m forecasting aqi`` (see ``docs/aqi.md``)."""
        return {
            "edition": self.edition,
            "kind": self.kind,
            "aqi": self.aqi,
            "level": self.level,
            "category_zh": self.category_zh,
            "category_en": self.category_en,
            "color": self.color,
            "primary_pollutants": list(self.primary_pollutants),
            "iaqi": dict(self.iaqi),
            "concentrations": dict(self.concentrations),
            "above_range": list(self.above_range),
            "missing": list(self.missing),
        }


def _as_number(key: str, value) -> float:
    if value is None:
        return np.nan
    if isinstance(value, bool):
        raise AQIInputError(f"{key}: expected a number, got {value!r}", key="aqi.error.value", value=str(value))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AQIInputError(f"{key}: expected a number, got {value!r}", key="aqi.error.value",
                            value=str(value)) from None


def aqi_from_indicators(values: Mapping[str, float | None], *, edition=None, date=None,
                        kind: str = "daily") -> AQIResult:
    """AQI of one place and time from its indicator concentrations (see :func:`aqi_arrays` for the rules).

    Example: ``aqi_from_indicators({"pm25_24h": 76, "pm10_24h": 153}, edition=2012)`` gives
    AQI 102 with primary pollutants ``("pm25_24h", "pm10_24h")`` and, as the other five indicators are
    missing and 102 > 100, the AQI is published (HJ 633-2026 §5.3.1).

    Parameters
    ----------
    values : mapping
        Indicator → concentration [µg/m³; CO mg/m³]; ``None``, NaN or negative is missing.
    edition, date
        See :func:`iaqi`.
    kind : {"daily", "hourly"}

    Examples
    --------
    The AQI is the largest IAQI; PM₂.₅ 24-h 80 gives 107 (HJ 633-2012), PM₁₀ 24-h 120 gives
    50 + 70 × 50 / 100 = 85, so PM₂.₅ is the primary pollutant and the level is 3 (101–150, 轻度污染):

    >>> r = aqi_from_indicators({"pm25_24h": 80, "pm10_24h": 120}, edition=2012)
    >>> r.aqi, r.level, r.primary_pollutants, r.category_zh
    (107, 3, ('pm25_24h',), '轻度污染')
    """
    numbers = {_check_indicator(k): _as_number(k, v) for k, v in values.items()}
    arr = aqi_arrays(numbers, edition=edition, date=date, kind=kind)
    aqi = int(arr.aqi)
    aqi_c = int(arr.aqi_computed)
    order = [k for k in INDICATORS if k in arr.iaqi]
    iaqis = {k: int(arr.iaqi[k]) for k in order if int(arr.iaqi[k]) >= 0}
    conc = {}
    for k in INDICATORS:
        if k in arr.rounded and np.isfinite(arr.rounded[k]):
            v = float(arr.rounded[k])
            conc[k] = round(v, DECIMALS[k]) if DECIMALS[k] else int(v)
    info = level_info(aqi, edition=arr.edition) if aqi >= 0 else None
    return AQIResult(
        edition=arr.edition,
        kind=kind,
        aqi=aqi if aqi >= 0 else None,
        aqi_computed=aqi_c if aqi_c >= 0 else None,
        level=info.level if info else None,
        category_zh=info.category_zh if info else None,
        category_en=info.category_en if info else None,
        color=info.hex if info else None,
        primary_pollutants=tuple(k for k in order if bool(arr.primary[k])),
        exceedance_pollutants=(tuple(k for k in order if bool(arr.exceedance[k]))
                               if arr.exceedance is not None else None),
        iaqi=iaqis,
        concentrations=conc,
        above_range=tuple(k for k in order if bool(arr.above_range[k])),
        missing=tuple(k for k in order if bool(arr.missing[k])),
    )
