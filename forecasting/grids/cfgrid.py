"""CF horizontal grids beyond regular longitude/latitude: projected and curvilinear.

Convention: CF Conventions 1.8 §4 (coordinate types), §5.2 (two-dimensional latitude and
longitude named by a variable's ``coordinates`` attribute), §5.6 and Appendix F (grid mappings:
``lambert_conformal_conic``, ``polar_stereographic``, ``mercator``, ``rotated_latitude_longitude``,
``transverse_mercator`` and the others pyproj reads), §7.1 (cell boundaries: ``bounds`` of a 1-D
coordinate, shape (n, 2); ``bounds`` of 2-D latitude/longitude, shape (ny, nx, 4), vertices in
order around the cell). The projection is read with ``pyproj.CRS.from_cf``.

Three layouts (:func:`cf_horizontal`):

``projected``
    A ``grid_mapping`` variable and 1-D projection coordinates ``x``/``y`` (standard names
    ``projection_x_coordinate``/``projection_y_coordinate`` or ``axis: X``/``Y``) [m; km
    converted]. Cells are the exact rectangles of the projection plane: from ``x_bnds``/``y_bnds``
    when the file has them, else the mid-points between centres (exact for the regular spacing
    models use), the outer edges half a cell out. 2-D ``lat``/``lon`` come from the file when
    named, else from the projection (pyproj).
``rotated``
    ``rotated_latitude_longitude`` with 1-D ``rlon``/``rlat`` (``grid_longitude``/``grid_latitude``)
    [degree]: cells are rectangles in the rotated longitude/latitude (bounds or mid-points);
    overlaps are measured in an equal-area plane (as for lon/lat grids).
``curvilinear``
    No usable grid mapping, only 2-D latitude/longitude: cells are the quadrilaterals of the
    ``bounds`` vertices when present, else of the mid-points of neighbouring centres (each inner
    corner the mean of the four centres around it; the outer row of centres extrapolated
    linearly by one cell first). Overlaps are measured in an equal-area plane centred on the
    district, whose straight edges stand for the cell's (differences are of order (cell/R)² of
    the area: below 10⁻⁶ for 3 km cells).

A model mapping file names what a file does not say (``grid:`` table, see ``docs/grids.md``).
"""

from __future__ import annotations

import functools
import json
import warnings
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from forecasting.errors import FormatError
from forecasting.grids._common import attr_str
from forecasting.vocab import canonical_json

__all__ = ["Horizontal", "cf_horizontal", "is_cf_projected", "grid_mapping_crs", "projection_summary",
           "corners_from_centres", "GRID_MAPPINGS"]

#: CF grid mappings named by the issue; others that ``pyproj.CRS.from_cf`` reads also work.
GRID_MAPPINGS = ("lambert_conformal_conic", "polar_stereographic", "mercator", "rotated_latitude_longitude",
                 "transverse_mercator")
_X_NAMES = ("projection_x_coordinate", "grid_longitude")
_Y_NAMES = ("projection_y_coordinate", "grid_latitude")
_LENGTH = {"m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0, "km": 1000.0,
           "kilometre": 1000.0, "kilometer": 1000.0, "kilometres": 1000.0, "kilometers": 1000.0}
_CRS84 = CRS("OGC:CRS84")


@dataclass(frozen=True)
class Horizontal:
    """The horizontal geometry of a CF variable (see the module docstring).

    ``x``, ``y`` are 1-D native centres after sorting (ascending) [m, or degree for ``rotated``;
    cell indices for ``curvilinear``]; ``lon``, ``lat`` 2-D (ny, nx) [degree]; ``sort`` the
    indexers to apply to the file's variables; ``coords`` extra coordinates for the normalised
    grid (``x_bounds``/``y_bounds`` or ``lon_vertices``/``lat_vertices``); ``cells`` a sentence
    saying how the cells were built.
    """

    kind: str
    xdim: str
    ydim: str
    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    crs: str
    cells: str
    sort: dict = field(default_factory=dict)
    coords: dict = field(default_factory=dict)
    projection: str = ""


def grid_mapping_crs(attrs: dict, *, where: str, file: str = "") -> CRS:
    """``pyproj.CRS.from_cf`` of a grid-mapping variable's attributes; FormatError naming ``where``."""
    clean = {}
    for k, v in attrs.items():
        if isinstance(v, bytes):
            v = v.decode("ascii", "replace")
        if isinstance(v, np.ndarray):
            v = v.tolist()
        elif isinstance(v, np.generic):
            v = v.item()
        clean[k] = v
    name = attr_str(clean.get("grid_mapping_name"))
    if not name and not clean.get("crs_wkt") and not clean.get("spatial_ref"):
        raise FormatError(f"{where}: grid mapping without grid_mapping_name (expected e.g. "
                          f"lambert_conformal_conic); name it in the model mapping file (grid: attributes:)",
                          key="grids19.grid_mapping_unreadable", file=file or where, name="?")
    try:
        return _crs_from_attributes(canonical_json(clean, default=str))
    except (CRSError, KeyError, TypeError, ValueError) as exc:  # what pyproj raises for bad attributes
        raise FormatError(f"{where}: grid mapping {name or 'crs_wkt'!r} not understood by pyproj "
                          f"({' '.join(str(exc).split())})", key="grids19.grid_mapping_unreadable",
                          file=file or where, name=name or "crs_wkt") from None


@functools.lru_cache(maxsize=64)
def _crs_from_attributes(attributes: str) -> CRS:
    """The CRS of a grid mapping's attributes (canonical JSON), built once a process: every run of a
    model shares its grid mapping, and pyproj's datum lookup takes 0.1-0.3 s a call."""
    clean = json.loads(attributes)
    if attr_str(clean.get("grid_mapping_name")) or clean.get("crs_wkt"):
        return CRS.from_cf(clean)  # a crs_wkt attribute wins over the CF parameters (pyproj)
    return CRS.from_user_input(clean["spatial_ref"])  # GDAL's attribute


def proj_string(crs: CRS) -> str:
    """A PROJ string for ``crs`` (what the normalised grid's ``crs`` attribute holds)."""
    if crs.equals(_CRS84) or (crs.is_geographic and crs.to_epsg() == 4326):
        return "OGC:CRS84"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return crs.to_proj4()


def projection_summary(crs_text: str) -> dict:
    """``{"name": CF grid_mapping_name, "method": PROJ method, "parameters": {...}}`` of a grid CRS.

    Examples
    --------
    >>> projection_summary("+proj=lcc +lat_1=25 +lat_2=40 +lat_0=34 +lon_0=110 +R=6370000")["name"]
    'lambert_conformal_conic'
    """
    crs = CRS.from_user_input(crs_text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cf = crs.to_cf()
    skip = {"crs_wkt", "reference_ellipsoid_name", "horizontal_datum_name", "prime_meridian_name",
            "geographic_crs_name", "projected_crs_name", "grid_mapping_name", "longitude_of_prime_meridian"}
    params = {}
    for k, v in cf.items():
        if k in skip:
            continue
        if isinstance(v, tuple):
            v = [float(a) for a in v]
        elif isinstance(v, (int, float, np.floating)):
            v = float(v)
            if not np.isfinite(v):
                continue
        params[k] = v
    op = crs.coordinate_operation
    method = op.method_name if op is not None else ("longitude/latitude" if crs.is_geographic else "")
    return {"name": cf.get("grid_mapping_name", "unknown"), "method": method, "parameters": params}


def _coordinate_names(ds: xr.Dataset, var: xr.DataArray) -> list[str]:
    names = attr_str(var.attrs.get("coordinates") or var.encoding.get("coordinates")).split()
    names += [c for c in var.coords if c not in names]
    return [n for n in names if n in ds.variables]


def _grid_mapping_var(ds, var, mapping, file=""):
    grid = (mapping.grid if mapping is not None else None) or {}
    if grid.get("attributes"):
        return dict(grid["attributes"]), "the model mapping file (grid: attributes:)"
    name = grid.get("grid_mapping") or attr_str(var.attrs.get("grid_mapping") or var.encoding.get("grid_mapping"))
    if not name:
        return None, None
    name = name.split(":")[0].split()[0]  # CF 1.7 extended form "crs: x y"
    if name not in ds.variables:
        raise FormatError(f"{file}: variable {var.name!r} names grid_mapping {name!r}, which is not in the file; "
                          f"name the projection in the model mapping file (grid: attributes:)",
                          key="grids19.grid_mapping_missing", file=file, variable=str(var.name), name=name)
    return dict(ds[name].attrs), f"grid mapping variable {name!r}"


def _axis(ds, dim, names, axis, override, file=""):
    if override:
        if override not in ds.variables or ds[override].ndim != 1:
            raise FormatError(f"{file}: {override!r} (model mapping file) is not a 1-D coordinate in the file",
                              key="grids19.projection_coords_missing", file=file)
        return override
    for n, v in ds.variables.items():
        if v.dims == (dim,) and (attr_str(v.attrs.get("standard_name")) in names
                                 or attr_str(v.attrs.get("axis")).upper() == axis):
            return n
    return dim if dim in ds.variables and ds[dim].ndim == 1 else None


def _latlon2d(ds, var, ydim, xdim, mapping, file=""):
    grid = (mapping.grid if mapping is not None else None) or {}
    lon_name, lat_name = grid.get("lon"), grid.get("lat")
    for n in _coordinate_names(ds, var) + [n for n in ds.variables if ds[n].ndim == 2]:
        v = ds[n]
        if v.ndim != 2 or set(v.dims) != {ydim, xdim}:
            continue
        std, units = attr_str(v.attrs.get("standard_name")), attr_str(v.attrs.get("units")).lower()
        if lon_name is None and (std == "longitude" or units.startswith("degrees_east") or units == "degree_east"):
            lon_name = n
        if lat_name is None and (std == "latitude" or units.startswith("degrees_north") or units == "degree_north"):
            lat_name = n
    if lon_name is None or lat_name is None:
        return None, None
    for n in (lon_name, lat_name):
        if n not in ds.variables or set(ds[n].dims) != {ydim, xdim}:
            raise FormatError(f"{file}: {n!r} is not a 2-D ({ydim}, {xdim}) latitude/longitude in the file",
                              key="grids19.projection_coords_missing", file=file)
    return lon_name, lat_name


def _horizontal_dims(ds, var, mapping):
    grid = (mapping.grid if mapping is not None else None) or {}
    dims = list(var.dims)
    if grid.get("x") and grid.get("y") and grid["x"] in ds.variables and grid["y"] in ds.variables:
        return ds[grid["y"]].dims[0], ds[grid["x"]].dims[0]
    if len(dims) < 2:
        return None, None
    return dims[-2], dims[-1]


def is_cf_projected(ds: xr.Dataset) -> bool:
    """True when a data variable has a grid mapping with 1-D x/y, or 2-D latitude/longitude."""
    for var in ds.data_vars.values():
        if var.ndim < 3:
            continue
        ydim, xdim = var.dims[-2], var.dims[-1]
        gm = attr_str(var.attrs.get("grid_mapping"))
        if gm and gm.split(":")[0].split()[0] in ds.variables:
            if (_axis(ds, xdim, _X_NAMES, "X", None) is not None
                    and _axis(ds, ydim, _Y_NAMES, "Y", None) is not None):
                return True
        if _latlon2d(ds, var, ydim, xdim, None)[0] is not None:
            return True
    return False


def _length_factor(var, file):
    units = attr_str(var.attrs.get("units")).lower()
    if not units:
        return 1.0
    if units in _LENGTH:
        return _LENGTH[units]
    raise FormatError(f"{file}: projection coordinate {var.name!r} has units {units!r}; expected m or km",
                      key="grids19.coordinate_units", file=file, variable=str(var.name), units=units)


def _bounds_1d(ds, name, factor, order, file):
    bname = attr_str(ds[name].attrs.get("bounds"))
    if not bname or bname not in ds.variables:
        return None
    b = np.asarray(ds[bname].values, float) * factor
    if b.ndim != 2 or b.shape[1] != 2 or b.shape[0] != ds[name].size:
        raise FormatError(f"{file}: bounds {bname!r} of {name!r} should have shape ({ds[name].size}, 2)",
                          key="grids19.cells_bad", file=file, name=bname)
    b = np.sort(b[order], axis=1)
    if not np.allclose(b[1:, 0], b[:-1, 1], rtol=0, atol=1e-6 * max(np.ptp(b), 1.0)):
        raise FormatError(f"{file}: bounds {bname!r} of {name!r} leave gaps or overlap between cells",
                          key="grids19.cells_bad", file=file, name=bname)
    return b


def corners_from_centres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell corners (ny+1, nx+1) of a curvilinear grid from its centres (ny, nx) [degree].

    Each inner corner is the mean of the four centres around it; the centres are first extended
    by one row/column on every side by linear extrapolation, so the outer corners lie half a cell
    out. Longitudes are unwrapped around the grid's first centre.

    Examples
    --------
    >>> lon, lat = np.meshgrid([120.0, 121.0, 122.0], [30.0, 31.0])
    >>> clon, clat = corners_from_centres(lon, lat)
    >>> clon[0].tolist(), clat[:, 0].tolist()
    ([119.5, 120.5, 121.5, 122.5], [29.5, 30.5, 31.5])
    """
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    if lon.shape[0] < 2 or lon.shape[1] < 2:
        raise FormatError("a curvilinear grid needs at least 2 × 2 cells to build cell corners", key="grids.too_few_cells")
    lon = (lon - lon[0, 0] + 180.0) % 360.0 - 180.0 + lon[0, 0]

    def pad(a):
        p = np.empty((a.shape[0] + 2, a.shape[1] + 2))
        p[1:-1, 1:-1] = a
        p[0, 1:-1] = 2 * a[0] - a[1]
        p[-1, 1:-1] = 2 * a[-1] - a[-2]
        p[:, 0] = 2 * p[:, 1] - p[:, 2]
        p[:, -1] = 2 * p[:, -2] - p[:, -3]
        return p

    def corners(p):
        return (p[:-1, :-1] + p[:-1, 1:] + p[1:, :-1] + p[1:, 1:]) / 4.0

    return corners(pad(lon)), np.clip(corners(pad(lat)), -90.0, 90.0)


def _vertices(clon, clat):
    """(ny+1, nx+1) corners -> (ny, nx, 4) vertices, anticlockwise from the lower-left."""
    def around(c):
        return np.stack([c[:-1, :-1], c[:-1, 1:], c[1:, 1:], c[1:, :-1]], axis=-1)

    return around(clon), around(clat)


def cf_horizontal(ds: xr.Dataset, var: xr.DataArray, *, file: str, mapping=None) -> Horizontal | None:
    """The horizontal geometry of ``var``: projected, rotated or curvilinear; None for regular lon/lat.

    Raises FormatError when a grid mapping or bounds are present but unusable.
    """
    grid = (mapping.grid if mapping is not None else None) or {}
    ydim, xdim = _horizontal_dims(ds, var, mapping)
    if ydim is None:
        return None
    attrs, source = _grid_mapping_var(ds, var, mapping, file)
    crs = None
    if attrs is not None and attr_str(attrs.get("grid_mapping_name")) != "latitude_longitude":
        crs = grid_mapping_crs(attrs, where=f"{file}: {source}", file=file)
    xname = _axis(ds, xdim, _X_NAMES, "X", grid.get("x"), file)
    yname = _axis(ds, ydim, _Y_NAMES, "Y", grid.get("y"), file)
    lon_name, lat_name = _latlon2d(ds, var, ydim, xdim, mapping, file)
    if crs is not None and xname is not None and yname is not None:
        return _projected(ds, crs, xdim, ydim, xname, yname, lon_name, lat_name, file, source)
    if crs is not None and lon_name is not None:
        derived = _xy_from_latlon(ds, crs, xdim, ydim, lon_name, lat_name)
        if derived is not None:  # a grid mapping without x/y: the centres projected are a regular grid
            return _projected(ds, crs, xdim, ydim, None, None, lon_name, lat_name, file, source, xy=derived)
    if lon_name is not None:
        return _curvilinear(ds, xdim, ydim, lon_name, lat_name, file)
    if crs is not None:
        raise FormatError(f"{file}: {source} found but no 1-D projection coordinates along "
                          f"({ydim}, {xdim}) and no 2-D latitude/longitude; name them in the model mapping "
                          f"file (grid: {{x: ..., y: ...}})", key="grids19.projection_coords_missing", file=file)
    return None


def _xy_from_latlon(ds, crs, xdim, ydim, lon_name, lat_name):
    """1-D x, y from the 2-D centres projected with ``crs``, when they form a rectilinear grid
    (x constant down each column and y along each row, to 10⁻³ of a cell); else None."""
    lon = np.asarray(ds[lon_name].transpose(ydim, xdim).values, float)
    lat = np.asarray(ds[lat_name].transpose(ydim, xdim).values, float)
    if lon.shape[0] < 2 or lon.shape[1] < 2 or not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return None
    X, Y = Transformer.from_crs(_CRS84, crs, always_xy=True).transform(lon, lat)
    x, y = np.asarray(X, float).mean(axis=0), np.asarray(Y, float).mean(axis=1)
    dx, dy = np.median(np.abs(np.diff(x))), np.median(np.abs(np.diff(y)))
    if not (dx > 0 and dy > 0) or np.abs(X - x[None, :]).max() > 1e-3 * dx or np.abs(Y - y[:, None]).max() > 1e-3 * dy:
        return None
    return x, y


def _projected(ds, crs, xdim, ydim, xname, yname, lon_name, lat_name, file, source, xy=None):
    geographic = crs.is_geographic
    if xy is not None:
        fx = fy = 1.0
        x, y = (np.asarray(a, float) for a in xy)
    else:
        fx = 1.0 if geographic else _length_factor(ds[xname], file)
        fy = 1.0 if geographic else _length_factor(ds[yname], file)
        x = np.asarray(ds[xname].values, float) * fx
        y = np.asarray(ds[yname].values, float) * fy
    if x.size < 2 or y.size < 2:
        raise FormatError(f"{file}: a projected grid needs at least 2 × 2 cells", key="grids19.cells_bad",
                          file=file, name=f"{xname or 'x'}/{yname or 'y'}")
    xo = np.argsort(x, kind="stable")
    yo = np.argsort(y, kind="stable")
    sort = {}
    if not np.array_equal(xo, np.arange(x.size)):
        sort[xdim] = xo
    if not np.array_equal(yo, np.arange(y.size)):
        sort[ydim] = yo
    x, y = x[xo], y[yo]
    if np.any(np.diff(x) <= 0) or np.any(np.diff(y) <= 0):
        raise FormatError(f"{file}: projection coordinates {xname or 'x'!r}/{yname or 'y'!r} repeat a value",
                          key="grids19.cells_bad", file=file, name=f"{xname or 'x'}/{yname or 'y'}")
    coords = {}
    xb = _bounds_1d(ds, xname, fx, xo, file) if xname else None
    yb = _bounds_1d(ds, yname, fy, yo, file) if yname else None
    if xb is not None and yb is not None:
        coords["x_bounds"] = (("x", "bnd"), xb)
        coords["y_bounds"] = (("y", "bnd"), yb)
        how = f"rectangles of the {'rotated longitude/latitude' if geographic else 'projection plane'} " \
              f"from the bounds ({attr_str(ds[xname].attrs.get('bounds'))}, {attr_str(ds[yname].attrs.get('bounds'))})"
    else:
        how = (f"rectangles of the {'rotated longitude/latitude' if geographic else 'projection plane'} with "
               f"edges at the mid-points between centres (no bounds in the file)")
    if xy is not None:
        how += f"; x/y are the file's 2-D {lat_name}/{lon_name} projected (no projection coordinates in the file)"
    if lon_name is not None:
        lon = ds[lon_name].transpose(ydim, xdim)
        lat = ds[lat_name].transpose(ydim, xdim)
        lon = np.asarray(lon.isel({k: v for k, v in sort.items()}).values if sort else lon.values, float)
        lat = np.asarray(lat.isel({k: v for k, v in sort.items()}).values if sort else lat.values, float)
        lon = np.where(lon >= 180.0, lon - 360.0, lon)
    else:
        t = Transformer.from_crs(crs, _CRS84, always_xy=True)
        lon, lat = t.transform(*np.meshgrid(x, y))
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    cf = projection_summary(proj_string(crs)) if not geographic else {"name": "rotated_latitude_longitude"}
    return Horizontal(kind="rotated" if geographic else "projected", xdim=xdim, ydim=ydim, x=x, y=y, lon=lon,
                      lat=lat, crs=proj_string(crs), cells=how, sort=sort, coords=coords,
                      projection=f"{cf['name']} from {source}")


def _curvilinear(ds, xdim, ydim, lon_name, lat_name, file):
    lon = np.asarray(ds[lon_name].transpose(ydim, xdim).values, float)
    lat = np.asarray(ds[lat_name].transpose(ydim, xdim).values, float)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise FormatError(f"{file}: 2-D {lon_name!r}/{lat_name!r} have missing values; cells cannot be built",
                          key="grids19.cells_bad", file=file, name=f"{lat_name}/{lon_name}")
    lon = np.where(lon >= 180.0, lon - 360.0, lon)
    blon = attr_str(ds[lon_name].attrs.get("bounds"))
    blat = attr_str(ds[lat_name].attrs.get("bounds"))
    ny, nx = lon.shape
    if blon in ds.variables and blat in ds.variables:
        vlon = np.asarray(ds[blon].values, float)
        vlat = np.asarray(ds[blat].values, float)
        if vlon.shape != (ny, nx, 4) or vlat.shape != (ny, nx, 4):
            raise FormatError(f"{file}: bounds {blon!r}/{blat!r} should have shape ({ny}, {nx}, 4) (CF §7.1)",
                              key="grids19.cells_bad", file=file, name=f"{blat}/{blon}")
        vlon = np.where(vlon >= 180.0, vlon - 360.0, vlon)
        how = f"quadrilaterals of the bounds vertices ({blon}, {blat})"
    else:
        vlon, vlat = _vertices(*corners_from_centres(lon, lat))
        how = ("quadrilaterals whose corners are the mid-points of neighbouring centres (mean of the four "
               "centres around each corner; no bounds in the file)")
    coords = {"lon_vertices": (("y", "x", "vertex"), vlon), "lat_vertices": (("y", "x", "vertex"), vlat)}
    return Horizontal(kind="curvilinear", xdim=xdim, ydim=ydim, x=np.arange(nx, dtype=float),
                      y=np.arange(ny, dtype=float), lon=lon, lat=lat, crs="OGC:CRS84", cells=how, coords=coords,
                      projection=f"none (2-D {lat_name}/{lon_name} auxiliary coordinates)")
