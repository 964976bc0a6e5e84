"""CF files on projected and curvilinear grids (issue #19): detection, cells, exact district means.

Expected values are computed here independently of the reader: the projection is written out
as a PROJ string from the file's attributes, the district polygons are read with ``json`` +
shapely, cells are drawn as rectangles in the projection plane, and the overlaps are measured
with shapely; the "exact" mean of a field linear in longitude integrates it over thin meridian
strips of each district with geodesic areas (pyproj.Geod).
"""

import functools
import json
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import shape

from forecasting.districts import DEFAULT_DISTRICTS, district_weights, extract_districts, point_series
from forecasting.errors import FormatError
from forecasting.grids import open_grid
from forecasting.grids.cfgrid import corners_from_centres
from forecasting.grids.synthetic import CF_PROJECTIONS, write_cf_projected
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "data" / "grids" / "synthetic_lcc_cf_81x61.nc"
ZONE = ("310118", "320509", "330421")

# O3: molar mass 47.997 g/mol (IUPAC: 3 × 15.999); molar volume at 298.15 K, 101325 Pa:
# Vm = R·T/p = 8.314462618 × 298.15 / 101325 m³/mol = 24.4654 L/mol  ->  1 ppb = 47.997/24.4654 µg/m³
O3_PER_PPB = 47.997 / (8.314462618 * 298.15 / 101325 * 1000)


def _districts():
    """Adcode -> shapely polygon (WGS84 lon/lat), read without the project's reader."""
    with open(DEFAULT_DISTRICTS, encoding="utf-8") as f:
        gj = json.load(f)
    out = {}
    for feat in gj["features"]:
        geom = shape(feat["geometry"])
        code = str(feat["properties"]["adcode"])
        out[code] = geom if code not in out else out[code].union(geom)
    return out


def _independent_means(path, variable, factor):
    """District means of ``variable`` × ``factor`` by exact overlap in the Lambert plane.

    The file's x/y centres (3 km apart) give cell edges half-way between centres; each cell is a
    rectangle of the plane; its weight in a district is the shapely area of the intersection.
    """
    with netCDF4.Dataset(path) as nc:
        gm = nc["crs"]
        p1, p2 = (float(v) for v in gm.standard_parallel)
        proj = (f"+proj=lcc +lat_1={p1} +lat_2={p2} +lat_0={float(gm.latitude_of_projection_origin)} "
                f"+lon_0={float(gm.longitude_of_central_meridian)} +R={float(gm.earth_radius)} +units=m +no_defs")
        x, y = nc["x"][:].astype(float), nc["y"][:].astype(float)
        values = nc[variable][:].astype(float) * factor  # (time, y, x)
    xe = np.concatenate([[x[0] - 1500.0], (x[1:] + x[:-1]) / 2, [x[-1] + 1500.0]])
    ye = np.concatenate([[y[0] - 1500.0], (y[1:] + y[:-1]) / 2, [y[-1] + 1500.0]])
    t = Transformer.from_crs("OGC:CRS84", proj, always_xy=True)
    out = {}
    for code, geom in _districts().items():
        poly = shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        jj, ii = np.meshgrid(np.arange(len(y)), np.arange(len(x)), indexing="ij")
        boxes = shapely.box(xe[ii], ye[jj], xe[ii + 1], ye[jj + 1])
        area = shapely.area(shapely.intersection(boxes, poly))
        out[code] = (values * area[None]).sum(axis=(1, 2)) / area.sum()
    return out


@functools.cache
def _exact_lon_mean(code, a, b, lon0):
    """Area-weighted mean of a + b·(lon − lon0) over the district ``code`` on the WGS84 ellipsoid: the
    district cut into meridian strips 0.0005° wide, each weighted by its geodesic area at its
    mid-longitude (the same for every grid of the parametrised test, so computed once a process)."""
    geom = _districts()[code]
    geod = Geod(ellps="WGS84")
    minx, miny, maxx, maxy = geom.bounds
    edges = np.arange(minx, maxx + 0.0005, 0.0005)
    strips = shapely.box(edges[:-1], miny - 0.01, edges[1:], maxy + 0.01)
    pieces = shapely.intersection(strips, geom)
    mids = (edges[:-1] + edges[1:]) / 2
    areas = np.array([abs(geod.geometry_area_perimeter(p)[0]) if not p.is_empty else 0.0 for p in pieces])
    return float(np.sum(areas * (a + b * (mids - lon0))) / np.sum(areas))


def test_sample_is_cf_lambert_and_detected():
    """The issue's report: 'layout not recognised' for a CF Lambert file with 2-D lat/lon."""
    grid = open_grid(SAMPLE)
    assert grid.attrs["format"] == "cf" and grid.attrs["grid_kind"] == "projected"
    assert "+proj=lcc" in grid.attrs["crs"] and "+lat_1=25" in grid.attrs["crs"]
    assert grid.sizes == {"time": 3, "y": 61, "x": 81}
    with netCDF4.Dataset(SAMPLE) as nc:
        assert nc["o3"].grid_mapping == "crs" and nc["o3"].coordinates == "lat lon"
        assert nc["crs"].grid_mapping_name == "lambert_conformal_conic"
        lat, lon = nc["lat"][:], nc["lon"][:]
    np.testing.assert_allclose(grid["lat"].values, lat)
    np.testing.assert_allclose(grid["lon"].values, lon)


def test_o3_in_ppb_converted_at_reference_state():
    grid = open_grid(SAMPLE)
    with netCDF4.Dataset(SAMPLE) as nc:
        assert nc["o3"].units == "ppb"
        raw = float(nc["o3"][1, 30, 40])
        pm = float(nc["pm25"][1, 30, 40])
    assert O3_PER_PPB == pytest.approx(1.9618, abs=1e-4)  # spec/china-aqi.md §5 table
    assert float(grid["o3"][1, 30, 40]) == pytest.approx(raw * O3_PER_PPB, rel=1e-6)
    assert float(grid["pm25"][1, 30, 40]) == pytest.approx(pm, rel=1e-6)
    assert grid["o3"].attrs["units"] == "µg/m³"
    assert any("298.15" in c or "24.4654" in c for c in grid.attrs["conversions"]), grid.attrs["conversions"]


def test_sample_district_means_match_independent_overlap():
    frame = extract_districts(SAMPLE).set_index(["district", "time"]).sort_index()
    for variable, factor in (("o3", O3_PER_PPB), ("pm25", 1.0)):
        expected = _independent_means(SAMPLE, variable, factor)
        for code in ZONE:
            got = frame.loc[code][variable].to_numpy()
            np.testing.assert_allclose(got, expected[code], rtol=1e-6, err_msg=f"{variable} {code}")


CASES = [(proj, {}) for proj in CF_PROJECTIONS] + [
    ("lambert_conformal_conic", {"bounds": True, "y_descending": True}),
    ("lambert_conformal_conic", {"latlon": False, "units_km": True}),
    ("rotated_latitude_longitude", {"bounds": True}),
    ("lambert_conformal_conic", {"grid_mapping": False}),  # curvilinear: mid-points of centres
    ("lambert_conformal_conic", {"grid_mapping": False, "bounds": True}),  # curvilinear: bounds
    ("mercator", {"grid_mapping": False}),
    ("polar_stereographic", {"xy": False}),  # grid mapping + 2-D lat/lon, no x/y: centres projected
]


@pytest.mark.parametrize("projection,options", CASES, ids=[f"{p}-{'-'.join(o) or 'plain'}" for p, o in CASES])
def test_linear_field_in_longitude_matches_exact_area_mean(tmp_path, projection, options):
    """Done-when of #19: every district mean within 0.5 % of the exact area-weighted mean
    (a steep field: 100 µg/m³ at 120.84° E, +200 per degree east)."""
    a, b, lon0 = 100.0, 200.0, 120.84

    def field(species, when, lead, lon, lat):
        return a + b * (np.asarray(lon) - lon0) + 0.0 * np.asarray(lat)

    path = write_cf_projected(tmp_path / "f.nc", projection=projection, nx=60, ny=50, hours=1,
                              species=("pm25",), field=field, **options)
    frame = extract_districts(path).set_index("district")
    grid = open_grid(path)
    kind = grid.attrs["grid_kind"]
    if options.get("xy") is False:
        assert "2-D lat/lon projected" in grid.attrs["cells"]
    assert kind == ("curvilinear" if options.get("grid_mapping") is False else
                    "rotated" if projection.startswith("rotated") else "projected")
    for code in _districts():
        exact = _exact_lon_mean(code, a, b, lon0)
        got = float(frame.loc[code, "pm25"])
        # the issue asks for 0.5 %; measured <= 0.05 % (Mercator plane areas), so hold it to 0.2 %
        assert abs(got - exact) <= 0.002 * abs(exact), (code, got, exact)


def test_weights_are_cached_per_grid_and_bounds_change_the_key(tmp_path):
    plain = open_grid(write_cf_projected(tmp_path / "a.nc", nx=40, ny=36, hours=1, species=("pm25",)))
    again = open_grid(write_cf_projected(tmp_path / "b.nc", nx=40, ny=36, hours=1, species=("pm25",), seed=5))
    assert district_weights(plain) is district_weights(again)  # same geometry: one computation
    curv = open_grid(write_cf_projected(tmp_path / "c.nc", nx=40, ny=36, hours=1, species=("pm25",),
                                        grid_mapping=False))
    assert district_weights(curv).key != district_weights(plain).key
    w = district_weights(curv)
    assert np.allclose(np.asarray(w.matrix.sum(axis=1)).ravel(), 1.0) and np.allclose(w.coverage, 1.0)


def test_mapping_file_names_the_projection_of_a_file_that_does_not(tmp_path):
    """A file with x/y but neither a grid-mapping variable nor lat/lon: the mapping file gives the
    CF attributes; a file whose variables do not point at their grid mapping: the mapping names it."""
    full = write_cf_projected(tmp_path / "full.nc", nx=40, ny=36, hours=1, species=("pm25", "o3"))
    bare = write_cf_projected(tmp_path / "bare.nc", nx=40, ny=36, hours=1, species=("pm25", "o3"),
                              grid_mapping=False, latlon=False)
    with pytest.raises(FormatError, match="layout not recognised"):
        open_grid(bare)
    attrs = {k: (list(v) if isinstance(v, list) else v)
             for k, v in CF_PROJECTIONS["lambert_conformal_conic"].items()}
    mapping = tmp_path / "m.yaml"
    mapping.write_text("model: LOCAL\nformat: cf\ngrid:\n  x: x\n  y: y\n  attributes: " + json.dumps(attrs) + "\n",
                       encoding="utf-8")
    expected = extract_districts(full).set_index("district")["o3"]
    got = extract_districts(bare, model=str(mapping)).set_index("district")["o3"]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9)

    unlinked = write_cf_projected(tmp_path / "unlinked.nc", nx=40, ny=36, hours=1, species=("pm25", "o3"),
                                  latlon=False)
    with netCDF4.Dataset(unlinked, "a") as nc:
        for v in ("pm25", "o3"):
            nc[v].delncattr("grid_mapping")
    named = tmp_path / "n.yaml"
    named.write_text("model: LOCAL\nformat: cf\ngrid: {grid_mapping: crs}\n", encoding="utf-8")
    got = extract_districts(unlinked, model=str(named)).set_index("district")["o3"]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9)


def test_bad_grid_mapping_is_a_clear_error(tmp_path):
    path = write_cf_projected(tmp_path / "f.nc", nx=20, ny=16, hours=1, species=("pm25",))
    with netCDF4.Dataset(path, "a") as nc:
        nc["pm25"].grid_mapping = "lambert"
    with pytest.raises(FormatError, match=r"names grid_mapping 'lambert', which is not in the file"):
        open_grid(path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: X\ngrid: {projection: lcc}\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"grid.projection: unknown key"):
        open_grid(path, model=str(bad))


def test_corners_from_mid_points_of_neighbouring_centres():
    # centres 1° apart; corners half-way, the outer ones half a cell out:
    #   lat 31 ── 120 ─── 121 ─── 122        corners lon 119.5 120.5 121.5 122.5
    #   lat 30 ── 120 ─── 121 ─── 122        corners lat 29.5 30.5 31.5
    lon, lat = np.meshgrid([120.0, 121.0, 122.0], [30.0, 31.0])
    clon, clat = corners_from_centres(lon, lat)
    assert clon.shape == (3, 4) and clat.shape == (3, 4)
    assert clon[1].tolist() == [119.5, 120.5, 121.5, 122.5]
    assert clat[:, 2].tolist() == [29.5, 30.5, 31.5]


def test_station_on_curvilinear_grid_takes_its_cell(tmp_path):
    path = write_cf_projected(tmp_path / "c.nc", nx=30, ny=24, hours=2, species=("pm25",), grid_mapping=False)
    grid = open_grid(path)
    lon, lat = float(grid["lon"][10, 12]), float(grid["lat"][10, 12])
    with netCDF4.Dataset(path) as nc:
        raw = nc["pm25"][:, 10, 12].astype(float)
    pts = point_series(grid, {"station": ["s", "far"], "lon": [lon + 0.001, 100.0], "lat": [lat, 10.0]})
    np.testing.assert_allclose(pts[pts["station"] == "s"]["pm25"].to_numpy(), raw, rtol=1e-6)
    assert pts[pts["station"] == "far"]["pm25"].isna().all()


def test_inspect_describes_projection_spacing_and_zone_coverage():
    r = subprocess.run([sys.executable, "-m", "forecasting", "inspect", str(SAMPLE)], cwd=ROOT,
                       capture_output=True, text=True, timeout=PATIENCE_S)
    assert r.returncode == 0, r.stderr
    grid = json.loads(r.stdout)["grid"]
    assert grid["kind"] == "projected" and grid["shape"] == [61, 81]
    proj = grid["projection"]
    assert proj["name"] == "lambert_conformal_conic"
    assert proj["parameters"]["standard_parallel"] == [25.0, 40.0]
    assert proj["parameters"]["longitude_of_central_meridian"] == 110.0
    assert grid["spacing_km"]["dx_native"] == 3.0 and grid["spacing_km"]["dy_native"] == 3.0
    # geodesic spacing: the Lambert scale factor at 31° N (standard parallels 25°/40°) is ≈ 1.01
    assert 2.97 < grid["spacing_km"]["dx"] < 3.1
    assert set(grid["zone"]) == set(ZONE) and all(v["coverage"] == 1.0 for v in grid["zone"].values())
    assert "mid-points" in grid["cells"]


def test_ingest_of_cf_lambert_sample_stores_the_independent_means(db):
    """`ingest` works unchanged on the new layout: the stored O3 is the independent overlap mean."""
    from forecasting import datastore
    from forecasting.permissions import Actor

    result = datastore.ingest_run(db, Actor.system("test"), [SAMPLE], model="lcc-test")
    assert result.districts == ZONE and result.n_times == 3
    got = datastore.forecast_frame(db, model="lcc-test")
    o3 = got[got["variable"] == "o3"].set_index(["district", "valid_time"])["value"].sort_index()
    expected = _independent_means(SAMPLE, "o3", O3_PER_PPB)
    for code in ZONE:
        np.testing.assert_allclose(o3.loc[code].to_numpy(), expected[code], rtol=1e-6)


def test_inspect_rotated_pole_and_curvilinear(tmp_path):
    from forecasting.grids import inspect_grid

    rot = inspect_grid(write_cf_projected(tmp_path / "r.nc", projection="rotated_latitude_longitude", nx=40,
                                          ny=36, hours=1, species=("pm25",)))["grid"]
    assert rot["kind"] == "rotated" and rot["projection"]["name"] == "rotated_latitude_longitude"
    assert rot["projection"]["parameters"]["grid_north_pole_latitude"] == pytest.approx(90 - 31.03)
    # 3 km / 111 km per degree of rotated latitude: about 3 km on the ground near the rotated equator
    assert rot["spacing_km"]["dy"] == pytest.approx(3.0, abs=0.05)
    curv = inspect_grid(write_cf_projected(tmp_path / "c.nc", nx=40, ny=36, hours=1, species=("pm25",),
                                           grid_mapping=False))["grid"]
    assert curv["kind"] == "curvilinear" and curv["projection"]["name"] == "none"
    assert "mid-points of neighbouring centres" in curv["cells"]
    assert all(v["coverage"] == 1.0 for v in curv["zone"].values())


def test_mapping_file_names_2d_latitude_longitude(tmp_path):
    """A curvilinear file whose lat/lon carry no units, standard name or `coordinates` link."""
    path = write_cf_projected(tmp_path / "c.nc", nx=30, ny=24, hours=1, species=("pm25",), grid_mapping=False)
    expected = extract_districts(path).set_index("district")["pm25"]
    with netCDF4.Dataset(path, "a") as nc:
        nc["pm25"].delncattr("coordinates")
        nc["pm25"].delncattr("standard_name")
        for v in ("lat", "lon"):
            nc[v].delncattr("units")
            nc[v].delncattr("standard_name")
        nc.renameVariable("lat", "nav_lat")
        nc.renameVariable("lon", "nav_lon")
    with pytest.raises(FormatError, match="layout not recognised"):
        open_grid(path)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("model: LOCAL\nformat: cf\ngrid: {lon: nav_lon, lat: nav_lat}\n", encoding="utf-8")
    got = extract_districts(path, model=str(mapping)).set_index("district")["pm25"]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_errors_carry_translations(tmp_path):
    from forecasting.i18n import t

    path = write_cf_projected(tmp_path / "f.nc", nx=20, ny=16, hours=1, species=("pm25",))
    with netCDF4.Dataset(path, "a") as nc:
        nc["pm25"].grid_mapping = "lambert"
    with pytest.raises(FormatError) as err:
        open_grid(path)
    assert err.value.key == "grids19.grid_mapping_missing"
    zh = err.value.localized("zh")
    assert "lambert" in zh and "pm25" in zh and str(path) in zh and "投影" in zh
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: X\ngrid: {attributes: {standard_parallel: 30}}\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        open_grid(path, model=str(bad))
    assert err.value.key == "grids19.mapping_grid_bad" and "grid:" in t(err.value.key, "zh", **err.value.params)
