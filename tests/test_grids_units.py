"""Unit conversions against spec/china-aqi.md §5 (values from the spec's table, not our code)."""

import numpy as np
import pytest

from forecasting.errors import UnitError
from forecasting.grids import AIR_DENSITY, MOLAR_VOLUME, conversion_factor

# spec/china-aqi.md §5: µg/m³ per ppb at 25 °C, 1013.25 hPa (CO: mg/m³ per ppm)
SPEC_TABLE = {"o3": 1.9618, "no2": 1.8804, "so2": 2.6183, "co": 1.1449}


def test_molar_volume_and_air_density():
    assert MOLAR_VOLUME == pytest.approx(24.4654, abs=1e-4)
    # 101325 Pa × 0.0289647 kg/mol / (8.314462618 × 298.15) = 1.18390 kg/m³
    assert AIR_DENSITY == pytest.approx(1.18390, abs=1e-5)


@pytest.mark.parametrize("pollutant", ["o3", "no2", "so2"])
@pytest.mark.parametrize("units,per_ppb", [("ppbV", 1.0), ("ppbv            ", 1.0), ("ppb", 1.0),
                                           ("ppmV", 1e3), ("ppmv", 1e3), ("ppv", 1e9),
                                           ("mol mol-1", 1e9), ("mol mol-1 dry", 1e9), ("nmol mol-1", 1.0),
                                           # typeset and spelt out (they were "unknown units"): the same units
                                           ("mol mol⁻¹", 1e9), ("mole mole-1", 1e9), ("mol/mol dry air", 1e9),
                                           ("nmol·mol⁻¹", 1.0)])
def test_gas_mixing_ratios(pollutant, units, per_ppb):
    factor, text = conversion_factor(pollutant, units, variable="X", file="f.nc")
    assert factor == pytest.approx(SPEC_TABLE[pollutant] * per_ppb, rel=2e-5)
    assert "24.4654" in text


def test_co_goes_to_mg_per_m3():
    assert conversion_factor("co", "ppmv", variable="co", file="f")[0] == pytest.approx(1.1449, rel=5e-5)
    assert conversion_factor("co", "ppbV", variable="CO", file="f")[0] == pytest.approx(1.1449e-3, rel=5e-5)
    assert conversion_factor("co", "ug m-3", variable="co", file="f")[0] == pytest.approx(1e-3)


@pytest.mark.parametrize("units,factor", [("ug m-3", 1.0), ("ug m^-3", 1.0), ("µg/m³", 1.0), ("ug/m3", 1.0),
                                          ("kg m**-3", 1e9), ("kg m-3", 1e9), ("mg m-3", 1e3),
                                          # typeset (they were "unknown units"): the same units
                                          ("µg m⁻³", 1.0), ("μg·m⁻³", 1.0), ("ug.m-3", 1.0), ("mg⋅m⁻³", 1e3)])
def test_particulate_mass_densities(units, factor):
    assert conversion_factor("pm25", units, variable="p", file="f")[0] == pytest.approx(factor)


def test_mass_mixing_ratio_uses_reference_dry_air_density():
    # 1e-9 kg/kg of O3 × 1.18390 kg/m³ = 1.18390e-9 kg/m³ = 1.18390 µg/m³
    assert conversion_factor("o3", "kg kg**-1", variable="go3", file="f")[0] * 1e-9 == pytest.approx(1.18390, 1e-5)
    # equivalently X = w·M_air/M_O3 then X·M/Vm: the molar mass cancels
    w = 1e-9
    x = w * 28.9647 / 47.997
    assert x * 1e9 * 47.997 / 24.4654 == pytest.approx(
        conversion_factor("o3", "kg kg-1", variable="go3", file="f")[0] * w, rel=1e-5)


def test_missing_units_is_an_error_naming_variable_file_and_fix():
    with pytest.raises(UnitError, match=r"'o3'.*model\.nc.*no units.*mapping file"):
        conversion_factor("o3", None, variable="o3", file="model.nc")
    with pytest.raises(UnitError, match="no units"):
        conversion_factor("o3", "   ", variable="o3", file="model.nc")


def test_unknown_units_is_an_error():
    with pytest.raises(UnitError, match=r"'O3'.*a\.nc.*unknown units 'DU'"):
        conversion_factor("o3", "DU", variable="O3", file="a.nc")


def test_mixing_ratio_of_particulates_is_impossible():
    with pytest.raises(UnitError, match="impossible for particulate"):
        conversion_factor("pm25", "ppbV", variable="PM25", file="a.nc")


def test_unit_error_is_value_error():
    with pytest.raises(ValueError):
        conversion_factor("o3", "furlongs", variable="O3", file="a.nc")
    assert np.isfinite(conversion_factor("so2", "pptv", variable="s", file="f")[0])


def test_unit_error_translates():
    with pytest.raises(UnitError) as info:
        conversion_factor("o3", None, variable="o3", file="geoscf.nc")
    assert "o3" in info.value.localized("zh") and "geoscf.nc" in info.value.localized("zh")
    assert "declare" in info.value.localized("en")
