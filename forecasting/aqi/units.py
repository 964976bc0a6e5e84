"""Gas concentrations at the reference state required by GB 3095-2026 (input side of the AQI).

GB 3095-2026 §3.14/§4.3 (and the GB 3095-2012 amendment of 2018, in force 2018-09-01): SO2, NO2,
CO and O3 are reported at the reference state 298.15 K, 1013.25 hPa; particulates at ambient
conditions (no conversion). Before 2018-09-01 gases were at the standard state 273.15 K, 101.325 kPa.
The grid readers convert model units at the border; these helpers are the reference formulas.
"""

from __future__ import annotations

import numpy as np

from forecasting.aqi.tables import AQIInputError
from forecasting.constants import MOLAR_MASS, MOLAR_VOLUME

__all__ = ["MOLAR_MASS", "MOLAR_VOLUME_REFERENCE", "ppb_to_mass", "to_reference_state"]

#: Molar volume at the reference state 298.15 K, 101 325 Pa [L/mol] (= 24.4654).
MOLAR_VOLUME_REFERENCE = MOLAR_VOLUME


def ppb_to_mass(pollutant: str, mixing_ratio):
    """Mass concentration at the reference state from a mixing ratio (GB 3095-2026 §4.3).

    ``C = X · M / Vm`` with Vm = 24.4654 L/mol: ppb gives µg/m³, and for CO a value in ppm gives
    mg/m³. The model's local temperature and pressure are deliberately not used: a mixing ratio does
    not depend on them, and the standard fixes the state.

    Parameters
    ----------
    pollutant : {"o3", "no2", "so2", "co"}
    mixing_ratio : float or array_like
        Mixing ratio [ppb; CO ppm].

    Returns
    -------
    Concentration [µg/m³; CO mg/m³].

    Examples
    --------
    NO₂ (M = 46.0055 g/mol) at 298.15 K, 1013.25 hPa (Vm = 24.4654 L/mol): 10 ppb × 46.0055 / 24.4654:

    >>> round(ppb_to_mass("no2", 10.0), 2)
    18.8
    """
    if pollutant not in MOLAR_MASS:
        raise AQIInputError(f"no molar mass for {pollutant!r}: expected one of {', '.join(MOLAR_MASS)}",
                            key="aqi.error.indicator", value=str(pollutant))
    return np.asarray(mixing_ratio, dtype=np.float64) * (MOLAR_MASS[pollutant] / MOLAR_VOLUME_REFERENCE) \
        if np.ndim(mixing_ratio) else float(mixing_ratio) * MOLAR_MASS[pollutant] / MOLAR_VOLUME_REFERENCE


def to_reference_state(conc, *, temperature: float = 273.15):
    """A gas mass concentration re-expressed at the reference temperature 298.15 K.

    At equal pressure mass concentration scales as 1/T, so a value at ``temperature`` (pre-2018
    standard state: 273.15 K) is multiplied by ``temperature / 298.15`` (0.91615 from 273.15 K).

    Parameters
    ----------
    conc : float or array_like
        Concentration at ``temperature`` [µg/m³; CO mg/m³].
    temperature : float
        Temperature of the state the value refers to [K].

    Examples
    --------
    100 µg/m³ at 273.15 K is 100 × 273.15 / 298.15 at 298.15 K:

    >>> round(to_reference_state(100.0), 2)
    91.61
    """
    if not temperature > 0:
        raise AQIInputError(f"temperature must be > 0 K, got {temperature!r}", key="aqi.error.value",
                            value=str(temperature))
    factor = temperature / 298.15
    return np.asarray(conc, dtype=np.float64) * factor if np.ndim(conc) else float(conc) * factor
