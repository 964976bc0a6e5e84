"""Unit parsing and conversion of model output to canonical concentrations.

Canonical units (DESIGN.md): µg/m³ for ``pm25 pm10 o3 no2 so2``, mg/m³ for ``co``; gases at the
reference state 298.15 K, 1013.25 hPa (GB 3095-2026 §3.14, §4.3; spec/china-aqi.md §5).

Conversions
-----------
* Volume (mole) mixing ratio X [mol/mol] of a gas: ``C = X · M / Vm`` with the fixed molar volume
  ``Vm = R·298.15/101325 = 24.4654 L/mol`` (spec/china-aqi.md §5; not the model's local T and P).
* Mass mixing ratio w [kg/kg]: ``C = w · ρ_air`` with the dry-air density at the reference state,
  ``ρ_air = p·M_air/(R·T) = 101325 × 0.0289647 / (8.314462618 × 298.15) = 1.18391 kg/m³``
  (equivalently ``X = w·M_air/M`` then the line above). Applied to particulate mass mixing
  ratios too (an approximation: particulates are reported at ambient conditions).
* Mass density [kg/m³, g/m³, µg/m³ ...]: a change of prefix only, no state correction.

Molar masses from IUPAC standard atomic weights (O 15.999, N 14.007, S 32.06, C 12.011).
"""

from __future__ import annotations

import re

from forecasting.constants import M_AIR, MOLAR_MASS, MOLAR_VOLUME, P_REF, R, T_REF  # noqa: F401 (re-exported)
from forecasting.errors import UnitError
from forecasting.vocab import POLLUTANT_UNITS, POLLUTANTS  # the one vocabulary, re-exported

__all__ = [
    "POLLUTANTS",
    "CANONICAL_UNITS",
    "MOLAR_MASS",
    "MOLAR_VOLUME",
    "AIR_DENSITY",
    "M_AIR",
    "conversion_factor",
    "unit_kind",
]

CANONICAL_UNITS = POLLUTANT_UNITS

#: Molar masses [g/mol] (IUPAC standard atomic weights; spec/china-aqi.md §5 table).
#: Dry-air density at the reference state [kg/m³] = p·M_air/(R·T) ≈ 1.18391.
AIR_DENSITY = P_REF * M_AIR / 1000.0 / (R * T_REF)

# unit string (normalised) -> (kind, factor to the base of that kind)
# kinds: "density" base kg/m3; "vmr" base mol/mol; "mmr" base kg/kg
_UNITS: dict[str, tuple[str, float]] = {}


#: Superscript digits and minus as typeset units write them ("m⁻³") read as plain ones ("m-3"); a middle dot
#: for the product ("μg·m⁻³") is dropped.
_TYPESET = str.maketrans("⁻¹²³", "-123", "·⋅")


def _add(kind: str, factor: float, *names: str) -> None:
    for n in names:
        _UNITS[n] = (kind, factor)


_add("density", 1.0, "kgm-3", "kg/m3")
_add("density", 1e-3, "gm-3", "g/m3")
_add("density", 1e-6, "mgm-3", "mg/m3")
_add("density", 1e-9, "ugm-3", "ug/m3", "µgm-3", "µg/m3", "μgm-3", "μg/m3", "microgram/m3", "microgramsm-3")
_add("density", 1e-12, "ngm-3", "ng/m3")
_add("vmr", 1.0, "ppv", "mol/mol", "molmol-1", "v/v", "vv-1", "molmol-1dry", "mol/moldry", "molmol-1dryair",
     "mol/moldryair")
_add("vmr", 1e-6, "ppmv", "ppm", "umol/mol", "umolmol-1", "µmolmol-1", "ppmvdry")
_add("vmr", 1e-9, "ppbv", "ppb", "nmol/mol", "nmolmol-1", "ppbvdry")
_add("vmr", 1e-12, "pptv", "ppt", "pmol/mol", "pmolmol-1")
_add("mmr", 1.0, "kgkg-1", "kg/kg", "kgkg-1dry", "kg/kgdry")
_add("mmr", 1e-3, "gkg-1", "g/kg")
_add("mmr", 1e-9, "ugkg-1", "ug/kg", "µgkg-1", "ugkg-1dryair", "ug/kg-dryair", "ugkg-1-dryair")


def _normalise(units: str) -> str:
    # superscripts as typeset units write them ("µg m⁻³", "mol mol⁻¹"), a middle dot or a full stop for the
    # product ("μg·m⁻³", "ug.m-3"), "mole" for "mol": the same units, not unknown ones
    u = units.strip().lower().replace("**", "").replace("^", "").translate(_TYPESET)
    u = u.replace("micrograms", "ug").replace("microgram", "ug").replace("μ", "µ").replace("mole", "mol")
    u = u.replace("_", "").replace(" ", "")
    u = re.sub(r"(?<=[a-zµ])\.(?=[a-z])", "", u)
    u = re.sub(r"\(.*?\)", "", u)
    return u


def unit_kind(units: str) -> tuple[str, float] | None:
    """``(kind, factor)`` of a unit string, kind one of ``density`` [kg/m³], ``vmr`` [mol/mol],
    ``mmr`` [kg/kg]; ``None`` when the string is not recognised."""
    if units is None:
        return None
    return _UNITS.get(_normalise(str(units)))


def _how_to(variable: str, pollutant: str) -> str:
    return (
        f"declare it in a model mapping file (data/models/NAME.yaml): "
        f"variables: {{{pollutant}: {{name: {variable}, units: \"{'ug m-3' if pollutant.startswith('pm') else 'ppbV'}\"}}}} "
        f"(or \"ug m-3\", \"kg kg-1\", \"mol mol-1\" ...) and pass --model NAME"
    )


def conversion_factor(pollutant: str, units, *, variable: str, file: str) -> tuple[float, str]:
    """Factor turning values in ``units`` into the canonical unit of ``pollutant``.

    Parameters
    ----------
    pollutant : str
        One of :data:`POLLUTANTS`.
    units : str or None
        The file's ``units`` attribute (space padding, ``**``/``^`` exponents accepted).
    variable, file : str
        Names used in the error message.

    Returns
    -------
    factor : float
        Multiply the file's values by this to get µg/m³ (CO: mg/m³) at the reference state.
    description : str
        The conversion applied, for the grid's ``conversions`` attribute.

    Examples
    --------
    1 ppb of O3 is M/Vm µg/m³ at 25 °C and 1013.25 hPa: 47.997 / 24.4654 ≈ 1.9618; 1 ppm of
    CO is 28.010 / 24.4654 ≈ 1.1449 mg/m³:

    >>> round(conversion_factor("o3", "ppbV", variable="O3", file="f.nc")[0], 4)
    1.9618
    >>> round(conversion_factor("co", "ppmV", variable="CO", file="f.nc")[0], 4)
    1.1449
    >>> conversion_factor("pm25", "ug m-3", variable="PM25", file="f.nc")[0]
    1.0

    Raises
    ------
    UnitError
        Units missing, unknown, or impossible for the pollutant (a mixing ratio of PM).
    """
    canon = CANONICAL_UNITS[pollutant]
    if units is None or not str(units).strip():
        raise UnitError(
            f"variable {variable!r} ({pollutant}) in {file} has no units attribute; "
            f"we never guess units: {_how_to(variable, pollutant)}",
            key="grids.unit_missing", variable=variable, file=file,
        )
    kind = unit_kind(units)
    if kind is None:
        raise UnitError(
            f"variable {variable!r} ({pollutant}) in {file} has unknown units {str(units).strip()!r}; "
            f"expected a mass density (ug m-3, kg m-3), a mole fraction (ppbV, ppmV, ppv, mol mol-1) "
            f"or a mass mixing ratio (kg kg-1): {_how_to(variable, pollutant)}",
            key="grids.unit_unknown", variable=variable, file=file, units=str(units).strip(),
        )
    name, base = kind
    per_kg_m3 = 1e6 if pollutant == "co" else 1e9  # canonical units in one kg/m3
    src = str(units).strip()
    if name == "density":
        factor = base * per_kg_m3
        return factor, f"{pollutant}: {variable} [{src}] x {factor:g} -> {canon} (mass density, no state correction)"
    if name == "vmr":
        if pollutant not in MOLAR_MASS:
            raise UnitError(
                f"variable {variable!r} ({pollutant}) in {file} is a mole fraction ({src}), which is "
                f"impossible for particulate matter; expected a mass density such as ug m-3",
                key="grids.unit_impossible", variable=variable, file=file, units=src,
            )
        # C [kg/m3] = X [mol/mol] * M [g/mol] / Vm [L/mol]  (g/L == kg/m3)
        factor = base * MOLAR_MASS[pollutant] / MOLAR_VOLUME * per_kg_m3
        return factor, (
            f"{pollutant}: {variable} [{src}] x {factor:.6g} -> {canon} "
            f"(mole fraction x M={MOLAR_MASS[pollutant]} g/mol / Vm={MOLAR_VOLUME:.4f} L/mol, 298.15 K 1013.25 hPa)"
        )
    factor = base * AIR_DENSITY * per_kg_m3
    return factor, (
        f"{pollutant}: {variable} [{src}] x {factor:.6g} -> {canon} "
        f"(mass mixing ratio x dry-air density {AIR_DENSITY:.5f} kg/m3 at 298.15 K 1013.25 hPa, M_air={M_AIR})"
    )
