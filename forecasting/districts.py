"""District means and station values from a normalised model grid.

Method: conservative (area-overlap) averaging, Jones 1999 (doi:10.1175/1520-0493(1999)127<2204:
FASOCR>2.0.CO;2) restricted to polygon targets: the weight of cell *c* in district *d* is the exact
area of the intersection of the cell polygon with the district polygon, divided by the summed
overlap of *d*. Cells are built from cell corners (midpoints between centres, or the file's
bounds) in the grid's own plane: Lambert/Mercator metres for IOAPI, WRF and CF projected files,
longitude/latitude for regular CF grids and rotated degrees for a rotated pole, where the overlap
pieces are measured in a Lambert azimuthal equal-area projection centred on the district (so a
degree cell counts by its true area); curvilinear cells are the quadrilaterals of their vertices,
intersected in that equal-area plane. District polygons (WGS84) are reprojected
into the grid's CRS with pyproj/shapely. A district inside one big cell gets that cell's value; a
district over several cells partly gets the overlap-weighted mean.

Weights are a sparse matrix (districts × cells), cached in memory per (grid geometry, districts)
hash, so extracting a run is one sparse matrix product over (cells × time) of the few cells used.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import xarray as xr
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import shape

from forecasting.errors import FormatError, ValidationError
from forecasting.vocab import read_district_geojson
from forecasting.grids._common import compute

__all__ = [
    "DistrictWeights",
    "load_districts",
    "district_weights",
    "district_series",
    "point_series",
    "extract_districts",
    "grid_geometry_key",
    "cell_edges",
    "mean_wind",
    "hourly_series",
    "output_step",
    "interpolation_note",
    "MAX_INTERPOLATED_GAP_HOURS",
    "wind_components",
    "wind_from_components",
    "DEFAULT_DISTRICTS",
]

DEFAULT_DISTRICTS = Path(__file__).resolve().parents[1] / "data" / "districts.geojson"
_CACHE: OrderedDict[str, "DistrictWeights"] = OrderedDict()
_CACHE_SIZE = 16
_WGS84 = CRS("OGC:CRS84")


@dataclass(frozen=True)
class DistrictWeights:
    """Overlap weights of grid cells in districts.

    Attributes
    ----------
    adcodes : tuple of str
        District identifiers, one per row of ``matrix``.
    rows, cols, values : numpy.ndarray
        The non-zero weights as (district row, flat cell index ``j·nx + i``, weight) triplets.
    shape : (ny, nx)
    coverage : numpy.ndarray
        Fraction of each district's area inside the grid [1].
    window : (y0, y1, x0, x1)
        Smallest block of cells holding every non-zero weight (half-open slices).
    key : str
        Hash of the grid geometry and the district polygons (the cache key).
    matrix : scipy.sparse.csr_matrix
        (districts × ny·nx) weights, built on first use; each row sums to 1 over the cells the
        district overlaps.
    """

    adcodes: tuple
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    shape: tuple
    coverage: np.ndarray
    window: tuple
    key: str

    @cached_property
    def matrix(self):
        # scipy.sparse costs ~0.05 s to import: only code that asks for the sparse matrix pays it
        import scipy.sparse as sp

        return sp.csr_matrix((self.values, (self.rows, self.cols)),
                             shape=(len(self.adcodes), self.shape[0] * self.shape[1]))

    def window_matrix(self):
        """The weights restricted to the cells of ``window``, in row-major order (sparse)."""
        import scipy.sparse as sp

        return sp.csr_matrix(self.window_weights())

    def window_weights(self) -> np.ndarray:
        """Dense (districts × window cells) weights, window cells in row-major order [1]."""
        y0, y1, x0, x1 = self.window
        nx = self.shape[1]
        out = np.zeros((len(self.adcodes), (y1 - y0) * (x1 - x0)))
        if len(self.values):
            wy, wx = self.cols // nx - y0, self.cols % nx - x0
            np.add.at(out, (self.rows, wy * (x1 - x0) + wx), self.values)
        return out


def load_districts(path=None):
    """District polygons as a GeoDataFrame (``adcode`` str, ``geometry``) in WGS84 lon/lat.

    Parameters
    ----------
    path : path, optional
        An operator's GeoJSON (features identified by an ``adcode`` property); default the
        bundled ``data/districts.geojson``. A ``.geojson``/``.json`` file is read and checked by
        :func:`forecasting.vocab.read_district_geojson`, the reader of the ``districts`` table too;
        another format (a shapefile, a GeoPackage) is read by ``geopandas.read_file``.
    """
    import geopandas as gpd

    p = Path(path) if path else DEFAULT_DISTRICTS
    if not p.exists():
        raise FormatError(f"{p}: district boundary file not found", key="grids.file_missing", file=str(p))
    if p.suffix.lower() in (".geojson", ".json"):
        gdf = _feature_collection_frame(p, gpd)
    else:
        try:
            gdf = gpd.read_file(p)
        except (OSError, RuntimeError, ValueError) as exc:  # pyogrio's DataSourceError is a RuntimeError
            raise FormatError(f"{p}: not a readable boundary file ({' '.join(str(exc).split())})") from None
    if "adcode" not in gdf.columns:
        raise ValidationError(f"{p}: features need an 'adcode' property (e.g. \"310118\"); found "
                              f"{', '.join(c for c in gdf.columns if c != 'geometry') or 'no properties'}")
    if gdf.crs is None:
        gdf = gdf.set_crs(_WGS84)
    elif not CRS(gdf.crs).equals(_WGS84):
        gdf = gdf.to_crs(_WGS84)
    gdf["adcode"] = gdf["adcode"].astype(str)
    if gdf["adcode"].duplicated().any():
        gdf = gdf.dissolve(by="adcode", as_index=False)
    return gdf[["adcode", "geometry"] + [c for c in ("name", "name_en") if c in gdf.columns]]


def _feature_collection_frame(path: Path, gpd):
    """A GeoJSON FeatureCollection (:func:`forecasting.vocab.read_district_geojson`) as a
    GeoDataFrame, built with shapely (RFC 7946: WGS84 lon/lat, or the legacy ``crs`` member),
    without GDAL: ``extract`` spends ~0.1 s less starting."""
    data = read_district_geojson(path)
    features = data["features"]
    props = [dict(f.get("properties") or {}) for f in features]
    try:
        geoms = [shape(f["geometry"]) for f in features]
    except (ValueError, KeyError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
        raise FormatError(f"{path}: a feature's geometry is not valid GeoJSON ({exc})") from None
    crs_name = ((data.get("crs") or {}).get("properties") or {}).get("name")
    try:
        crs = CRS.from_user_input(crs_name) if crs_name else _WGS84
    except CRSError as exc:
        raise FormatError(f"{path}: unknown 'crs' {crs_name!r} ({exc})") from None
    return gpd.GeoDataFrame(pd.DataFrame(props), geometry=geoms, crs=crs)


def cell_edges(centres: np.ndarray) -> np.ndarray:
    """Cell boundaries from 1-D centres: midpoints, the ends extended by half a cell [same unit]."""
    c = np.asarray(centres, float)
    if c.size == 1:
        raise ValidationError("a grid axis with one cell has no extent; cannot build cell polygons")
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def grid_geometry_key(grid: xr.Dataset) -> str:
    """SHA-256 of the grid's CRS, cell centres and cell bounds (the geometry, not the data)."""
    h = hashlib.sha256()
    h.update(str(grid.attrs.get("crs", "")).encode())
    h.update(str(grid.attrs.get("grid_kind", "")).encode())
    for c in ("x", "y"):
        h.update(np.round(np.asarray(grid[c].values, float), 6).tobytes())
    for c in ("x_bounds", "y_bounds", "lon_vertices", "lat_vertices"):
        if c in grid.coords:
            h.update(c.encode())
            h.update(np.round(np.asarray(grid[c].values, float), 6).tobytes())
    if grid.attrs.get("grid_kind") == "curvilinear":  # x, y are cell indices: the centres are lon/lat
        for c in ("lon", "lat"):
            h.update(np.round(np.asarray(grid[c].values, float), 6).tobytes())
    return h.hexdigest()


def _polygons_key(gdf) -> str:
    h = hashlib.sha256()
    for code, geom in zip(gdf["adcode"], gdf.geometry):
        h.update(str(code).encode())
        h.update(shapely.to_wkb(geom))
    return h.hexdigest()


def _to_grid_plane(geom, crs: str, lonlat: bool, src=_WGS84):
    if lonlat or CRS(src).equals(CRS(crs)):
        return geom
    t = Transformer.from_crs(CRS(src), CRS(crs), always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _laea(centroid) -> CRS:
    return CRS(f"+proj=laea +lat_0={centroid.y} +lon_0={centroid.x} +datum=WGS84 +units=m +no_defs")


def _equal_area(geoms, centroid, src=_WGS84):
    """``geoms`` (in ``src``) in a Lambert azimuthal equal-area plane centred on ``centroid`` [m]."""
    t = Transformer.from_crs(CRS(src), _laea(centroid), always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _axis_edges(grid, name):
    """Cell edges along ``x`` or ``y``: from ``<name>_bounds`` (CF files with bounds), else mid-points."""
    if f"{name}_bounds" in grid.coords:
        b = np.asarray(grid[f"{name}_bounds"].values, float)
        return np.concatenate([b[:, 0], b[-1:, 1]])
    return cell_edges(grid[name].values)


def district_weights(grid: xr.Dataset, districts=None, *, cache: bool = True) -> DistrictWeights:
    """Exact overlap weights of the grid's cells in each district (see the module docstring).

    Parameters
    ----------
    grid : xarray.Dataset
        A normalised grid (:func:`forecasting.grids.open_grid`): 1-D ``x``, ``y`` cell centres in
        the CRS ``grid.attrs["crs"]`` [m or degree], ``grid_kind`` "projected", "lonlat",
        "rotated" (rotated pole: degree) or "curvilinear" (cells from ``lon_vertices``/``lat_vertices``).
    districts : GeoDataFrame or path, optional
        From :func:`load_districts`; default the bundled three districts.
    cache : bool
        Reuse weights computed for the same grid geometry and polygons (in-memory LRU).
    """
    gdf = districts if hasattr(districts, "geometry") else load_districts(districts)
    kind = grid.attrs.get("grid_kind")
    lonlat = kind == "lonlat"
    curvilinear = "lon_vertices" in grid.coords
    grid_crs = CRS(grid.attrs.get("crs", "OGC:CRS84"))
    # overlaps are measured in an equal-area plane unless the grid's own plane is projected
    geographic = lonlat or curvilinear or grid_crs.is_geographic
    src = CRS(gdf.crs) if getattr(gdf, "crs", None) is not None else _WGS84
    if (lonlat or curvilinear) and not src.equals(_WGS84):
        gdf, src = gdf.to_crs(_WGS84), _WGS84
    key = hashlib.sha256((grid_geometry_key(grid) + _polygons_key(gdf) + src.to_wkt()).encode()).hexdigest()
    if cache and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ny, nx = grid.sizes["y"], grid.sizes["x"]
    if curvilinear:
        rows, cols, vals, coverage = _curvilinear_overlaps(grid, gdf, src)
    else:
        rows, cols, vals, coverage = _rectilinear_overlaps(grid, gdf, src, grid_crs, lonlat, geographic)
    if rows:
        rows, cols, vals = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        cy, cx = cols // nx, cols % nx
        window = (int(cy.min()), int(cy.max()) + 1, int(cx.min()), int(cx.max()) + 1)
    else:
        rows = cols = np.zeros(0, int)
        vals = np.zeros(0)
        window = (0, 0, 0, 0)
    w = DistrictWeights(adcodes=tuple(gdf["adcode"]), rows=np.asarray(rows, int), cols=np.asarray(cols, int),
                        values=np.asarray(vals, float), shape=(ny, nx), coverage=np.asarray(coverage, float),
                        window=window, key=key)
    if cache:
        _CACHE[key] = w
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return w


def _rectilinear_overlaps(grid, gdf, src, grid_crs, lonlat, geographic):
    """Rectangular cells (edges along 1-D x and y) intersected in the grid's own plane."""
    xe, ye = _axis_edges(grid, "x"), _axis_edges(grid, "y")
    if lonlat:
        ye = np.clip(ye, -90.0, 90.0)
    nx, ny = len(xe) - 1, len(ye) - 1
    if not (np.all(np.diff(xe) > 0) and np.all(np.diff(ye) > 0)):
        raise ValidationError("grid x and y must increase (the readers sort them)")
    rows, cols, vals, coverage = [], [], [], []
    for r, geom in enumerate(gdf.geometry):
        poly = _to_grid_plane(geom, grid.attrs.get("crs", "OGC:CRS84"), lonlat, src)
        minx, miny, maxx, maxy = poly.bounds
        i0 = max(int(np.searchsorted(xe, minx, "right")) - 1, 0)
        i1 = min(int(np.searchsorted(xe, maxx, "left")), nx)
        j0 = max(int(np.searchsorted(ye, miny, "right")) - 1, 0)
        j1 = min(int(np.searchsorted(ye, maxy, "left")), ny)
        if geographic:
            centre = _to_grid_plane(geom, "OGC:CRS84", False, src).centroid
            total = _equal_area(geom, centre, src).area
        else:
            total = poly.area
        if i1 <= i0 or j1 <= j0:
            coverage.append(0.0)
            continue
        jj, ii = np.meshgrid(np.arange(j0, j1), np.arange(i0, i1), indexing="ij")
        jj, ii = jj.ravel(), ii.ravel()
        boxes = shapely.box(xe[ii], ye[jj], xe[ii + 1], ye[jj + 1])
        shapely.prepare(poly)
        pieces = shapely.intersection(boxes, poly)
        if geographic:
            pieces = _equal_area(pieces, centre, _WGS84 if lonlat else grid_crs)
        area = shapely.area(pieces)
        _collect(r, area, jj * nx + ii, total, rows, cols, vals, coverage)
    return rows, cols, vals, coverage


def _collect(r, area, flat, total, rows, cols, vals, coverage):
    keep = area > 0
    if not keep.any():
        coverage.append(0.0)
        return
    rows.append(np.full(keep.sum(), r))
    cols.append(flat[keep])
    vals.append(area[keep] / area[keep].sum())
    coverage.append(min(area[keep].sum() / total, 1.0))


def _curvilinear_overlaps(grid, gdf, src):
    """Quadrilateral cells (``lon_vertices``/``lat_vertices``) intersected in an equal-area plane
    centred on each district (Lambert azimuthal; the cells' straight edges are taken there)."""
    vlon = np.asarray(grid["lon_vertices"].values, float)
    vlat = np.asarray(grid["lat_vertices"].values, float)
    ny, nx = vlon.shape[:2]
    lo_x, hi_x = vlon.min(axis=2), vlon.max(axis=2)
    lo_y, hi_y = vlat.min(axis=2), vlat.max(axis=2)
    rows, cols, vals, coverage = [], [], [], []
    for r, geom in enumerate(gdf.geometry):
        minx, miny, maxx, maxy = geom.bounds
        jj, ii = np.nonzero((hi_x >= minx) & (lo_x <= maxx) & (hi_y >= miny) & (lo_y <= maxy))
        centre = geom.centroid
        poly = _equal_area(geom, centre, src)
        total = poly.area
        if not len(jj):
            coverage.append(0.0)
            continue
        t = Transformer.from_crs(_WGS84, _laea(centre), always_xy=True)
        px, py = t.transform(vlon[jj, ii], vlat[jj, ii])
        cells = shapely.polygons(np.stack([px, py], axis=-1))
        cells = shapely.make_valid(cells)
        shapely.prepare(poly)
        area = shapely.area(shapely.intersection(cells, poly))
        _collect(r, area, jj * nx + ii, total, rows, cols, vals, coverage)
    return rows, cols, vals, coverage


def wind_components(ws, wd):
    """Earth-relative wind components ``(u, v)`` [m/s] from speed ``ws`` [m/s] and the meteorological
    direction ``wd`` the wind blows from [degree, clockwise from north] (WMO convention:
    ``u = −ws·sin(wd)``, ``v = −ws·cos(wd)``).

    Examples
    --------
    >>> u, v = wind_components(10.0, 90.0)   # an easterly blows towards the west
    >>> round(float(u), 6), round(float(v), 6)
    (-10.0, -0.0)
    """
    ws = np.asarray(ws, dtype=float)
    rad = np.radians(np.asarray(wd, dtype=float))
    return -ws * np.sin(rad), -ws * np.cos(rad)


def wind_from_components(u, v):
    """Speed [m/s] and meteorological direction [degree, 0-360) from earth-relative ``u``, ``v``.

    Examples
    --------
    >>> ws, wd = wind_from_components(np.array([0.0]), np.array([-5.0]))   # blowing south: a northerly
    >>> float(ws[0]), float(wd[0])
    (5.0, 0.0)
    """
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return np.hypot(u, v), np.mod(180.0 + np.degrees(np.arctan2(u, v)), 360.0)


def mean_wind(ws, wd, weights=None, *, axis=None):
    """Vector mean of winds: the weighted mean of ``u`` and ``v`` turned back into speed and direction.

    A northerly of 350° and one of 10° average to a northerly (0°), not to 180°. Without ``ws``
    (``None``) the directions are averaged as unit vectors and the speed returned is their mean
    resultant length [0-1].

    Examples
    --------
    >>> ws, wd = mean_wind([5.0, 5.0], [350.0, 10.0])
    >>> round(float(wd), 6) % 360, round(float(ws), 3)   # 5·cos(10°) = 4.924
    (0.0, 4.924)
    """
    wd = np.asarray(wd, dtype=float)
    speed = np.ones_like(wd) if ws is None else np.asarray(ws, dtype=float)
    u, v = wind_components(speed, wd)
    ok = np.isfinite(u) & np.isfinite(v)
    w = np.ones_like(u) if weights is None else np.broadcast_to(np.asarray(weights, dtype=float), u.shape)
    w = np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = w.sum(axis=axis)
        ub = (np.where(ok, u, 0.0) * w).sum(axis=axis) / den
        vb = (np.where(ok, v, 0.0) * w).sum(axis=axis) / den
    return wind_from_components(ub, vb)


#: The longest step between a model's outputs that :func:`hourly_series` fills [h]: 3-hourly output (CAMS past
#: its hourly range, many regional runs) and 6-hourly (RAQMS); a longer gap is missing data, not a time step.
MAX_INTERPOLATED_GAP_HOURS = 6


def output_step(times, *, max_gap: int = MAX_INTERPOLATED_GAP_HOURS) -> int:
    """The step of a run's coarse output [whole hours]: the most common step between output times longer than
    1 h and at most ``max_gap`` h that occurs at least 3 times (every 3 h throughout, or hourly to 90 h and every
    3 h after, as ECMWF writes); 1 when there is none (hourly output, a few missing hours).

    Examples
    --------
    >>> output_step(pd.to_datetime(["2026-12-07T03:00", "2026-12-07T06:00", "2026-12-07T09:00", "2026-12-07T12:00"]))
    3
    >>> output_step(pd.date_range("2026-12-07", periods=6, freq="h").append(
    ...     pd.date_range("2026-12-07T08:00", periods=4, freq="3h")))
    3
    >>> output_step(pd.to_datetime(["2026-12-07T01:00", "2026-12-07T02:00", "2026-12-07T05:00"]))
    1
    """
    ns = pd.DatetimeIndex(times).unique().sort_values().as_unit("ns").asi8
    steps = pd.Series(np.diff(ns) // 3_600_000_000_000)
    counts = steps[(steps > 1) & (steps <= max_gap)].value_counts()
    counts = counts[counts >= 3]
    return int(counts.sort_index().idxmax()) if len(counts) else 1


def interpolation_note(step: int) -> str:
    """The conversion a run's record and the data desk's preview list for :func:`hourly_series`."""
    return f"{step}-hourly output interpolated linearly in time to hourly values"


def hourly_series(frame: pd.DataFrame, *, max_gap: int = MAX_INTERPOLATED_GAP_HOURS) -> tuple[pd.DataFrame, int]:
    """District series of a model that writes every 3 or 6 hours, made hourly by linear interpolation in time.

    A day's AQI needs 20 hourly values (HJ 633, the validity rule of the daily statistics), so a 3-hourly
    run's 8 values a day gave no AQI at all, and the run served no guidance. Each hour between two
    outputs at most ``max_gap`` hours apart gets the value on the straight line between them (per district
    and variable, from its finite values only; wind direction through the earth-relative components, so
    that 350° and 10° pass through 0°, not 180°). Hours past a longer gap, before the first output or
    after the last stay absent. ``lead_hours`` follows the hour (one more each hour from the first output's).

    Returns ``(frame, step)``: ``step`` is :func:`output_step`, and the frame comes back unchanged when it is
    1 (hourly output, even with a few missing hours).

    Examples
    --------
    >>> t = pd.date_range("2026-12-07T03:00Z", periods=4, freq="3h")
    >>> f = pd.DataFrame({"district": "310118", "time": t, "lead_hours": [3.0, 6.0, 9.0, 12.0],
    ...                   "pm25": [30.0, 60.0, 90.0, 60.0]})
    >>> out, step = hourly_series(f)
    >>> step, out["pm25"].tolist()[:5], out["lead_hours"].tolist()[:5]
    (3, [30.0, 40.0, 50.0, 60.0, 70.0], [3.0, 4.0, 5.0, 6.0, 7.0])
    """
    hour = 3_600_000_000_000  # ns
    times = pd.DatetimeIndex(frame["time"].drop_duplicates()).sort_values().as_unit("ns")
    step = output_step(times, max_gap=max_gap)
    if step <= 1:
        return frame, 1
    hourly = pd.date_range(times[0], times[-1], freq="h").as_unit("ns")
    x = hourly.asi8
    fixed = [c for c in ("district", "model", "cycle") if c in frame.columns]
    variables = [c for c in frame.columns if c not in {*fixed, "time", "lead_hours"}]
    parts = []
    for district, one in frame.sort_values("time").groupby("district", sort=False):
        known = pd.DatetimeIndex(one["time"]).as_unit("ns").asi8

        def line(values):
            """``values`` at the outputs → every hour: exact at an output, on the line between two finite
            outputs at most ``max_gap`` hours apart, else NaN."""
            values = np.asarray(values, dtype=float)
            ok = np.isfinite(values)
            kx, kv = known[ok], values[ok]
            y = np.full(len(x), np.nan)
            if not len(kx):
                return y
            right = np.searchsorted(kx, x, side="left")
            exact = right < len(kx)
            exact[exact] = kx[right[exact]] == x[exact]
            y[exact] = kv[right[exact]]
            between = (right > 0) & (right < len(kx)) & ~exact
            r = right[between]
            fill = np.zeros(len(x), dtype=bool)
            fill[between] = (kx[r] - kx[r - 1]) <= max_gap * hour
            y[fill] = np.interp(x[fill].astype(float), kx.astype(float), kv)
            return y

        out = pd.DataFrame({"district": district, "time": hourly})
        for c in fixed[1:]:
            out[c] = one[c].iloc[0]
        out["lead_hours"] = one["lead_hours"].iloc[0] + (x - known[0]) / hour
        for v in variables:
            if v != "wd":
                out[v] = line(one[v])
        if "wd" in variables:
            speed = one["ws"].to_numpy(float) if "ws" in variables else np.ones(len(one))
            u, v_ = wind_components(speed, one["wd"].to_numpy(float))
            out["wd"] = wind_from_components(line(u), line(v_))[1]
        parts.append(out[list(frame.columns)])
    result = pd.concat(parts, ignore_index=True)
    result = result[result[variables].notna().any(axis=1)].reset_index(drop=True) if variables else result
    result.attrs.update(frame.attrs)
    return result, step


def _provenance(grid, times, n):
    ts = pd.DatetimeIndex(times).tz_localize("UTC")
    lead = np.asarray(grid["lead_hours"].values, float) if "lead_hours" in grid.coords else np.full(len(ts), np.nan)
    return ts, lead


def district_series(grid: xr.Dataset, weights: DistrictWeights | None = None, *, variables=None,
                    min_coverage: float = 0.5) -> pd.DataFrame:
    """District-mean hourly series: one sparse product (districts × cells) @ (cells × time).

    Parameters
    ----------
    grid : xarray.Dataset
        Normalised grid [µg/m³; CO mg/m³].
    weights : DistrictWeights, optional
        From :func:`district_weights` (computed for the bundled districts when omitted).
    variables : list of str, optional
        Default every data variable (pollutants and predictors).
    min_coverage : float
        A value is NaN when the cells with data cover less than this fraction of the district's
        weight, or the grid covers less than this fraction of the district's area [1].

    Returns
    -------
    pandas.DataFrame
        One row per (district, time): ``district`` (adcode), ``time`` (UTC, tz-aware, hour-ending),
        ``lead_hours`` [h] (NaN when unknown), ``model``, ``cycle`` (UTC or NaT), then one column per
        variable in the grid's units.
    """
    if weights is None:
        weights = district_weights(grid)
    if tuple(weights.shape) != (grid.sizes["y"], grid.sizes["x"]):
        raise ValidationError(f"weights were computed for a {weights.shape} grid, this grid is "
                              f"{(grid.sizes['y'], grid.sizes['x'])}")
    variables = list(variables or grid.data_vars)
    y0, y1, x0, x1 = weights.window
    nt = grid.sizes["time"]
    nd = len(weights.adcodes)
    w = weights.window_weights()
    out = {}
    if y1 > y0 and x1 > x0 and variables:
        sub = grid[variables].isel(y=slice(y0, y1), x=slice(x0, x1))
        arrays = compute(*[sub[v].data if sub[v].chunks is not None else sub[v].variable for v in variables])
        cells = {v: np.asarray(a, float).reshape(nt, -1).T for v, a in zip(variables, arrays)}  # cells × time
        if "wd" in cells:
            # wind direction is a vector quantity: average earth-relative u and v (issue #13); the speed
            # comes from the same vector mean when the grid carries ``ws`` (else unit vectors)
            u, v_ = wind_components(cells["ws"] if "ws" in cells else 1.0, cells["wd"])
            okw = np.isfinite(u) & np.isfinite(v_)
            den = w @ okw.astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                ub = (w @ np.where(okw, u, 0.0)) / den
                vb = (w @ np.where(okw, v_, 0.0)) / den
            wind_speed, wind_dir = wind_from_components(ub, vb)
            wind_dir[den < min_coverage] = np.nan
            wind_speed[den < min_coverage] = np.nan
        for v in variables:
            a = cells[v]
            if v == "wd" or (v == "ws" and "wd" in cells):
                out[v] = wind_dir if v == "wd" else wind_speed
                continue
            ok = np.isfinite(a)
            num = w @ np.where(ok, a, 0.0)
            den = w @ ok.astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = num / den
            mean[den < min_coverage] = np.nan
            out[v] = mean
    else:
        out = {v: np.full((nd, nt), np.nan) for v in variables}
    for v in out:
        out[v][weights.coverage < min_coverage, :] = np.nan
    ts, lead = _provenance(grid, grid["time"].values, nd)
    cycle = pd.Timestamp(grid.attrs["cycle"]) if grid.attrs.get("cycle") else pd.NaT
    frame = pd.DataFrame({
        "district": np.repeat(np.asarray(weights.adcodes, dtype=object), nt),
        "time": np.tile(ts, nd),
        "lead_hours": np.tile(lead, nd),
        "model": grid.attrs.get("model") or None,
        "cycle": cycle,
    })
    for v in variables:
        frame[v] = out[v].reshape(-1)
    frame.attrs.update(_provenance_attrs(grid))
    return frame


def _provenance_attrs(grid) -> dict:
    keys = ("model", "cycle", "format", "level", "files", "conversions", "crs")
    return {k: (list(grid.attrs[k]) if isinstance(grid.attrs.get(k), (list, tuple)) else grid.attrs.get(k))
            for k in keys if k in grid.attrs}


def extract_districts(paths, *, model=None, mapping=None, districts=None, variables=None,
                      min_coverage: float = 0.5) -> pd.DataFrame:
    """Files of one run -> district hourly series, in one call (what ``extract`` and ingest do).

    Parameters as :func:`forecasting.grids.open_grid` (``paths``, ``model``, ``mapping``),
    :func:`load_districts` (``districts``: path or GeoDataFrame) and :func:`district_series`.
    ``variables`` defaults to the pollutants present. Returns the :func:`district_series` frame;
    ``frame.attrs`` holds the provenance (model, cycle, format, level, files, conversions, crs).
    """
    from forecasting.grids import POLLUTANTS, open_grid

    # without a cluster, read the districts' window straight from the file (no dask); with
    # DASK_SCHEDULER_ADDRESS the reading runs on the cluster as for ingest
    grid = open_grid(paths, model=model, mapping=mapping,
                     dask=bool(os.environ.get("DASK_SCHEDULER_ADDRESS", "").strip()))
    gdf = districts if hasattr(districts, "geometry") else load_districts(districts)
    if variables is None:
        variables = [p for p in POLLUTANTS if p in grid.data_vars]
    return district_series(grid, district_weights(grid, gdf), variables=variables, min_coverage=min_coverage)


def point_series(grid: xr.Dataset, points, *, variables=None) -> pd.DataFrame:
    """Bilinear values at station coordinates (in the grid's own plane).

    Parameters
    ----------
    points : DataFrame or mapping
        Columns/keys ``station``, ``lon`` [degree east], ``lat`` [degree north].

    Returns
    -------
    pandas.DataFrame
        ``station``, ``time`` (UTC), ``lead_hours`` [h], then one column per variable; NaN for a
        station outside the grid's cell centres.
    """
    pts = pd.DataFrame(points)
    lon, lat = pts["lon"].to_numpy(float), pts["lat"].to_numpy(float)
    if "lon_vertices" in grid.coords:
        return _nearest_series(grid, pts, lon, lat, variables)
    if grid.attrs.get("grid_kind") == "lonlat":
        px, py = lon, lat
    else:
        t = Transformer.from_crs(_WGS84, CRS(grid.attrs["crs"]), always_xy=True)
        px, py = t.transform(lon, lat)
    x, y = grid["x"].values, grid["y"].values
    fx = np.interp(px, x, np.arange(len(x)), left=np.nan, right=np.nan)
    fy = np.interp(py, y, np.arange(len(y)), left=np.nan, right=np.nan)
    inside = np.isfinite(fx) & np.isfinite(fy)
    i0 = np.clip(np.floor(np.nan_to_num(fx)).astype(int), 0, max(len(x) - 2, 0))
    j0 = np.clip(np.floor(np.nan_to_num(fy)).astype(int), 0, max(len(y) - 2, 0))
    ax, ay = np.nan_to_num(fx) - i0, np.nan_to_num(fy) - j0
    variables = list(variables or grid.data_vars)
    n, nt = len(pts), grid.sizes["time"]
    corners = [(0, 0, (1 - ax) * (1 - ay)), (0, 1, ax * (1 - ay)), (1, 0, (1 - ax) * ay), (1, 1, ax * ay)]
    lazy = {}
    for v in variables:
        for dj, di, _ in corners:
            lazy[(v, dj, di)] = grid[v].isel(y=xr.DataArray(np.minimum(j0 + dj, len(y) - 1), dims="p"),
                                             x=xr.DataArray(np.minimum(i0 + di, len(x) - 1), dims="p")).variable
    keys = list(lazy)
    got = dict(zip(keys, compute(*[lazy[k] for k in keys])))
    ts, lead = _provenance(grid, grid["time"].values, n)
    frame = pd.DataFrame({"station": np.repeat(pts["station"].to_numpy(), nt),
                          "time": np.tile(ts, n), "lead_hours": np.tile(lead, n)})
    for v in variables:
        val = sum(np.asarray(got[(v, dj, di)], float) * wgt[None, :] for dj, di, wgt in corners)
        val[:, ~inside] = np.nan
        frame[v] = val.T.reshape(-1)
    return frame


def _nearest_series(grid, pts, lon, lat, variables):
    """Curvilinear grids: the value of the cell whose centre is nearest (equirectangular distance);
    NaN for a station outside that cell's vertex box."""
    glon, glat = np.asarray(grid["lon"].values, float), np.asarray(grid["lat"].values, float)
    vlon, vlat = np.asarray(grid["lon_vertices"].values, float), np.asarray(grid["lat_vertices"].values, float)
    ny, nx = glon.shape
    js, is_, inside = [], [], []
    for plon, plat in zip(lon, lat):
        d2 = ((glon - plon) * np.cos(np.radians(plat))) ** 2 + (glat - plat) ** 2
        j, i = np.unravel_index(int(np.argmin(d2)), (ny, nx))
        js.append(j)
        is_.append(i)
        inside.append(vlon[j, i].min() <= plon <= vlon[j, i].max() and vlat[j, i].min() <= plat <= vlat[j, i].max())
    variables = list(variables or grid.data_vars)
    sel = {"y": xr.DataArray(np.asarray(js, int), dims="p"), "x": xr.DataArray(np.asarray(is_, int), dims="p")}
    got = compute(*[grid[v].isel(sel).variable for v in variables])
    n, nt = len(pts), grid.sizes["time"]
    ts, lead = _provenance(grid, grid["time"].values, n)
    frame = pd.DataFrame({"station": np.repeat(pts["station"].to_numpy(), nt),
                          "time": np.tile(ts, n), "lead_hours": np.tile(lead, n)})
    for v, val in zip(variables, got):
        val = np.asarray(val, float).copy()
        val[:, ~np.asarray(inside, bool)] = np.nan
        frame[v] = val.T.reshape(-1)
    return frame
