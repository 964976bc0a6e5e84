"""Simulated model forecasts from real observations: a documented, seeded error model.

Real district forecasts are not available for Qingpu, Wujiang or Jiashan, so the bench, the tests
and the demo world turn an observed hourly series into the forecasts of several "models". For
model ``m``, pollutant ``p``, cycle ``c`` and lead ``l`` (valid time ``t = c + l``, Beijing hour
``h``)::

    F = max(0, a · (O*(t) + o) · exp(b · cos(2π (h − φ)/24) + γ · z(t) + δ(t) + ε(c, l)))

- ``O*`` the observation, gaps filled by linear interpolation (≤ 6 h) then by the mean of the hour
  of day: the "truth" the model tries to reproduce;
- ``a`` multiplicative bias and ``o`` offset [µg/m³, CO mg/m³] (CTMs often miss PM2.5 by 30-50 %);
- ``b`` amplitude and ``φ`` phase [h] of a diurnal bias (boundary-layer timing errors);
- ``γ · z``: meteorology-dependent error, ``z`` the standardised anomaly of log wind speed (PM,
  NO2, CO, SO2: stagnation is overestimated when ``γ < 0``) or of temperature (O3);
- ``δ(t)``: an error shared by every model and cycle at valid time ``t`` (emissions the inventory
  misses): AR(1) in hours with lag-1 correlation ``rho_valid`` and standard deviation ``sigma_valid``;
- ``ε(c, l)``: a run's own error, AR(1) along the lead (``rho_lead``), standard deviation growing
  with lead, ``σ(l) = sigma0 · (1 + l / lead_growth_hours)``.

The meteorological predictors ``t2 rh ws wd`` [°C, %, m/s, degrees] are the observed ones plus
Gaussian noise growing with lead in the same way (``met_noise``). Everything is seeded: the same
inputs and ``seed`` give the same forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from forecasting.vocab import BEIJING_ZONE

__all__ = ["ModelErrors", "DEFAULT_MODELS", "simulate_forecasts"]


@dataclass(frozen=True)
class ModelErrors:
    """Parameters of one simulated model (see the module docstring for the equation)."""

    name: str
    scale: dict = field(default_factory=dict)       # a per pollutant
    offset: dict = field(default_factory=dict)      # o per pollutant [µg/m³, CO mg/m³]
    diurnal: dict = field(default_factory=dict)     # (b, φ [h]) per pollutant
    met: dict = field(default_factory=dict)         # γ per pollutant
    sigma0: float = 0.25                            # run error at lead 0 [log units]
    lead_growth_hours: float = 120.0                # [h]
    rho_lead: float = 0.95                          # lag-1 correlation of ε along the lead


#: Four models with plausible, distinct systematic errors (CMAQ-like, WRF-Chem-like, CAMx-like and
#: a coarse global CAMS-like model). Numbers are illustrative, not fitted to any real model.
DEFAULT_MODELS = (
    ModelErrors("cmaq", scale={"pm25": 1.40, "pm10": 1.10, "o3": 0.75, "no2": 1.30, "so2": 1.80, "co": 0.80},
                offset={"o3": 15.0}, diurnal={"pm25": (0.25, 3), "pm10": (0.2, 3), "o3": (0.30, 15), "no2": (0.2, 6)},
                met={"pm25": -0.20, "pm10": -0.15, "o3": 0.10, "no2": -0.15}, sigma0=0.25),
    ModelErrors("wrfchem", scale={"pm25": 0.70, "pm10": 0.60, "o3": 1.25, "no2": 0.80, "so2": 0.60, "co": 0.60},
                diurnal={"pm25": (0.20, 20), "o3": (-0.20, 14), "no2": (0.3, 2)},
                met={"pm25": -0.10, "o3": 0.15}, sigma0=0.30),
    ModelErrors("camx", scale={"pm25": 1.15, "pm10": 0.90, "o3": 1.10, "no2": 1.10, "so2": 1.30, "co": 1.20},
                offset={"pm25": 10.0}, diurnal={"pm25": (0.15, 8), "o3": (0.15, 10)},
                met={"pm25": -0.25, "pm10": -0.20}, sigma0=0.22),
    ModelErrors("cams", scale={"pm25": 0.60, "pm10": 0.55, "o3": 0.90, "no2": 0.60, "so2": 1.50, "co": 0.70},
                offset={"o3": 25.0}, diurnal={"o3": (-0.25, 15)}, met={"pm25": 0.0}, sigma0=0.35,
                lead_growth_hours=96.0),
)

_MET_NOISE = {"t2": 1.0, "rh": 5.0, "ws": 0.6, "wd": 25.0}  # sd at lead 0 [°C, %, m/s, degrees]


def _fill(s: pd.Series) -> pd.Series:
    filled = s.interpolate(limit=6, limit_area="inside")
    hour_mean = s.groupby(s.index.hour).transform("mean")
    return filled.fillna(hour_mean).fillna(s.mean()).fillna(0.0)


def _fill_direction(s: pd.Series) -> pd.Series:
    """:func:`_fill` for a wind direction [degree]: gaps filled on the unit vector, never on the
    angle (350° and 10° must not fill as 180°)."""
    rad = np.radians(s)
    east, north = _fill(np.sin(rad)), _fill(np.cos(rad))
    return pd.Series(np.mod(np.degrees(np.arctan2(east, north)), 360.0), index=s.index)


def _ar1(rng, shape, rho, axis=-1) -> np.ndarray:
    """Unit-variance AR(1) noise along ``axis``."""
    w = rng.standard_normal(shape) * np.sqrt(1 - rho * rho)
    w_first = np.take(w, [0], axis=axis) / np.sqrt(1 - rho * rho)
    idx = [slice(None)] * len(shape)
    idx[axis] = slice(0, 1)
    w[tuple(idx)] = w_first
    return lfilter([1.0], [1.0, -rho], w, axis=axis)


def simulate_forecasts(observations: pd.DataFrame, *, met: pd.DataFrame | None = None, models=DEFAULT_MODELS,
                       cycle_hour: int = 0, max_lead: int = 168, seed: int = 0, sigma_valid: float = 0.15,
                       rho_valid: float = 0.97, met_noise: dict | None = None, start=None, end=None,
                       ceiling: dict | None = None) -> pd.DataFrame:
    """Tidy forecasts ``model cycle valid_time district variable value`` simulated from observations.

    Parameters
    ----------
    observations : DataFrame
        Tidy district observations ``time district pollutant value`` (hour-ending, tz-aware).
    met : DataFrame, optional
        Observed meteorology ``time district variable value`` with variables among ``t2 rh ws wd``.
    models : sequence of ModelErrors, keyword-only
    cycle_hour : int
        UTC hour of the daily cycle [h].
    max_lead : int
        Leads 1..max_lead [h].
    seed : int
    sigma_valid, rho_valid : float
        Shared valid-time error (log units) and its hourly lag-1 correlation.
    start, end : tz-aware times, optional
        First and last cycle (default: the span of the observations).
    ceiling : dict, optional
        Largest value a model gives, per pollutant [µg/m³; CO mg/m³]. Without it, the log-normal error can carry
        a high hour past anything a model would give: 2,000-3,000 µg/m³ of O3 from a 772 µg/m³ hour of the
        record. The demo world passes :data:`forecasting.plausibility.PLAUSIBLE_MAX`, the ceiling its ingest
        checks. The benches pass none, so their data stay as they were measured.
    """
    rng = np.random.default_rng(seed)
    noise = {**_MET_NOISE, **(met_noise or {})}
    frames = []
    leads = np.arange(1, max_lead + 1)
    for district, dobs in observations.groupby("district", sort=True):
        wide = dobs.pivot_table(index="time", columns="pollutant", values="value", aggfunc="mean").sort_index()
        grid = pd.date_range(wide.index.min(), wide.index.max() + pd.Timedelta(hours=max_lead), freq="h")
        wide = wide.reindex(grid)
        mwide = None
        if met is not None and len(met[met["district"] == district]):
            mwide = met[met["district"] == district].pivot_table(
                index="time", columns="variable", values="value", aggfunc="mean").reindex(grid)
        first = pd.Timestamp(start) if start is not None else grid[0].ceil("D") + pd.Timedelta(hours=cycle_hour)
        last = pd.Timestamp(end) if end is not None else wide.dropna(how="all").index.max() - pd.Timedelta(hours=1)
        cycles = pd.date_range(first, last, freq="D")
        cycles = cycles[cycles.hour == cycle_hour] if len(cycles) else cycles
        if not len(cycles):
            continue
        ci = grid.get_indexer(cycles)
        ok = ci >= 0
        cycles, ci = cycles[ok], ci[ok]
        vi = ci[:, None] + leads[None, :]
        vi = np.minimum(vi, len(grid) - 1)
        valid = grid[vi.ravel()]
        hour = valid.tz_convert(BEIJING_ZONE).hour.to_numpy().reshape(vi.shape)
        ws = _fill(mwide["ws"]) if mwide is not None and "ws" in mwide else pd.Series(2.0, index=grid)
        t2 = _fill(mwide["t2"]) if mwide is not None and "t2" in mwide else pd.Series(15.0, index=grid)
        lws = np.log(ws.clip(lower=0) + 0.5)
        z_ws = ((lws - lws.mean()) / (lws.std() or 1.0)).to_numpy()
        z_t = ((t2 - t2.mean()) / (t2.std() or 1.0)).to_numpy()
        delta = sigma_valid * _ar1(rng, (len(grid),), rho_valid)
        for m in models:
            growth = 1 + leads / m.lead_growth_hours
            for pol in wide.columns:
                truth = _fill(wide[pol]).to_numpy()
                a = m.scale.get(pol, 1.0)
                off = m.offset.get(pol, 0.0)
                b, phi = m.diurnal.get(pol, (0.0, 0))
                gamma = m.met.get(pol, 0.0)
                z = z_t if pol == "o3" else z_ws
                eps = m.sigma0 * growth[None, :] * _ar1(rng, vi.shape, m.rho_lead, axis=1)
                logf = b * np.cos(2 * np.pi * (hour - phi) / 24) + gamma * z[vi] + delta[vi] + eps
                value = np.maximum(0.0, a * (truth[vi] + off) * np.exp(logf))
                if ceiling is not None and pol in ceiling:
                    value = np.minimum(value, ceiling[pol])
                frames.append(_tidy(m.name, cycles, valid, district, pol, value))
            if mwide is not None:
                for var in [v for v in ("t2", "rh", "ws", "wd") if v in mwide.columns]:
                    base = (_fill_direction if var == "wd" else _fill)(mwide[var]).to_numpy()[vi]
                    value = base + noise[var] * growth[None, :] * rng.standard_normal(vi.shape)
                    if var == "wd":
                        value = np.mod(value, 360.0)
                    elif var in ("ws",):
                        value = np.maximum(value, 0.0)
                    elif var == "rh":
                        value = np.clip(value, 0.0, 100.0)
                    frames.append(_tidy(m.name, cycles, valid, district, var, value))
    if not frames:
        return pd.DataFrame(columns=["model", "cycle", "valid_time", "district", "variable", "value"])
    return pd.concat(frames, ignore_index=True)


def _tidy(model, cycles, valid, district, variable, value) -> pd.DataFrame:
    n_lead = value.shape[1]
    return pd.DataFrame({
        "model": model,
        "cycle": np.repeat(cycles, n_lead),
        "valid_time": valid,
        "district": district,
        "variable": variable,
        "value": value.ravel(),
    })
