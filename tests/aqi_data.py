"""Test data for the AQI engine, copied from the standards (not from our code).

Breakpoint tables: HJ 633-2012 Table 1 and HJ 633-2026 Table 3, as reproduced in the project spec
(china-aqi.md §1.2). Test vectors T1-T51: spec §6, each with the derivation written beside it.
"""

from fractions import Fraction
import math

IAQI_ROWS = (0, 50, 100, 150, 200, 300, 400, 500)

# Table columns, transcribed independently of forecasting/aqi/tables.py.
TABLE_2012 = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 160, 215, 265, 800),
    "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}
TABLE_2026 = {
    **TABLE_2012,
    "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
    "pm25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
    "pm10_1h": (0, 50, 120, 250, 350, 420, 500, 600),
    "pm25_1h": (0, 35, 60, 115, 150, 250, 350, 500),
}
TABLES = {"HJ 633-2012": TABLE_2012, "HJ 633-2026": TABLE_2026}

#: Unit of the last kept digit (GB/T 8170 rounding: integers, CO to 0.1 mg/m³).
def unit(indicator):
    return Fraction(1, 10) if indicator.startswith("co_") else Fraction(1)


def reference_iaqi(table, indicator, conc):
    """Eq. (1) in exact rational arithmetic, rounded up (HJ 633 §4.2.4/§4.2.6); conc already rounded."""
    bps = table[indicator]
    c = Fraction(conc)
    for k in range(len(bps) - 1):
        lo, hi = Fraction(bps[k]), Fraction(bps[k + 1])
        if lo <= c <= hi:
            return math.ceil(IAQI_ROWS[k] + Fraction(IAQI_ROWS[k + 1] - IAQI_ROWS[k]) * (c - lo) / (hi - lo))
    raise ValueError("above table")


# (id, edition, indicator, concentration, expected IAQI): single-indicator vectors of spec §6.
IAQI_VECTORS = [
    ("T1", "2012", "pm25_24h", 35, 50),          # breakpoint 35 → 50
    ("T2", "2012", "pm25_24h", 36, 52),          # 50 + 50·1/40 = 51.25 → 52
    ("T3", "2012", "pm25_24h", 75, 100),         # breakpoint
    ("T4", "2012", "pm25_24h", 76, 102),         # 100 + 50·1/40 = 101.25 → 102
    ("T5", "2012", "pm25_24h", 100, 132),        # 100 + 50·25/40 = 131.25 → 132
    ("T6", "2012", "pm10_24h", 151, 101),        # 100 + 50·1/100 = 100.5 → 101
    ("T7", "2012", "so2_24h", 600, 170),         # 150 + 50·125/325 = 169.23 → 170
    ("T8", "2012", "no2_24h", 60, 75),           # 50 + 50·20/40
    ("T9", "2012", "co_24h", 2.5, 63),           # 50 + 50·0.5/2 = 62.5 → 63
    ("T10", "2012", "co_24h", 1.4, 35),          # 50·1.4/2 = 35
    ("T11", "2012", "co_24h", 2.2, 55),          # 50 + 50·0.2/2 = 55 exactly (float gives 56)
    ("T11", "2026", "co_24h", 2.2, 55),
    ("T12", "2012", "co_1h", 7.5, 75),           # 50 + 50·2.5/5
    ("T13", "2012", "o3_8h", 137, 81),           # 50 + 50·37/60 = 80.83 → 81
    ("T13", "2026", "o3_8h", 137, 81),
    ("T14", "2012", "o3_1h", 180, 75),           # 50 + 50·20/40
    ("T14", "2026", "o3_1h", 180, 75),
    ("T15", "2012", "no2_1h", 250, 105),         # 100 + 50·50/500
    ("T15", "2026", "no2_1h", 250, 105),
    ("T17", "2026", "so2_1h", 900, 200),         # Table 3 note b
    ("T19", "2026", "o3_8h", 900, 300),          # Table 3 note c
    ("T20", "2026", "pm25_24h", 60, 100),
    ("T20", "2012", "pm25_24h", 60, 82),         # 50 + 50·25/40 = 81.25 → 82
    ("T21", "2026", "pm25_24h", 75, 114),        # 100 + 50·15/55 = 113.64 → 114
    ("T21", "2012", "pm25_24h", 75, 100),
    ("T22", "2026", "pm25_24h", 50, 80),         # 50 + 50·15/25 = 80
    ("T22", "2012", "pm25_24h", 50, 69),         # 68.75 → 69
    ("T23", "2026", "pm10_24h", 150, 112),       # 100 + 50·30/130 = 111.54 → 112
    ("T23", "2012", "pm10_24h", 150, 100),
    ("T24", "2026", "pm25_1h", 100, 137),        # daily table: 100 + 50·40/55 = 136.36 → 137
    ("T25", "2026", "pm25_24h", 74.5, 113),      # rounds to 74: 100 + 50·14/55 = 112.73 → 113
    ("T26", "2026", "pm25_24h", 75.5, 115),      # rounds to 76: 114.55 → 115
    ("T27", "2012", "pm25_24h", 35.5, 52),       # rounds to 36 → 52
    ("T28", "2026", "co_24h", 2.25, 55),         # rounds to 2.2 → 55
    ("T51", "2012", "pm25_24h", 70, 94),         # 50 + 50·35/40 = 93.75 → 94
    ("T51", "2026", "pm25_24h", 70, 110),        # 100 + 50·10/55 = 109.09 → 110
    # spec §1.4: float ceiling trap for CO 1 h
    ("S1.4", "2026", "co_1h", 65.4, 218),        # 200 + 100·5.4/30 = 218 exactly
]

# Spec §4.2: vectors of aqi-hub recomputed by the spec author against HJ 633-2026 Table 3.
IAQI_VECTORS += [
    (f"S4.2-{ind}", "2026", ind, c, v)
    for ind, pairs in {
        "pm25_24h": [(0, 0), (35, 50), (60, 100), (75, 114), (115, 150), (150, 200), (250, 300), (350, 400),
                     (500, 500), (600, 500)],
        "pm25_1h": [(75, 114), (600, 500)],
        "pm10_24h": [(0, 0), (50, 50), (120, 100), (150, 112), (250, 150), (350, 200), (420, 300), (500, 400),
                     (600, 500)],
        # The spec's line "SO2 24h: 150→50, 500→100, 650→150" contradicts Table 3 (SO2 24 h 150 → 100);
        # those three look like SO2 1-h breakpoints and are left out. The rest agrees with Table 3.
        "so2_24h": [(800, 200), (1600, 300), (2100, 400), (2620, 500), (3000, 500)],
        "so2_1h": [(150, 50), (500, 100), (650, 150), (800, 200), (1600, 200), (2100, 200), (2620, 200),
                   (3000, 200)],
        "no2_24h": [(40, 50), (80, 100), (180, 150), (280, 200), (565, 300), (750, 400), (940, 500), (1000, 500)],
        "no2_1h": [(100, 50), (200, 100), (700, 150), (1200, 200), (2340, 300), (3090, 400), (3840, 500),
                   (4000, 500)],
        "co_24h": [(2, 50), (4, 100), (14, 150), (24, 200), (36, 300), (48, 400), (60, 500), (100, 500)],
    }.items()
    for c, v in pairs
]

# Spec §4.2 all-at-breakpoint and hourly vectors: (edition, kind, indicators, AQI)
ALL_AT_BREAKPOINT = [
    ("2026", "hourly", dict(pm25_1h=35, pm10_1h=50, so2_1h=150, no2_1h=100, co_1h=5, o3_1h=160), 50),
    ("2026", "daily", dict(pm25_24h=35, pm10_24h=50, so2_24h=50, no2_24h=40, co_24h=2, o3_8h=100), 50),
    # 250 → 300, 350 → 200, 650 → 150, 700 → 150, 35 → 150, 300 → 150
    ("2026", "hourly", dict(pm25_1h=250, pm10_1h=350, so2_1h=650, no2_1h=700, co_1h=35, o3_1h=300), 300),
    ("2026", "hourly", dict(pm25_1h=10, pm10_1h=10, so2_1h=801, no2_1h=10, co_1h=0.1, o3_1h=10), 200),
]

# Rounding vectors (GB/T 8170, spec §1.4): (indicator, reported, rounded)
ROUNDING_VECTORS = [
    ("pm25_24h", 74.5, 74), ("pm25_24h", 75.5, 76), ("pm25_24h", 35.5, 36), ("pm25_24h", 74.4, 74),
    ("pm25_24h", 74.6, 75), ("pm25_24h", 74.51, 75), ("pm25_24h", 0.5, 0), ("pm25_24h", 1.5, 2),
    ("co_24h", 2.25, 2.2), ("co_24h", 2.35, 2.4), ("co_24h", 1.15, 1.2), ("co_24h", 1.05, 1.0),
    ("co_24h", 0.25, 0.2), ("co_24h", 2.251, 2.3), ("co_24h", 1.1449, 1.1),  # T48 published as 1.1
    ("o3_8h", 100.4999999999999, 100), ("o3_8h", 160.50000000000003, 160),  # float noise of a decimal half
]

# Multi-indicator AQI vectors: (id, edition, kind, indicators, expected dict)
AQI_VECTORS = [
    # T29: IAQIs 107/85/10/57/25/67/47 → AQI 107, level 3, orange, primary and exceedance PM2.5
    ("T29", "2012", "daily",
     dict(pm25_24h=80, pm10_24h=120, so2_24h=10, no2_24h=45, co_24h=1.0, o3_8h=120, o3_1h=150),
     dict(aqi=107, level=3, category_zh="轻度污染", color="#FF7E00", primary=("pm25_24h",),
          exceedance=("pm25_24h",),
          iaqi=dict(pm25_24h=107, pm10_24h=85, so2_24h=10, no2_24h=57, co_24h=25, o3_8h=67, o3_1h=47))),
    # T30: IAQIs 96/65/8/38/20/92 → AQI 96 良 yellow, primary PM2.5; O3 1 h ignored in 2026 daily
    ("T30", "2026", "daily",
     dict(pm25_24h=58, pm10_24h=70, so2_24h=8, no2_24h=30, co_24h=0.8, o3_8h=150, o3_1h=250),
     dict(aqi=96, level=2, category_zh="良", color="#FFFF00", primary=("pm25_24h",), exceedance=None,
          iaqi=dict(pm25_24h=96, pm10_24h=65, so2_24h=8, no2_24h=38, co_24h=20, o3_8h=92))),
    # T31: 101.25 and 101.5 both round up to 102 → tie
    ("T31", "2012", "daily",
     dict(pm25_24h=76, pm10_24h=153, so2_24h=5, no2_24h=10, co_24h=0.5, o3_8h=50, o3_1h=60),
     dict(aqi=102, level=3, primary=("pm25_24h", "pm10_24h"), exceedance=("pm25_24h", "pm10_24h"))),
    # T32: 110.91 and 110.38 both round up to 111 → tie
    ("T32", "2026", "daily",
     dict(pm25_24h=72, pm10_24h=147, so2_24h=5, no2_24h=10, co_24h=0.5, o3_8h=50),
     dict(aqi=111, level=3, primary=("pm25_24h", "pm10_24h"))),
    # T33: all sub-indices ≤ 50, max 50 → AQI 50, level 1, no primary
    ("T33", "2012", "daily",
     dict(pm25_24h=35, pm10_24h=50, so2_24h=50, no2_24h=40, co_24h=2, o3_8h=100, o3_1h=160),
     dict(aqi=50, level=1, category_zh="优", primary=())),
    ("T33", "2026", "daily",
     dict(pm25_24h=35, pm10_24h=50, so2_24h=50, no2_24h=40, co_24h=2, o3_8h=100),
     dict(aqi=50, level=1, category_zh="优", primary=())),
    # T34: O3 8 h 101 → 50.83 → 51, level 2, primary O3
    ("T34", "2012", "daily",
     dict(pm25_24h=10, pm10_24h=10, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=101, o3_1h=100),
     dict(aqi=51, level=2, category_zh="良", primary=("o3_8h",))),
    ("T34", "2026", "daily",
     dict(pm25_24h=10, pm10_24h=10, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=101),
     dict(aqi=51, level=2, category_zh="良", primary=("o3_8h",))),
    # T34 note: NO2 24 h 41 gives 51.25 → 52
    ("T34b", "2026", "daily",
     dict(pm25_24h=10, pm10_24h=10, so2_24h=10, no2_24h=41, co_24h=0.5, o3_8h=50),
     dict(aqi=52, level=2, primary=("no2_24h",))),
    # T36: PM10 IAQI exactly 100 is not an exceedance pollutant (needs > 100)
    ("T36", "2012", "daily",
     dict(pm25_24h=10, pm10_24h=150, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=50, o3_1h=60),
     dict(aqi=100, level=2, primary=("pm10_24h",), exceedance=())),
    # T16: 2012 real-time SO2 1 h > 800 → SO2 IAQI from 24 h: 100 + 50·150/325 = 123.08 → 124
    ("T16", "2012", "hourly",
     dict(so2_1h=900, so2_24h=300, no2_1h=50, co_1h=1.0, o3_1h=50, o3_8h=50, pm25_24h=20, pm10_24h=30),
     dict(aqi=124, level=3, primary=("so2_24h",), iaqi=dict(so2_24h=124), no_iaqi=("so2_1h",))),
    # T17: 2026 real-time SO2 1 h 900 → 200 (note b)
    ("T17", "2026", "hourly",
     dict(so2_1h=900, no2_1h=50, co_1h=1.0, o3_1h=50, pm25_1h=20, pm10_1h=30),
     dict(aqi=200, level=4, primary=("so2_1h",), iaqi=dict(so2_1h=200))),
    # T18: 2012 daily O3 8 h 850 → use 1 h 900: 300 + 100·100/200 = 350
    ("T18", "2012", "daily",
     dict(pm25_24h=10, pm10_24h=10, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=850, o3_1h=900),
     dict(aqi=350, level=6, primary=("o3_1h",), iaqi=dict(o3_1h=350), no_iaqi=("o3_8h",))),
    # T19: 2026 daily O3 MDA8 900 → 300 (note c); O3 1 h ignored
    ("T19", "2026", "daily",
     dict(pm25_24h=10, pm10_24h=10, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=900, o3_1h=1100),
     dict(aqi=300, level=5, primary=("o3_8h",), iaqi=dict(o3_8h=300), no_iaqi=("o3_1h",))),
    # T43: PM2.5 missing, others give 130 (PM10 198: 100 + 50·78/130 = 130) → published
    ("T43", "2026", "daily",
     dict(pm10_24h=198, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=50),
     dict(aqi=130, level=3, primary=("pm10_24h",), missing=("pm25_24h",))),
    # T44: PM2.5 missing, others give 80 (O3 8 h 136: 50 + 50·36/60 = 80) → AQI, level, primary NA
    ("T44", "2026", "daily",
     dict(pm25_24h=None, pm10_24h=40, so2_24h=10, no2_24h=10, co_24h=0.5, o3_8h=136),
     dict(aqi=None, level=None, category_zh=None, color=None, primary=(), missing=("pm25_24h",),
          aqi_computed=80, iaqi=dict(pm10_24h=40, so2_24h=10, no2_24h=13, co_24h=13, o3_8h=80))),
    # T4 / T21 levels
    ("T4", "2012", "daily", dict(pm25_24h=76), dict(aqi=102, level=3, category_zh="轻度污染", primary=("pm25_24h",))),
    ("T21", "2026", "daily", dict(pm25_24h=75), dict(aqi=114, level=3, category_zh="轻度污染", primary=("pm25_24h",))),
]

# T35: AQI → level (inclusive upper bounds 50/100/150/200/300)
LEVEL_VECTORS = [(0, 1), (1, 1), (50, 1), (51, 2), (100, 2), (101, 3), (150, 3), (151, 4), (200, 4),
                 (201, 5), (300, 5), (301, 6), (500, 6)]

# Appendix A Table A.1: level → (category zh, RGB)
COLOURS = {1: ("优", (0, 228, 0)), 2: ("良", (255, 255, 0)), 3: ("轻度污染", (255, 126, 0)),
           4: ("中度污染", (255, 0, 0)), 5: ("重度污染", (153, 0, 76)), 6: ("严重污染", (126, 0, 35))}

# T45-T49: units (spec §5), expected as given in the spec to its printed precision
UNIT_VECTORS = [
    ("T45", "o3", 100, 196.2, 0.05),
    ("T46", "no2", 50, 94.0, 0.05),
    ("T47", "so2", 10, 26.2, 0.05),
    ("T48", "co", 1, 1.1449, 0.00005),
]
