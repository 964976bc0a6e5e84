"""Daily AQI scores of a backtest's D+1 forecasts, shared by the correction benches.

Two readings of "daily AQI level accuracy" are printed side by side, both against the observed daily
AQI of the same Beijing day:

- **exact level**: the level of the forecast's daily AQI (from the hourly central values) equals the
  observed level (the "AQI级别预报准确率" of public HJ 1130 code, spec ``china-aqi.md`` §3.2);
- **published level span**: the observed level is one of the levels spanned by the AQI range the
  product would publish (:func:`forecasting.correction.daily.published_daily`: width 20, 35 above
  AQI 100, placed by the interval), the operational rule the product's verification applies to
  issued forecasts (spec §3.3, T53/T54, :func:`forecasting.verification.rules.level_hit`).

The range width is a fixed convention, not the interval's width, so the second reading cannot be
raised by widening intervals; the share of days whose range spans two levels is printed with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting import scores
from forecasting.correction.daily import hourly_to_daily_aqi, published_daily
from forecasting.verification.rules import level_hit, range_hit


def observed_daily(observations: pd.DataFrame, since, until) -> pd.DataFrame:
    """Observed daily AQI per district and Beijing day of tidy hourly observations in ``[since, until]``."""
    observed = observations.rename(columns={"time": "valid_time", "value": "central"})
    observed = observed[(observed["valid_time"] >= since) & (observed["valid_time"] <= until)]
    return hourly_to_daily_aqi(observed)


def daily_scores(forecast_hourly: pd.DataFrame, observed: pd.DataFrame) -> dict:
    """Scores of one daily forecast per district-day against the observed daily AQI table.

    ``forecast_hourly``: ``valid_time district pollutant central lower upper`` (one forecast per
    district and day); ``observed``: :func:`observed_daily`.
    """
    fc = published_daily(forecast_hourly)
    j = fc.join(observed[["level", "aqi", "primary"]], rsuffix="_obs", how="inner")
    j = j.dropna(subset=["level", "level_obs", "range_lo"])
    span_lo = j["levels"].map(min)
    span_hi = j["levels"].map(max)
    span_hits = [level_hit(a, b, o) for a, b, o in zip(span_lo, span_hi, j["level_obs"])]
    range_hits = [range_hit(a, b, o) for a, b, o in zip(j["range_lo"], j["range_hi"], j["aqi_obs"])]
    ev = scores.event_scores(j["aqi"], j["aqi_obs"], threshold=100)
    return {
        "n": len(j),
        "exact": scores.level_accuracy(j["level"], j["level_obs"]),
        "span": float(np.mean(span_hits)) if span_hits else np.nan,
        "range": float(np.mean(range_hits)) if range_hits else np.nan,
        "two_level_share": float(np.mean((span_hi - span_lo) >= 1)) if len(j) else np.nan,
        "mean_width": float((j["range_hi"] - j["range_lo"]).mean()) if len(j) else np.nan,
        "pod": ev["pod"], "far": ev["far"], "csi": ev["csi"],
        "primary": scores.primary_pollutant_accuracy(j["primary"], j["primary_obs"], observed_aqi=j["aqi_obs"]),
        "aqi_rmse": scores.rmse(j["aqi"], j["aqi_obs"]),
    }


def describe(name: str, s: dict, *, target: float | None = None) -> str:
    """One printed line; ``target`` (a fraction) is judged on the published level span."""
    tag = ""
    if target is not None:
        tag = f" (target ≥ {100 * target:.0f} %: {'met' if s['span'] >= target else 'NOT met'})"
    return (f"  daily AQI D+1, {name}: published level span hit {100 * s['span']:.1f} %{tag}; exact level "
            f"{100 * s['exact']:.1f} %; AQI range hit {100 * s['range']:.1f} % (mean width {s['mean_width']:.0f}, "
            f"{100 * s['two_level_share']:.0f} % of ranges span two levels); daily AQI RMSE {s['aqi_rmse']:.1f}; "
            f"AQI>100 POD {s['pod']:.2f} FAR {s['far']:.2f} CSI {s['csi']:.2f}; primary pollutant "
            f"{100 * s['primary']:.0f} %; {s['n']} district-days")
