"""Forecaster's field maps: a gridded field at native resolution under an offline basemap, as a PNG.

The picture is drawn on the server with numpy and Pillow (no tiles, no browser work, no network):

1. every output pixel is mapped back to the model cell that contains it (nearest cell centre in the
   grid's own index space, found by Newton inversion of the 2-D ``lon``/``lat`` arrays on a coarse pixel
   lattice and bilinear interpolation in between), so a 3 km grid shows 3 km cells, on any projection;
2. the cells are coloured by AQI category (HJ 633-2026 Table 3 breakpoints of the pollutant's hourly
   indicator, Appendix A colours) or on a continuous scale (viridis, 0 to the level-4 breakpoint);
3. vector layers on top: coastline, lakes, rivers, neighbouring cities and counties
   (``data/basemap/yrd.geojson``), the zone's districts, station dots with their latest observed
   hourly AQI, wind arrows from ``u10``/``v10`` when the run has them, names and coordinates.

The map projection is equirectangular with the standard parallel at the centre of the view
(x ∝ λ·cos φ₀, y ∝ φ), which at the zone's scale differs from conformal by well under 1 %.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from forecasting.aqi import BREAKPOINTS, EDITION_2026, IAQI_BREAKPOINTS, level_info, level_of
from forecasting.config import DATA_DIR_BUNDLED
from forecasting.i18n import bracketed
from forecasting.vocab import POLLUTANT_TEXT

__all__ = ["BASEMAP_GEOJSON", "Extent", "PRESETS", "MapLayers", "Station", "grid_extent", "cell_index",
           "category_colours", "continuous_colours", "render_field_map", "load_basemap"]

BASEMAP_GEOJSON = DATA_DIR_BUNDLED / "basemap" / "yrd.geojson"
#: The hourly indicator whose HJ 633 breakpoints colour an hourly concentration of each pollutant.
HOURLY_INDICATOR = {"pm25": "pm25_1h", "pm10": "pm10_1h", "o3": "o3_1h", "no2": "no2_1h", "so2": "so2_1h",
                    "co": "co_1h"}
LABELS = POLLUTANT_TEXT  # pollutants as people write them (the UI's one spelling)
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# viridis at 9 stops (matplotlib's, CC0), interpolated to 256 entries
_VIRIDIS = np.array([[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
                     [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]], float)
_SEA, _LAND = (214, 230, 243), (246, 245, 240)
_WATER_LINE, _RIVER, _COAST = (52, 110, 190), (80, 140, 215), (60, 90, 140)


@dataclass(frozen=True)
class Extent:
    """A map view: west, south, east, north [degree]."""

    west: float
    south: float
    east: float
    north: float

    def aspect(self) -> float:
        """Height / width of the view in the equirectangular projection at its mid latitude."""
        mid = math.radians((self.south + self.north) / 2)
        return (self.north - self.south) / ((self.east - self.west) * math.cos(mid))


#: Zoom presets: the zone and the Yangtze River Delta; "grid" is computed from the run (:func:`grid_extent`).
PRESETS = {"zone": Extent(120.22, 30.62, 121.50, 31.42), "yrd": Extent(118.3, 29.4, 122.6, 32.6)}


@dataclass(frozen=True)
class Station:
    """A station dot: position [degree], name, latest observed hourly AQI (None when not observed)."""

    lon: float
    lat: float
    name: str
    aqi: int | None


@dataclass
class MapLayers:
    """What goes over the field. ``districts`` is a GeoJSON FeatureCollection (the zone's), ``basemap``
    the YRD basemap (:func:`load_basemap`), ``wind`` a pair of 2-D arrays ``u, v`` [m/s] on the grid."""

    basemap: dict | None = None
    districts: dict | None = None
    stations: list[Station] = field(default_factory=list)
    wind: tuple[np.ndarray, np.ndarray] | None = None
    lang: str = "zh"
    #: districts filled with a colour (``adcode -> (r, g, b)``), e.g. by forecast level
    fills: dict = field(default_factory=dict)
    #: a second label line under a district's name (``adcode -> text``), e.g. its AQI range
    notes: dict = field(default_factory=dict)


@lru_cache(maxsize=2)
def load_basemap(path: str | None = None) -> dict:
    """The bundled YRD basemap (``data/basemap/yrd.geojson``; see its README for sources and licences)."""
    return json.loads(Path(path or BASEMAP_GEOJSON).read_text(encoding="utf-8"))


def grid_extent(lon: np.ndarray, lat: np.ndarray, *, margin: float = 0.03) -> Extent:
    """The view that shows a whole grid with a small margin (a fraction of its span)."""
    w, e, s, n = float(np.nanmin(lon)), float(np.nanmax(lon)), float(np.nanmin(lat)), float(np.nanmax(lat))
    dx, dy = (e - w) * margin, (n - s) * margin
    return Extent(w - dx, s - dy, e + dx, n + dy)


def _bilinear(arr: np.ndarray, fi: np.ndarray, fj: np.ndarray) -> np.ndarray:
    ny, nx = arr.shape
    fi = np.clip(fi, 0, nx - 1.000001)
    fj = np.clip(fj, 0, ny - 1.000001)
    i0, j0 = fi.astype(np.intp), fj.astype(np.intp)
    di, dj = fi - i0, fj - j0
    return ((arr[j0, i0] * (1 - di) + arr[j0, i0 + 1] * di) * (1 - dj)
            + (arr[j0 + 1, i0] * (1 - di) + arr[j0 + 1, i0 + 1] * di) * dj)


def cell_index(lon: np.ndarray, lat: np.ndarray, plon: np.ndarray, plat: np.ndarray, *,
               iterations: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Fractional grid indices ``(i, j)`` (column, row) of points ``plon, plat`` [degree] on a grid with
    2-D cell-centre coordinates ``lon, lat`` [degree] (any smooth projection).

    Start from the least-squares affine fit of index on position, then Newton steps with the bilinear
    interpolant of ``lon``/``lat`` and its Jacobian. Points outside the grid get indices outside
    ``[-0.5, n - 0.5]``.

    Examples
    --------
    >>> lon, lat = np.meshgrid([120.0, 120.1, 120.2], [31.0, 31.05])
    >>> i, j = cell_index(lon, lat, np.array([120.15]), np.array([31.0]))
    >>> float(round(i[0], 6)), float(round(j[0], 6))
    (1.5, 0.0)
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if lon.ndim == 1:
        lon, lat = np.meshgrid(lon, lat)
    ny, nx = lon.shape
    jj, ii = np.mgrid[0:ny, 0:nx]
    step = max(1, int(max(ny, nx) // 60))
    a = np.column_stack([lon[::step, ::step].ravel(), lat[::step, ::step].ravel(),
                         np.ones(lon[::step, ::step].size)])
    ci = np.linalg.lstsq(a, ii[::step, ::step].ravel().astype(float), rcond=None)[0]
    cj = np.linalg.lstsq(a, jj[::step, ::step].ravel().astype(float), rcond=None)[0]
    fi = ci[0] * plon + ci[1] * plat + ci[2]
    fj = cj[0] * plon + cj[1] * plat + cj[2]
    if nx < 2 or ny < 2:
        return fi, fj
    dlon_di, dlon_dj = np.gradient(lon, axis=1), np.gradient(lon, axis=0)
    dlat_di, dlat_dj = np.gradient(lat, axis=1), np.gradient(lat, axis=0)
    for _ in range(iterations):
        ex = _bilinear(lon, fi, fj) - plon
        ey = _bilinear(lat, fi, fj) - plat
        a11, a12 = _bilinear(dlon_di, fi, fj), _bilinear(dlon_dj, fi, fj)
        a21, a22 = _bilinear(dlat_di, fi, fj), _bilinear(dlat_dj, fi, fj)
        det = a11 * a22 - a12 * a21
        det = np.where(np.abs(det) < 1e-15, 1e-15, det)
        # outside the grid the clipped interpolant is flat: extrapolate linearly from the edge
        ci_ = np.clip(fi, 0, nx - 1)
        cj_ = np.clip(fj, 0, ny - 1)
        ex = ex + (a11 * (fi - ci_) + a12 * (fj - cj_))
        ey = ey + (a21 * (fi - ci_) + a22 * (fj - cj_))
        fi = fi - (a22 * ex - a12 * ey) / det
        fj = fj - (-a21 * ex + a11 * ey) / det
    return fi, fj


def category_colours(pollutant: str, *, edition: str | None = None) -> tuple[list[float], list[tuple], list[int]]:
    """Concentration bounds of the AQI categories of an hourly value of ``pollutant`` (the breakpoints at
    IAQI 50, 100, 150, 200, 300 of HJ 633-2026 Table 3 / HJ 633-2012 Table 1), their RGB colours
    (HJ 633 Appendix A) and level numbers.

    Examples
    --------
    >>> bounds, rgb, levels = category_colours("pm25")  # HJ 633-2026 Table 3: 35 and 60 at IAQI 50 and 100
    >>> bounds[:2], rgb[0], levels[-1]
    ([35.0, 60.0], (0, 228, 0), 6)
    """
    ed = edition or EDITION_2026
    bps = BREAKPOINTS[ed][HOURLY_INDICATOR[pollutant]]
    bounds = []
    for iaqi_value in (50, 100, 150, 200, 300):
        k = IAQI_BREAKPOINTS.index(iaqi_value)
        if k < len(bps):
            bounds.append(float(bps[k]))
    levels = list(range(1, len(bounds) + 2))
    rgb = [tuple(int(c) for c in level_info(level=lv).rgb) for lv in levels]
    return bounds, rgb, levels


def continuous_colours(pollutant: str, *, edition: str | None = None) -> tuple[float, float]:
    """The range of the continuous scale [µg/m³; CO mg/m³]: 0 to the pollutant's hourly breakpoint at
    IAQI 200 (the top of level 4), so a colour means the same concentration on every map."""
    bounds, _, _ = category_colours(pollutant, edition=edition)
    return 0.0, bounds[min(3, len(bounds) - 1)]


def _lut_viridis() -> np.ndarray:
    x = np.linspace(0, 1, len(_VIRIDIS))
    t = np.linspace(0, 1, 256)
    return np.column_stack([np.interp(t, x, _VIRIDIS[:, k]) for k in range(3)]).astype(np.uint8)


_VIRIDIS_LUT = _lut_viridis()


def _colour_cells(values: np.ndarray, pollutant: str, scale: str, edition: str | None) -> np.ndarray:
    """RGBA (uint8) per cell; NaN transparent."""
    rgba = np.zeros(values.shape + (4,), np.uint8)
    ok = np.isfinite(values)
    if scale == "category":
        bounds, rgb, _ = category_colours(pollutant, edition=edition)
        k = np.digitize(np.where(ok, values, 0), bounds, right=True)
        rgba[..., :3] = np.asarray(rgb, np.uint8)[k]
    elif scale == "continuous":
        lo, hi = continuous_colours(pollutant, edition=edition)
        k = np.clip(((np.where(ok, values, lo) - lo) / (hi - lo) * 255).round(), 0, 255).astype(np.intp)
        rgba[..., :3] = _VIRIDIS_LUT[k]
    else:
        raise ValueError(f"scale must be 'category' or 'continuous', got {scale!r}")
    rgba[..., 3] = np.where(ok, 215, 0)
    return rgba


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    paths = FONT_PATHS[1::-1] if bold else FONT_PATHS
    for p in paths:
        if Path(p).exists():
            return ImageFont.truetype(p, size, index=2 if "CJK" in p else 0)  # index 2: Simplified Chinese
    return ImageFont.load_default(size)


class _Canvas:
    def __init__(self, extent: Extent, width: int, ss: int = 2):
        self.extent, self.width = extent, width
        self.height = max(int(round(width * extent.aspect())), 50)
        self.ss = ss

    def xy(self, lon, lat, ss: int = 1):
        e = self.extent
        x = (np.asarray(lon, float) - e.west) / (e.east - e.west) * self.width * ss
        y = (e.north - np.asarray(lat, float)) / (e.north - e.south) * self.height * ss
        return x, y


def _rings(geom: dict):
    """Coordinate sequences (lines and polygon rings) of a GeoJSON geometry."""
    t, c = geom["type"], geom["coordinates"]
    if t == "LineString":
        yield c
    elif t in ("MultiLineString", "Polygon"):
        yield from c
    elif t == "MultiPolygon":
        for poly in c:
            yield from poly
    elif t == "GeometryCollection":
        for g in geom["geometries"]:
            yield from _rings(g)


def _polygons(geom: dict):
    t, c = geom["type"], geom["coordinates"]
    if t == "Polygon":
        yield c
    elif t == "MultiPolygon":
        yield from c


def _bbox_hit(coords, e: Extent) -> bool:
    a = np.asarray(coords, float)
    return not (a[:, 0].max() < e.west or a[:, 0].min() > e.east or a[:, 1].max() < e.south or a[:, 1].min() > e.north)


def _interp_matrix(n: int, size: int, step: int) -> np.ndarray:
    """Linear interpolation weights ``(n, size)`` from lattice points at 0, step, 2·step ... to every pixel."""
    p = np.arange(size) / step
    k0 = np.minimum(p.astype(np.intp), n - 2)
    t = p - k0
    w = np.zeros((n, size))
    w[k0, np.arange(size)] = 1 - t
    w[k0 + 1, np.arange(size)] += t
    return w


def _degrees(value: float, hemisphere: str) -> str:
    """``120.25°E``, ``120°E``, ``31.2°N``.

    Examples
    --------
    >>> _degrees(120.0, "E"), _degrees(120.25, "E"), _degrees(31.2000001, "N"), _degrees(110.0, "E")
    ('120°E', '120.25°E', '31.2°N', '110°E')
    """
    return f"{value:.2f}".rstrip("0").rstrip(".") + "°" + hemisphere


def _nice_step(span: float) -> float:
    for s in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0):
        if span / s <= 7:
            return s
    return 5.0


# Drawing caches shared by every session (pictures of public data, nothing per user), bounded, locked.
_STATIC: dict = {}
_PIXELS: dict = {}
_CACHE_LOCK = threading.Lock()


def _remember(cache: dict, key, value, *, limit: int = 8) -> None:
    with _CACHE_LOCK:
        while len(cache) >= limit:
            cache.pop(next(iter(cache)))
        cache[key] = value


def _pixel_cells(lon2: np.ndarray, lat2: np.ndarray, extent: Extent, W: int, H: int) -> np.ndarray:
    """The number ``j * nx + i`` of the grid cell under every pixel of a view, -1 outside the grid (kept
    for the last few grids and views: the same run drawn hour after hour reuses it)."""
    key = (hashlib.blake2b(lon2.tobytes() + lat2.tobytes(), digest_size=16).hexdigest(), lon2.shape, extent, W, H)
    hit = _PIXELS.get(key)
    if hit is not None:
        return hit
    step = 8
    gx = np.arange(0, W + step, step, dtype=float)
    gy = np.arange(0, H + step, step, dtype=float)
    glon = extent.west + (gx + 0.5) / W * (extent.east - extent.west)
    glat = extent.north - (gy + 0.5) / H * (extent.north - extent.south)
    plon, plat = np.meshgrid(glon, glat)
    fi, fj = cell_index(lon2, lat2, plon.ravel(), plat.ravel())
    fi, fj = fi.reshape(plon.shape), fj.reshape(plon.shape)
    # bilinear upsampling of the (smooth) index maps to every pixel, as two small matrix products
    wx = _interp_matrix(len(gx), W, step)
    wy = _interp_matrix(len(gy), H, step)
    ii, jj = np.rint(wy.T @ (fi @ wx)).astype(np.intp), np.rint(wy.T @ (fj @ wx)).astype(np.intp)
    ny, nx = lon2.shape
    out = np.where((ii >= 0) & (ii < nx) & (jj >= 0) & (jj < ny), jj * nx + ii, -1)
    _remember(_PIXELS, key, out)
    return out


def _static_layers(cv: "_Canvas", layers: MapLayers):
    """Background (sea, land, lakes), lines (basemap, districts) and names (coordinates, districts, lakes,
    cities, counties) of a view, as three RGBA images; kept for the last few views."""
    bm = layers.basemap or {"features": []}
    districts = layers.districts or {"features": []}
    key = (id(bm), id(districts), cv.extent, cv.width, layers.lang, tuple(sorted(layers.fills.items())),
           tuple(sorted(layers.notes.items())), tuple((st.lon, st.lat) for st in layers.stations))
    hit = _STATIC.get(key)
    if hit is not None:
        return hit[0]
    from PIL import Image, ImageDraw

    W, H, ss, extent, lang = cv.width, cv.height, cv.ss, cv.extent, layers.lang
    base = Image.new("RGB", (W, H), _SEA)  # fills at 1x: their edges are drawn over, supersampled
    draw = ImageDraw.Draw(base)

    def path(coords, s=ss):
        a = np.asarray(coords, float)
        x, y = cv.xy(a[:, 0], a[:, 1], s)
        return list(zip(x.tolist(), y.tolist()))

    for f in bm["features"]:
        if f["properties"].get("kind") == "land":
            for poly in _polygons(f["geometry"]):
                if _bbox_hit(poly[0], extent):
                    draw.polygon(path(poly[0], 1), fill=_LAND)
                    for hole in poly[1:]:
                        draw.polygon(path(hole, 1), fill=_SEA)
    if not any(f["properties"].get("kind") == "land" for f in bm["features"]):
        base.paste(_LAND, (0, 0, W, H))
    for f in bm["features"]:
        if f["properties"].get("kind") == "lake":
            for poly in _polygons(f["geometry"]):
                if _bbox_hit(poly[0], extent):
                    draw.polygon(path(poly[0], 1), fill=_SEA)
    base = base.convert("RGBA")

    over = Image.new("RGBA", (W * ss, H * ss), (0, 0, 0, 0))
    d = ImageDraw.Draw(over)
    for f in districts["features"]:
        rgb = layers.fills.get(f["properties"].get("adcode"))
        if rgb is not None:
            for poly in _polygons(f["geometry"]):
                d.polygon(path(poly[0]), fill=tuple(rgb) + (225,))
    styles = {"county": ((120, 120, 120, 200), 1), "city": ((90, 90, 90, 230), 2), "river": (_RIVER + (235,), 2),
              "lake": (_WATER_LINE + (255,), 2), "coast": (_COAST + (255,), 2)}
    for kind in ("county", "river", "lake", "coast", "city"):
        colour, lw = styles[kind]
        for f in bm["features"]:
            if f["properties"].get("kind") != kind:
                continue
            for ring in _rings(f["geometry"]):
                if len(ring) > 1 and _bbox_hit(ring, extent):
                    d.line(path(ring), fill=colour, width=lw * ss, joint="curve")
    for f in districts["features"]:
        for ring in _rings(f["geometry"]):
            d.line(path(ring), fill=(255, 255, 255, 230), width=6 * ss // 2 + 2, joint="curve")
            d.line(path(ring), fill=(0, 0, 0, 255), width=3 * ss // 2 + 1, joint="curve")
    lines = over.resize((W, H), Image.BOX)

    names = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(names)
    # type sized for a map shown at about its own width, still legible when a phone halves it
    small, mid, big = _font(14), _font(17), _font(21, bold=True)
    placed: list[tuple[float, float, float, float]] = []  # label boxes already drawn (names avoid them)
    gstep = _nice_step(extent.east - extent.west)
    for lon_t in np.arange(math.ceil(extent.west / gstep) * gstep, extent.east, gstep):
        x, _ = cv.xy(lon_t, extent.north)
        d.line([(float(x), H - 6), (float(x), H)], fill=(60, 60, 60, 255), width=1)
        txt = _degrees(lon_t, "E")
        d.text((float(x) + 2, H - 20), txt, font=small, fill=(60, 60, 60), stroke_width=2, stroke_fill=(255, 255, 255))
        placed.append(d.textbbox((float(x) + 2, H - 20), txt, font=small, stroke_width=2))
    for lat_t in np.arange(math.ceil(extent.south / gstep) * gstep, extent.north, gstep):
        _, y = cv.xy(extent.west, lat_t)
        d.line([(0, float(y)), (6, float(y))], fill=(60, 60, 60, 255), width=1)
        txt = _degrees(lat_t, "N")
        d.text((8, float(y) - 9), txt, font=small, fill=(60, 60, 60), stroke_width=2, stroke_fill=(255, 255, 255))
        placed.append(d.textbbox((8, float(y) - 9), txt, font=small, stroke_width=2))

    def label(lon_, lat_, text, font, fill, halo=(255, 255, 255), *, must: bool = False):
        """A name at its point, or (``must``: a district's name) moved just clear of what is there
        (station dots and numbers, other names); drawn at its point when nowhere near is free."""
        if not text:
            return
        x, y = cv.xy(lon_, lat_)
        x, y = float(x), float(y)
        box = d.multiline_textbbox((x, y), text, font=font, anchor="mm", stroke_width=2, align="center")
        shift = label_shift(box, placed, (W, H), must=must)
        if shift is None:
            return
        sx, sy = shift
        placed.append((box[0] + sx, box[1] + sy, box[2] + sx, box[3] + sy))
        d.multiline_text((x + sx, y + sy), text, font=font, fill=fill, anchor="mm", stroke_width=2, stroke_fill=halo,
                         align="center")

    for s_ in layers.stations:  # names keep clear of the station dots and numbers drawn later, on top
        x, y = (float(v) for v in cv.xy(s_.lon, s_.lat))
        placed.append((x - 8, y - 10, x + 12 + 11 * 3, y + 10))
    name_key = "name_en" if lang == "en" else "name"
    for f in districts["features"]:
        p = f["properties"]
        if "centroid_lon" in p:
            note = layers.notes.get(p.get("adcode"), "")
            text = (p.get(name_key) or p.get("name", "")) + (f"\n{note}" if note else "")
            label(p["centroid_lon"], p["centroid_lat"], text, big, (0, 0, 0), must=True)
    for f in bm["features"]:
        p = f["properties"]
        if p.get("kind") == "lake" and p.get("name"):
            label(p["label_lon"], p["label_lat"], p.get(name_key) or p["name"], small, _WATER_LINE)
    for kind, font, colour in (("city", mid, (70, 70, 70)), ("county", small, (110, 110, 110))):
        for f in bm["features"]:
            p = f["properties"]
            if p.get("kind") == kind:
                label(p["label_lon"], p["label_lat"], p.get(name_key) or p["name"], font, colour)
    out = (base, lines, names)
    _remember(_STATIC, key, (out, bm, districts))  # the references keep the ids in the key unique
    return out


def label_shift(box, placed, size, *, must: bool = False) -> tuple[float, float] | None:
    """Where a label's ``box`` (left, top, right, bottom [px]) goes on an image of ``size`` (W, H) beside the
    boxes already ``placed``: ``(0, 0)`` when it is free; for a label that ``must`` be drawn (a district's
    name) the first free spot just above, below, left or right of it, else ``(0, 0)`` all the same;
    ``None`` (leave it out) for another label that is not free.

    Examples
    --------
    >>> label_shift((10, 10, 50, 30), [], (100, 100))
    (0.0, 0.0)
    >>> label_shift((10, 10, 50, 30), [(0, 0, 60, 30)], (100, 100)) is None
    True
    >>> label_shift((10, 40, 50, 60), [(0, 40, 60, 60)], (100, 100), must=True)  # moved up, clear of it
    (0.0, -32.0)
    """
    l, t, r, b = box
    W, H = size
    w, h = r - l, b - t
    shifts = [(0.0, 0.0)] + ([(0.0, -0.8 * h), (0.0, 0.8 * h), (-0.6 * w, 0.0), (0.6 * w, 0.0), (-0.6 * w, -0.8 * h),
                              (0.6 * w, -0.8 * h), (-0.6 * w, 0.8 * h), (0.6 * w, 0.8 * h), (0.0, -1.6 * h),
                              (0.0, 1.6 * h)] if must else [])
    for sx, sy in shifts:
        nl, nt, nr, nb = l + sx, t + sy, r + sx, b + sy
        if nl < 0 or nt < 0 or nr > W or nb > H:
            continue
        if not any(not (nr < a or nl > c or nb < bb or nt > dd) for a, bb, c, dd in placed):
            return (float(sx), float(sy))
    return (0.0, 0.0) if must else None


def render_field_map(lon: np.ndarray | None, lat: np.ndarray | None, values: np.ndarray | None, *,
                     pollutant: str, scale: str = "category", extent: Extent, layers: MapLayers,
                     width: int = 900, title: str = "", subtitle: str = "", edition: str | None = None,
                     legend: bool = True) -> bytes:
    """The field map as PNG bytes.

    Parameters
    ----------
    lon, lat : 2-D arrays
        Cell-centre coordinates of the grid [degree] (``None`` for a basemap without a field).
    values : 2-D array
        The field [µg/m³; CO mg/m³], NaN where missing.
    pollutant : str
        ``pm25 pm10 o3 no2 so2 co`` (chooses the colour bounds and the legend).
    scale : str
        ``"category"`` (AQI category colours) or ``"continuous"`` (viridis).
    extent : Extent
        The view (see :data:`PRESETS`, :func:`grid_extent`).
    layers : MapLayers
        Basemap, districts, stations, wind, language.
    width : int
        Map width [px]; the height follows the view's aspect, plus a title band and a legend band.
    """
    from PIL import Image, ImageDraw

    cv = _Canvas(extent, width)
    W, H, ss = cv.width, cv.height, cv.ss
    lang = layers.lang
    # the basemap, district outlines, names and coordinates do not change from one lead hour to the next:
    # drawn once per view and kept (see _static_layers)
    base, lines, names = _static_layers(cv, layers)
    base = base.copy()

    def path(coords, s=ss):
        a = np.asarray(coords, float)
        x, y = cv.xy(a[:, 0], a[:, 1], s)
        return list(zip(x.tolist(), y.tolist()))

    # the field, cell by cell at native resolution
    if values is not None and lon is not None:
        values = np.asarray(values, float)
        lon2, lat2 = (np.meshgrid(lon, lat) if np.ndim(lon) == 1 else (np.asarray(lon, float), np.asarray(lat, float)))
        ny, nx = values.shape
        cells = _colour_cells(values, pollutant, scale, edition)
        flat = _pixel_cells(lon2, lat2, extent, W, H)  # cell number under each pixel, -1 outside the grid
        table = np.concatenate([cells.reshape(-1, 4), np.zeros((1, 4), np.uint8)])  # row -1: transparent
        base = Image.alpha_composite(base, Image.fromarray(table[flat], "RGBA"))
    base = Image.alpha_composite(base, lines)

    # what changes with the field: the grid's edge and the wind (drawn at 1x: fast enough to play)
    if values is not None and lon is not None:
        ss = 1
        d = ImageDraw.Draw(base)
        if min(lon2.shape) > 1:  # the grid's outer edge, dashed
            def outer(a):  # cell corners along the border: half a cell beyond the border cells' centres
                p = np.pad(a, 1, mode="reflect", reflect_type="odd")
                return 0.25 * (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:])

            clon, clat = outer(lon2), outer(lat2)
            edge = np.concatenate([np.column_stack([clon[0, :], clat[0, :]]),
                                   np.column_stack([clon[:, -1], clat[:, -1]]),
                                   np.column_stack([clon[-1, ::-1], clat[-1, ::-1]]),
                                   np.column_stack([clon[::-1, 0], clat[::-1, 0]])])
            pts = path(edge, 1)
            dash = max(1, len(pts) // 120)
            for k in range(0, len(pts) - dash, 2 * dash):
                d.line(pts[k:k + dash + 1], fill=(40, 40, 40, 160), width=ss)
        if layers.wind is not None:  # wind arrows, about 48 px apart
            u, v = (np.asarray(a, float) for a in layers.wind)
            dlon = max(float(np.nanmedian(np.abs(np.diff(lon2, axis=1)))) if lon2.shape[1] > 1 else 0.03, 1e-6)
            cell_px = W * dlon / (extent.east - extent.west)
            k = max(1, int(round(48 / max(cell_px, 1e-6))))
            js, is_ = np.mgrid[k // 2:u.shape[0]:k, k // 2:u.shape[1]:k]
            xs, ys = cv.xy(lon2[js, is_], lat2[js, is_], ss)
            uu, vv = u[js, is_], v[js, is_]
            scale_px = 3.2 * ss  # px per m/s
            for x, y, a, b in zip(xs.ravel(), ys.ravel(), uu.ravel(), vv.ravel()):
                if not (np.isfinite(a) and np.isfinite(b)) or not (0 <= x < W * ss and 0 <= y < H * ss):
                    continue
                _arrow(d, x, y, a * scale_px, -b * scale_px, ss)
    base = Image.alpha_composite(base, names)

    # stations on top of everything: a dot in the colour of the latest observed hourly AQI, and the number
    d = ImageDraw.Draw(base)
    for s_ in layers.stations:
        x, y = (float(v) for v in cv.xy(s_.lon, s_.lat))
        if not (0 <= x < W and 0 <= y < H):
            continue
        colour = (150, 150, 150)
        if s_.aqi is not None:
            colour = tuple(level_info(level=level_of(max(s_.aqi, 1))).rgb)
        txt = "—" if s_.aqi is None else str(s_.aqi)
        d.ellipse([x - 7, y - 7, x + 7, y + 7], fill=colour, outline=(0, 0, 0), width=2)
        d.text((x + 10, y), txt, font=_font(17, bold=True), fill=(0, 0, 0), anchor="lm", stroke_width=3,
               stroke_fill=(255, 255, 255))
    d.rectangle([0, 0, W - 1, H - 1], outline=(80, 80, 80), width=1)

    # title band above, legend band below
    top = 50 if (title or subtitle) else 0
    legend_h = 86 if legend else 0
    out = Image.new("RGB", (W, H + top + legend_h), (255, 255, 255))
    out.paste(base.convert("RGB"), (0, top))
    d = ImageDraw.Draw(out)
    if title:
        _rich_text(d, (4, 2), title, 20, bold=True)
    if subtitle:
        d.text((4, 29), subtitle, font=_font(14), fill=(70, 70, 70))
    if legend:
        _legend(d, pollutant, scale, edition, lang, x0=6, y0=top + H + 8, width=W - 12,
                wind=layers.wind is not None, stations=bool(layers.stations))
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False, compress_level=1)
    return buf.getvalue()


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋", "0123456789+-")


def _rich_text(d, xy, text: str, size: int, *, bold: bool = False, fill=(0, 0, 0)) -> int:
    """Draw text whose subscript digits (PM₂.₅, O₃) the CJK font lacks as smaller, lowered digits;
    returns the width drawn [px]."""
    x, y = xy
    font, sub = _font(size, bold), _font(max(int(size * 0.72), 8), bold)
    run, is_sub = "", False
    start = x

    def flush(run, is_sub, x):
        if not run:
            return x
        if is_sub:
            t = run.translate(_SUBSCRIPTS).replace("‸", "")
            d.text((x, y + size * 0.42), t, font=sub, fill=fill)
            return x + d.textlength(t, font=sub)
        d.text((x, y), run, font=font, fill=fill)
        return x + d.textlength(run, font=font)

    for ch in text:
        s = ch in "₀₁₂₃₄₅₆₇₈₉₊₋" or (ch == "." and is_sub)
        if s != is_sub:
            x = flush(run, is_sub, x)
            run, is_sub = "", s
        run += ch
    x = flush(run, is_sub, x)
    return int(x - start)


def _arrow(d, x, y, dx, dy, ss):
    length = math.hypot(dx, dy)
    if length < 1:
        return
    x1, y1 = x + dx, y + dy
    colour = (25, 25, 25, 235)
    d.line([(x - dx * 0.0, y), (x1, y1)], fill=(255, 255, 255, 200), width=4 * ss)
    d.line([(x, y), (x1, y1)], fill=colour, width=2 * ss)
    ux, uy = dx / length, dy / length
    h = min(7 * ss, length * 0.5)
    left = (x1 - ux * h - uy * h * 0.55, y1 - uy * h + ux * h * 0.55)
    right = (x1 - ux * h + uy * h * 0.55, y1 - uy * h - ux * h * 0.55)
    d.polygon([(x1, y1), left, right], fill=colour)


def _legend(d, pollutant, scale, edition, lang, *, x0, y0, width, wind, stations):
    font = _font(14)
    unit = "mg/m³" if pollutant == "co" else "µg/m³"
    head = bracketed(LABELS.get(pollutant, pollutant), unit, lang)
    bx = x0 + _rich_text(d, (x0, y0), head, 15, bold=True) + 12
    avail = max(width - (bx - x0), 200)
    if scale == "category":
        bounds, rgb, levels = category_colours(pollutant, edition=edition)
        n = len(rgb)
        w = avail / n
        for k in range(n):
            xa = bx + k * w
            d.rectangle([xa, y0, xa + w - 2, y0 + 16], fill=rgb[k], outline=(120, 120, 120))
            info = level_info(level=levels[k])
            name = info.category_en if lang == "en" else info.category_zh
            lo = 0 if k == 0 else bounds[k - 1]
            rng = f"{lo:g}–{bounds[k]:g}" if k < len(bounds) else f">{bounds[-1]:g}"
            d.text((xa + 2, y0 + 19), name, font=font, fill=(0, 0, 0))
            d.text((xa + 2, y0 + 37), rng, font=_font(13), fill=(80, 80, 80))
    else:
        lo, hi = continuous_colours(pollutant, edition=edition)
        n = int(avail)
        for k in range(n):
            c = tuple(int(v) for v in _VIRIDIS_LUT[int(k / max(n - 1, 1) * 255)])
            d.line([(bx + k, y0), (bx + k, y0 + 16)], fill=c)
        for frac in (0, 0.25, 0.5, 0.75, 1.0):
            v = lo + frac * (hi - lo)
            x = bx + frac * (n - 1)
            d.line([(x, y0 + 16), (x, y0 + 20)], fill=(0, 0, 0))
            txt = f"{v:.3g}" + ("+" if frac == 1.0 else "")
            d.text((min(x, bx + n - 30), y0 + 21), txt, font=font, fill=(0, 0, 0))
    notes = []
    if stations:
        notes.append("● station: latest observed hourly AQI up to the map hour" if lang == "en"
                     else "● 站点：截至该时刻的最新实测小时 AQI（按 AQI 等级着色）")
    if wind:
        notes.append("→ 10 m wind, 5 m/s = 16 px" if lang == "en" else "→ 10 米风，5 m/s = 16 像素")
    if notes:
        d.text((x0, y0 + 56), "    ".join(notes), font=_font(14), fill=(60, 60, 60))
