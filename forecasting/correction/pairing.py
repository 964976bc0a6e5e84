"""Pair district forecasts with district observations by valid time and lead.

Vocabulary (``DESIGN.md``): ``cycle`` is the model initialisation time, ``valid_time`` the end of
the forecast hour (hour-ending labels, UTC, tz-aware), ``lead_hours = valid_time − cycle``.
The *issue time* of a forecast is ``cycle + issue_delay_hours`` (the time the run's output is in
the forecasters' hands); the *issue date* is its Beijing date. The lead day of a valid hour is the
Beijing natural day holding that hour (hour-ending: the value labelled 24:00 = next day 00:00
belongs to the day before, spec ``china-aqi.md`` §2.3) minus the issue date: D+1 is tomorrow.

Only what was known at the issue time may be used to correct a forecast: an observation labelled
``t`` is taken to be known at ``t`` (fold any reporting latency into the delay).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.errors import ValidationError
from forecasting.vocab import BEIJING_ZONE, POLLUTANTS

__all__ = [
    "POLLUTANTS",
    "PREDICTORS",
    "DEFAULT_ISSUE_DELAY_HOURS",
    "beijing_day",
    "check_forecasts",
    "check_observations",
    "pair_forecasts",
]

#: Meteorological predictors a model may supply: 2-m temperature [°C], relative humidity [%],
#: 10-m wind speed [m/s], wind direction [degrees from north], boundary-layer height [m].
PREDICTORS = ("t2", "rh", "ws", "wd", "pblh")
#: Default hours between a cycle and the moment its forecast is used (output + post-processing).
DEFAULT_ISSUE_DELAY_HOURS = 6.0

FORECAST_COLUMNS = ("model", "cycle", "valid_time", "district", "variable", "value")
OBSERVATION_COLUMNS = ("time", "district", "pollutant", "value")


def beijing_day(times: pd.Series) -> pd.Series:
    """Beijing natural day of hour-ending labels (``t − 1 h`` in Asia/Shanghai), as naive midnight."""
    local = (pd.to_datetime(times) - pd.Timedelta(hours=1)).dt.tz_convert(BEIJING_ZONE)
    return local.dt.tz_localize(None).dt.normalize()


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{what} misses column(s) {', '.join(missing)}; expected columns {', '.join(columns)}"
        )


def _utc(values: pd.Series, column: str, what: str) -> pd.Series:
    s = pd.to_datetime(values)
    if s.dt.tz is None:
        raise ValidationError(
            f"{what} column {column!r} holds times without a UTC offset; give tz-aware times"
        )
    return s.dt.tz_convert("UTC")


def check_forecasts(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Validated copy of a tidy forecast table (columns ``model cycle valid_time district variable value``)."""
    _require(forecasts, FORECAST_COLUMNS, "forecast table")
    f = forecasts.loc[:, list(FORECAST_COLUMNS)].copy()
    f["cycle"] = _utc(f["cycle"], "cycle", "forecast table")
    f["valid_time"] = _utc(f["valid_time"], "valid_time", "forecast table")
    f["model"] = f["model"].astype(str)
    f["district"] = f["district"].astype(str)
    f["variable"] = f["variable"].astype(str)
    f["value"] = pd.to_numeric(f["value"], errors="coerce").astype(float)
    unknown = sorted(set(f["variable"].unique()) - set(POLLUTANTS) - set(PREDICTORS))
    if unknown:
        raise ValidationError(
            f"forecast table has unknown variable(s) {', '.join(unknown)}; expected one of "
            f"{', '.join(POLLUTANTS + PREDICTORS)}"
        )
    if (f["valid_time"] <= f["cycle"]).any():
        raise ValidationError("forecast table has valid_time not after cycle; lead must be ≥ 1 h")
    return f


def check_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """Validated copy of tidy district observations (columns ``time district pollutant value``)."""
    _require(observations, OBSERVATION_COLUMNS, "observation table")
    o = observations.loc[:, list(OBSERVATION_COLUMNS)].copy()
    o["time"] = _utc(o["time"], "time", "observation table")
    o["district"] = o["district"].astype(str)
    o["pollutant"] = o["pollutant"].astype(str)
    o["value"] = pd.to_numeric(o["value"], errors="coerce").astype(float)
    unknown = sorted(set(o["pollutant"].unique()) - set(POLLUTANTS))
    if unknown:
        raise ValidationError(
            f"observation table has unknown pollutant(s) {', '.join(unknown)}; expected {', '.join(POLLUTANTS)}"
        )
    return o.groupby(["district", "pollutant", "time"], as_index=False)["value"].mean()


def pair_forecasts(
    forecasts: pd.DataFrame,
    observations: pd.DataFrame,
    *,
    issue_delay_hours: float = DEFAULT_ISSUE_DELAY_HOURS,
) -> pd.DataFrame:
    """One row per model, cycle, valid time, district and pollutant with its observation.

    Parameters
    ----------
    forecasts : DataFrame
        Tidy: ``model, cycle, valid_time, district, variable, value``; ``variable`` a pollutant
        (canonical units, µg/m³, CO mg/m³) or a predictor of :data:`PREDICTORS`.
    observations : DataFrame
        Tidy district observations: ``time, district, pollutant, value`` (hour-ending, tz-aware).
    issue_delay_hours : float, keyword-only
        Issue time = cycle + this delay [h].

    Returns
    -------
    DataFrame
        ``model cycle issue_time issue_date valid_time lead_hours lead_day hour district pollutant
        forecast observed`` plus one column per predictor the forecasts carry (``t2 rh ws wd pblh``,
        the same model, cycle and valid time). ``observed`` is NaN where no observation exists;
        ``hour`` is the Beijing hour-ending label 1..24 of the valid time.
    """
    f = check_forecasts(forecasts)
    o = check_observations(observations)
    pol = f[f["variable"].isin(POLLUTANTS)].rename(columns={"variable": "pollutant", "value": "forecast"})
    keys = ["model", "cycle", "valid_time", "district"]
    met = f[f["variable"].isin(PREDICTORS)]
    if len(met):
        wide = met.pivot_table(index=keys, columns="variable", values="value", aggfunc="mean").reset_index()
        wide.columns.name = None
        pol = pol.merge(wide, on=keys, how="left")
    pol = pol.drop_duplicates(subset=keys + ["pollutant"], keep="last")
    pairs = pol.merge(
        o.rename(columns={"time": "valid_time", "value": "observed"}),
        on=["district", "pollutant", "valid_time"],
        how="left",
    )
    pairs["issue_time"] = pairs["cycle"] + pd.Timedelta(hours=float(issue_delay_hours))
    pairs["issue_date"] = pairs["issue_time"].dt.tz_convert(BEIJING_ZONE).dt.tz_localize(None).dt.normalize()
    pairs["lead_hours"] = ((pairs["valid_time"] - pairs["cycle"]) / pd.Timedelta(hours=1)).round().astype(int)
    day = beijing_day(pairs["valid_time"])
    pairs["lead_day"] = ((day - pairs["issue_date"]) / pd.Timedelta(days=1)).round().astype(int)
    local = pairs["valid_time"].dt.tz_convert(BEIJING_ZONE)
    pairs["hour"] = np.where(local.dt.hour == 0, 24, local.dt.hour).astype(int)
    front = ["model", "cycle", "issue_time", "issue_date", "valid_time", "lead_hours", "lead_day", "hour",
             "district", "pollutant", "forecast", "observed"]
    rest = [c for c in PREDICTORS if c in pairs.columns]
    out = pairs[front + rest].sort_values(["valid_time", "model", "cycle", "district", "pollutant"])
    return out.reset_index(drop=True)
