"""WRF and WRF-Chem ``wrfout`` files.

Convention: WRF ARW User's Guide ch. 5 (output fields, ``Times`` char array ``YYYY-MM-DD_hh:mm:ss``
UTC, instantaneous values), WRF-Chem User's Guide (``PM2_5_DRY``/``PM10`` in ug m^-3, gases
``o3 no2 so2 co`` in ppmv). Map projection from MAP_PROJ (1 Lambert conformal, 2 polar
stereographic, 3 Mercator) with TRUELAT1/2, STAND_LON, MOAD_CEN_LAT on a 6 370 000 m sphere; the
grid is anchored on the first mass point (XLONG/XLAT[0, 0]) with DX × DY cells. Lon/lat are the
file's own XLONG/XLAT.

Level rule: ``bottom_top`` index 0 (the lowest half-level). Cycle: SIMULATION_START_DATE.
Meteorology kept as predictors: ``t2`` [K], ``u10`` ``v10`` [m/s, grid-relative], ``psfc`` [Pa],
``pblh`` [m], ``q2`` [kg/kg], derived ``ws`` [m/s], ``wd`` [degree, earth-relative, from],
``rh`` [%] (Bolton 1980 eq. 10 saturation vapour pressure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from pyproj import CRS, Transformer

from forecasting.errors import FormatError
from forecasting.grids._common import attr_str, chunk_time, finish
from forecasting.grids.cf import parse_char_times
from forecasting.grids.ioapi import EARTH_RADIUS

__all__ = ["read_wrf", "is_wrf", "wrf_crs", "wrf_xy", "WRF_NAMES", "WRF_MET"]

WRF_NAMES = {"pm25": ("PM2_5_DRY",), "pm10": ("PM10",), "o3": ("o3",), "no2": ("no2",), "so2": ("so2",),
             "co": ("co",)}
WRF_MET = {"t2": "T2", "u10": "U10", "v10": "V10", "psfc": "PSFC", "pblh": "PBLH", "q2": "Q2"}


def is_wrf(ds: xr.Dataset) -> bool:
    return "Times" in ds.variables and "XLAT" in ds.variables and "MAP_PROJ" in ds.attrs


def wrf_crs(attrs: dict) -> str:
    """PROJ string of a WRF domain (MAP_PROJ 1, 2, 3)."""
    mp = int(attrs["MAP_PROJ"])
    t1, t2 = float(attrs["TRUELAT1"]), float(attrs["TRUELAT2"])
    lon0 = float(attrs["STAND_LON"])
    lat0 = float(attrs.get("MOAD_CEN_LAT", attrs.get("CEN_LAT")))
    r = f"+R={EARTH_RADIUS:.0f} +units=m +no_defs"
    if mp == 1:
        return f"+proj=lcc +lat_1={t1} +lat_2={t2} +lat_0={lat0} +lon_0={lon0} {r}"
    if mp == 2:
        return f"+proj=stere +lat_0={90 if t1 >= 0 else -90} +lat_ts={t1} +lon_0={lon0} {r}"
    if mp == 3:
        return f"+proj=merc +lat_ts={t1} +lon_0={lon0} {r}"
    raise FormatError(f"WRF MAP_PROJ={mp} is not supported (1 Lambert, 2 polar stereographic, 3 Mercator)",
                      key="grids.wrf_projection", code=mp)


def wrf_xy(attrs: dict, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected cell-centre coordinates [m]: the first mass point (XLONG/XLAT[0, 0]) + i·DX, j·DY.

    Anchoring on the file's own first point (rather than CEN_LON/CEN_LAT, the centre of the
    full domain) also works for files cropped after the run.
    """
    t = Transformer.from_crs(CRS("OGC:CRS84"), CRS(wrf_crs(attrs)), always_xy=True)
    ny, nx = lon.shape
    x0, y0 = t.transform(float(lon[0, 0]), float(lat[0, 0]))
    x = x0 + np.arange(nx) * float(attrs["DX"])
    y = y0 + np.arange(ny) * float(attrs["DY"])
    return x, y


def _rotation(attrs, lon, lat, ds):
    """cos, sin of the grid-to-earth rotation (WRF COSALPHA/SINALPHA, else from the cone factor)."""
    if "COSALPHA" in ds.variables and "SINALPHA" in ds.variables:
        return np.asarray(ds["COSALPHA"].isel(Time=0).values), np.asarray(ds["SINALPHA"].isel(Time=0).values)
    if int(attrs["MAP_PROJ"]) != 1:
        return np.ones_like(lon), np.zeros_like(lon)
    t1, t2 = np.radians(float(attrs["TRUELAT1"])), np.radians(float(attrs["TRUELAT2"]))
    if abs(t1 - t2) > 1e-6:
        cone = (np.log(np.cos(t1)) - np.log(np.cos(t2))) / (
            np.log(np.tan(np.pi / 4 - abs(t1) / 2)) - np.log(np.tan(np.pi / 4 - abs(t2) / 2)))
    else:
        cone = np.sin(abs(t1))
    diff = (lon - float(attrs["STAND_LON"]) + 180) % 360 - 180
    alpha = -np.radians(diff) * cone * np.sign(lat)  # WRF's sign: u_e = u cos a - v sin a
    return np.cos(alpha), np.sin(alpha)


def read_wrf(ds: xr.Dataset, *, file: str, mapping=None, model: str | None = None) -> xr.Dataset:
    """Normalise a wrfout file (see module docstring)."""
    attrs = ds.attrs
    tdim = "Time"
    lon = np.asarray(ds["XLONG"].isel(Time=0).values, float)
    lat = np.asarray(ds["XLAT"].isel(Time=0).values, float)
    try:
        proj = wrf_crs(attrs)
        x, y = wrf_xy(attrs, lon, lat)
    except KeyError as exc:
        raise FormatError(f"{file}: WRF attribute {exc.args[0]} missing", key="grids.attribute_missing", file=file,
                          kind="WRF", attribute=exc.args[0]) from None
    times = parse_char_times(ds["Times"])
    start = attr_str(attrs.get("SIMULATION_START_DATE") or attrs.get("START_DATE"))
    cycle = pd.Timestamp(start.replace("_", " ")) if start else None
    rule = mapping.level if mapping is not None else None
    k = int(rule.get("index", 0)) if rule else 0
    sources = {}
    for pol, cands in WRF_NAMES.items():
        name = None
        units = None
        if mapping is not None and pol in mapping.variables:
            name = mapping.variables[pol]["name"]
            units = mapping.variables[pol].get("units")
        else:
            name = next((c for c in cands if c in ds.data_vars), None)
        if name is None or name not in ds.data_vars:
            continue
        da = ds[name]
        if "bottom_top" in da.dims:
            da = da.isel(bottom_top=k)
        da = da.transpose(tdim, "south_north", "west_east")
        sources[pol] = (da, name, units or da.attrs.get("units"))
    if not sources:
        raise FormatError(
            f"{file}: WRF output without chemistry (no PM2_5_DRY, PM10, o3, no2, so2 or co): a "
            f"meteorology-only wrfout cannot give air-quality forecasts; use the WRF-Chem output",
            key="grids.no_chemistry", file=file)
    met = {}
    for short, name in WRF_MET.items():
        if name in ds.data_vars:
            met[short] = (chunk_time(ds[name].transpose(tdim, "south_north", "west_east"), tdim), name)
    if "u10" in met and "v10" in met:
        u, v = met["u10"][0], met["v10"][0]
        met["ws"] = (np.hypot(u, v), "hypot(U10, V10)")
        cosa, sina = _rotation(attrs, lon, lat, ds)
        ue = u * cosa - v * sina
        ve = v * cosa + u * sina
        met["wd"] = ((270.0 - np.degrees(np.arctan2(ve, ue))) % 360.0, "from U10, V10 rotated to earth")
    if {"q2", "t2", "psfc"} <= set(met):
        q, t, p = met["q2"][0], met["t2"][0], met["psfc"][0]
        e = q * p / (0.622 + q)
        es = 611.2 * np.exp(17.67 * (t - 273.15) / (t - 29.65))
        met["rh"] = ((100.0 * e / es).clip(0, 100), "from Q2, T2, PSFC (Bolton 1980 eq. 10)")
    level = f"bottom_top {k} (lowest model half-level)"
    return finish(sources, file=file, fmt="wrf", model=model or "WRF-Chem", level=level, time=times,
                  cycle=cycle, x=x, y=y, lon=lon, lat=lat, crs=proj, grid_kind="projected",
                  met=met)
