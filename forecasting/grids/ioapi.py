"""CMAQ output in Models-3 I/O API netCDF (IOAPI).

Convention: I/O API documentation (Coats, CMAS), "Grids and coordinate systems" and "Date and
time conventions": variables ``(TSTEP, LAY, ROW, COL)``, ``TFLAG(TSTEP, VAR, DATE-TIME)`` as
``YYYYDDD, HHMMSS``, file attributes SDATE/STIME/TSTEP, horizontal grid from GDTYP, P_ALP, P_BET,
P_GAM, XCENT, YCENT, XORIG, YORIG, XCELL, YCELL on a sphere of radius 6 370 000 m. Cell centres
are ``XORIG + (i + 0.5)·XCELL``; lon/lat are computed with pyproj. Names and units are
space-padded to 16 characters and stripped here.

Level rule: LAY 1 (index 0, the surface layer). Time: CMAQ ``ACONC`` and post-processed averages
stamp an hour with its *start*; the normalised grid labels it by its end (TFLAG + TSTEP).
Instantaneous ``CONC`` files (file name with ``CONC`` but not ``ACONC``) keep TFLAG. The cycle is
the first step's start (SDATE/STIME) unless given: IOAPI has no initialisation-time attribute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from pyproj import CRS, Transformer

from forecasting.errors import FormatError
from forecasting.grids._common import finish

__all__ = ["read_ioapi", "is_ioapi", "ioapi_crs", "ioapi_dates", "IOAPI_NAMES", "EARTH_RADIUS"]

EARTH_RADIUS = 6370000.0  #: sphere used by CMAQ/MCIP and WRF [m]

#: CMAQ variable names per pollutant (ACONC species, combine/post-processing outputs).
IOAPI_NAMES = {
    "pm25": ("PM25_TOT", "PM25", "PM2_5", "PM25_FRM", "PM25_AVG"),
    "pm10": ("PM10_TOT", "PM10", "PM10_AVG"),
    "o3": ("O3", "O3_AVG", "O3_8HRMAX"),
    "no2": ("NO2",),
    "so2": ("SO2",),
    "co": ("CO",),
}
_STATISTIC = {"O3_8HRMAX": "daily maximum 8-hour mean", "PM25_FRM": "daily mean"}


def is_ioapi(ds: xr.Dataset) -> bool:
    return "TFLAG" in ds.variables or {"GDTYP", "SDATE", "XCELL"} <= set(ds.attrs)


def ioapi_crs(attrs: dict) -> tuple[CRS, str]:
    """pyproj CRS of an IOAPI grid (GDTYP 1 lat-lon, 2 Lambert, 6 polar stereographic, 7 Mercator)."""
    g = int(attrs["GDTYP"])
    a, b, c = float(attrs["P_ALP"]), float(attrs["P_BET"]), float(attrs["P_GAM"])
    xc, yc = float(attrs["XCENT"]), float(attrs["YCENT"])
    if g == 1:
        return CRS("OGC:CRS84"), "OGC:CRS84"
    if g == 2:
        proj = f"+proj=lcc +lat_1={a} +lat_2={b} +lat_0={yc} +lon_0={c} +R={EARTH_RADIUS:.0f} +units=m +no_defs"
    elif g == 6:
        proj = (f"+proj=stere +lat_0={90 if a > 0 else -90} +lat_ts={b} +lon_0={c} "
                f"+R={EARTH_RADIUS:.0f} +units=m +no_defs")
    elif g == 7:
        proj = f"+proj=merc +lat_ts={a} +lon_0={c} +R={EARTH_RADIUS:.0f} +units=m +no_defs"
    else:
        raise FormatError(f"IOAPI GDTYP={g} is not supported (1 lat-lon, 2 Lambert, 6 polar stereo, 7 Mercator)",
                          key="grids.ioapi_projection", code=g)
    # the Cartesian origin is (XCENT, YCENT); shift if it differs from the projection centre
    t = Transformer.from_crs(CRS("OGC:CRS84"), CRS(proj), always_xy=True)
    x0, y0 = t.transform(xc, yc)
    if abs(x0) > 1e-3 or abs(y0) > 1e-3:
        proj += f" +x_0={-x0:.6f} +y_0={-y0:.6f}"
    return CRS(proj), proj


def ioapi_dates(yyyyddd, hhmmss) -> pd.DatetimeIndex:
    """IOAPI (YYYYDDD, HHMMSS) integers -> UTC times."""
    out = []
    for d, t in zip(np.atleast_1d(yyyyddd), np.atleast_1d(hhmmss)):
        d, t = int(d), int(t)
        out.append(pd.Timestamp(d // 1000, 1, 1) + pd.Timedelta(days=d % 1000 - 1, hours=t // 10000,
                                                                 minutes=t // 100 % 100, seconds=t % 100))
    return pd.DatetimeIndex(out)


def _tstep(attrs) -> pd.Timedelta:
    t = int(attrs.get("TSTEP", 10000))
    return pd.Timedelta(hours=t // 10000, minutes=t // 100 % 100, seconds=t % 100)


def read_ioapi(ds: xr.Dataset, *, file: str, mapping=None, model: str | None = None, cycle=None) -> xr.Dataset:
    """Normalise an IOAPI file (see the module docstring for the conventions)."""
    attrs = ds.attrs
    try:
        crs, proj = ioapi_crs(attrs)
        nx, ny = int(attrs["NCOLS"]), int(attrs["NROWS"])
        xorig, yorig = float(attrs["XORIG"]), float(attrs["YORIG"])
        dx, dy = float(attrs["XCELL"]), float(attrs["YCELL"])
    except KeyError as exc:
        raise FormatError(f"{file}: IOAPI attribute {exc.args[0]} missing", key="grids.attribute_missing", file=file,
                          kind="IOAPI", attribute=exc.args[0]) from None
    x = xorig + (np.arange(nx) + 0.5) * dx
    y = yorig + (np.arange(ny) + 0.5) * dy
    xx, yy = np.meshgrid(x, y)
    if int(attrs["GDTYP"]) == 1:
        lon, lat = xx, yy
    else:
        lon, lat = Transformer.from_crs(crs, CRS("OGC:CRS84"), always_xy=True).transform(xx, yy)
    names = {n.strip(): n for n in ds.data_vars if n != "TFLAG"}
    tdim = "TSTEP"
    nt = ds.sizes.get(tdim, 1)
    if "TFLAG" in ds.variables:
        tflag = np.asarray(ds["TFLAG"].values)
        starts = ioapi_dates(tflag[:, 0, 0], tflag[:, 0, 1])
    else:
        first = ioapi_dates(attrs["SDATE"], attrs["STIME"])[0]
        starts = pd.DatetimeIndex([first + i * _tstep(attrs) for i in range(nt)])
    step = _tstep(attrs)
    label = mapping.time.get("label") if mapping is not None else None
    base = Path(file).name.upper()
    if label is None:
        label = "instant" if ("CONC" in base and "ACONC" not in base) or step == pd.Timedelta(0) else "start"
    conversions = []
    times = starts
    if label in ("start", "begin"):
        times = starts + step
        conversions.append(f"TFLAG marks the start of each {step} average: labelled by its end (TFLAG + TSTEP)")
    if "LST" in base.split("."):
        conversions.append("file name says LST: its TFLAG may be local standard time; kept as stored (UTC assumed)")
    if cycle is None:
        cycle = ioapi_dates(attrs.get("SDATE", 0), attrs.get("STIME", 0))[0] if "SDATE" in attrs else starts[0]
    rule = mapping.level if mapping is not None else None
    lay = 0
    if rule and "index" in rule:
        lay = int(rule["index"])
    elif rule and "value" in rule:
        lay = int(rule["value"]) - 1
    sources, stats = {}, {}
    for pol, cands in IOAPI_NAMES.items():
        chosen = None
        if mapping is not None and pol in mapping.variables:
            want = mapping.variables[pol]["name"]
            chosen = names.get(want.strip())
        else:
            chosen = next((names[c] for c in cands if c in names), None)
        if chosen is None:
            continue
        da = ds[chosen]
        if "LAY" in da.dims:
            da = da.isel(LAY=lay)
        da = da.transpose(tdim, "ROW", "COL")
        units = da.attrs.get("units")
        if mapping is not None and pol in mapping.variables and mapping.variables[pol].get("units"):
            units = mapping.variables[pol]["units"]
        sources[pol] = (da, chosen.strip(), units)
        if chosen.strip() in _STATISTIC:
            stats[pol] = _STATISTIC[chosen.strip()]
    nlays = int(attrs.get("NLAYS", 1))
    level = f"LAY {lay + 1} of {nlays} (IOAPI layer 1 = surface layer)"
    out = finish(sources, file=file, fmt="ioapi", model=model or "CMAQ", level=level, time=times.values,
                 cycle=cycle, x=x, y=y, lon=lon, lat=lat, crs=proj, grid_kind="projected",
                 conversions=conversions, extra_attrs={"time_step_hours": step / pd.Timedelta(hours=1)})
    for pol, text in stats.items():
        out[pol].attrs["statistic"] = text
    return out
