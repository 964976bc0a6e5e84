"""Wind direction is averaged as a vector (issue #13): district means and derived predictors."""

import math

import numpy as np
import pytest
import xarray as xr

from forecasting.districts import district_series, district_weights, mean_wind, wind_components
from grids_data import make_grid, squares_frame


def test_350_and_10_degrees_average_to_north():
    """Two northerlies of equal speed, 350° and 10°: the mean is 0° (a numeric mean says 180°);
    the vector-mean speed is 5·cos(10°) = 4.924 m/s."""
    ws, wd = mean_wind([5.0, 5.0], [350.0, 10.0])
    assert min(float(wd), 360 - float(wd)) == pytest.approx(0.0, abs=1e-9)
    assert float(ws) == pytest.approx(5 * math.cos(math.radians(10)), rel=1e-12)
    # directions alone (no speed): unit vectors; sin 350° + sin 10° cancel, leaving
    # atan(sin 20° / (2 cos 10° + cos 20°)) = 6.705°
    _, wd = mean_wind(None, [350.0, 10.0, 20.0])
    r = math.radians
    assert float(wd) == pytest.approx(math.degrees(math.atan(math.sin(r(20)) / (2 * math.cos(r(10)) + math.cos(r(20))))))
    assert float(wd) == pytest.approx(6.705, abs=1e-3)


def test_components_follow_the_meteorological_convention():
    u, v = wind_components([10.0, 10.0], [0.0, 270.0])  # a northerly blows south; a westerly blows east
    np.testing.assert_allclose(u, [0.0, 10.0], atol=1e-12)
    np.testing.assert_allclose(v, [-10.0, 0.0], atol=1e-12)


def test_district_mean_of_wind_is_a_vector_mean():
    """District B of the 3×3 fixture: cells (1,1) 1/9, (1,2) 2/9, (2,1) 2/9, (2,2) 4/9 (grids_data).
    Column 1 blows from 350°, column 2 from 10°, 5 m/s everywhere: weights 3/9 and 6/9, so
    u = −5·sin 10°·(2/3 − 1/3), v = −5·cos 10° → direction atan(tan 10°/3) = 3.3637°, speed
    5·sqrt(cos²10° + sin²10°/9) = 4.9327 m/s (a numeric mean would give 123.3°)."""
    wd = np.array([[0.0, 350.0, 10.0]] * 3)
    grid = xr.merge([make_grid(values=wd, name="wd"), make_grid(values=np.full((3, 3), 5.0), name="ws")],
                    combine_attrs="override", compat="override")
    got = district_series(grid, district_weights(grid, squares_frame(["B"]), cache=False)).iloc[0]
    s10, c10 = math.sin(math.radians(10)), math.cos(math.radians(10))
    assert got["wd"] == pytest.approx(math.degrees(math.atan(math.tan(math.radians(10)) / 3)), abs=1e-9)
    assert got["wd"] == pytest.approx(3.3637, abs=1e-4)
    assert got["ws"] == pytest.approx(5 * math.sqrt(c10**2 + (s10 / 3) ** 2), rel=1e-12)
