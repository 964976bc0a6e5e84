"""Mapping files (data/models/*.yaml|toml): a model added without code."""

import netCDF4
import numpy as np
import pandas as pd
import pytest

from forecasting.errors import FormatError, UnitError
from forecasting.grids import list_models, load_mapping, open_grid

VM = 8.314462618 * 298.15 / 101325 * 1000


def write_naqpms_like(path, *, o3_units="ppbV"):
    """A NAQPMS-like NetCDF: PM25 [ug m-3], O3 on (time, lev, lat, lon), lev 0 = surface."""
    with netCDF4.Dataset(path, "w") as nc:
        for name, n in (("time", 2), ("lev", 3), ("lat", 4), ("lon", 5)):
            nc.createDimension(name, n)
        t = nc.createVariable("time", "f8", ("time",))
        t.units = "hours since 2026-11-24 00:00:00"
        t[:] = [1, 2]
        lat = nc.createVariable("lat", "f8", ("lat",))
        lat.units = "degrees_north"
        lat[:] = [30.8, 30.9, 31.0, 31.1]
        lon = nc.createVariable("lon", "f8", ("lon",))
        lon.units = "degrees_east"
        lon[:] = [120.6, 120.7, 120.8, 120.9, 121.0]
        nc.createVariable("lev", "f8", ("lev",))[:] = [10.0, 50.0, 200.0]  # heights: no auto rule
        pm = nc.createVariable("PM25", "f4", ("time", "lev", "lat", "lon"))
        pm.units = "ug m-3"
        pm[:] = np.arange(2 * 3 * 4 * 5, dtype="f4").reshape(2, 3, 4, 5)
        o3 = nc.createVariable("O3", "f4", ("time", "lev", "lat", "lon"))
        if o3_units:
            o3.units = o3_units
        o3[:] = 40.0 + np.arange(2 * 3 * 4 * 5, dtype="f4").reshape(2, 3, 4, 5) / 10
    return path


def test_shipped_mapping_files_parse():
    assert {"geos-cf", "naqpms", "raqms", "cmaq-combine"} <= set(list_models())
    for name in list_models():
        m = load_mapping(name)
        assert m.model
    assert load_mapping("raqms").level == {"pressure_variable": "pdash"}  # the TOML one


def test_naqpms_through_its_mapping_file(tmp_path):
    path = write_naqpms_like(tmp_path / "naqpms_2026112400.nc", o3_units=None)
    with pytest.raises(FormatError, match="which lev level"):
        open_grid(path)  # PM25 is a known name, but lev (heights) has no automatic rule
    grid = open_grid(path, model="naqpms")
    assert grid.attrs["model"] == "NAQPMS" and "lev index 0" in grid.attrs["level"]
    # O3 has no units in the file; the mapping declares ppbV: 40.0 ppb at (t0, lev0, j0, i0)
    assert float(grid["o3"][0, 0, 0]) == pytest.approx(40.0 * 47.997 / VM, rel=1e-6)
    assert float(grid["pm25"][1, 2, 3]) == 60 + 2 * 5 + 3  # t1, lev0, j2, i3
    assert pd.Timestamp(grid["time"].values[0]) == pd.Timestamp("2026-11-24T01:00")


def test_mapping_file_by_path_and_toml(tmp_path):
    path = write_naqpms_like(tmp_path / "m.nc", o3_units="furlongs")
    spec = tmp_path / "local.toml"
    spec.write_text('model = "LOCAL"\nformat = "cf"\n[variables]\no3 = "O3"\n[level]\ndim = "lev"\nindex = 0\n')
    with pytest.raises(UnitError, match=r"'O3'.*m\.nc.*unknown units 'furlongs'"):
        open_grid(path, mapping=spec)


@pytest.mark.parametrize("text,match", [
    ("format: cf\n", "needs at least 'model"),
    ("model: X\nformat: grib\n", "format 'grib' unknown"),
    ("model: X\nvariables: {pm1: {name: P}}\n", "unknown pollutant"),
    ("model: X\nvariables: {o3: {units: ppb}}\n", "needs a 'name'"),
    ("model: X\ntime: {label: sometime}\n", "time.label"),
    ("model: [unclosed\n", "cannot parse"),
])
def test_bad_mapping_files(tmp_path, text, match):
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    with pytest.raises(FormatError, match=match):
        load_mapping(spec)


def test_unknown_model_name():
    with pytest.raises(FormatError, match="no mapping file for model 'nosuch'"):
        load_mapping("nosuch")


def test_ads_layout_with_forecast_reference_time_dimension(tmp_path):
    """CAMS from the new ADS: dims (forecast_reference_time=1, forecast_period, latitude, longitude),
    valid_time(forecast_reference_time, forecast_period); pm2p5 in kg m**-3."""
    path = tmp_path / "ads.nc"
    with netCDF4.Dataset(path, "w") as nc:
        for name, n in (("forecast_reference_time", 1), ("forecast_period", 3), ("latitude", 3), ("longitude", 4)):
            nc.createDimension(name, n)
        ref = nc.createVariable("forecast_reference_time", "i8", ("forecast_reference_time",))
        ref.units = "seconds since 1970-01-01"
        ref[:] = [1795996800]  # 2026-11-30T00:00Z
        fp = nc.createVariable("forecast_period", "i4", ("forecast_period",))
        fp.units = "hours"
        fp[:] = [0, 1, 2]
        vt = nc.createVariable("valid_time", "i8", ("forecast_reference_time", "forecast_period"))
        vt.units = "seconds since 1970-01-01"
        vt[:] = [[1795996800, 1796000400, 1796004000]]
        lat = nc.createVariable("latitude", "f8", ("latitude",))
        lat.units = "degrees_north"
        lat[:] = [31.4, 31.0, 30.6]
        lon = nc.createVariable("longitude", "f8", ("longitude",))
        lon.units = "degrees_east"
        lon[:] = [120.0, 120.4, 120.8, 121.2]
        pm = nc.createVariable("pm2p5", "f4", ("forecast_reference_time", "forecast_period", "latitude", "longitude"))
        pm.units = "kg m**-3"
        pm[:] = np.full((1, 3, 3, 4), 35e-9, "f4")
    grid = open_grid(path)
    assert grid.attrs["cycle"] == "2026-11-30T00:00:00Z"
    assert grid["lead_hours"].values.tolist() == [0.0, 1.0, 2.0]
    assert np.allclose(grid["pm25"].values, 35.0, rtol=1e-6)


def test_model_name_without_mapping_only_labels(tmp_path):
    path = write_naqpms_like(tmp_path / "n.nc")
    grid = open_grid(path, model="my-model", mapping=load_mapping("naqpms"))
    assert grid.attrs["model"] == "NAQPMS"
    with pytest.raises(FormatError, match="no mapping file"):
        open_grid(path, model=str(tmp_path / "missing.yaml"))


def test_unreachable_dask_scheduler_is_a_clear_error(monkeypatch, tmp_path):
    """A refused connection is a definite answer: said at once with the system's reason, not after the
    client's 10 s of retries ("Timed out trying to connect")."""
    from forecasting.errors import ValidationError

    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(ValidationError, match=r"DASK_SCHEDULER_ADDRESS=tcp://127.0.0.1:9: .*[Rr]efused"):
        open_grid(write_naqpms_like(tmp_path / "n.nc"), model="naqpms")


def test_an_edited_mapping_file_is_read_again(tmp_path):
    """Parsed files are kept per version (the arrival schedules read them for every snapshot); an
    edit is seen at once."""
    from forecasting.grids.mapping import load_mapping

    spec = tmp_path / "local.yaml"
    spec.write_text("model: LOCAL\nvariables: {o3: O3}\n")
    first = load_mapping(spec)
    assert load_mapping(spec) is first  # same version: parsed once
    spec.write_text("model: LOCAL\nvariables: {o3: OZONE, no2: NO2}\n")
    second = load_mapping(spec)
    assert second.variables["o3"]["name"] == "OZONE" and set(second.variables) == {"o3", "no2"}
    spec.write_text("model: [unclosed\n")
    with pytest.raises(FormatError, match="cannot parse"):
        load_mapping(spec)


def test_a_mapping_reads_a_files_beijing_times_as_beijing_time(tmp_path):
    """A centre that writes Beijing time without an offset ("hours since 2026-11-24 00:00:00" meaning 08:00 UTC+8)
    had its run stored 8 h late, and nothing said so. Its mapping now says `time: {zone: Asia/Shanghai}`: the
    times and the initialisation time are turned to UTC, and the conversions say so. A zone that is none is
    refused when the mapping is read."""
    path = tmp_path / "naqpms.nc"
    write_naqpms_like(path)
    (tmp_path / "bj.yaml").write_text("model: NAQPMS-BJ\nformat: cf\nvariables: {pm25: PM25, o3: O3}\n"
                                      "level: {dim: lev, index: 0}\ntime: {zone: Asia/Shanghai}\n")
    utc = open_grid([path], mapping=tmp_path / "bj.yaml")
    assert list(pd.DatetimeIndex(utc["time"].values).strftime("%Y-%m-%dT%H")) == ["2026-11-23T17", "2026-11-23T18"]
    assert any(c.startswith("times written in Asia/Shanghai local time without an offset: turned to UTC")
               for c in utc.attrs["conversions"])
    from forecasting.grids.synthetic import write_cams_forecast

    cams = write_cams_forecast(tmp_path / "cams.nc", hours=3, cycle="2026-11-24T00:00Z", seed=1)
    (tmp_path / "cams-bj.yaml").write_text("model: CAMS-BJ\nformat: cf\ntime: {zone: Asia/Shanghai}\n")
    shifted = open_grid([cams], mapping=tmp_path / "cams-bj.yaml")
    assert shifted.attrs["cycle"] == "2026-11-23T16:00:00Z"  # its forecast_reference_time, 00:00 Beijing time
    assert list(shifted["lead_hours"].values) == [1.0, 2.0, 3.0]  # leads are unchanged
    (tmp_path / "bad.yaml").write_text("model: X\ntime: {zone: Beijing}\n")
    with pytest.raises(FormatError, match="time.zone 'Beijing' is no time zone"):
        load_mapping(tmp_path / "bad.yaml")
