"""Ambient air quality assessment statistics after HJ 663 (pure functions, no database).

HJ 663-2013 《环境空气质量评价技术规范（试行）》 (and HJ 663-2026, not read here; its annual indicators are
reported unchanged, spec ``china-aqi.md`` §2.4). The rules used, with their clauses and what could not be
confirmed, are written out in ``docs/assessment.md``. In short:

- **Statistical indicators** (HJ 663-2013 §5.1 Table 1, as recalled): PM2.5 and PM10 daily-mean 95th
  percentile, SO2 and NO2 daily-mean 98th percentile, CO daily-mean 95th percentile, O3 MDA8 90th
  percentile, and the period means of SO2, NO2, PM10, PM2.5 (arithmetic mean of the valid daily means).
- **Percentile** (HJ 663-2013 Appendix A, eqs. A.1-A.2): order the n valid daily values
  ``X(1) ≤ … ≤ X(n)``; ``k = 1 + (n − 1)·p``; ``s`` = integer part of k;
  ``X_p = X(s) + (X(s+1) − X(s))·(k − s)`` (``X_p = X(n)`` when s = n).
- **Valid days**: a daily mean needs ≥ 20 valid hours, an MDA8 ≥ 14 valid 8-h windows of the 17 (each
  ≥ 6 hours), GB 3095-2026 Table 4 and HJ 663 §6.1.2 as reported (computed by
  :func:`forecasting.aqi.daily_indicators`). A day counts for the AQI statistics (days per level,
  优良天数比例) when its daily AQI is published (HJ 633-2026 §5.3.1).
- **Rounding**: statistics are computed from unrounded daily values and rounded once at the end
  (GB/T 8170, half to even): µg/m³ to integers, CO [mg/m³] to one decimal (UNCONFIRMED for HJ 663-2026's
  refined rounding rules).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from forecasting.aqi import round_concentration

__all__ = ["PERCENTILE_RULES", "MEAN_INDICATORS", "LEVELS", "hj663_percentile", "air_quality_statistics"]

#: Statistical percentile of each pollutant: (daily indicator, percentile p [%]) (HJ 663-2013 Table 1).
PERCENTILE_RULES = {
    "pm25": ("pm25_24h", 95),
    "pm10": ("pm10_24h", 95),
    "so2": ("so2_24h", 98),
    "no2": ("no2_24h", 98),
    "co": ("co_24h", 95),
    "o3": ("o3_8h", 90),
}
#: Pollutants with a period (annual) mean of their daily means (HJ 663-2013 Table 1; not CO, not O3).
MEAN_INDICATORS = {"pm25": "pm25_24h", "pm10": "pm10_24h", "so2": "so2_24h", "no2": "no2_24h"}
#: AQI levels 1-6 (HJ 633 Table 2).
LEVELS = (1, 2, 3, 4, 5, 6)


def hj663_percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile of valid daily values by HJ 663-2013 Appendix A (eqs. A.1-A.2).

    Parameters
    ----------
    values : sequence of float
        Daily values [µg/m³; CO mg/m³]; NaN values are not valid days and are dropped.
    p : float
        Percentile [%], e.g. 95.

    Returns
    -------
    float
        Unrounded; NaN when no valid value.

    Examples
    --------
    >>> hj663_percentile([10, 20, 30, 40, 50], 90)   # k = 1 + 4·0.9 = 4.6 → 40 + 0.6·10
    46.0
    >>> hj663_percentile([7], 98)
    7.0
    """
    x = np.sort(np.asarray([v for v in values if v is not None], dtype=float))
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan
    k = 1 + (n - 1) * (p / 100.0)
    s = int(math.floor(k))
    if s >= n:
        return float(x[-1])
    return float(x[s - 1] + (x[s] - x[s - 1]) * (k - s))


def _rounded(indicator: str, value: float):
    if value is None or not math.isfinite(value):
        return None
    return round_concentration(indicator, value)


def air_quality_statistics(daily: pd.DataFrame) -> dict:
    """The HJ 663 statistics of one area (a district or the zone) over a period.

    Parameters
    ----------
    daily : DataFrame
        One row per Beijing day with the daily indicators ``pm25_24h pm10_24h so2_24h no2_24h co_24h
        o3_8h`` [µg/m³; CO mg/m³] (NaN where not valid) and ``aqi`` (published daily AQI, NaN where not
        published) and ``level``.

    Returns
    -------
    dict
        ``days`` (calendar days in the frame), ``valid_days`` (days with a published AQI),
        ``level_days`` {1..6: days}, ``level_share`` {1..6: fraction of valid days}, ``good_days``
        (levels 1-2), ``good_ratio`` (优良天数比例, fraction), ``percentiles`` {pollutant: rounded value},
        ``percentile_days`` {pollutant: valid days behind it}, ``means`` {pollutant: rounded mean},
        ``raw_percentiles`` (unrounded).
    """
    aqi = pd.to_numeric(daily.get("aqi", pd.Series(dtype=float)), errors="coerce")
    level = pd.to_numeric(daily.get("level", pd.Series(dtype=float)), errors="coerce")
    valid = aqi.notna() & level.notna() & (level >= 1)
    n_valid = int(valid.sum())
    level_days = {lv: int(((level == lv) & valid).sum()) for lv in LEVELS}
    good = level_days[1] + level_days[2]
    out = {
        "days": int(len(daily)), "valid_days": n_valid, "level_days": level_days,
        "level_share": {lv: (level_days[lv] / n_valid if n_valid else math.nan) for lv in LEVELS},
        "good_days": good, "good_ratio": good / n_valid if n_valid else math.nan,
        "percentiles": {}, "percentile_days": {}, "raw_percentiles": {}, "means": {},
    }
    for pollutant, (indicator, p) in PERCENTILE_RULES.items():
        col = pd.to_numeric(daily[indicator], errors="coerce") if indicator in daily else pd.Series(dtype=float)
        vals = col[np.isfinite(col)].to_numpy(float) if len(col) else np.zeros(0)
        raw = hj663_percentile(vals, p)
        out["raw_percentiles"][pollutant] = raw
        out["percentiles"][pollutant] = _rounded(indicator, raw)
        out["percentile_days"][pollutant] = int(len(vals))
    for pollutant, indicator in MEAN_INDICATORS.items():
        col = pd.to_numeric(daily[indicator], errors="coerce") if indicator in daily else pd.Series(dtype=float)
        vals = col[np.isfinite(col)]
        out["means"][pollutant] = _rounded(indicator, float(vals.mean())) if len(vals) else None
    return out
