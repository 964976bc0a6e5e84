"""Rules for a forecast entry (district submission or combined forecast) of one target day.

- AQI range ``lo < hi`` inside 0..500; width ≤ the configured maximum for its centre (default
  20 when the centre is ≤ 100, 35 above: the CNEMC convention of spec §3.1, UNCONFIRMED);
- level span = level(lo)..level(hi) (HJ 633-2026 Table 1, via :func:`forecasting.aqi.level_of`);
- primary pollutant(s) from ``pm25 pm10 o3 no2 so2 co``: none when the whole range is ≤ 50,
  at least one when it is wholly above 50 (HJ 633-2026 §3.3, §4.3.1: a primary pollutant only when
  AQI > 50; ties allowed, so several may be named);
- optional concentrations per pollutant, ≥ 0 [µg/m³; CO mg/m³].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from forecasting.aqi import POLLUTANTS, level_of, level_span_text
from forecasting.consultation.config import ConsultationConfig
from forecasting.errors import ValidationError
from forecasting.plausibility import PLAUSIBLE_MAX
from forecasting.textlimits import TEXT_LIMITS, clean_text, strip_bidi  # noqa: F401  (the limits of user texts)
from forecasting.vocab import POLLUTANT_TEXT, unit_of

__all__ = ["CheckedForecast", "check_forecast", "span_text", "TEXT_LIMITS", "clean_text", "strip_bidi"]

@dataclass(frozen=True)
class CheckedForecast:
    aqi_lo: int
    aqi_hi: int
    level_lo: int
    level_hi: int
    primary: tuple[str, ...]
    concentrations: dict

    @property
    def centre(self) -> float:
        return (self.aqi_lo + self.aqi_hi) / 2.0


def _int(name: str, value) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name}: expected a whole AQI, got {value!r}", key="consult.bad_aqi",
                              value=str(value)) from None
    if not math.isfinite(number) or number != int(number):
        raise ValidationError(f"{name}: expected a whole AQI, got {value!r}", key="consult.bad_aqi", value=str(value))
    return int(number)


def check_forecast(aqi_lo, aqi_hi, primary, concentrations=None, *, config: ConsultationConfig) -> CheckedForecast:
    """Validate one day's forecast and derive its level span (see the module docstring)."""
    lo, hi = _int("AQI low", aqi_lo), _int("AQI high", aqi_hi)
    if not (0 <= lo < hi <= 500):
        raise ValidationError(f"AQI range {lo}-{hi}: expected 0 ≤ low < high ≤ 500", key="consult.range_order",
                              lo=lo, hi=hi)
    centre = (lo + hi) / 2.0
    width = config.max_width(centre)
    if hi - lo > width:
        raise ValidationError(f"AQI range {lo}-{hi} is {hi - lo} wide: at most {width} around a centre of {centre:g}",
                              key="consult.range_too_wide", lo=lo, hi=hi, width=width)
    chosen = tuple(dict.fromkeys(p.strip().lower() for p in (primary or []) if p and p.strip()))
    unknown = [p for p in chosen if p not in POLLUTANTS]
    if unknown:
        raise ValidationError(f"unknown pollutant(s) {', '.join(unknown)}; expected some of {' '.join(POLLUTANTS)}",
                              key="consult.bad_pollutant", value=", ".join(unknown))
    if hi <= 50 and chosen:
        raise ValidationError(f"AQI {lo}-{hi} is ≤ 50: there is no primary pollutant",
                              key="consult.primary_not_allowed")
    if lo > 50 and not chosen:
        raise ValidationError(f"AQI {lo}-{hi} is above 50: name the primary pollutant(s)",
                              key="consult.primary_required")
    conc = {}
    for name, value in (concentrations or {}).items():
        if value in (None, ""):
            continue
        if name not in POLLUTANTS:
            raise ValidationError(f"unknown pollutant {name!r}", key="consult.bad_pollutant", value=name)
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        if not math.isfinite(v) or v < 0 or v > PLAUSIBLE_MAX[name]:  # #15: 1e308 µg/m³ was stored
            raise ValidationError(f"{name} concentration {value!r}: expected a number from 0 to "
                                  f"{PLAUSIBLE_MAX[name]:g}", key="consult.bad_conc", pollutant=POLLUTANT_TEXT[name],
                                  value=_as_typed(value, v), limit=f"{PLAUSIBLE_MAX[name]:g}", unit=unit_of(name))
        conc[name] = v
    return CheckedForecast(lo, hi, level_of(lo), level_of(hi), tuple(p for p in POLLUTANTS if p in chosen), conc)


def span_text(level_lo: int, level_hi: int, lang: str = "zh") -> str:
    """``"良"``, ``"良至轻度污染"``, ``"轻度至中度污染"`` (:func:`forecasting.aqi.level_span_text`)."""
    return level_span_text(level_lo, level_hi, lang)


def _as_typed(value, number: float) -> str:
    """A refused number as a person reads it: ``1e9`` → ``1000000000``, ``-2.5`` stays, text stays.

    Examples
    --------
    >>> _as_typed(1e9, 1e9), _as_typed(-2.5, -2.5), _as_typed("x", float("nan"))
    ('1000000000', '-2.5', 'x')
    """
    if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:g}" if math.isfinite(number) else str(value)
