"""AQI ranges for publication: "55-75, 良" from a point forecast and its uncertainty.

Chinese forecasts publish the AQI as a range with the level (or level span) it covers
(HJ 633-2026 §5.1.1 asks at minimum for AQI, primary pollutant, level, category and colour; the range
form is operational practice, spec §3.1). No national text fixes the width: the CNEMC (总站)
convention seen in vendor systems is width 20 at lower AQI and 35 at higher AQI, with an unknown switch
point (UNCONFIRMED). The width rules are therefore a parameter, :class:`RangeRules`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from forecasting.aqi.levels import level_info, level_of
from forecasting.aqi.tables import EDITION_2026, AQIInputError, normalize_edition

__all__ = ["RangeRules", "AQIRange", "aqi_range", "level_span_text"]


@dataclass(frozen=True)
class RangeRules:
    """How a published AQI range is built.

    Parameters
    ----------
    widths : tuple of (max_centre, width)
        The first pair whose ``max_centre`` is ≥ the centre gives the width [1]. Default: 20 when the
        centre is ≤ 100, 35 above (spec §3.1, UNCONFIRMED convention).
    step : int
        The lower end is snapped to a multiple of ``step`` [1] (default 5); 1 disables snapping.
    shift_off_boundaries : bool
        Shift the range up by ``step`` when its lower end falls exactly on a level boundary
        (50, 100, 150, 200, 300), as one operational system does ("50-70" → "55-75"). Default False.
    floor, ceiling : int
        Limits of the published range [1] (0 and 500).
    """

    widths: tuple[tuple[float, int], ...] = ((100, 20), (math.inf, 35))
    step: int = 5
    shift_off_boundaries: bool = False
    floor: int = 0
    ceiling: int = 500

    def width_for(self, centre: float) -> int:
        for max_centre, width in self.widths:
            if centre <= max_centre:
                return int(width)
        return int(self.widths[-1][1])


@dataclass(frozen=True)
class AQIRange:
    """A published AQI range ``lo-hi`` with the levels it spans (ascending) and their colours."""

    lo: int
    hi: int
    centre: float
    width: int
    edition: str
    levels: tuple[int, ...]
    span_zh: str
    span_en: str
    colors: tuple[str, ...]

    @property
    def text(self) -> str:
        """``"55-75"``."""
        return f"{self.lo}-{self.hi}"

    def span(self, lang: str = "zh") -> str:
        """Level span text, ``"良至轻度污染"`` / ``"Good to Lightly Polluted"``."""
        return self.span_en if lang == "en" else self.span_zh


def level_span_text(level_lo: int, level_hi: int, lang: str = "zh", *, edition: str = EDITION_2026) -> str:
    """The levels a range spans in words: one category, or the first and the last joined by 至 / "to"; two
    polluted categories share their noun, as published forecasts write them ("轻度至中度污染", "Lightly to
    Moderately Polluted"; "轻度污染至中度污染" made the chief desk's column wider than the page).

    Examples
    --------
    >>> level_span_text(2, 2), level_span_text(2, 3), level_span_text(2, 3, "en")
    ('良', '良至轻度污染', 'Good to Lightly Polluted')
    >>> level_span_text(3, 4), level_span_text(3, 4, "en"), level_span_text(5, 6)
    ('轻度至中度污染', 'Lightly to Moderately Polluted', '重度至严重污染')
    """
    a, b = level_info(level=level_lo, edition=edition), level_info(level=level_hi, edition=edition)
    if level_lo == level_hi:
        return a.category(lang)
    if lang == "en":
        first = a.category_en.removesuffix(" Polluted") if b.category_en.endswith(" Polluted") else a.category_en
        return f"{first} to {b.category_en}"
    first = a.category_zh.removesuffix("污染") if b.category_zh.endswith("污染") else a.category_zh
    return f"{first}至{b.category_zh}"


def _finite(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise AQIInputError(f"{name}: expected a number, got {value!r}", key="aqi.error.value",
                            value=str(value)) from None
    if not math.isfinite(v) or v < 0:
        raise AQIInputError(f"{name}: expected a finite AQI ≥ 0, got {value!r}", key="aqi.error.value",
                            value=str(value))
    return v


def aqi_range(point: float | None = None, *, interval: tuple[float, float] | None = None,
              edition: str = EDITION_2026, rules: RangeRules | None = None) -> AQIRange:
    """The published AQI range for a forecast (operational practice, spec §3.1).

    - centre: the point forecast, or the middle of ``interval`` when no point is given;
    - width: ``rules.width_for(centre)`` (default 20 up to 100, 35 above);
    - position: centred on the point, or, with an interval, placed so that the point divides the range
      in the same proportion as it divides the interval (a skewed uncertainty shifts the range towards
      its long side); the lower end is snapped to a multiple of ``rules.step``;
    - the range is kept inside [``rules.floor``, ``rules.ceiling``] at constant width;
    - the level span runs from the level of ``lo`` to the level of ``hi`` (HJ 633-2026 Table 1).

    Parameters
    ----------
    point : float, optional
        Point forecast of the AQI [1].
    interval : (float, float), optional
        Uncertainty interval of the AQI [1], e.g. the 10-90 % quantiles.
    edition : str
        Edition whose level texts are used.
    rules : RangeRules, optional

    Examples
    --------
    A point of 76: width 20, centred (66-86), the lower end snapped to a multiple of 5 → 65-85,
    level 2 only (51-100, HJ 633-2026 Table 1). A point of 95: 85-105 spans levels 2 and 3.

    >>> r = aqi_range(76)
    >>> r.lo, r.hi, r.levels, r.span_zh
    (65, 85, (2,), '良')
    >>> r = aqi_range(95)
    >>> r.lo, r.hi, r.levels, r.span_zh
    (85, 105, (2, 3), '良至轻度污染')

    Above 100 the width is 35; with an interval the point keeps its place in it
    (140 is 1/4 of the way through 130-170, so the range starts at 140 − 35/4 ≈ 131 → 130):

    >>> r = aqi_range(140, interval=(130, 170))
    >>> r.lo, r.hi
    (130, 165)
    """
    edition = normalize_edition(edition)
    rules = rules or RangeRules()
    if point is None and interval is None:
        raise AQIInputError("aqi_range needs a point forecast or an interval", key="aqi.error.range")
    fraction = 0.5
    if interval is not None:
        q_lo, q_hi = (_finite("interval", v) for v in interval)
        if q_hi < q_lo:
            raise AQIInputError(f"interval must be (low, high), got {interval!r}", key="aqi.error.range")
        if point is None:
            centre = (q_lo + q_hi) / 2.0
        else:
            centre = _finite("point", point)
            if q_hi > q_lo:
                fraction = min(1.0, max(0.0, (centre - q_lo) / (q_hi - q_lo)))
    else:
        centre = _finite("point", point)
    width = rules.width_for(centre)
    step = max(1, int(rules.step))
    lo = int(math.floor((centre - fraction * width) / step + 0.5)) * step
    if rules.shift_off_boundaries and lo in (50, 100, 150, 200, 300):
        lo += step
    lo = max(rules.floor, min(lo, rules.ceiling - width))
    hi = lo + width
    lev = tuple(range(level_of(lo), level_of(hi) + 1))
    infos = [level_info(level=k, edition=edition) for k in lev]
    span_zh, span_en = (level_span_text(lev[0], lev[-1], lang, edition=edition) for lang in ("zh", "en"))
    return AQIRange(lo, hi, centre, width, edition, lev, span_zh, span_en, tuple(i.hex for i in infos))
