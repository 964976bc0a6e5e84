"""Files written by forecasting.grids.synthetic in the WRF-Chem, CMAQ ACONC and CAMS layouts,
read back: values (conversions by hand), hour-ending UTC times, lead_hours, units, laziness."""

import netCDF4
import numpy as np
import pandas as pd
import pytest

from forecasting.districts import district_series, district_weights
from forecasting.grids import open_grid
from forecasting.grids.synthetic import (
    lambert_grid,
    synthetic_field,
    write_cams_forecast,
    write_cmaq_aconc,
    write_wrfchem,
)

VM = 8.314462618 * 298.15 / 101325 * 1000  # 24.4654 L/mol
CYCLE = pd.Timestamp("2026-11-24T00:00")


def _km(nx, ny):
    _, x, y, _, _ = lambert_grid(nx, ny)
    return np.meshgrid((x - x.mean()) / 1000, (y - y.mean()) / 1000)


def test_wrfchem_round_trip(tmp_path):
    path = write_wrfchem(tmp_path / "wrfout_d01_2026-11-24_00:00:00", nx=12, ny=10, hours=4, seed=3, bias=1.2)
    grid = open_grid(path)
    assert grid.attrs["format"] == "wrf" and grid.attrs["level"].startswith("bottom_top 0")
    assert grid.attrs["cycle"] == "2026-11-24T00:00:00Z"
    assert pd.DatetimeIndex(grid["time"].values).tolist() == [CYCLE + pd.Timedelta(hours=h) for h in (1, 2, 3, 4)]
    assert grid["lead_hours"].values.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert grid["pm25"].chunks is not None  # lazy
    with netCDF4.Dataset(path) as nc:
        o3_ppmv = float(nc["o3"][2, 0, 4, 7])
        co_ppmv = float(nc["co"][2, 0, 4, 7])
        pm = float(nc["PM2_5_DRY"][2, 0, 4, 7])
        assert nc["o3"].units == "ppmv" and nc["PM2_5_DRY"].units == "ug m^-3"
        assert np.allclose(nc["o3"][2, 1], nc["o3"][2, 0] * 0.8, rtol=1e-6)  # level 1 is not the surface
    assert float(grid["o3"][2, 4, 7]) == pytest.approx(o3_ppmv * 1000 * 47.997 / VM, rel=1e-6)
    assert float(grid["co"][2, 4, 7]) == pytest.approx(co_ppmv * 28.010 / VM, rel=1e-6)  # mg/m³
    assert float(grid["pm25"][2, 4, 7]) == pytest.approx(pm, rel=1e-6)
    xkm, ykm = _km(12, 10)
    recipe = synthetic_field("o3", CYCLE + pd.Timedelta(hours=3), 3, xkm, ykm, seed=3, step=2, bias=1.2)
    assert np.allclose(grid["o3"][2].values, recipe, rtol=1e-5)
    assert grid["co"].attrs["units"] == "mg/m³" and grid["o3"].attrs["units"] == "µg/m³"
    # predictors
    assert float(grid["ws"][0, 0, 0]) == pytest.approx(np.hypot(3.0, 1.0), rel=1e-6)
    assert 0 <= float(grid["wd"].min()) and float(grid["wd"].max()) < 360
    assert 0 <= float(grid["rh"].min()) <= float(grid["rh"].max()) <= 100


def test_wrf_wind_direction_is_earth_relative(tmp_path):
    """wd from grid-relative U10=3, V10=1 m/s, checked against the azimuth of the grid's x axis
    measured independently on the ellipsoid (pyproj.Geod between two neighbouring cells)."""
    from pyproj import Geod

    path = write_wrfchem(tmp_path / "wrfout_d01", nx=12, ny=10, hours=1)
    grid = open_grid(path)
    j, i = 5, 8
    lon0, lat0 = float(grid["lon"][j, i]), float(grid["lat"][j, i])
    lon1, lat1 = float(grid["lon"][j, i + 1]), float(grid["lat"][j, i + 1])
    az_east = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[0]  # azimuth of grid +x [deg from north]
    toward = az_east - np.degrees(np.arctan2(1.0, 3.0))  # grid +y is 90° anticlockwise of +x
    expected = (toward + 180.0) % 360.0  # meteorological: direction the wind comes from
    assert float(grid["wd"][0, j, i]) == pytest.approx(expected, abs=0.05)


def test_cmaq_aconc_round_trip(tmp_path):
    path = write_cmaq_aconc(tmp_path / "CCTM_ACONC_20261124.nc", nx=40, ny=26, hours=5, seed=1)
    with netCDF4.Dataset(path) as nc:
        assert nc["TFLAG"][0, 0].tolist() == [2026328, 0]  # 24 Nov = day 328; the hour 00-01 UTC
        o3_ppmv = float(nc["O3"][4, 0, 3, 5])
        so2_ppmv = float(nc["SO2"][4, 0, 3, 5])
        assert nc["O3"].units.strip() == "ppmV" and len(nc["O3"].units) == 16
    grid = open_grid(path)
    assert grid.attrs["format"] == "ioapi" and grid.attrs["model"] == "CMAQ"
    times = pd.DatetimeIndex(grid["time"].values)
    assert times[0] == CYCLE + pd.Timedelta(hours=1)  # hour-ending label of the first average
    assert grid["lead_hours"].values.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert float(grid["o3"][4, 3, 5]) == pytest.approx(o3_ppmv * 1000 * 1.9618, rel=1e-4)
    assert float(grid["so2"][4, 3, 5]) == pytest.approx(so2_ppmv * 1000 * 64.058 / VM, rel=1e-6)
    xkm, ykm = _km(40, 26)
    recipe = synthetic_field("pm25", times[4], 5, xkm, ykm, seed=1, step=4)
    assert np.allclose(grid["pm25"][4].values, recipe, rtol=1e-6)
    frame = district_series(grid, district_weights(grid))
    assert frame["pm25"].notna().all() and set(frame["district"]) == {"310118", "320509", "330421"}


def test_cams_forecast_round_trip(tmp_path):
    path = write_cams_forecast(tmp_path / "cams.nc", nx=40, ny=24, hours=3, species=("pm25", "o3"))
    with netCDF4.Dataset(path) as nc:
        nc.set_auto_maskandscale(False)
        v = nc["pm2p5"]
        assert v.dtype == np.int16 and v.units == "kg m**-3"
        lat = nc["latitude"][:]
        packed = int(v[1, 0, 3])  # first row in the file = northernmost latitude
        kg = packed * v.scale_factor + v.add_offset
    grid = open_grid(path)
    assert np.all(np.diff(grid["y"].values) > 0)
    assert float(grid["pm25"].isel(time=1).sel(y=lat[0]).isel(x=3)) == pytest.approx(kg * 1e9, rel=1e-6)
    assert grid.attrs["cycle"] == "2026-11-24T00:00:00Z"
    assert grid["lead_hours"].values.tolist() == [1.0, 2.0, 3.0]
    assert grid["pm25"].attrs["source_units"] == "kg m**-3"
    frame = district_series(grid, district_weights(grid))
    assert frame["o3"].between(10, 400).all()


def test_distributed_scheduler_is_used_when_configured(tmp_path, monkeypatch):
    from dask.distributed import LocalCluster

    import forecasting.grids._common as common

    path = write_cmaq_aconc(tmp_path / "ACONC.nc", nx=10, ny=8, hours=2)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        try:
            grid = open_grid(path)
            assert common._CLIENT is not None and common._CLIENT.scheduler.address == cluster.scheduler_address
            value = float(grid["o3"].mean().compute())
        finally:
            if common._CLIENT is not None:
                common._CLIENT.close()
                common._CLIENT = None
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    assert value == pytest.approx(float(open_grid(path)["o3"].mean()), rel=1e-9)
