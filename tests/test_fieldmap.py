"""Field maps (forecasting.fieldmap): index inversion, colours from HJ 633, native-resolution pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest


def _rotated_grid(nx=30, ny=20):
    """A grid whose cell (i, j) sits at lon = 120 + 0.03 i - 0.01 j + 0.0002 i j, lat = 31 + 0.005 i + 0.027 j
    (rotated, sheared and slightly curved, like a Lambert grid): the answer of the inversion is (i, j)."""
    j, i = np.mgrid[0:ny, 0:nx].astype(float)
    return 120 + 0.03 * i - 0.01 * j + 0.0002 * i * j, 31 + 0.005 * i + 0.027 * j


@pytest.mark.parametrize("i, j", [(0.0, 0.0), (3.25, 7.5), (29.0, 19.0), (14.6, 0.4), (-2.0, 5.0), (33.0, 22.0)])
def test_cell_index_inverts_a_curvilinear_grid(i, j):
    from forecasting.fieldmap import cell_index

    lon, lat = _rotated_grid()
    plon = np.array([120 + 0.03 * i - 0.01 * j + 0.0002 * i * j])
    plat = np.array([31 + 0.005 * i + 0.027 * j])
    fi, fj = cell_index(lon, lat, plon, plat)
    if 0 <= i <= 29 and 0 <= j <= 19:  # inside, the bilinear interpolant is exact for this map
        assert fi[0] == pytest.approx(i, abs=1e-4) and fj[0] == pytest.approx(j, abs=1e-4)
    else:  # outside, the edge is extrapolated linearly (off by the curvature term): what counts is "outside"
        assert fi[0] == pytest.approx(i, abs=0.2) and fj[0] == pytest.approx(j, abs=0.2)
        assert not (-0.5 <= fi[0] <= 29.5 and -0.5 <= fj[0] <= 19.5)


@pytest.mark.parametrize("pollutant, bounds", [
    ("pm25", [35, 60, 115, 150, 250]),   # HJ 633-2026 Table 3, PM2.5 1 h at IAQI 50..300
    ("o3", [160, 200, 300, 400, 800]),   # O3 1 h at IAQI 50..300
    ("co", [5, 10, 35, 60, 90]),         # CO 1 h [mg/m³]
])
def test_category_bounds_are_the_hourly_breakpoints(pollutant, bounds):
    from forecasting.fieldmap import category_colours

    got, rgb, levels = category_colours(pollutant)
    assert got == bounds and levels == [1, 2, 3, 4, 5, 6]
    # HJ 633-2026 Appendix A: green, yellow, orange, red, purple, maroon
    assert rgb == [(0, 228, 0), (255, 255, 0), (255, 126, 0), (255, 0, 0), (153, 0, 76), (126, 0, 35)]


def test_each_cell_is_drawn_in_its_category_colour_at_native_resolution():
    """Two 0.1° cells side by side: 10 µg/m³ (优, green) and 100 µg/m³ (轻度污染, orange). The pixel at each
    cell centre is the category colour over the plain land background at the field's opacity (215/255)."""
    from PIL import Image

    from forecasting.fieldmap import Extent, MapLayers, render_field_map

    lon = np.array([[120.05, 120.15]])
    lat = np.array([[31.05, 31.05]])
    lon = np.vstack([lon, lon])
    lat = np.array([[31.0, 31.0], [31.1, 31.1]])
    values = np.array([[10.0, 100.0], [10.0, 100.0]])
    ext = Extent(119.95, 30.9, 120.25, 31.2)
    png = render_field_map(lon, lat, values, pollutant="pm25", extent=ext, layers=MapLayers(), width=300,
                           legend=False)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(float)
    h = img.shape[0]

    def px(lon_, lat_):
        x = (lon_ - ext.west) / (ext.east - ext.west) * 300
        y = (ext.north - lat_) / (ext.north - ext.south) * h
        return img[int(y), int(x)]

    land = np.array([246, 245, 240], float)
    a = 215 / 255
    green = np.array([0, 228, 0]) * a + land * (1 - a)
    orange = np.array([255, 126, 0]) * a + land * (1 - a)
    assert np.allclose(px(120.05, 31.05), green, atol=2)
    assert np.allclose(px(120.15, 31.05), orange, atol=2)
    assert np.allclose(px(119.97, 31.18), land, atol=2)  # outside the grid: the basemap only


def test_basemap_has_the_zone_neighbours_lakes_and_coast():
    from shapely.geometry import Point, shape

    from forecasting.fieldmap import load_basemap

    bm = load_basemap()
    kinds = {f["properties"]["kind"] for f in bm["features"]}
    assert kinds == {"land", "coast", "lake", "river", "city", "county"}
    lakes = {f["properties"]["name"]: shape(f["geometry"]) for f in bm["features"]
             if f["properties"]["kind"] == "lake" and f["properties"]["name"]}
    # Taihu contains the open water at 120.2 E 31.2 N; Dianshan Lake 120.95 E 31.12 N (both well known)
    assert lakes["太湖"].contains(Point(120.2, 31.2)) and lakes["淀山湖"].contains(Point(120.95, 31.12))
    names = {f["properties"]["name"] for f in bm["features"] if f["properties"]["kind"] in ("city", "county")}
    assert {"上海市", "苏州市", "嘉兴市", "湖州市", "松江区", "昆山市", "秀洲区"} <= names


def test_station_aqi_is_the_largest_hourly_iaqi():
    from forecasting.mapdata import station_aqi

    # HJ 633-2026 Table 3: PM2.5 1 h 75 -> 100 + 50 * (75 - 60) / (115 - 60) = 113.6 -> 114 (rounded up)
    assert station_aqi({"pm25": 75.0, "o3": 100.0}, edition="HJ 633-2026") == 114
    assert station_aqi({}, edition="HJ 633-2026") is None
    assert station_aqi({"pm25": float("nan")}, edition="HJ 633-2026") is None
