"""CF-netCDF on a regular longitude/latitude grid (CAMS, RAQMS, GEOS-CF, GEOS-Chem style), and the
variables, levels and times of CF files on projected, rotated-pole or curvilinear grids, whose
horizontal geometry :mod:`forecasting.grids.cfgrid` reads.

Convention: CF Conventions 1.6+ (Eaton et al.) §4 coordinate types, §8.1 packed data
(``scale_factor``/``add_offset``/``_FillValue``, unpacked by xarray). ECMWF/CAMS files written by
grib_to_netcdf or the ADS (``time`` or ``valid_time``, ``forecast_reference_time``,
``forecast_period``). Longitudes 0..360 are turned to -180..180 and both axes sorted ascending.

Level rule (first that applies): a 3-D pressure variable (``pdash``, ``pres``, ``air_pressure``)
-> the level with the largest pressure; a pressure coordinate -> its largest value; model level
numbers (integers 1..137; ECMWF/CAMS and GEOS count from the top) -> the highest number (CAMS 60 or
137, GEOS-CF 72); sigma/hybrid values in (0, 1] -> the largest; a single level -> that level.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.errors import FormatError
from forecasting.grids._common import attr_str, finish, level_dim_of, no_chemistry
from forecasting.grids.cfgrid import cf_horizontal, is_cf_projected
from forecasting.vocab import POLLUTANTS

__all__ = ["read_cf", "is_cf_grid", "parse_char_times", "CF_NAMES", "CF_STANDARD_NAMES"]

#: Variable names recognised per pollutant (matched exactly, then case-insensitively).
CF_NAMES = {
    "pm25": ("pm2p5", "pm25", "pm2_5", "PM2_5_DRY", "PM25_TOT", "PM2.5", "SpeciesConc_PM25"),
    "pm10": ("pm10", "PM10_TOT", "SpeciesConc_PM10"),
    "o3": ("go3", "o3", "o3vmr", "SpeciesConc_O3", "ozone"),
    "no2": ("no2", "no2vmr", "SpeciesConc_NO2"),
    "so2": ("so2", "so2vmr", "SpeciesConc_SO2"),
    "co": ("co", "covmr", "SpeciesConc_CO"),
}
_GASES = {"o3": "ozone", "no2": "nitrogen_dioxide", "so2": "sulfur_dioxide", "co": "carbon_monoxide"}
#: CF standard names recognised per pollutant (CF standard name table).
CF_STANDARD_NAMES = {
    "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air": "pm25",
    "mass_concentration_of_pm10_ambient_aerosol_particles_in_air": "pm10",
    **{f"{kind}_of_{gas}_in_air": pol for pol, gas in _GASES.items()
       for kind in ("mass_fraction", "mole_fraction", "mass_concentration")},
}
_LON = ("longitude", "lon")
_LAT = ("latitude", "lat")
_PRESSURE_UNITS = {"pa": 0.01, "hpa": 1.0, "mb": 1.0, "mbar": 1.0, "millibar": 1.0, "millibars": 1.0}
_PRESSURE_VARS = ("pdash", "pres", "pressure", "air_pressure", "PRES", "p")


def _find_axis(ds: xr.Dataset, names, unit_prefix: str):
    for n in names:
        if n in ds.variables and ds[n].ndim == 1:
            return n
    for n, v in ds.variables.items():
        if v.ndim == 1 and attr_str(v.attrs.get("units")).lower().startswith(unit_prefix):
            return n
    return None


def is_cf_grid(ds: xr.Dataset) -> bool:
    """True when the file has 1-D longitude and latitude coordinates, or a CF grid mapping with
    projection coordinates, or 2-D latitude/longitude (:mod:`forecasting.grids.cfgrid`)."""
    return (_find_axis(ds, _LON, "degrees_east") is not None and _find_axis(ds, _LAT, "degrees_north") is not None) \
        or is_cf_projected(ds)


def find_variables(ds: xr.Dataset, mapping=None) -> dict[str, tuple[str, str | None]]:
    """``pollutant -> (variable name, units or None)`` found in ``ds``; the mapping wins."""
    found: dict[str, tuple[str, str | None]] = {}
    lower = {n.lower(): n for n in ds.data_vars}
    for pol in POLLUTANTS:
        if mapping is not None and pol in mapping.variables:
            spec = mapping.variables[pol]
            if spec["name"] in ds.data_vars:
                units = spec.get("units") or ds[spec["name"]].attrs.get("units")
                found[pol] = (spec["name"], units)
            continue
        for cand in CF_NAMES[pol]:
            name = cand if cand in ds.data_vars else lower.get(cand.lower())
            if name is not None:
                found[pol] = (name, ds[name].attrs.get("units"))
                break
    for name, var in ds.data_vars.items():
        pol = CF_STANDARD_NAMES.get(attr_str(var.attrs.get("standard_name")))
        if pol and pol not in found and not (mapping is not None and pol in mapping.variables):
            found[pol] = (name, var.attrs.get("units"))
    return found


def _decode_times(var: xr.Variable, name: str) -> np.ndarray:
    units = attr_str(var.attrs.get("units"))
    calendar = attr_str(var.attrs.get("calendar")) or "standard"
    if "since" not in units:
        raise FormatError(f"time variable {name} has units {units!r}, expected 'UNIT since DATE'",
                          key="grids.time_units", variable=name, units=units)
    values = np.asarray(var.values).ravel()
    times = xr.coding.times.decode_cf_datetime(values, units, calendar)
    # round to the second: some files carry microsecond noise ("days since 2023-07-15 12:30:00.000003")
    return pd.DatetimeIndex(np.asarray(times).astype("datetime64[ns]")).round("s").values


def parse_char_times(var: xr.DataArray) -> np.ndarray:
    """Times written as characters (WRF ``Times``: ``"2023-07-15_12:00:00"``, one row per step) as
    ``datetime64`` values; :class:`FormatError` on a string that is not such a time.

    Examples
    --------
    >>> rows = np.array([list("2023-07-15_12:00:00"), list("2023-07-15_13:00:00")], dtype="S1")
    >>> times = parse_char_times(xr.DataArray(rows, dims=("Time", "DateStrLen")))
    >>> [str(t) for t in pd.DatetimeIndex(times)]
    ['2023-07-15 12:00:00', '2023-07-15 13:00:00']
    """
    raw = np.asarray(var.values)
    if raw.dtype.kind == "S" and raw.ndim == 2:
        strings = [b"".join(row).decode() for row in raw]
    else:
        strings = [s.decode() if isinstance(s, bytes) else str(s) for s in raw.ravel()]
    out = []
    for s in strings:
        m = re.match(r"(\d{4})[-_](\d\d)[-_](\d\d)[_ T](\d\d):(\d\d):(\d\d)", s.strip())
        if not m:
            raise FormatError(f"cannot parse time string {s!r}", key="grids.time_string", text=s.strip())
        out.append(pd.Timestamp(*map(int, m.groups())))
    return pd.DatetimeIndex(out).values


def _times(ds: xr.Dataset, tdim: str, file: str):
    """(valid times, cycle or None) for the time dimension ``tdim``."""
    times = None
    for name in ("valid_time", "time", tdim):
        if name not in ds.variables or "since" not in attr_str(ds[name].attrs.get("units")):
            continue
        var = ds[name]
        var = var.isel({d: 0 for d in var.dims if d != tdim and var.sizes[d] == 1})
        if var.dims == (tdim,):  # ADS files: valid_time(forecast_reference_time=1, forecast_period)
            times = _decode_times(var.variable, name)
            break
    if times is None and "Times" in ds.variables:
        times = parse_char_times(ds["Times"])
    if times is None:
        raise FormatError(f"{file}: no time coordinate along {tdim!r} (expected 'time' or 'valid_time' "
                          f"with units 'hours since ...', or a 'Times' character array)",
                          key="grids.no_time_coordinate", file=file, dim=tdim)
    cycle = None
    if "forecast_reference_time" in ds.variables:
        ref = _decode_times(ds["forecast_reference_time"].variable, "forecast_reference_time")
        if len(np.unique(ref)) > 1:
            raise FormatError(f"{file}: several forecast_reference_time values; give one cycle per file",
                              key="grids.several_cycles", file=file)
        cycle = ref[0]
    elif "forecast_period" in ds.variables:
        period = ds["forecast_period"]
        unit = attr_str(period.attrs.get("units")).lower() or "hours"
        hours = np.asarray(period.values, float).ravel() * (1 / 60 if unit.startswith("min") else 1.0)
        cycle = pd.Timestamp(times[0]) - pd.Timedelta(hours=float(hours[0]))
    return times, cycle


def choose_level(ds: xr.Dataset, var: xr.DataArray, ldim: str, rule=None) -> tuple[int, str]:
    """Index along the vertical dimension ``ldim`` of the surface level, and a sentence saying why."""
    coord = ds[ldim] if ldim in ds.variables else None
    values = np.asarray(coord.values if coord is not None else np.arange(ds.sizes[ldim]), float)
    if rule:
        if "index" in rule:
            i = int(rule["index"]) % len(values)
            return i, f"{ldim} index {i} (value {values[i]:g}) from the model mapping file"
        if "value" in rule:
            hits = np.flatnonzero(np.isclose(values, float(rule["value"])))
            if not len(hits):
                raise FormatError(f"level {rule['value']} not found in {ldim} {values.tolist()}",
                                  key="grids.level_not_found", value=rule["value"], dim=ldim,
                                  values=", ".join(f"{v:g}" for v in values[:12]))
            return int(hits[0]), f"{ldim} = {rule['value']} from the model mapping file"
        if "pressure_variable" in rule:
            return _by_pressure_var(ds, rule["pressure_variable"], ldim)
        sel = rule.get("select", "max")
        i = int(np.argmax(values) if sel == "max" else np.argmin(values))
        return i, f"{ldim} = {values[i]:g} ({sel} value, model mapping file)"
    for pname in _PRESSURE_VARS:
        if pname in ds.data_vars and ldim in ds[pname].dims and ds[pname].ndim >= 3:
            return _by_pressure_var(ds, pname, ldim)
    units = attr_str(coord.attrs.get("units")).lower() if coord is not None else ""
    if len(values) == 1:
        return 0, f"{ldim} = {values[0]:g} (the only level)"
    integer = np.allclose(values, np.round(values)) and values.min() >= 1 and values.max() <= 137
    if units in _PRESSURE_UNITS and not integer:
        i = int(np.argmax(values))
        return i, f"{ldim} = {values[i]:g} {units} (largest pressure)"
    if integer:
        i = int(np.argmax(values))
        return i, (f"{ldim} = {values[i]:g} (highest model level number: ECMWF/CAMS and GEOS count "
                   f"levels from the top, so it is the lowest level)")
    if values.min() > 0 and values.max() <= 1.0001:
        i = int(np.argmax(values))
        return i, f"{ldim} = {values[i]:g} (largest sigma/hybrid coordinate, nearest the surface)"
    raise FormatError(f"cannot tell which {ldim} level is the surface ({values.tolist()[:6]}...); "
                      f"state it in a model mapping file: level: {{dim: {ldim}, index: 0}}",
                      key="grids.surface_unknown", dim=ldim, values=", ".join(f"{v:g}" for v in values[:6]))


def _by_pressure_var(ds, pname, ldim):
    p = ds[pname]
    for d in p.dims:
        if d != ldim and d in ("time", "Time", "valid_time", "forecast_period"):
            p = p.isel({d: 0})
    mean = np.asarray(p.mean([d for d in p.dims if d != ldim]).values, float)
    i = int(np.nanargmax(mean))
    units = attr_str(p.attrs.get("units"))
    return i, f"{ldim} index {i} (largest pressure: {pname} = {mean[i]:.1f} {units} on average)"


def read_cf(ds: xr.Dataset, *, file: str, mapping=None, model: str | None = None) -> xr.Dataset:
    """Normalise a CF file: regular lon/lat (module docstring), projected or curvilinear
    (:mod:`forecasting.grids.cfgrid`)."""
    found = find_variables(ds, mapping)
    if not found:
        raise no_chemistry(file)
    first_name = next(iter(found.values()))[0]
    horizontal = cf_horizontal(ds, ds[first_name], file=file, mapping=mapping)
    if horizontal is not None:
        xdim, ydim = horizontal.xdim, horizontal.ydim
    else:
        lon_name = _find_axis(ds, _LON, "degrees_east")
        lat_name = _find_axis(ds, _LAT, "degrees_north")
        if lon_name is None or lat_name is None:
            raise FormatError(f"{file}: CF file without 1-D longitude/latitude, grid mapping or 2-D "
                              f"latitude/longitude; name them in a model mapping file (grid: ...)",
                              key="grids.format_unknown", file=file)
        xdim, ydim = ds[lon_name].dims[0], ds[lat_name].dims[0]
    tdims = [d for d in ("time", "valid_time", "forecast_period", "step", "Time") if d in ds.dims]
    if not tdims and found:
        raise FormatError(f"{file}: chemistry variables have no time dimension", key="grids.no_time_dim", file=file)
    tdim = tdims[0] if tdims else None
    times, cycle = _times(ds, tdim, file) if tdim else (None, None)
    cycle = _in_utc(cycle, mapping)  # the times themselves in _label_shift
    known = {tdim, xdim, ydim, "forecast_reference_time"}
    rule = mapping.level if mapping is not None else None
    sources, level_text = {}, []
    for pol, (name, units) in found.items():
        da = ds[name]
        if tdim not in da.dims:
            continue
        squeeze = [d for d in da.dims if d not in (tdim, xdim, ydim) and da.sizes[d] == 1]
        for d in [d for d in squeeze if d != (rule or {}).get("dim")]:
            da = da.isel({d: 0})
        ldim = (rule or {}).get("dim") if rule and rule.get("dim") in da.dims else level_dim_of(da, known)
        if ldim is not None:
            i, text = choose_level(ds, da, ldim, rule)
            da = da.isel({ldim: i})
            if text not in level_text:
                level_text.append(text)
        sources[pol] = (da.transpose(tdim, ydim, xdim), name, units)
    if horizontal is not None:
        return _finish_horizontal(horizontal, sources, times, cycle, file, mapping, model, level_text)
    lon = np.asarray(ds[lon_name].values, float)
    lat = np.asarray(ds[lat_name].values, float)
    lon = np.where(lon >= 180.0, lon - 360.0, lon)
    xo, yo = np.argsort(lon, kind="stable"), np.argsort(lat, kind="stable")
    conversions = []
    if not np.array_equal(xo, np.arange(len(lon))):
        conversions.append("longitude turned to -180..180 and sorted ascending")
    if not np.array_equal(yo, np.arange(len(lat))):
        conversions.append("latitude sorted ascending")
    sort = {}
    if not np.array_equal(xo, np.arange(len(lon))):
        sort[xdim] = xo
    if not np.array_equal(yo, np.arange(len(lat))):
        sort[ydim] = slice(None, None, -1) if np.array_equal(yo, np.arange(len(lat))[::-1]) else yo
    for pol, (da, name, units) in list(sources.items()):
        sources[pol] = (da.isel(sort) if sort else da, name, units)
    lon, lat = lon[xo], lat[yo]
    if times is not None:
        times, shift_text = _label_shift(times, file, mapping)
        if shift_text:
            conversions.append(shift_text)
    lon2, lat2 = np.meshgrid(lon, lat)
    return finish(sources, file=file, fmt="cf", model=model, level="; ".join(level_text) or "single level",
                  time=times if times is not None else [], cycle=cycle, x=lon, y=lat, lon=lon2, lat=lat2,
                  crs="OGC:CRS84", grid_kind="lonlat", conversions=conversions)


def _finish_horizontal(h, sources, times, cycle, file, mapping, model, level_text):
    """The normalised grid of a projected, rotated or curvilinear CF file."""
    if h.sort:
        sources = {pol: (da.isel(h.sort), name, units) for pol, (da, name, units) in sources.items()}
    conversions = []
    if h.sort:
        conversions.append(f"projection axes {', '.join(h.sort)} sorted ascending")
    if times is not None:
        times, shift_text = _label_shift(times, file, mapping)
        if shift_text:
            conversions.append(shift_text)
    return finish(sources, file=file, fmt="cf", model=model, level="; ".join(level_text) or "single level",
                  time=times if times is not None else [], cycle=cycle, x=h.x, y=h.y, lon=h.lon, lat=h.lat,
                  crs=h.crs, grid_kind=h.kind, conversions=conversions, cell_coords=h.coords,
                  extra_attrs={"cells": h.cells, "projection": h.projection})


def _in_utc(when, mapping):
    """``when`` (naive times) read in the mapping's ``time.zone`` and turned to UTC (naive), for a centre that writes
    Beijing time without an offset; unchanged without one."""
    zone = mapping.time.get("zone") if mapping is not None else None
    if when is None or not zone:
        return when
    if np.ndim(when) == 0:
        return pd.Timestamp(when).tz_localize(zone).tz_convert("UTC").tz_localize(None).to_datetime64()
    return pd.DatetimeIndex(when).tz_localize(zone).tz_convert("UTC").tz_localize(None).values


def _label_shift(times, file, mapping):
    """Shift time stamps to hour-ending labels (DESIGN.md): mapping ``time.label`` or GEOS ``tavg``; with the
    mapping's ``time.zone`` the stamps are first read in that zone and turned to UTC."""
    zone = mapping.time.get("zone") if mapping is not None else None
    shifted, text = _label_shift_utc(_in_utc(times, mapping), file, mapping)
    if not zone:
        return shifted, text
    zone_text = f"times written in {zone} local time without an offset: turned to UTC"
    return shifted, f"{zone_text}; {text}" if text else zone_text


def _label_shift_utc(times, file, mapping):
    times = pd.DatetimeIndex(times)
    step = pd.Timedelta(hours=1)
    if len(times) > 1:
        step = pd.Timedelta(np.median(np.diff(times.values)))
    label = (mapping.time.get("label") if mapping is not None else None) or None
    if mapping is not None and mapping.time.get("step_hours"):
        step = pd.Timedelta(hours=float(mapping.time["step_hours"]))
    if label is None and "tavg" in Path(file).name and (times.minute == 30).all():
        label = "centre"
    if label in ("start", "begin"):
        return (times + step).values, f"time stamps mark the start of the averaging period: +{step} to hour-ending"
    if label in ("centre", "center", "middle"):
        return (times + step / 2).values, (f"time stamps mark the centre of the averaging period: "
                                           f"+{step / 2} to hour-ending")
    return times.values, None
