"""A model file the readers cannot use is refused in the user's language (round forty-three): these read
"run.nc: chemistry variables have no time dimension", "…: IOAPI attribute XCELL missing" and so on in English on
the Chinese data desk. Each file is written here with the one fault it is refused for."""

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecasting.errors import FormatError
from forecasting.grids import open_grid
from forecasting.grids.synthetic import write_cmaq_aconc, write_wrfchem

LAT = ("lat", np.linspace(30.8, 31.4, 5), {"units": "degrees_north", "standard_name": "latitude"})
LON = ("lon", np.linspace(120.4, 121.3, 6), {"units": "degrees_east", "standard_name": "longitude"})
PM = {"units": "ug m-3", "standard_name": "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"}


def _refusal(paths) -> FormatError:
    with pytest.raises(FormatError) as refused:
        open_grid(paths)
    assert refused.value.key, refused.value  # a translated message, not the English text
    return refused.value


def test_a_cf_file_without_time(tmp_path):
    path = tmp_path / "run.nc"
    xr.Dataset({"pm2p5": (("lat", "lon"), np.ones((5, 6)), PM)}, coords={"lat": LAT, "lon": LON}).to_netcdf(path)
    refused = _refusal(path)
    assert refused.localized("zh") == f"{path} 中的污染物变量没有时间维，不是逐时预报"


def test_time_units_without_since(tmp_path):
    path = tmp_path / "run.nc"
    ds = xr.Dataset({"pm2p5": (("time", "lat", "lon"), np.ones((2, 5, 6)), PM)},
                    coords={"time": ("time", [0, 1], {"units": "hours", "long_name": "time"}), "lat": LAT, "lon": LON})
    ds.to_netcdf(path)
    assert _refusal(path).localized("zh") == (
        f"{path} 沿维度 time 没有时间坐标：应有单位为 “hours since …” 的 time 或 valid_time，或字符数组 Times")
    ref = tmp_path / "ref.nc"
    ds = xr.Dataset({"pm2p5": (("time", "lat", "lon"), np.ones((2, 5, 6)), PM)},
                    coords={"time": pd.to_datetime(["2026-12-07T01:00", "2026-12-07T02:00"]), "lat": LAT, "lon": LON})
    ds["forecast_reference_time"] = ((), 12.0, {"units": "days"})
    ds.to_netcdf(ref)
    assert _refusal(ref).localized("zh") == (
        "时间变量 forecast_reference_time 的单位为 “days”，应为 “时间单位 since 日期”（如 hours since 2026-12-07 00:00:00）")


def test_two_cycles_in_one_file(tmp_path):
    path = tmp_path / "run.nc"
    ds = xr.Dataset({"pm2p5": (("time", "lat", "lon"), np.ones((2, 5, 6)), PM)},
                    coords={"time": pd.to_datetime(["2026-12-07T01:00", "2026-12-07T02:00"]), "lat": LAT, "lon": LON})
    ds["forecast_reference_time"] = ("time", pd.to_datetime(["2026-12-06T12:00", "2026-12-07T00:00"]))
    ds.to_netcdf(path)
    assert _refusal(path).localized("zh") == f"{path} 含多个起报时间（forecast_reference_time）；一个文件只能是一次起报"


def test_an_ioapi_file_without_its_cell_size(tmp_path):
    path = write_cmaq_aconc(tmp_path / "CCTM_ACONC.nc", nx=6, ny=5, hours=2)
    with netCDF4.Dataset(path, "a") as nc:
        nc.delncattr("XCELL")
    assert _refusal(path).localized("zh") == f"{path} 缺少 IOAPI 全局属性 XCELL"


def test_an_ioapi_projection_not_supported(tmp_path):
    path = write_cmaq_aconc(tmp_path / "CCTM_ACONC.nc", nx=6, ny=5, hours=2)
    with netCDF4.Dataset(path, "a") as nc:
        nc.GDTYP = np.int32(5)  # UTM: not among the IOAPI projections the reader supports
    assert _refusal(path).localized("zh") == "不支持 IOAPI 投影 GDTYP=5（支持 1 经纬度、2 兰伯特、6 极射赤面、7 墨卡托）"


def test_a_wrf_file_without_its_grid_spacing(tmp_path):
    path = write_wrfchem(tmp_path / "wrfout_d01_2026-11-24_00:00:00", nx=6, ny=5, hours=2)
    with netCDF4.Dataset(path, "a") as nc:
        nc.delncattr("DX")
    assert _refusal(path).localized("zh") == f"{path} 缺少 WRF 全局属性 DX"


def test_files_of_two_domains_in_one_upload(tmp_path):
    a = write_cmaq_aconc(tmp_path / "a.nc", nx=6, ny=5, hours=2, species=("pm25",))
    b = write_cmaq_aconc(tmp_path / "b.nc", nx=7, ny=5, hours=2, species=("o3",))
    assert _refusal([a, b]).localized("zh") == "b.nc 的网格与 a.nc 不同；一次只能上传同一次起报、同一区域的文件"


def test_a_variable_with_two_extra_dimensions(tmp_path):
    path = tmp_path / "run.nc"
    ds = xr.Dataset({"pm2p5": (("time", "member", "lev", "lat", "lon"), np.ones((2, 2, 3, 5, 6)), PM)},
                    coords={"time": pd.to_datetime(["2026-12-07T01:00", "2026-12-07T02:00"]), "lat": LAT, "lon": LON})
    ds.to_netcdf(path)
    assert _refusal(path).localized("zh") == (
        "变量 pm2p5 有多个额外维度（member、lev）；请在模式映射文件中指明哪一个是垂直层（level: {dim: …}）")
