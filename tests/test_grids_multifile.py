"""Several files of one run: species in separate files, consecutive files sharing an hour, a file given twice."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from forecasting.errors import FormatError
from forecasting.grids import open_grid
from forecasting.grids.synthetic import write_cams_forecast

SPECIES = ("pm25", "pm10", "o3", "no2", "so2", "co")


@pytest.fixture
def whole(tmp_path):
    return write_cams_forecast(tmp_path / "whole.nc", hours=12, species=SPECIES, cycle="2026-11-24T00:00Z", seed=2)


def _subset(src, dst, **isel_or_vars):
    with xr.open_dataset(src, mask_and_scale=False, decode_times=False) as ds:
        part = ds[isel_or_vars["variables"]] if "variables" in isel_or_vars else ds.isel(valid_time=isel_or_vars["time"])
        part.to_netcdf(dst)
    return dst


def _values(grid):
    return {v: np.asarray(grid[v].values, float) for v in grid.data_vars}


def test_species_in_separate_files_make_one_grid(whole, tmp_path):
    """Particles and gases in two files of the same hours: they were stacked along time, every hour twice and half
    of each copy empty (ingest said "2160 of 4320 values are missing")."""
    keep = ["forecast_reference_time", "forecast_period"]
    particles = _subset(whole, tmp_path / "pm.nc", variables=["pm2p5", "pm10", *keep])
    gases = _subset(whole, tmp_path / "gas.nc", variables=["go3", "no2", "so2", "co", *keep])
    grid, ref = open_grid([particles, gases]), open_grid([whole])
    assert list(grid["time"].values) == list(ref["time"].values)  # 12 hours, once each
    assert set(grid.data_vars) == set(SPECIES)
    for v, a in _values(ref).items():
        assert np.array_equal(np.asarray(grid[v].values, float), a, equal_nan=True), v
    assert grid.attrs["files"] == [str(particles), str(gases)]


def test_consecutive_files_sharing_an_hour_keep_it_once(whole, tmp_path):
    """CMAQ writes 25 steps a day: a day's last hour is the next file's first. Stacked, that hour was there twice
    and the database refused the run ("UNIQUE constraint failed")."""
    first = _subset(whole, tmp_path / "a.nc", time=slice(0, 7))    # leads 1..7
    second = _subset(whole, tmp_path / "b.nc", time=slice(6, 12))  # leads 7..12
    grid, ref = open_grid([first, second]), open_grid([whole])
    assert list(grid["time"].values) == list(ref["time"].values)
    for v, a in _values(ref).items():
        assert np.array_equal(np.asarray(grid[v].values, float), a, equal_nan=True), v


def test_a_file_given_twice_or_two_runs_hours_are_refused_by_name(whole, tmp_path):
    keep = ["forecast_reference_time", "forecast_period"]
    particles = _subset(whole, tmp_path / "pm.nc", variables=["pm2p5", "pm10", *keep])
    again = _subset(whole, tmp_path / "pm_copy.nc", variables=["pm2p5", "pm10", *keep])
    with pytest.raises(FormatError) as twice:
        open_grid([particles, again])
    assert twice.value.localized("zh") == "pm.nc 与 pm_copy.nc 含有同一时次的 pm25：同一次起报的每个文件只需上传一次"
    other = write_cams_forecast(tmp_path / "other.nc", hours=12, species=SPECIES, cycle="2026-11-24T00:00Z", seed=9)
    with pytest.raises(FormatError) as differ:
        open_grid([_subset(whole, tmp_path / "a.nc", time=slice(0, 7)),
                   _subset(other, tmp_path / "b.nc", time=slice(6, 12))])
    assert differ.value.localized("zh") == "多个文件给出 2026-11-24T07:00:00Z 的 pm25 且数值不同：请只上传同一次起报的文件"
