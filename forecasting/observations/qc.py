"""Quality control of hourly station observations: flags, never deletion.

Each row of a long table ``station time pollutant value`` gets ``qc_flags`` (codes joined by ``|``,
empty when clean) and ``valid`` (no flag). Codes (checks in the spirit of HJ 818-2018 data
validity rules and common automatic QC practice, e.g. the flat-line and spike tests of the EPA
AirNow QC, thresholds documented here and configurable):

``missing``       the value is missing;
``negative``      value < 0;
``implausible``   value above :data:`PLAUSIBLE_MAX` (physically impossible or wrong unit: CO
                  above 60 mg/m³ is nearly always a µg/m³ value);
``duplicate``     the same station, pollutant and hour appears more than once (every copy);
``flat``          part of a run of ≥ ``flat_hours`` consecutive hours with the identical value
                  above :data:`FLAT_MIN` (a stuck instrument; default 6 h). Values at the
                  instrument's resolution or detection limit repeat legitimately (the Dongsi
                  record has SO2 = 2 µg/m³ and CO = 0.3 mg/m³ for many hours), so they are exempt;
``spike``         an isolated rise: ``x_t − max(x_{t−1}, x_{t+1}) > max(SPIKE_ABS[p], spike_ratio ·
                  max(x_{t−1}, x_{t+1}))`` (default ratio 2: more than three times both neighbours);
``pm25_gt_pm10``  PM2.5 greater than PM10 at the same station and hour (both values flagged;
                  ``pm_tolerance`` [µg/m³] allows for instrument noise, default 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FLAGS", "FLAT_MIN", "PLAUSIBLE_MAX", "SPIKE_ABS", "quality_control"]

FLAGS = ("missing", "negative", "implausible", "duplicate", "flat", "spike", "pm25_gt_pm10")
#: Upper limit of a plausible hourly value [µg/m³; CO mg/m³].
PLAUSIBLE_MAX = {"pm25": 1500.0, "pm10": 3000.0, "o3": 1200.0, "no2": 1000.0, "so2": 2000.0, "co": 60.0}
#: A flat run is flagged only above this value [µg/m³; CO mg/m³] (resolution / detection limit).
FLAT_MIN = {"pm25": 5.0, "pm10": 10.0, "o3": 5.0, "no2": 5.0, "so2": 5.0, "co": 0.5}
#: Minimum absolute rise above both neighbours for a spike [µg/m³; CO mg/m³].
SPIKE_ABS = {"pm25": 100.0, "pm10": 200.0, "o3": 100.0, "no2": 100.0, "so2": 100.0, "co": 2.0}


def quality_control(obs: pd.DataFrame, *, flat_hours: int = 6, spike_ratio: float = 2.0,
                    pm_tolerance: float = 0.0) -> pd.DataFrame:
    """A copy of ``obs`` with ``qc_flags`` and ``valid`` columns (see the module docstring).

    Parameters
    ----------
    obs : DataFrame
        Long station observations ``station time pollutant value`` (UTC, hour-ending).
    flat_hours : int, keyword-only
        Minimum length of a run of identical values to flag [h].
    spike_ratio : float
        Relative spike threshold (see ``spike``).
    pm_tolerance : float
        PM2.5 may exceed PM10 by this much before both are flagged [µg/m³].
    """
    out = obs.reset_index(drop=True).copy()
    v = out["value"].to_numpy(dtype=float)
    flags = {name: np.zeros(len(out), bool) for name in FLAGS}
    flags["missing"] = ~np.isfinite(v)
    flags["negative"] = v < 0
    limit = out["pollutant"].map(PLAUSIBLE_MAX).to_numpy(dtype=float)
    flags["implausible"] = v > limit
    key = ["station", "pollutant", "time"]
    flags["duplicate"] = out.duplicated(subset=key, keep=False).to_numpy()

    # Time-series checks on the de-duplicated, clean-so-far values, on a complete hourly grid.
    order = out.sort_values(key, kind="stable").index.to_numpy()
    tns = pd.DatetimeIndex(out["time"]).as_unit("ns").asi8
    for (_, pol), idx in out.loc[order].groupby(["station", "pollutant"], sort=False).indices.items():
        rows = order[idx]
        t = tns[rows]
        x = v[rows].copy()
        x[flags["duplicate"][rows] | flags["negative"][rows] | flags["implausible"][rows]] = np.nan
        hours = (t - t[0]) // 3_600_000_000_000
        grid = np.full(hours.max() + 1 if len(hours) else 0, np.nan)
        grid[hours] = x  # duplicates write the same slot; they are NaN here anyway
        flags["flat"][rows] |= _flat(grid, flat_hours)[hours] & (x > FLAT_MIN.get(pol, 0.0))
        flags["spike"][rows] |= _spike(grid, SPIKE_ABS.get(pol, np.inf), spike_ratio)[hours]

    pm = out[out["pollutant"].isin(["pm25", "pm10"])]
    if len(pm):
        wide = pm.drop_duplicates(subset=key, keep=False).pivot(index=["station", "time"], columns="pollutant",
                                                                values="value")
        if {"pm25", "pm10"} <= set(wide.columns):
            bad = wide.index[(wide["pm25"] > wide["pm10"] + pm_tolerance).to_numpy()]
            if len(bad):
                hit = pd.MultiIndex.from_frame(out[["station", "time"]]).isin(bad)
                flags["pm25_gt_pm10"] = hit & out["pollutant"].isin(["pm25", "pm10"]).to_numpy()

    codes = np.array(FLAGS, dtype=object)
    matrix = np.column_stack([flags[name] for name in FLAGS])
    out["qc_flags"] = ["|".join(codes[row]) for row in matrix]
    out["valid"] = ~matrix.any(axis=1)
    return out


def _flat(x: np.ndarray, n: int) -> np.ndarray:
    """True for members of runs of ≥ n consecutive equal finite values."""
    out = np.zeros(len(x), bool)
    if not len(x):
        return out
    same = np.isfinite(x[1:]) & (x[1:] == x[:-1])
    start = 0
    for i in range(1, len(x) + 1):
        if i == len(x) or not same[i - 1]:
            if i - start >= n and np.isfinite(x[start]):
                out[start:i] = True
            start = i
    return out


def _spike(x: np.ndarray, abs_min: float, ratio: float) -> np.ndarray:
    out = np.zeros(len(x), bool)
    if len(x) < 3:
        return out
    nb = np.fmax(x[:-2], x[2:])
    both = np.isfinite(x[:-2]) & np.isfinite(x[2:]) & np.isfinite(x[1:-1])
    rise = x[1:-1] - nb
    out[1:-1] = both & (rise > np.maximum(abs_min, ratio * nb))
    return out
