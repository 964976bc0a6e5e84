"""Every real sample file (tests/data/grids/, see README.md there) read and checked against
numbers read independently with netCDF4 and conversions/projections written out here."""

import zipfile
from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
import shapely

from forecasting.districts import district_series, district_weights, load_districts
from forecasting.errors import FormatError, UnitError
from forecasting.grids import open_grid

DATA = Path(__file__).parent / "data" / "grids"
CMAQ_PM = DATA / "dailyavg.LST.Y_24.2016fh.v531.108US2.01.nc"
CMAQ_O3 = DATA / "O3_8HRMAX.LST.Y_24.2016fh.v531.108US2.5-9.nc"
GRIDCRO = DATA / "GRIDCRO2D.108US2.35L.160101.nc"
CAMS_ZIP = DATA / "97da7a58-674a-4a1f-a92b-534cb95d07bb.zip"
CAMS_COLUMN = DATA / "232f85b4-b3e9-47a7-a52d-9f955c38b9f6.nc"
RAQMS = DATA / "uwhyb_06_01_2017_18Z.chem.assim.nc"
GEOSCF = DATA / "geoscf_mcx_tavg_1hr_g1440x721_v36_2023-07-15T1230Z.nc"
GEOSCHEM = DATA / "GEOSChem.SpeciesConc.20190701_0000z.nc4"
WRFOUT = DATA / "ci_test_file.nc"

VM = 8.314462618 * 298.15 / 101325 * 1000  # molar volume at 25 °C, 1013.25 hPa = 24.4654 L/mol
O3_PER_PPB = 47.997 / VM  # 1.9618 µg/m³ per ppb (spec/china-aqi.md §5)
RHO_AIR = 101325 * 0.0289647 / (8.314462618 * 298.15)  # dry air at the reference state [kg/m³]


def snyder_lcc_inverse(x, y, *, lat1, lat2, lat0, lon0, r=6370000.0):
    """Snyder 1987, "Map Projections: A Working Manual", USGS PP 1395, spherical Lambert conformal
    conic, eqs. (15-1)-(15-3) and the inverse (14-10), (15-5), (14-11), (15-9)."""
    p1, p2, p0 = np.radians([lat1, lat2, lat0])
    n = np.log(np.cos(p1) / np.cos(p2)) / np.log(np.tan(np.pi / 4 + p2 / 2) / np.tan(np.pi / 4 + p1 / 2))
    f = np.cos(p1) * np.tan(np.pi / 4 + p1 / 2) ** n / n
    rho0 = r * f / np.tan(np.pi / 4 + p0 / 2) ** n
    rho = np.sign(n) * np.hypot(x, rho0 - y)
    theta = np.arctan2(x, rho0 - y)
    lat = 2 * np.arctan((r * f / rho) ** (1 / n)) - np.pi / 2
    lon = np.radians(lon0) + theta / n
    return np.degrees(lon), np.degrees(lat)


# --- CMAQ / IOAPI ---------------------------------------------------------------------------

@pytest.mark.parametrize("row,col", [(0, 0), (13, 22), (26, 43), (5, 30)])
def test_cmaq_lonlat_from_lambert_matches_snyder(row, col):
    grid = open_grid(CMAQ_PM)
    # GRIDDESC 108US2: XORIG -2412000, YORIG -1620000, XCELL = YCELL = 108000; LamCon_40N_97W 33/45/-97
    x = -2412000.0 + (col + 0.5) * 108000.0
    y = -1620000.0 + (row + 0.5) * 108000.0
    lon, lat = snyder_lcc_inverse(x, y, lat1=33.0, lat2=45.0, lat0=40.0, lon0=-97.0)
    assert float(grid["lon"][row, col]) == pytest.approx(lon, abs=1e-6)
    assert float(grid["lat"][row, col]) == pytest.approx(lat, abs=1e-6)
    assert float(grid["x"][col]) == x and float(grid["y"][row]) == y


@pytest.mark.parametrize("row,col", [(0, 0), (13, 22), (20, 35), (10, 40)])
def test_cmaq_pm25_values_and_units(row, col):
    with netCDF4.Dataset(CMAQ_PM) as nc:
        raw = float(nc["PM25_FRM"][0, 0, row, col])
        assert nc["PM25_FRM"].units.strip() == "ug m-3"
    grid = open_grid(CMAQ_PM)
    assert float(grid["pm25"].isel(time=0, y=row, x=col)) == pytest.approx(raw, rel=1e-6)
    assert grid["pm25"].attrs["units"] == "µg/m³"
    assert grid["pm25"].attrs["source_name"] == "PM25_FRM"
    assert grid.attrs["format"] == "ioapi" and "LAY 1" in grid.attrs["level"]


@pytest.mark.parametrize("row,col", [(0, 0), (13, 22), (20, 35)])
def test_cmaq_o3_ppbv_converted_by_hand(row, col):
    with netCDF4.Dataset(CMAQ_O3) as nc:
        ppb = float(nc["O3_8HRMAX"][0, 0, row, col])
    grid = open_grid(CMAQ_O3)
    assert float(grid["o3"].isel(time=0, y=row, x=col)) == pytest.approx(ppb * 1.9618, rel=1e-4)
    assert float(grid["o3"].isel(time=0, y=row, x=col)) == pytest.approx(ppb * O3_PER_PPB, rel=1e-6)
    assert grid["o3"].attrs["source_units"] == "ppbV"
    assert any("24.4654" in c for c in grid.attrs["conversions"])


def test_cmaq_time_is_labelled_by_end_of_the_averaging_period():
    # SDATE 2016015 STIME 0, TSTEP 240000: the daily mean of 15 Jan 2016 ends 16 Jan 00:00
    grid = open_grid(CMAQ_PM)
    assert pd.Timestamp(grid["time"].values[0]) == pd.Timestamp("2016-01-16T00:00")
    assert grid.attrs["cycle"] == "2016-01-15T00:00:00Z"
    assert float(grid["lead_hours"][0]) == 24.0


def test_cmaq_files_of_one_grid_open_together():
    grid = open_grid([CMAQ_PM, CMAQ_O3])
    assert grid.sizes["time"] == 2 and {"pm25", "o3"} <= set(grid.data_vars)
    assert len(grid.attrs["files"]) == 2


def test_cmaq_grid_file_without_chemistry_is_a_format_error():
    with pytest.raises(FormatError, match=r"GRIDCRO2D.*no chemistry"):
        open_grid(GRIDCRO)


# --- CAMS EAC4 ------------------------------------------------------------------------------

@pytest.fixture
def cams_ml(tmp_path):
    with zipfile.ZipFile(CAMS_ZIP) as z:
        z.extractall(tmp_path)
    return tmp_path / "levtype_ml.nc", tmp_path / "levtype_sfc.nc"


@pytest.mark.parametrize("t,lat,lon", [(0, 22.75, 27.75), (5, 23.5, 27.0), (15, 22.0, 28.5)])
def test_cams_go3_unpacked_by_hand(cams_ml, t, lat, lon):
    with netCDF4.Dataset(cams_ml[0]) as nc:
        nc.set_auto_maskandscale(False)
        var = nc["go3"]
        j = int(np.flatnonzero(nc["latitude"][:] == lat)[0])
        i = int(np.flatnonzero(nc["longitude"][:] == lon)[0])
        k = int(np.flatnonzero(nc["level"][:] == 60)[0])  # level 60 = lowest of 60
        packed = int(var[t, k, j, i])
        mmr = packed * var.scale_factor + var.add_offset  # kg/kg
    grid = open_grid(cams_ml[0])
    got = float(grid["o3"].isel(time=t).sel(x=lon, y=lat))
    assert got == pytest.approx(mmr * RHO_AIR * 1e9, rel=1e-6)
    assert "level = 60" in grid.attrs["level"]
    assert np.all(np.diff(grid["y"].values) > 0)  # latitude descending in the file, ascending here


def test_cams_times_are_utc_3_hourly(cams_ml):
    grid = open_grid(cams_ml[0])
    times = pd.DatetimeIndex(grid["time"].values)
    assert times[0] == pd.Timestamp("2020-07-01T00:00")  # 1056264 h since 1900-01-01
    assert (np.diff(times) == np.timedelta64(3, "h")).all()
    assert np.isnan(grid["lead_hours"].values).all()  # an analysis: no cycle


@pytest.mark.parametrize("name", ["sfc", "column"])
def test_cams_files_without_surface_chemistry_are_format_errors(cams_ml, name):
    path = cams_ml[1] if name == "sfc" else CAMS_COLUMN
    with pytest.raises(FormatError, match=rf"{path.name}.*no chemistry"):
        open_grid(path)


# --- RAQMS 1° -------------------------------------------------------------------------------

def test_raqms_level_by_largest_pressure_and_value():
    with netCDF4.Dataset(RAQMS) as nc:
        assert nc["lat"][121] == 31.0 and nc["lon"][121] == 121.0
        ppv = float(nc["o3vmr"][0, 2, 121, 121])  # lev index 2: pdash ≈ 994 hPa, the lowest
    grid = open_grid(RAQMS)
    assert "pdash" in grid.attrs["level"] and "index 2" in grid.attrs["level"]
    assert float(grid["o3"].isel(time=0).sel(x=121.0, y=31.0)) == pytest.approx(ppv * 1e9 * O3_PER_PPB, rel=1e-6)
    assert pd.Timestamp(grid["time"].values[0]) == pd.Timestamp("2017-06-01T18:00")


def test_raqms_one_degree_cell_gives_every_district_a_value():
    with netCDF4.Dataset(RAQMS) as nc:
        c121 = float(nc["o3vmr"][0, 2, 121, 121]) * 1e9 * O3_PER_PPB  # cell 120.5-121.5 E, 30.5-31.5 N
        c120 = float(nc["o3vmr"][0, 2, 121, 120]) * 1e9 * O3_PER_PPB  # cell 119.5-120.5 E
    grid = open_grid(RAQMS)
    districts = load_districts()
    frame = district_series(grid, district_weights(grid, districts)).set_index("district")
    # Qingpu and Jiashan lie inside the 121 E cell: exactly its value
    assert frame.loc["310118", "o3"] == pytest.approx(c121, rel=1e-6)
    assert frame.loc["330421", "o3"] == pytest.approx(c121, rel=1e-6)
    # Wujiang straddles 120.5 E: geodesic areas of its two parts (pyproj.Geod, independent of ours)
    geod = Geod(ellps="WGS84")
    wj = districts.set_index("adcode").geometry["320509"]
    west = abs(geod.geometry_area_perimeter(shapely.clip_by_rect(wj, 119.5, 30.5, 120.5, 31.5))[0])
    east = abs(geod.geometry_area_perimeter(shapely.clip_by_rect(wj, 120.5, 30.5, 121.5, 31.5))[0])
    expected = (west * c120 + east * c121) / (west + east)
    assert frame.loc["320509", "o3"] == pytest.approx(expected, rel=1e-4)
    assert min(c120, c121) < frame.loc["320509", "o3"] < max(c120, c121)


# --- GEOS-CF / GEOS-Chem ----------------------------------------------------------------------

def test_geoscf_without_units_is_a_unit_error_naming_variable_and_file():
    with pytest.raises(UnitError, match=r"'o3'.*geoscf_mcx_tavg.*no units.*mapping file"):
        open_grid(GEOSCF)


def test_geoscf_with_its_mapping_file_reads_level_72():
    with netCDF4.Dataset(GEOSCF) as nc:
        k = int(np.flatnonzero(nc["lev"][:] == 72)[0])
        vmr = float(nc["o3"][0, k, 1, 1])
        lat, lon = float(nc["lat"][1]), float(nc["lon"][1])
    grid = open_grid(GEOSCF, model="geos-cf")
    assert grid.attrs["model"] == "GEOS-CF" and "lev = 72" in grid.attrs["level"]
    assert float(grid["o3"].isel(time=0).sel(x=lon, y=lat)) == pytest.approx(vmr * 1e9 * O3_PER_PPB, rel=1e-6)
    # tavg_1hr stamped 12:30 (centre of 12-13 UTC) -> hour-ending 13:00
    assert pd.Timestamp(grid["time"].values[0]) == pd.Timestamp("2023-07-15T13:00")


def test_geoschem_speciesconc_surface_is_largest_sigma():
    with netCDF4.Dataset(GEOSCHEM) as nc:
        assert nc["lev"][0] == pytest.approx(0.9925)
        vmr = float(nc["SpeciesConc_O3"][0, 0, 2, 0])
        lat, lon = float(nc["lat"][2]), float(nc["lon"][0])
    grid = open_grid(GEOSCHEM)
    assert float(grid["o3"].isel(time=0).sel(x=lon, y=lat)) == pytest.approx(vmr * 1e9 * O3_PER_PPB, rel=1e-6)
    assert "0.9925" in grid.attrs["level"]


# --- WRF (meteorology only) -------------------------------------------------------------------

def test_wrfout_without_chemistry_is_a_format_error():
    with pytest.raises(FormatError, match=r"ci_test_file\.nc.*without chemistry"):
        open_grid(WRFOUT)


def test_wrf_projection_reproduces_xlat_xlong():
    """Our WRF grid geometry (first mass point + i·DX, j·DY in the Mercator plane of MAP_PROJ=3,
    TRUELAT1, STAND_LON, R = 6370 km) lands on every one of the file's own XLAT/XLONG."""
    from pyproj import CRS, Transformer

    from forecasting.grids.wrf import wrf_crs, wrf_xy

    with netCDF4.Dataset(WRFOUT) as nc:
        attrs = {k: nc.getncattr(k) for k in nc.ncattrs()}
        xlat, xlon = nc["XLAT"][0], nc["XLONG"][0]
    x, y = wrf_xy(attrs, np.asarray(xlon, float), np.asarray(xlat, float))
    xx, yy = np.meshgrid(x, y)
    lon, lat = Transformer.from_crs(CRS(wrf_crs(attrs)), CRS("OGC:CRS84"), always_xy=True).transform(xx, yy)
    assert np.abs(lon - xlon).max() < 2e-3 and np.abs(lat - xlat).max() < 2e-3


# --- broken files -----------------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(FormatError, match=r"nope\.nc: file not found"):
        open_grid(tmp_path / "nope.nc")


def test_corrupt_and_truncated_files(tmp_path):
    bad = tmp_path / "garbage.nc"
    bad.write_bytes(b"this is not netcdf" * 10)
    with pytest.raises(FormatError, match=r"garbage\.nc: not a readable NetCDF"):
        open_grid(bad)
    cut = tmp_path / "cut.nc"
    cut.write_bytes(RAQMS.read_bytes()[:4000])
    with pytest.raises(FormatError, match=r"cut\.nc"):
        open_grid(cut)


# --- GRIDDESC and AQS sites (point extraction) ------------------------------------------------

def test_griddesc_108us2_matches_the_grid():
    lines = [line.strip() for line in (DATA / "GRIDDESC").read_text().splitlines()]
    i = lines.index("'108US2'")
    parts = lines[i + 1].split()
    assert parts[0] == "'LamCon_40N_97W'"
    xorig, yorig, xcell, ycell, ncols, nrows = map(float, parts[1:7])
    j = lines.index("'LamCon_40N_97W'")
    gdtyp, p_alp, p_bet, p_gam, xcent, ycent = map(float, lines[j + 1].split())
    grid = open_grid(CMAQ_PM)
    assert grid.sizes["x"] == ncols and grid.sizes["y"] == nrows
    assert float(grid["x"][0]) == xorig + xcell / 2 and float(grid["y"][-1]) == yorig + (nrows - 0.5) * ycell
    assert f"+lat_1={p_alp}" in grid.attrs["crs"] and f"+lon_0={p_gam}" in grid.attrs["crs"]


def snyder_lcc_forward(lon, lat, *, lat1, lat2, lat0, lon0, r=6370000.0):
    """Snyder 1987 eqs. (15-1)-(15-3), (14-1)-(14-4): spherical Lambert conformal conic."""
    p1, p2, p0, p = np.radians([lat1, lat2, lat0, lat])
    n = np.log(np.cos(p1) / np.cos(p2)) / np.log(np.tan(np.pi / 4 + p2 / 2) / np.tan(np.pi / 4 + p1 / 2))
    f = np.cos(p1) * np.tan(np.pi / 4 + p1 / 2) ** n / n
    rho = r * f / np.tan(np.pi / 4 + p / 2) ** n
    rho0 = r * f / np.tan(np.pi / 4 + p0 / 2) ** n
    theta = n * np.radians(lon - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def test_point_series_at_aqs_sites_is_bilinear_in_the_lambert_plane():
    from forecasting.districts import point_series

    with zipfile.ZipFile(DATA / "daily_88101_20160115.zip") as z:
        obs = pd.read_csv(z.open("daily_88101_20160115.csv"))
    sites = obs.drop_duplicates(["State Code", "County Code", "Site Num"]).iloc[::40]
    with netCDF4.Dataset(CMAQ_PM) as nc:
        field = np.asarray(nc["PM25_FRM"][0, 0], float)
    grid = open_grid(CMAQ_PM)
    stations = {"station": list(range(len(sites))), "lon": sites["Longitude"].tolist(),
                "lat": sites["Latitude"].tolist()}
    got = point_series(grid, stations)["pm25"].to_numpy()
    for k, (lon, lat) in enumerate(zip(sites["Longitude"], sites["Latitude"])):
        x, y = snyder_lcc_forward(lon, lat, lat1=33.0, lat2=45.0, lat0=40.0, lon0=-97.0)
        fx, fy = (x + 2412000.0) / 108000.0 - 0.5, (y + 1620000.0) / 108000.0 - 0.5
        i, j = int(np.floor(fx)), int(np.floor(fy))
        if not (0 <= i < 43 and 0 <= j < 26):  # outside the cell centres (Alaska, Hawaii ...)
            assert np.isnan(got[k])
            continue
        a, b = fx - i, fy - j
        expected = ((1 - a) * (1 - b) * field[j, i] + a * (1 - b) * field[j, i + 1]
                    + (1 - a) * b * field[j + 1, i] + a * b * field[j + 1, i + 1])
        assert got[k] == pytest.approx(expected, rel=1e-5)


def test_aqs_ozone_sites_inside_the_grid():
    from forecasting.districts import point_series

    with zipfile.ZipFile(DATA / "daily_44201_20160715.zip") as z:
        obs = pd.read_csv(z.open(z.namelist()[0]))
    sites = obs.drop_duplicates(["State Code", "County Code", "Site Num"])
    sites = sites[sites["Longitude"].between(-125, -67) & sites["Latitude"].between(25, 49)].head(20)
    frame = point_series(open_grid(CMAQ_O3), {"station": list(range(len(sites))),
                                              "lon": sites["Longitude"].tolist(), "lat": sites["Latitude"].tolist()})
    # contiguous-US sites lie inside the 108 km grid; modelled MDA8 O3 (µg/m³) in a plausible summer range
    assert len(frame) == 20  # the member is CSV text despite its .zip name
    assert frame["o3"].notna().all() and frame["o3"].between(20, 250).all()
