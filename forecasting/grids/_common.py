"""Pieces shared by the readers: opening files, choosing a level, building the normalised grid."""

from __future__ import annotations

import os
import socket
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.errors import FormatError, ValidationError
from forecasting.grids.units import CANONICAL_UNITS, conversion_factor
from forecasting.vocab import POLLUTANTS

#: Meteorological predictors kept from WRF (name -> units in the normalised grid).
MET_UNITS = {"t2": "K", "u10": "m/s", "v10": "m/s", "psfc": "Pa", "pblh": "m", "q2": "kg/kg",
             "ws": "m/s", "wd": "degree", "rh": "%"}

#: Time steps per dask chunk when a file is opened lazily.
TIME_CHUNK = 24

_CLIENT = None
#: How long to try reaching DASK_SCHEDULER_ADDRESS before giving up.
CONNECT_TIMEOUT = "10s"


def _refused(address: str) -> OSError | None:
    """The error of one plain TCP connection to a ``tcp://host:port`` scheduler address when it is
    refused or the host is unknown: a definite answer, so the user hears it at once instead of after
    :data:`CONNECT_TIMEOUT` of retries. ``None`` when it connects, when it is only slow (the client
    then tries for the whole timeout) or for another protocol.

    Examples
    --------
    >>> _refused("tls://scheduler:8786") is None
    True
    """
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return None
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a port that is not a number
        return OSError(str(exc))
    if not host or port is None:
        return None
    try:
        socket.create_connection((host, port), timeout=float(CONNECT_TIMEOUT.rstrip("s"))).close()
    except (ConnectionRefusedError, socket.gaierror) as exc:
        return exc
    except OSError:  # slow or unreachable: leave it to the client's own retries
        return None
    return None


def ensure_scheduler():
    """Connect a :class:`dask.distributed.Client` to ``DASK_SCHEDULER_ADDRESS`` once, if set.

    The client becomes dask's default scheduler, so every later ``.compute()`` runs on the cluster.
    Returns the client or ``None``.
    """
    global _CLIENT
    address = os.environ.get("DASK_SCHEDULER_ADDRESS", "").strip()
    if not address:
        return None
    if _CLIENT is None or getattr(_CLIENT, "status", "closed") in ("closed", "closing"):
        from dask.distributed import Client

        try:
            refused = _refused(address)
            if refused is not None:
                raise refused
            _CLIENT = Client(address, set_as_default=True, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ValidationError(f"DASK_SCHEDULER_ADDRESS={address}: cannot connect to the dask scheduler "
                                  f"({' '.join(str(exc).split())}); start it or unset the variable") from None
    return _CLIENT


def open_netcdf(path, *, chunks=None) -> xr.Dataset:
    """Open one NetCDF file lazily without decoding times; FormatError when missing or corrupt."""
    p = Path(path)
    if not p.exists():
        raise FormatError(f"{p}: file not found", key="grids.file_missing", file=str(p))
    if p.is_dir():
        raise FormatError(f"{p}: is a directory, expected a NetCDF file", key="grids.file_corrupt", file=str(p))
    try:
        # no dask yet: lazily indexed backend arrays, so level selection and sorting stay lazy and
        # each dask chunk made later by chunk_time() reads only its own hyperslab
        return xr.open_dataset(p, engine="netcdf4", decode_times=False, mask_and_scale=True, chunks=chunks,
                               cache=False)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:  # what netCDF4/HDF5 and xarray raise for a bad file
        msg = " ".join(str(exc).split()) or type(exc).__name__
        raise FormatError(f"{p}: not a readable NetCDF file ({msg})", key="grids.file_corrupt",
                          file=str(p)) from None


def attr_str(value) -> str:
    """An attribute as a stripped string (IOAPI pads names and units with spaces)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip()


def chunk_time(da: xr.DataArray, tdim: str) -> xr.DataArray:
    """Wrap in dask: TIME_CHUNK steps per chunk, the whole horizontal plane per chunk."""
    # inline_array=True lets dask fuse later slicing (e.g. a district window) into the read, so
    # only the needed hyperslab is read from the file
    return da.chunk({d: (TIME_CHUNK if d == tdim else -1) for d in da.dims}, inline_array=True)


def to_utc_naive(times) -> np.ndarray:
    """datetime-likes (aware or naive UTC) -> numpy datetime64[ns] (UTC, as xarray stores it)."""
    idx = pd.DatetimeIndex(pd.to_datetime(times, utc=True))
    return idx.tz_convert("UTC").tz_localize(None).values.astype("datetime64[ns]")


def iso_utc(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.isoformat().replace("+00:00", "Z")


def no_chemistry(file: str) -> FormatError:
    """The error for a file without any pollutant the readers know."""
    return FormatError(
        f"{file}: no chemistry found (expected one of {' '.join(POLLUTANTS)} under a known name, "
        f"or a model mapping file naming them)", key="grids.no_chemistry", file=file)


def finish(
    sources: dict,
    *,
    file: str,
    fmt: str,
    model: str | None,
    level: str,
    time,
    cycle,
    x: np.ndarray,
    y: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    crs: str,
    grid_kind: str,
    conversions: list[str] | None = None,
    met: dict | None = None,
    extra_attrs: dict | None = None,
    cell_coords: dict | None = None,
) -> xr.Dataset:
    """Assemble the normalised grid from raw (time, y, x) arrays.

    Parameters
    ----------
    sources : dict
        ``pollutant -> (DataArray(time, y, x) in file units, source_name, source_units)``.
    time : array of datetime64 [UTC], hour-ending labels.
    cycle : datetime-like or None
        Model initialisation time [UTC]; ``lead_hours = (time - cycle)`` [h], NaN when unknown.
    x, y : 1-D native coordinates of cell centres [m for projected grids, degree for lon/lat].
    lon, lat : 2-D cell-centre coordinates [degree], shape (ny, nx).
    cell_coords : dict, optional
        Extra coordinates describing the cells (``x_bounds``/``y_bounds`` (n, 2) in the native
        unit, or ``lon_vertices``/``lat_vertices`` (ny, nx, 4) [degree]), used by the district
        weights instead of the mid-points between centres.
    """
    if not sources:
        raise no_chemistry(file)
    time = to_utc_naive(time)
    conversions = list(conversions or [])
    data_vars = {}
    for pol in POLLUTANTS:
        if pol not in sources:
            continue
        da, name, units = sources[pol]
        factor, text = conversion_factor(pol, units, variable=name, file=file)
        conversions.append(text)
        arr = _scaled(da, factor)
        data_vars[pol] = (("time", "y", "x"), arr, {
            "units": CANONICAL_UNITS[pol], "source_name": name, "source_units": attr_str(units),
            "conversion_factor": float(factor),
        })
    for name, (da, src) in (met or {}).items():
        data_vars[name] = (("time", "y", "x"), da.data, {"units": MET_UNITS[name], "source_name": src})
    if cycle is not None and not pd.isna(pd.Timestamp(cycle)):
        cyc = to_utc_naive([cycle])[0]
        lead = (time - cyc) / np.timedelta64(1, "h")
        cycle_iso = iso_utc(cyc)
    else:
        lead = np.full(time.shape, np.nan)
        cycle_iso = ""
    coords = {
        "time": ("time", time, {"long_name": "valid time, UTC, hour-ending label"}),
        "lead_hours": ("time", lead.astype(float), {"units": "h", "long_name": "hours since cycle"}),
        "y": ("y", np.asarray(y, float)), "x": ("x", np.asarray(x, float)),
        "lon": (("y", "x"), np.asarray(lon, float), {"units": "degrees_east"}),
        "lat": (("y", "x"), np.asarray(lat, float), {"units": "degrees_north"}),
        **(cell_coords or {}),
    }
    ds = xr.Dataset({k: _variable(*v) for k, v in data_vars.items()},
                    coords={k: _variable(*v) for k, v in coords.items()})
    ds.attrs.update({
        "model": model or "", "cycle": cycle_iso, "files": [str(file)], "format": fmt, "level": level,
        "conversions": conversions, "crs": crs, "grid_kind": grid_kind,
        "reference_state": "gases at 298.15 K, 1013.25 hPa (Vm 24.4654 L/mol)",
    })
    ds.attrs.update(extra_attrs or {})
    return ds


def _variable(dims, data, attrs=None) -> xr.Variable:
    """An xarray Variable around a numpy (or lazily indexed) array as it is: xarray's generic
    constructor checks every plain array against dask's array type, importing dask.array (0.3 s
    of CPU) in processes such as ``extract`` that never use it."""
    if isinstance(data, np.ndarray) or isinstance(data, xr.core.indexing.ExplicitlyIndexed):
        return xr.Variable(dims, data, attrs, fastpath=True)
    return xr.Variable(dims, data, attrs)


def _scale(values, factor):
    return values * factor


def _scaled(da: xr.DataArray, factor: float):
    """``da × factor`` as a lazily indexed array that reads only what later slicing asks for.

    The product is taken lazily (xarray's lazy element-wise array, as for CF scale_factor
    decoding) and is *not* wrapped in dask here: :func:`chunk_variables` does that in
    ``open_grid``, fusing a window selected afterwards into the file read. Without dask (the
    ``extract`` path) ``grid[v].isel(...).values`` reads just that window.
    """
    dtype = da.dtype if da.dtype.kind == "f" else np.dtype("float64")
    f = dtype.type(factor)
    if da.chunks is not None:
        return da.data * f
    return xr.coding.common.lazy_elemwise_func(da.variable._data, partial(_scale, factor=f), dtype)


def chunk_variables(ds: xr.Dataset) -> xr.Dataset:
    """Wrap every data variable not yet in dask: TIME_CHUNK steps × the whole plane per chunk."""
    out = ds.copy()
    for name in ds.data_vars:
        var = ds[name].variable
        if var.chunks is None:
            out[name] = var.copy(data=chunk_time(xr.DataArray(var), var.dims[0]).data)
    return out


def compute(*arrays):
    """``dask.compute`` on the cluster when ``DASK_SCHEDULER_ADDRESS`` connected one, else on
    local threads, without importing dask.distributed (0.3 s) to look for a client; numpy
    arrays and lazily indexed xarray objects are read as they are (no dask at all)."""
    lazy = [i for i, a in enumerate(arrays) if getattr(a, "chunks", None) is not None]
    out = [a if i in lazy else np.asarray(a) for i, a in enumerate(arrays)]
    if lazy:
        import dask
        import dask.threaded

        got = dask.compute(*[arrays[i] for i in lazy],
                           scheduler=_CLIENT if _CLIENT is not None else dask.threaded.get)
        for i, g in zip(lazy, got):
            out[i] = g
    return tuple(out)


def level_dim_of(da: xr.DataArray, known: set) -> str | None:
    """The one dimension of ``da`` that is neither time nor horizontal (the vertical), if any."""
    others = [d for d in da.dims if d not in known]
    if len(others) > 1:
        raise FormatError(f"variable {da.name!r} has several extra dimensions {others}; "
                          f"name the vertical one in a model mapping file (level: {{dim: ...}})",
                          key="grids.extra_dims", variable=str(da.name), dims=", ".join(map(str, others)),
                          dims_zh="、".join(map(str, others)))
    return others[0] if others else None
