"""Physical constants and the reference state, one table for the whole package.

GB 3095-2026 §3.14: gases are reported at 298.15 K and 1013.25 hPa (spec ``china-aqi.md`` §5).
Used by the grid readers' unit conversions and by the AQI engine's reference-state helpers.
"""

#: Molar masses [g/mol] from the IUPAC standard atomic weights (O 15.999, N 14.007, S 32.06, C 12.011).
MOLAR_MASS = {"o3": 47.997, "no2": 46.005, "so2": 64.058, "co": 28.010}
R = 8.314462618  #: molar gas constant [J/(mol K)] (CODATA 2018, exact)
T_REF = 298.15  #: reference temperature [K] (GB 3095-2026 §3.14)
P_REF = 101325.0  #: reference pressure [Pa]
#: Molar volume at the reference state [L/mol] = R·T/p = 24.4654.
MOLAR_VOLUME = R * T_REF / P_REF * 1000.0
#: Molar mass of dry air [g/mol] (U.S. Standard Atmosphere 1976).
M_AIR = 28.9647
