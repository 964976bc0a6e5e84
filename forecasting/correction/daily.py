"""Daily district forecast: corrected hourly series → daily AQI, AQI range, level span, primary pollutant.

The AQI itself comes from the AQI engine (:mod:`forecasting.aqi`, HJ 633-2012/2026 chosen by the
target date): daily indicators of each Beijing natural day (daily means, O3 MDA8) from the hourly
central values, then the AQI, level and primary pollutants. The uncertainty of the day is carried
by the daily AQI of the hourly lower and of the hourly upper bounds (every pollutant at its bound:
a conservative envelope, since the AQI is monotone in each concentration, not a quantile of the
daily AQI); :func:`forecasting.aqi.aqi_range` turns point and envelope into the published range
and level span. Days with fewer than 20 forecast hours (D+7 of a 168-h run) have no AQI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.correction.pairing import POLLUTANTS
from forecasting.errors import ValidationError

__all__ = ["daily_forecast", "hourly_to_daily_aqi", "published_daily"]


def hourly_to_daily_aqi(frame: pd.DataFrame, value: str = "central", *, edition=None) -> pd.DataFrame:
    """Daily AQI per district and Beijing day of a tidy hourly table (``valid_time district pollutant <value>``).

    Returns the AQI engine's daily table indexed by ``district, date`` (see
    :func:`forecasting.aqi.daily_aqi`) with ``primary`` = the primary pollutants as pollutant names.
    """
    from forecasting.aqi import POLLUTANT_OF, daily_aqi

    wide = frame.pivot_table(index=["valid_time", "district"], columns="pollutant", values=value,
                             aggfunc="mean").reset_index()
    wide.columns.name = None
    wide = wide.set_index("valid_time")
    wide.index = pd.DatetimeIndex(wide.index).rename("time")
    cols = [p for p in POLLUTANTS if p in wide.columns]
    out = daily_aqi(wide[cols + ["district"]], edition=edition)
    out["primary"] = [tuple(dict.fromkeys(POLLUTANT_OF[k] for k in t)) for t in out["primary_pollutants"]]
    return out


def published_daily(frame: pd.DataFrame, *, edition=None, rules=None) -> pd.DataFrame:
    """Daily AQI, published range and level span per district and Beijing day of corrected hourly rows.

    ``frame`` holds ``valid_time district pollutant central [lower upper]`` of **one** forecast per
    district and day (one model or the ensemble, one issue per day: e.g. every D+1 day of a
    backtest, or one run's D+1..D+7). The range follows :func:`forecasting.aqi.aqi_range`: its width
    is the published convention (20, 35 above AQI 100), the interval only places it.

    Returns
    -------
    DataFrame
        Indexed by ``district, date``: ``edition aqi aqi_lower aqi_upper level primary range_lo
        range_hi range_text levels span_zh span_en``; range columns missing when the day has no AQI.
    """
    from forecasting.aqi import aqi_range

    central = hourly_to_daily_aqi(frame, "central", edition=edition)
    has_bounds = {"lower", "upper"} <= set(frame.columns) and frame["lower"].notna().any()
    lower = hourly_to_daily_aqi(frame, "lower", edition=edition)["aqi_computed"] if has_bounds else None
    upper = hourly_to_daily_aqi(frame, "upper", edition=edition)["aqi_computed"] if has_bounds else None
    out = pd.DataFrame(index=central.index)
    out["edition"] = central["edition"]
    out["aqi"] = central["aqi_computed"].where(np.isfinite(central["aqi_computed"]), central["aqi"])
    out["aqi_lower"] = lower.reindex(central.index) if lower is not None else np.nan
    out["aqi_upper"] = upper.reindex(central.index) if upper is not None else np.nan
    out["level"] = central["level"]
    out["primary"] = central["primary"]
    ranges = []
    for aqi, lo, hi, ed in zip(out["aqi"], out["aqi_lower"], out["aqi_upper"], out["edition"]):
        if not np.isfinite(aqi):
            ranges.append({})
            continue
        interval = (min(lo, aqi), max(hi, aqi)) if np.isfinite(lo) and np.isfinite(hi) else None
        rng = aqi_range(float(aqi), interval=interval, edition=ed, rules=rules)
        ranges.append({"range_lo": rng.lo, "range_hi": rng.hi, "range_text": rng.text, "levels": rng.levels,
                       "span_zh": rng.span_zh, "span_en": rng.span_en})
    extra = pd.DataFrame(ranges, index=central.index,
                         columns=["range_lo", "range_hi", "range_text", "levels", "span_zh", "span_en"])
    return out.join(extra)


def daily_forecast(corrected: pd.DataFrame, *, edition=None, rules=None, lead_days=range(1, 8)) -> pd.DataFrame:
    """Daily forecast per district and target day from one model's (or the ensemble's) corrected run.

    Parameters
    ----------
    corrected : DataFrame
        Rows of :func:`forecasting.correction.correct` for **one** model and **one** issue date, all
        six pollutants: ``valid_time district pollutant central lower upper lead_day issue_date``.
    edition : str, optional
        Force an AQI edition; default: by target date (HJ 633-2026 from 2026-03-01).
    rules : forecasting.aqi.RangeRules, optional
        Width rules of the published range.
    lead_days : iterable of int
        Lead days kept (D+1..D+7).

    Returns
    -------
    DataFrame
        One row per ``district, target_date``: ``lead_day edition aqi aqi_lower aqi_upper level
        primary range_lo range_hi range_text levels span_zh span_en``; AQI columns NaN (and no range)
        when the day lacks valid hours.
    """
    if corrected["model"].nunique() > 1 or corrected["issue_date"].nunique() > 1:
        raise ValidationError("daily_forecast takes one model and one issue date; filter the corrected rows first")
    if corrected.empty:
        return pd.DataFrame()
    issue_date = pd.Timestamp(corrected["issue_date"].iloc[0])
    daily = published_daily(corrected, edition=edition, rules=rules).reset_index()
    daily = daily.rename(columns={"date": "target_date"})
    daily["target_date"] = pd.to_datetime(daily["target_date"])
    daily.insert(2, "lead_day", ((daily["target_date"] - issue_date) / pd.Timedelta(days=1)).round().astype(int))
    daily = daily[daily["lead_day"].isin(set(lead_days))]
    cols = ["district", "target_date", "lead_day", "edition", "aqi", "aqi_lower", "aqi_upper", "level", "primary",
            "range_lo", "range_hi", "range_text", "levels", "span_zh", "span_en"]
    return daily[cols].reset_index(drop=True)
