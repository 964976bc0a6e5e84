"""Physically plausible ranges of surface concentrations, checked at every border (ingest, import,
forecast entry, API).

Upper bounds are generous multiples of the highest hourly values reported at Chinese monitoring
stations (PM₂.₅ about 1,000 µg/m³ in the January 2013 North China haze; PM₁₀ above 9,000 µg/m³
during the March 2021 dust storm; O₃, NO₂ and SO₂ a few hundred µg/m³; CO a few tens of mg/m³):
a value above them is a unit or file error, not air. Below zero is impossible. A field whose
typical magnitude is far below a microgram (e.g. 1e-8 labelled µg/m³) is a mislabelled unit
(kg/m³ or a mixing ratio), flagged with :data:`TINY_MEDIAN`.
"""

from __future__ import annotations

__all__ = ["PLAUSIBLE_MAX", "TINY_MEDIAN", "plausible_max"]

#: Largest plausible hourly concentration [µg/m³; CO mg/m³].
PLAUSIBLE_MAX = {"pm25": 3_000.0, "pm10": 20_000.0, "o3": 2_000.0, "no2": 3_000.0, "so2": 10_000.0, "co": 150.0}

#: A median of the positive values below this [µg/m³; CO mg/m³] means the unit label is wrong.
TINY_MEDIAN = {"pm25": 1e-3, "pm10": 1e-3, "o3": 1e-3, "no2": 1e-4, "so2": 1e-4, "co": 1e-5}


def plausible_max(variable: str) -> float | None:
    """The bound for ``variable`` (``None`` for a variable without one, e.g. meteorology).

    Examples
    --------
    >>> plausible_max("pm25")
    3000.0
    >>> plausible_max("t2") is None
    True
    """
    return PLAUSIBLE_MAX.get(variable)
