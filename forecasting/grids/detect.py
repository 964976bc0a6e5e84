"""Which reader a file needs, and opening one or several files into the normalised grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from forecasting.errors import FormatError
from forecasting.grids._common import ensure_scheduler, iso_utc, open_netcdf
from forecasting.grids.cf import is_cf_grid, read_cf
from forecasting.grids.ioapi import is_ioapi, read_ioapi
from forecasting.grids.mapping import load_mapping
from forecasting.grids.wrf import is_wrf, read_wrf

__all__ = ["detect_format", "open_grid", "inspect_grid"]


def detect_format(ds: xr.Dataset) -> str | None:
    """``"ioapi"`` (TFLAG / GDTYP), ``"wrf"`` (Times + XLAT + MAP_PROJ), ``"cf"`` (1-D lon/lat), or None."""
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
    raise FormatError(f"{file}: layout not recognised (not IOAPI, wrfout, nor CF with 1-D longitude/latitude); "
                      f"describe it in a model mapping file with format: cf|ioapi|wrf",
                      key="grids.format_unknown", file=file)


def open_grid(paths, *, model: str | None = None, mapping=None, cycle=None) -> xr.Dataset:
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
        raise FormatError("no files given")
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
    parts = [_read_one(p, mapping, model, cycle) for p in paths]
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    for p in parts[1:]:
        if p.sizes["x"] != first.sizes["x"] or p.sizes["y"] != first.sizes["y"] or not (
                np.allclose(p["x"], first["x"]) and np.allclose(p["y"], first["y"])):
            raise FormatError(f"{p.attrs['files'][0]}: grid differs from {first.attrs['files'][0]}; "
                              f"open files of one run and one domain together")
    cycles = sorted({p.attrs["cycle"] for p in parts if p.attrs["cycle"]})
    out = xr.concat(parts, dim="time", data_vars="minimal", coords="minimal", compat="override",
                    join="override", combine_attrs="override").sortby("time")
    out.attrs["files"] = [f for p in parts for f in p.attrs["files"]]
    out.attrs["conversions"] = list(dict.fromkeys(c for p in parts for c in p.attrs["conversions"]))
    if cycles:
        out.attrs["cycle"] = cycles[0]
        cyc = np.datetime64(cycles[0].replace("Z", ""))
        out = out.assign_coords(lead_hours=("time", ((out["time"].values - cyc) / np.timedelta64(1, "h")).astype(float),
                                            {"units": "h"}))
    return out


def inspect_grid(paths, *, model: str | None = None, mapping=None) -> dict:
    """A JSON-ready summary: format, model, level, variables (units, source, min/max/mean), grid, time."""
    grid = open_grid(paths, model=model, mapping=mapping)
    import dask

    names = [v for v in grid.data_vars]
    stats = dask.compute(*[(grid[v].min(), grid[v].max(), grid[v].mean()) for v in names])
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
                 "crs": grid.attrs["crs"]},
        "time": {"first": iso_utc(times[0]) if len(times) else None,
                 "last": iso_utc(times[-1]) if len(times) else None, "steps": int(len(times))},
    }


def _num(value):
    f = float(np.asarray(value))
    return None if not np.isfinite(f) else f
