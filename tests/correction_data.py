"""Small hand-made series for the correction, score and observation tests.

Every helper builds a tiny world whose answer can be worked out by hand:

    observations  O(t) = 40 + 10·[Beijing hour ≥ 12]   (a two-level diurnal cycle)
    model "A"     F = O + bias  (bias constant unless a step is asked for)
    cycles        daily at 00 UTC (08:00 Beijing); issue = cycle + 6 h = 14:00 Beijing
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DISTRICT = "310118"
START = pd.Timestamp("2026-01-01 00:00", tz="UTC")


def hourly_observations(days: int = 30, *, district: str = DISTRICT, pollutant: str = "pm25",
                        start: pd.Timestamp = START, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Hour-ending observations covering ``days`` days plus 8 days of leads."""
    times = pd.date_range(start - pd.Timedelta(days=2), start + pd.Timedelta(days=days + 8), freq="h")
    hour = times.tz_convert("Asia/Shanghai").hour
    value = 40.0 + 10.0 * (hour >= 12)
    if noise:
        value = value + np.random.default_rng(seed).normal(0, noise, len(times))
    return pd.DataFrame({"time": times, "district": district, "pollutant": pollutant, "value": value})


def model_forecasts(obs: pd.DataFrame, *, days: int = 30, model: str = "A", bias=5.0, scale: float = 1.0,
                    max_lead: int = 72, step_day: int | None = None, step_bias: float = 0.0,
                    cycle_hour: int = 0, start: pd.Timestamp = START) -> pd.DataFrame:
    """Tidy forecasts ``F = scale·O + bias`` (``bias + step_bias`` for cycles from ``step_day`` on)."""
    rows = []
    series = {(d, p): g.set_index("time")["value"] for (d, p), g in obs.groupby(["district", "pollutant"])}
    for k in range(days):
        cycle = start + pd.Timedelta(days=k, hours=cycle_hour)
        valid = cycle + pd.to_timedelta(np.arange(1, max_lead + 1), unit="h")
        b = bias + (step_bias if step_day is not None and k >= step_day else 0.0)
        for (d, p), s in series.items():
            o = s.reindex(valid).to_numpy()
            rows.append(pd.DataFrame({"model": model, "cycle": cycle, "valid_time": valid, "district": d,
                                      "variable": p, "value": scale * o + b}))
    return pd.concat(rows, ignore_index=True)
