"""Predictors for the correction methods, each computed from what was known at the issue time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.correction.pairing import PREDICTORS
from forecasting.vocab import BEIJING_ZONE

__all__ = ["ObservationIndex", "persistence_times", "regression_features"]


class ObservationIndex:
    """Fast look-up of district observations by (district, pollutant, hour-ending time).

    Each series is put on a complete hourly grid, so a missing hour is NaN, not an error.
    """

    def __init__(self, observations: pd.DataFrame):
        self._series: dict[tuple[str, str], pd.Series] = {}
        self._mean24: dict[tuple[str, str], pd.Series] = {}
        for (district, pollutant), g in observations.groupby(["district", "pollutant"]):
            s = g.set_index("time")["value"].sort_index()
            s = s[~s.index.duplicated(keep="last")].asfreq("h")
            self._series[(district, pollutant)] = s
            self._mean24[(district, pollutant)] = s.rolling(24, min_periods=12).mean()

    def _get(self, table, districts, pollutants, times) -> np.ndarray:
        out = np.full(len(times), np.nan)
        frame = pd.DataFrame({"d": np.asarray(districts), "p": np.asarray(pollutants)})
        times = pd.DatetimeIndex(times)
        for (d, p), idx in frame.groupby(["d", "p"]).indices.items():
            s = table.get((d, p))
            if s is not None and len(s):
                out[idx] = s.reindex(times[idx]).to_numpy(dtype=float)
        return out

    def value(self, districts, pollutants, times) -> np.ndarray:
        """Observation at each time (NaN if missing)."""
        return self._get(self._series, districts, pollutants, times)

    def mean24(self, districts, pollutants, times) -> np.ndarray:
        """Mean of the 24 hourly values ending at each time (needs ≥ 12 valid), NaN otherwise."""
        return self._get(self._mean24, districts, pollutants, times)


def persistence_times(pairs: pd.DataFrame) -> pd.Series:
    """Time of "yesterday's observation at the same hour" known at the issue time.

    ``valid_time − 24·n h`` with n ≥ 1 the smallest whole number of days that lands at or before
    the issue time, so D+1 hours after the issue hour fall back two days.
    """
    ahead = (pairs["valid_time"] - pairs["issue_time"]) / pd.Timedelta(hours=24)
    n = np.maximum(1, np.ceil(ahead.to_numpy(dtype=float))).astype(int)
    return pairs["valid_time"] - pd.to_timedelta(24 * n, unit="h")


def regression_features(pairs: pd.DataFrame, obs: ObservationIndex) -> pd.DataFrame:
    """Predictor matrix for :func:`mos_ridge` and :func:`gradient_boosting` (one row per pair).

    Columns: the model value and its interaction with the diurnal harmonics (multiplicative
    diurnal bias), meteorology when present (``t2 rh ws pblh``; wind direction as sin/cos), two
    harmonics of the Beijing hour of day, day of week (harmonic and weekend flag), lead [h], and
    recent observations known at the issue time: the last hourly value, the 24-h mean ending at
    the issue hour and the persistence value (:func:`persistence_times`).
    """
    f = pairs["forecast"].to_numpy(dtype=float)
    hour = pairs["hour"].to_numpy(dtype=float)
    a = 2 * np.pi * hour / 24
    local = pairs["valid_time"].dt.tz_convert(BEIJING_ZONE)
    dow = local.dt.day_of_week.to_numpy(dtype=float)
    X = {
        "forecast": f,
        "forecast_sin1": f * np.sin(a),
        "forecast_cos1": f * np.cos(a),
        "hour_sin1": np.sin(a),
        "hour_cos1": np.cos(a),
        "hour_sin2": np.sin(2 * a),
        "hour_cos2": np.cos(2 * a),
        "dow_sin": np.sin(2 * np.pi * dow / 7),
        "dow_cos": np.cos(2 * np.pi * dow / 7),
        "weekend": (dow >= 5).astype(float),
        "lead_hours": pairs["lead_hours"].to_numpy(dtype=float),
    }
    for name in PREDICTORS:
        if name in pairs.columns and pairs[name].notna().any():
            v = pairs[name].to_numpy(dtype=float)
            if name == "wd":
                X["wd_sin"], X["wd_cos"] = np.sin(np.radians(v)), np.cos(np.radians(v))
                if "ws" in pairs.columns and pairs["ws"].notna().any():
                    # earth-relative wind components (issue #13: wind is a vector, never a number)
                    from forecasting.districts import wind_components

                    X["wind_u"], X["wind_v"] = wind_components(pairs["ws"].to_numpy(dtype=float), v)
            else:
                X[name] = v
    issue_hour = pairs["issue_time"].dt.floor("h")
    d, p = pairs["district"].to_numpy(), pairs["pollutant"].to_numpy()
    X["obs_last"] = obs.value(d, p, issue_hour)
    X["obs_mean24"] = obs.mean24(d, p, issue_hour)
    X["obs_persistence"] = obs.value(d, p, persistence_times(pairs))
    return pd.DataFrame(X, index=pairs.index)
