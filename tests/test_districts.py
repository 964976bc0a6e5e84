"""District weights and extraction: hand-computed fixtures (tests/grids_data.py) and real polygons."""

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Transformer

from forecasting.districts import (
    cell_edges,
    district_series,
    district_weights,
    grid_geometry_key,
    load_districts,
    point_series,
)
from forecasting.errors import FormatError, ValidationError
from forecasting.grids.synthetic import lambert_grid
from grids_data import EXPECTED_COVERAGE, EXPECTED_WEIGHTS, X, Y, make_grid, squares_frame


def _dense(weights, row):
    m = weights.matrix[row].toarray().reshape(weights.shape)
    return {(int(j), int(i)): float(m[j, i]) for j, i in zip(*np.nonzero(m))}


@pytest.mark.parametrize("name", ["A", "B", "C"])
def test_fixture_weights_match_hand_computation(name):
    w = district_weights(make_grid(), squares_frame([name]), cache=False)
    got = _dense(w, 0)
    assert got.keys() == EXPECTED_WEIGHTS[name].keys()
    for cell, expected in EXPECTED_WEIGHTS[name].items():
        assert got[cell] == pytest.approx(expected, abs=1e-12)
    assert w.coverage[0] == pytest.approx(EXPECTED_COVERAGE[name])


def test_fixture_means_and_coverage():
    # field value = 3·row + col (0..8); A: 0.5625·0 + 0.1875·1 + 0.1875·3 + 0.0625·4 = 1.0
    # B: (4 + 2·5 + 2·7 + 4·8)/9 = 60/9; C covers 25 % of its area (< min_coverage 0.5) -> NaN
    grid = make_grid()
    frame = district_series(grid, district_weights(grid, squares_frame()))
    got = frame.set_index("district")["pm25"]
    assert got["A"] == pytest.approx(1.0)
    assert got["B"] == pytest.approx(60 / 9)
    assert np.isnan(got["C"])
    frame = district_series(grid, district_weights(grid, squares_frame()), min_coverage=0.2)
    assert frame.set_index("district")["pm25"]["C"] == pytest.approx(8.0)


def test_missing_cells_are_left_out_of_the_mean():
    # cell (0,0) missing: A's mean over the rest = (0.1875·1 + 0.1875·3 + 0.0625·4) / 0.4375,
    # kept because 0.4375 of A's weight has data (>= min_coverage 0.4)
    values = np.arange(9.0).reshape(3, 3)
    values[0, 0] = np.nan
    grid = make_grid(values=values)
    w = district_weights(grid, squares_frame(["A"]), cache=False)
    got = district_series(grid, w, min_coverage=0.4)["pm25"][0]
    assert got == pytest.approx((0.1875 + 0.5625 + 0.25) / 0.4375)
    assert np.isnan(district_series(grid, w)["pm25"][0])  # 0.4375 < default min_coverage 0.5


def test_cell_larger_than_district_gives_that_cell():
    # 3 × 3 cells of 100 km; a 1 km square inside cell (1, 2) -> weight 1 on it, value 5
    grid = make_grid(x=[50e3, 150e3, 250e3], y=[50e3, 150e3, 250e3])
    import geopandas as gpd

    tiny = gpd.GeoDataFrame({"adcode": ["T"]}, geometry=[shapely.box(210e3, 120e3, 211e3, 121e3)], crs=grid.attrs["crs"])
    w = district_weights(grid, tiny, cache=False)
    assert _dense(w, 0) == {(1, 2): 1.0}
    assert district_series(grid, w)["pm25"][0] == 5.0


def test_weights_are_cached_by_grid_geometry():
    grid = make_grid()
    w1 = district_weights(grid, squares_frame())
    other_values = make_grid(values=np.ones((3, 3)))
    assert district_weights(other_values, squares_frame()) is w1  # same geometry, other data
    moved = make_grid(x=X + 1.0, y=Y)
    assert grid_geometry_key(moved) != grid_geometry_key(grid)
    assert district_weights(moved, squares_frame()) is not w1


def test_cell_edges():
    assert cell_edges([0.5, 1.5, 2.5]).tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValidationError):
        cell_edges([1.0])


def _lambert_linear_grid(nx=60, ny=50):
    proj, x, y, _, _ = lambert_grid(nx, ny)
    xkm, ykm = np.meshgrid(x / 1000.0, y / 1000.0)
    x0, y0 = x.mean() / 1000.0, y.mean() / 1000.0
    values = 100.0 + 0.5 * (xkm - x0) + 0.3 * (ykm - y0)
    grid = make_grid(x=x, y=y, values=values, crs=proj)
    return grid, proj, x0, y0


def test_linear_field_mean_equals_value_at_polygon_centroid():
    """Area-weighted mean of a linear field over a polygon = field at the polygon's centroid."""
    grid, proj, x0, y0 = _lambert_linear_grid()
    districts = load_districts()
    frame = district_series(grid, district_weights(grid, districts)).set_index("district")
    t = Transformer.from_crs(CRS("OGC:CRS84"), CRS(proj), always_xy=True)
    for code, geom in zip(districts["adcode"], districts.geometry):
        plane = shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        c = plane.centroid
        expected = 100.0 + 0.5 * (c.x / 1000 - x0) + 0.3 * (c.y / 1000 - y0)
        assert frame.loc[code, "pm25"] == pytest.approx(expected, rel=0.005)


def test_linear_field_on_a_lonlat_grid():
    """0.02° lon/lat grid, field linear in lon and lat: the mean is the field at the centroid
    (to well within 0.5 %: true-area weighting shifts the centroid by < 0.001° here)."""
    lon = np.arange(120.0, 121.6, 0.02) + 0.01
    lat = np.arange(30.5, 31.5, 0.02) + 0.01
    lo, la = np.meshgrid(lon, lat)
    grid = make_grid(x=lon, y=lat, values=100 + 20 * (lo - 120.8) + 30 * (la - 31.0), crs="OGC:CRS84", kind="lonlat")
    districts = load_districts()
    frame = district_series(grid, district_weights(grid, districts)).set_index("district")
    for code, geom in zip(districts["adcode"], districts.geometry):
        c = geom.centroid
        assert frame.loc[code, "pm25"] == pytest.approx(100 + 20 * (c.x - 120.8) + 30 * (c.y - 31.0), rel=0.005)


def test_point_series_is_bilinear():
    grid, proj, x0, y0 = _lambert_linear_grid()
    stations = {"station": ["qp", "out"], "lon": [121.08, 100.0], "lat": [31.13, 10.0]}
    frame = point_series(grid, stations).set_index("station")
    px, py = Transformer.from_crs(CRS("OGC:CRS84"), CRS(proj), always_xy=True).transform(121.08, 31.13)
    expected = 100.0 + 0.5 * (px / 1000 - x0) + 0.3 * (py / 1000 - y0)  # bilinear is exact on a linear field
    assert frame.loc["qp", "pm25"] == pytest.approx(expected, rel=1e-9)
    assert np.isnan(frame.loc["out", "pm25"])


def test_series_columns_and_provenance():
    grid = make_grid(times=["2026-11-24T01:00", "2026-11-24T02:00"])
    frame = district_series(grid, district_weights(grid, squares_frame(["A", "B"])))
    assert list(frame.columns[:5]) == ["district", "time", "lead_hours", "model", "cycle"]
    assert len(frame) == 4 and frame["time"].dt.tz is not None
    assert frame["lead_hours"].tolist() == [1.0, 2.0, 1.0, 2.0]
    assert frame["cycle"].iloc[0] == pd.Timestamp("2026-11-24T00:00Z")


def test_extract_districts_in_one_call_with_provenance(tmp_path):
    from forecasting.districts import extract_districts
    from forecasting.grids.synthetic import write_cmaq_aconc

    path = write_cmaq_aconc(tmp_path / "ACONC.nc", nx=40, ny=26, hours=2, species=("o3", "pm25"))
    frame = extract_districts(path)
    assert list(frame.columns) == ["district", "time", "lead_hours", "model", "cycle", "pm25", "o3"]
    assert frame.attrs["model"] == "CMAQ" and frame.attrs["files"] == [str(path)]
    assert any("ppmV" in c for c in frame.attrs["conversions"])


def test_bundled_districts():
    gdf = load_districts()
    assert sorted(gdf["adcode"]) == ["310118", "320509", "330421"]


def test_operator_geojson_with_adcode(tmp_path):
    path = tmp_path / "mine.geojson"
    feature = {"type": "Feature", "properties": {"adcode": 310118, "name": "x"},
               "geometry": shapely.geometry.mapping(shapely.box(121.0, 31.0, 121.1, 31.1))}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    gdf = load_districts(path)
    assert gdf["adcode"].tolist() == ["310118"]
    bad = tmp_path / "bad.geojson"
    feature["properties"] = {"code": "1"}
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(ValidationError, match="adcode"):
        load_districts(bad)
    with pytest.raises(FormatError, match="not found"):
        load_districts(tmp_path / "none.geojson")


def test_a_three_hourly_run_is_made_hourly_on_the_line_between_outputs():
    """Hand-computed: values on the straight line between outputs 3 h apart; a 12-hour hole (missing outputs)
    stays a hole; a wind turning from 350° to 20° passes through north (the line of the directions as
    numbers would pass through 185°); lead hours follow the hour."""
    from forecasting.districts import hourly_series

    t = pd.to_datetime(["2026-12-07T03:00Z", "2026-12-07T06:00Z", "2026-12-07T09:00Z", "2026-12-07T21:00Z",
                        "2026-12-08T00:00Z"])
    frame = pd.DataFrame({"district": "310118", "time": t, "lead_hours": [3.0, 6.0, 9.0, 21.0, 24.0],
                          "model": "M", "cycle": pd.Timestamp("2026-12-07T00:00Z"),
                          "pm25": [30.0, 60.0, np.nan, 90.0, 60.0], "ws": [3.0, 3.0, 3.0, 3.0, 3.0],
                          "wd": [350.0, 20.0, 20.0, 20.0, 20.0]})
    out, step = hourly_series(frame)
    assert step == 3
    got = out.set_index(out["time"].dt.strftime("%dT%H"))
    # 03..06: 30 → 60 by 10 an hour; 09 is missing, so 06..21 has no straight line from finite values 3 h apart
    assert got.loc[["07T03", "07T04", "07T05", "07T06"], "pm25"].tolist() == [30.0, 40.0, 50.0, 60.0]
    assert got.loc[["07T07", "07T08", "07T09"], "pm25"].isna().all()
    assert got.loc[["07T21", "07T22", "07T23", "08T00"], "pm25"].tolist() == [90.0, 80.0, 70.0, 60.0]
    # the 12-hour hole 09..21 holds no interpolated wind either; 06..09 is filled (3 h)
    assert not {"07T10", "07T15", "07T20"} & set(got.index) and got.loc["07T07", "ws"] == 3.0
    # 350° → 20° in 3 h: u, v on their lines; at 1/3 of the way the direction is 0.096° east of north
    u0, v0 = -np.sin(np.radians(350.0)), -np.cos(np.radians(350.0))
    u1, v1 = -np.sin(np.radians(20.0)), -np.cos(np.radians(20.0))
    u, v = u0 + (u1 - u0) / 3, v0 + (v1 - v0) / 3
    assert got.loc["07T04", "wd"] == pytest.approx(np.degrees(np.arctan2(-u, -v)) % 360, abs=1e-9)
    assert got.loc["07T04", "wd"] < 1.0 or got.loc["07T04", "wd"] > 359.0
    assert got.loc[["07T03", "07T04", "08T00"], "lead_hours"].tolist() == [3.0, 4.0, 24.0]
    assert (out["model"] == "M").all() and len(out) == 4 + 3 + 4  # 03..09, 21..00: the hole's hours are absent
    hourly = frame.iloc[:2].assign(time=pd.to_datetime(["2026-12-07T01:00Z", "2026-12-07T02:00Z"]))
    assert hourly_series(hourly)[0] is hourly  # hourly output is left as it is


def test_hourly_then_three_hourly_output_is_filled_and_a_few_missing_hours_are_not():
    """ECMWF-style output, hourly to a lead then every 3 hours, had its 3-hourly days without a daily AQI; an
    hourly run with a missing hour or two is left as it is (those hours stay missing)."""
    from forecasting.districts import hourly_series

    t = pd.date_range("2026-12-07T01:00Z", periods=6, freq="h").append(
        pd.date_range("2026-12-07T09:00Z", periods=5, freq="3h"))  # 01..06 hourly, 09..21 every 3 h
    frame = pd.DataFrame({"district": "330421", "time": t, "lead_hours": np.arange(len(t), dtype=float),
                          "o3": np.arange(len(t), dtype=float) * 10.0})
    out, step = hourly_series(frame)
    assert step == 3 and len(out) == 21  # 01..21, every hour
    got = out.set_index(out["time"].dt.hour)["o3"]
    assert got[7] == pytest.approx(50 + 10 / 3) and got[10] == pytest.approx(60 + 10 / 3)
    gappy = frame.iloc[:6].drop(index=[2])  # an hourly run without its 03:00
    assert hourly_series(gappy)[0] is gappy
