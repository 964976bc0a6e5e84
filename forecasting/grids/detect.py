"""Which reader a file needs, and opening one or several files into the normalised grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.errors import FormatError
from forecasting.grids._common import chunk_variables, compute, ensure_scheduler, iso_utc, open_netcdf
from forecasting.grids.cf import is_cf_grid, read_cf
from forecasting.grids.ioapi import is_ioapi, read_ioapi
from forecasting.grids.mapping import load_mapping
from forecasting.grids.wrf import is_wrf, read_wrf

__all__ = ["detect_format", "open_grid", "inspect_grid", "grid_description"]


def detect_format(ds: xr.Dataset) -> str | None:
    """``"ioapi"`` (TFLAG / GDTYP), ``"wrf"`` (Times + XLAT + MAP_PROJ), ``"cf"`` (1-D lon/lat, a CF
    grid mapping with projection coordinates, or 2-D latitude/longitude), or None."""
    if is_ioapi(ds):
        return "ioapi"
    if is_wrf(ds):
        return "wrf"
    if is_cf_grid(ds):
        return "cf"
    return None


def _read_one(path, mapping, model, cycle):
    ds = open_netcdf(path)
    fmt = (mapping.format if mapping is not None else None) or detect_format(ds)
    name = (mapping.model if mapping is not None else None) or model
    file = str(path)
    if fmt == "ioapi":
        return read_ioapi(ds, file=file, mapping=mapping, model=name, cycle=cycle)
    if fmt == "wrf":
        return read_wrf(ds, file=file, mapping=mapping, model=name)
    if fmt == "cf":
        return read_cf(ds, file=file, mapping=mapping, model=name)
    raise FormatError(f"{file}: layout not recognised (not IOAPI, wrfout, nor CF with longitude/latitude "
                      f"or a grid mapping); "
                      f"describe it in a model mapping file with format: cf|ioapi|wrf",
                      key="grids.format_unknown", file=file)


def open_grid(paths, *, model: str | None = None, mapping=None, cycle=None, dask: bool = True) -> xr.Dataset:
    """Open model output files as one normalised, lazy (dask) grid.

    Parameters
    ----------
    paths : path or list of paths
        NetCDF files of one run (same grid), e.g. one file per day; concatenated along time.
    model : str, optional
        Model name; when a mapping file ``data/models/<model>.yaml|toml`` exists it is used,
        otherwise the name only labels the grid. A path to a mapping file must exist.
    mapping : ModelMapping or str or path, optional
        An explicit mapping file (wins over ``model``'s).
    cycle : datetime-like, optional
        Initialisation time [UTC] when the file does not say (IOAPI).
    dask : bool
        Wrap the variables in dask (default). ``False`` keeps a single file's pollutants as
        lazily indexed arrays (slicing then ``.values`` reads only the slice) and imports no
        dask: the fast path of ``extract``/``ingest``, which read a small window. Several files
        are always put in dask to be concatenated.

    Returns
    -------
    xarray.Dataset
        ``pm25 pm10 o3 no2 so2 co`` (those present) [µg/m³; CO mg/m³; gases at 298.15 K,
        1013.25 hPa] and WRF predictors, dims ``(time, y, x)``, coords ``time`` [UTC,
        hour-ending], ``lead_hours`` [h], ``x``, ``y`` (native), ``lon``, ``lat`` (2-D) [degree];
        attrs ``model, cycle, files, format, level, conversions, crs, grid_kind``.

    Raises
    ------
    FormatError
        Missing/corrupt file, unknown layout, no chemistry, files on different grids.
    UnitError
        A pollutant with missing or unknown units.
    """
    ensure_scheduler()
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    if not paths:
        raise FormatError("no files given", key="dd20.err.no_file")
    if mapping is None and model is not None:
        if Path(model).suffix in (".yaml", ".yml", ".toml"):
            mapping = load_mapping(model)  # a path: it must exist and parse
        else:
            try:  # a name: its mapping file if there is one, else only a label
                mapping = load_mapping(model)
            except FormatError:
                mapping = None
    elif mapping is not None:
        mapping = load_mapping(mapping)
    parts, without = [], []
    for p in paths:
        try:
            parts.append(_read_one(p, mapping, model, cycle))
        except FormatError as exc:
            # beside files with chemistry, a file without any (the Atmosphere Data Store's levtype_sfc.nc with
            # surface pressure only, packed in one ZIP with levtype_ml.nc) is left out, and the conversions say so
            if exc.key != "grids.no_chemistry" or len(paths) == 1:
                raise
            without.append((Path(str(p)).name, exc))
    if not parts:
        raise without[0][1]
    if without:
        parts[0].attrs["conversions"] = [*parts[0].attrs["conversions"],
                                         *(f"{name}: no pollutant in it, not used" for name, _e in without)]
    if dask or len(parts) > 1:
        parts = [chunk_variables(p) for p in parts]
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    for p in parts[1:]:
        if p.sizes["x"] != first.sizes["x"] or p.sizes["y"] != first.sizes["y"] or not (
                np.allclose(p["x"], first["x"]) and np.allclose(p["y"], first["y"])) or (
                first.attrs.get("grid_kind") == "curvilinear" and not (
                    np.allclose(p["lon"], first["lon"]) and np.allclose(p["lat"], first["lat"]))):
            raise FormatError(f"{p.attrs['files'][0]}: grid differs from {first.attrs['files'][0]}; "
                              f"open files of one run and one domain together", key="grids.grid_differs",
                              file=Path(str(p.attrs["files"][0])).name, first=Path(str(first.attrs["files"][0])).name)
    cycles = sorted({p.attrs["cycle"] for p in parts if p.attrs["cycle"]})
    files = [f for p in parts for f in p.attrs["files"]]
    conversions = list(dict.fromkeys(c for p in parts for c in p.attrs["conversions"]))
    parts = _merge_same_hours(parts)
    out = parts[0] if len(parts) == 1 else xr.concat(
        parts, dim="time", data_vars="minimal", coords="minimal", compat="override", join="override",
        combine_attrs="override").sortby("time")
    out = _drop_repeated_hours(out)
    out.attrs["files"] = files
    out.attrs["conversions"] = conversions
    if cycles:
        out.attrs["cycle"] = cycles[0]
        cyc = np.datetime64(cycles[0].replace("Z", ""))
        out = out.assign_coords(lead_hours=("time", ((out["time"].values - cyc) / np.timedelta64(1, "h")).astype(float),
                                            {"units": "h"}))
    return out


def _name(part) -> str:
    return Path(str(part.attrs["files"][0])).name


def _merge_same_hours(parts: list[xr.Dataset]) -> list[xr.Dataset]:
    """Files of one run that hold the same hours and different variables (a centre writes one file per species,
    or particles and gases apart) merged into one grid per set of hours. They were stacked along time: every
    hour twice, half of each copy empty ("2160 of 4320 values are missing")."""
    groups: dict[tuple, list[xr.Dataset]] = {}
    for p in parts:
        groups.setdefault(tuple(np.asarray(p["time"].values).tolist()), []).append(p)
    if len(groups) == len(parts):
        return parts
    merged = []
    for same in groups.values():
        seen: dict[str, str] = {}
        for p in same:
            for v in p.data_vars:
                if v in seen:
                    raise FormatError(f"{seen[v]} and {_name(p)} both hold {v} for the same hours: give each file of "
                                      "a run once", key="grids.files_repeat", first=seen[v], file=_name(p),
                                      variable=v)
                seen[v] = _name(p)
        merged.append(same[0] if len(same) == 1 else
                      xr.merge(same, compat="override", join="override", combine_attrs="override"))
    return merged


def _drop_repeated_hours(grid: xr.Dataset) -> xr.Dataset:
    """One copy of an hour two consecutive files both hold (CMAQ writes 25 steps a day: its hour 24 is the next
    file's hour 0); refused when the copies differ (files of two runs)."""
    times = np.asarray(grid["time"].values)
    repeated = pd.Index(times).duplicated()  # every copy after an hour's first
    if not repeated.any():
        return grid
    for k in np.flatnonzero(repeated):
        j = int(np.flatnonzero(times == times[k])[0])
        for v in grid.data_vars:
            a, b = compute(grid[v].isel(time=j).data, grid[v].isel(time=k).data)
            if not np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-5, atol=0, equal_nan=True):
                when = iso_utc(times[k])
                raise FormatError(f"the files give two different {v} fields for {when}: give the files of one run",
                                  key="grids.hour_differs", variable=v, time=when)
    return grid.isel(time=np.flatnonzero(~repeated))


def inspect_grid(paths, *, model: str | None = None, mapping=None) -> dict:
    """A JSON-ready summary: format, model, level, variables (units, source, min/max/mean), grid, time."""
    grid = open_grid(paths, model=model, mapping=mapping)
    names = [v for v in grid.data_vars]
    flat = compute(*[s.data for v in names for s in (grid[v].min(), grid[v].max(), grid[v].mean())])
    stats = [flat[3 * k: 3 * k + 3] for k in range(len(names))]
    variables = {}
    for v, (lo, hi, mean) in zip(names, stats):
        a = grid[v].attrs
        variables[v] = {"units": a.get("units"), "source_name": a.get("source_name"),
                        "source_units": a.get("source_units", a.get("units")),
                        "min": _num(lo), "max": _num(hi), "mean": _num(mean)}
    times = grid["time"].values
    return {
        "format": grid.attrs["format"],
        "model": grid.attrs["model"] or None,
        "level": grid.attrs["level"],
        "cycle": grid.attrs["cycle"] or None,
        "files": list(grid.attrs["files"]),
        "variables": variables,
        "conversions": list(grid.attrs["conversions"]),
        "grid": {"shape": [grid.sizes["y"], grid.sizes["x"]],
                 "lon_min": _num(grid["lon"].min()), "lon_max": _num(grid["lon"].max()),
                 "lat_min": _num(grid["lat"].min()), "lat_max": _num(grid["lat"].max()),
                 "crs": grid.attrs["crs"], **grid_description(grid)},
        "time": {"first": iso_utc(times[0]) if len(times) else None,
                 "last": iso_utc(times[-1]) if len(times) else None, "steps": int(len(times))},
    }


def grid_description(grid: xr.Dataset, districts=None) -> dict:
    """What ``inspect`` says about the horizontal grid.

    ``kind`` (``projected``/``lonlat``/``rotated``/``curvilinear``), ``projection`` (CF
    ``name``, PROJ ``method`` and ``parameters`` [degree, m], from the grid's CRS), ``cells`` (how
    cell polygons are built), ``spacing_km`` (``dx``, ``dy``: median geodesic distance between
    neighbouring centres on the WGS84 ellipsoid [km]; for projected grids also the native
    ``dx_native``/``dy_native`` [km in the projection plane]) and ``zone`` (per district of the
    bundled or given boundaries: ``coverage``, the fraction of its area inside the grid [1], and
    ``cells``, the number of cells overlapping it).
    """
    from pyproj import Geod

    from forecasting.districts import district_weights, load_districts
    from forecasting.grids.cfgrid import projection_summary

    kind = grid.attrs.get("grid_kind", "")
    lon, lat = np.asarray(grid["lon"].values, float), np.asarray(grid["lat"].values, float)
    geod = Geod(ellps="WGS84")
    spacing = {}
    if lon.shape[1] > 1:
        spacing["dx"] = round(float(np.median(geod.inv(lon[:, :-1], lat[:, :-1], lon[:, 1:], lat[:, 1:])[2])) / 1e3, 3)
    if lon.shape[0] > 1:
        spacing["dy"] = round(float(np.median(geod.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2])) / 1e3, 3)
    if kind == "projected":
        for key, c in (("dx_native", "x"), ("dy_native", "y")):
            if grid.sizes[c] > 1:
                spacing[key] = round(float(np.median(np.diff(grid[c].values))) / 1e3, 4)
    default_cells = {"projected": "rectangles of the projection plane with edges at the mid-points between centres",
                     "lonlat": "longitude/latitude rectangles with edges at the mid-points between centres"}
    if kind == "curvilinear":
        projection = {"name": "none", "method": "curvilinear: 2-D latitude/longitude auxiliary coordinates",
                      "parameters": {}}
    else:
        projection = projection_summary(grid.attrs["crs"])
    if grid.attrs.get("projection"):
        projection["source"] = grid.attrs["projection"]
    out = {"kind": kind, "projection": projection,
           "cells": grid.attrs.get("cells") or default_cells.get(kind, ""), "spacing_km": spacing}
    gdf = districts if hasattr(districts, "geometry") else load_districts(districts)
    w = district_weights(grid, gdf)
    names = gdf["name"].tolist() if "name" in gdf.columns else [None] * len(gdf)
    out["zone"] = {code: {"name": name, "coverage": round(float(cov), 4),
                          "cells": int(np.count_nonzero(w.rows == r))}
                   for r, (code, name, cov) in enumerate(zip(w.adcodes, names, w.coverage))}
    return out


def _num(value):
    f = float(np.asarray(value))
    return None if not np.isfinite(f) else f
