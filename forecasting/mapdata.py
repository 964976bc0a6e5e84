"""Read-only data for the maps: stations with their latest observed hourly AQI, and a stored run's
field as a map (:func:`run_times`, :func:`run_map_png`: the grid work the guidance page needs).

The hourly AQI of a station is the largest hourly IAQI of its pollutants in that hour
(HJ 633-2026 §4.2.5 / HJ 633-2012 §5.1, hourly indicators of Table 3 / Table 1), each pollutant taken
from the station's newest valid (QC-clean) hour at or before the map's time, within ``max_age_hours``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select

from forecasting import fieldmap
from forecasting.aqi import BREAKPOINTS, edition_for, iaqi
from forecasting.fieldmap import HOURLY_INDICATOR, Station
from forecasting.grids import open_grid
from forecasting.store.db import Database
from forecasting.store.science import Observation
from forecasting.store.science import Station as StationRow
from forecasting.vocab import BEIJING
from forecasting.zone import DISTRICTS_GEOJSON

__all__ = ["latest_station_aqi", "station_aqi", "run_times", "run_map_png"]


def station_aqi(values: dict[str, float], *, edition: str) -> int | None:
    """The hourly AQI of one station-hour: the largest hourly IAQI of the given concentrations
    [µg/m³; CO mg/m³] (pollutants without an hourly sub-index in the edition are left out).

    Examples
    --------
    >>> station_aqi({"o3": 200.0, "no2": 100.0}, edition="HJ 633-2026")  # O3 1 h 200 is IAQI 100
    100
    """
    best = None
    for p, v in values.items():
        ind = HOURLY_INDICATOR.get(p)
        if ind not in BREAKPOINTS[edition] and p in ("pm25", "pm10"):
            ind = f"{p}_24h"  # HJ 633-2012 has no 1-h PM sub-index: real-time practice uses the 24-h table
        if ind is None or ind not in BREAKPOINTS[edition] or v is None or not np.isfinite(v):
            continue
        sub = iaqi(ind, float(v), edition=edition)
        if sub is not None and (best is None or sub > best):
            best = sub
    return best


def latest_station_aqi(db: Database, *, at: datetime, max_age_hours: int = 3) -> tuple[list[Station], datetime | None]:
    """Every station with a position, and its hourly AQI of the newest observed hour at or before
    ``at`` [UTC] (None when nothing valid in the last ``max_age_hours``), and that hour."""
    since = at - timedelta(hours=max_age_hours)
    with db.read() as s:
        stations = list(s.execute(select(StationRow.station_id, StationRow.name, StationRow.lon, StationRow.lat)
                                  .where(StationRow.lon.is_not(None), StationRow.lat.is_not(None))))
        rows = list(s.execute(select(Observation.station_id, Observation.time, Observation.pollutant,
                                     Observation.value).where(Observation.time > since, Observation.time <= at,
                                                              Observation.qc_flags == "",
                                                              Observation.value.is_not(None))))
    obs = pd.DataFrame(rows, columns=["station", "time", "pollutant", "value"])
    newest = None
    latest: dict[str, dict[str, float]] = {}
    if not obs.empty:
        obs["time"] = pd.to_datetime(obs["time"], utc=True)
        obs = obs.sort_values("time").groupby(["station", "pollutant"]).tail(1)
        newest = obs["time"].max().to_pydatetime()
        for r in obs.itertuples(index=False):
            latest.setdefault(r.station, {})[r.pollutant] = float(r.value)
    edition = edition_for(pd.Timestamp(at).tz_convert(BEIJING).date())
    out = [Station(float(lon), float(lat), str(name), station_aqi(latest.get(sid, {}), edition=edition))
           for sid, name, lon, lat in stations]
    return out, newest


def run_times(files: list[str], model: str) -> tuple[list[pd.Timestamp], list[int | None]]:
    """Valid times [UTC, hour-ending] and lead hours [h] (``None`` when the run has none) of a
    stored run's grid."""
    grid = open_grid(list(files), model=model)
    times = [pd.Timestamp(t).tz_localize("UTC") if pd.Timestamp(t).tzinfo is None else pd.Timestamp(t)
             for t in grid["time"].values]
    leads = ([int(h) for h in np.asarray(grid["lead_hours"].values)] if "lead_hours" in grid.coords
             else [None] * len(times))
    return times, leads


def run_map_png(files: list[str], model: str, variable: str, step: int, *, scale: str, zoom: str, lang: str,
                stations: list[Station], title: str, subtitle: str, width: int = 960) -> bytes:
    """One field of a stored run (``variable`` at time index ``step``) drawn as a PNG map over the
    basemap and the zone's districts, with the 10 m wind when the run carries ``u10``/``v10``.
    ``zoom`` is ``"grid"`` (the whole grid) or a :data:`forecasting.fieldmap.PRESETS` name."""
    grid = open_grid(list(files), model=model)
    lon, lat = np.asarray(grid["lon"].values, float), np.asarray(grid["lat"].values, float)
    values = np.asarray(grid[variable].isel(time=step).values, float)
    wind = None
    if "u10" in grid and "v10" in grid:
        wind = (np.asarray(grid["u10"].isel(time=step).values, float),
                np.asarray(grid["v10"].isel(time=step).values, float))
    extent = fieldmap.grid_extent(lon, lat) if zoom == "grid" else fieldmap.PRESETS[zoom]
    layers = fieldmap.MapLayers(basemap=fieldmap.load_basemap(), districts=fieldmap.load_basemap(str(DISTRICTS_GEOJSON)),
                                stations=list(stations), wind=wind, lang=lang)
    return fieldmap.render_field_map(lon, lat, values, pollutant=variable, scale=scale, extent=extent, layers=layers,
                                     width=width, title=title, subtitle=subtitle)
