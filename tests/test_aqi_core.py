"""IAQI/AQI against the standards' tables and the spec's test vectors (HJ 633-2012, HJ 633-2026)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.aqi import (
    BREAKPOINTS,
    USED_INDICATORS,
    EDITION_2012,
    EDITION_2026,
    AQIInputError,
    aqi_arrays,
    aqi_from_indicators,
    edition_for,
    iaqi,
    level_of,
    normalize_edition,
    round_concentration,
)
from forecasting.errors import ValidationError
from tests.aqi_data import (
    ALL_AT_BREAKPOINT,
    AQI_VECTORS,
    IAQI_ROWS,
    IAQI_VECTORS,
    ROUNDING_VECTORS,
    TABLES,
    reference_iaqi,
    unit,
)


@pytest.mark.parametrize("vid, edition, indicator, conc, expected", IAQI_VECTORS,
                         ids=[f"{v[0]}-{v[1]}-{v[2]}-{v[3]}" for v in IAQI_VECTORS])
def test_iaqi_vectors(vid, edition, indicator, conc, expected):
    assert iaqi(indicator, conc, edition=edition) == expected
    # the same through the vectorised path
    assert iaqi(indicator, np.array([conc]), edition=edition)[0] == expected


@pytest.mark.parametrize("indicator, reported, rounded", ROUNDING_VECTORS)
def test_gbt8170_rounding(indicator, reported, rounded):
    assert round_concentration(indicator, reported) == rounded
    assert round_concentration(indicator, np.array([reported]))[0] == rounded


def test_rounding_is_applied_before_iaqi_t25_t27_t28():
    """Regression: aqi-hub gives 114 for PM2.5 74.5 (no GB/T 8170 rounding); python-aqi truncates 35.5."""
    assert iaqi("pm25_24h", 74.5, edition=2026) == 113
    assert iaqi("pm25_24h", 35.5, edition=2012) == 52
    assert iaqi("co_24h", 2.25, edition=2026) == 55


@pytest.mark.parametrize("vid, edition, kind, values, expected", AQI_VECTORS,
                         ids=[f"{v[0]}-{v[1]}" for v in AQI_VECTORS])
def test_aqi_vectors(vid, edition, kind, values, expected):
    r = aqi_from_indicators(values, edition=edition, kind=kind)
    assert r.edition == normalize_edition(edition)
    assert r.aqi == expected["aqi"]
    assert r.level == expected["level"]
    if "category_zh" in expected:
        assert r.category_zh == expected["category_zh"]
    if "color" in expected:
        assert r.color == expected["color"]
    assert set(r.primary_pollutants) == set(expected["primary"])
    if "exceedance" in expected:
        exp = expected["exceedance"]
        assert (r.exceedance_pollutants is None) if exp is None else set(r.exceedance_pollutants) == set(exp)
    if "iaqi" in expected:  # full vectors list every IAQI; special-rule vectors list the one that matters
        assert {k: r.iaqi.get(k) for k in expected["iaqi"]} == expected["iaqi"]
        if len(expected["iaqi"]) > 1:
            assert r.iaqi == expected["iaqi"]
    for k in expected.get("no_iaqi", ()):
        assert k not in r.iaqi
    if "missing" in expected:
        assert set(r.missing) == set(expected["missing"])
    if "aqi_computed" in expected:
        assert r.aqi_computed == expected["aqi_computed"]


@pytest.mark.parametrize("edition, kind, values, expected", ALL_AT_BREAKPOINT)
def test_spec_4_2_combined_vectors(edition, kind, values, expected):
    assert aqi_from_indicators(values, edition=edition, kind=kind).aqi == expected


def test_iaqi_keeps_xarray_and_pandas_labels():
    import pandas as pd
    import xarray as xr

    da = xr.DataArray([35.0, 76.0], dims="district", coords={"district": ["310118", "320509"]})
    out = iaqi("pm25_24h", da, edition=2012)
    assert out.dims == ("district",) and out.sel(district="320509").item() == 102
    s = pd.Series([35.0, 76.0], index=["a", "b"])
    assert iaqi("pm25_24h", s, edition=2012)["b"] == 102


def test_t30_o3_1h_ignored_in_2026_daily():
    """Including O3 1 h (IAQI 125) in the 2026 daily report would wrongly give AQI 125."""
    r = aqi_from_indicators(dict(pm25_24h=58, pm10_24h=70, so2_24h=8, no2_24h=30, co_24h=0.8, o3_8h=150,
                                 o3_1h=250), edition=2026)
    assert "o3_1h" not in r.iaqi and r.aqi == 96
    assert r.concentrations["o3_1h"] == 250


def test_2012_hourly_pm_1h_has_no_subindex():
    r = aqi_from_indicators(dict(pm25_1h=300, pm25_24h=50, pm10_24h=50), edition=2012, kind="hourly")
    assert "pm25_1h" not in r.iaqi and r.concentrations["pm25_1h"] == 300
    with pytest.raises(AQIInputError, match="no sub-index"):
        iaqi("pm25_1h", 10, edition=2012)


def test_2012_so2_1h_above_800_without_24h_value_is_missing():
    r = aqi_from_indicators(dict(so2_1h=900, no2_1h=50, co_1h=1, o3_1h=50, o3_8h=50, pm25_24h=20,
                                 pm10_24h=30), edition=2012, kind="hourly")
    assert "so2_24h" in r.missing and r.aqi is None and r.aqi_computed == 30
    assert iaqi("so2_1h", 900, edition=2012) is None
    assert iaqi("o3_8h", 850, edition=2012) is None


# ---------------------------------------------------------------- tables: both sides of every breakpoint


def test_breakpoint_tables_match_the_standard():
    for edition, table in TABLES.items():
        assert BREAKPOINTS[edition] == table


def _breakpoint_cases():
    for edition, table in TABLES.items():
        for indicator, bps in table.items():
            u = unit(indicator)
            for k, b in enumerate(bps):
                yield edition, indicator, Fraction(b), IAQI_ROWS[k]            # on the breakpoint
                if k > 0:
                    below = Fraction(b) - u
                    yield edition, indicator, below, reference_iaqi(table, indicator, below)
                if k < len(bps) - 1:
                    above = Fraction(b) + u
                    yield edition, indicator, above, reference_iaqi(table, indicator, above)


BREAKPOINT_CASES = list(_breakpoint_cases())


@pytest.mark.parametrize("edition, indicator, conc, expected", BREAKPOINT_CASES,
                         ids=[f"{e[-4:]}-{i}-{float(c):g}" for e, i, c, _ in BREAKPOINT_CASES])
def test_both_sides_of_every_breakpoint(edition, indicator, conc, expected):
    assert iaqi(indicator, float(conc), edition=edition) == expected


@pytest.mark.parametrize("edition", ["2012", "2026"])
def test_whole_tables_exact_against_rational_reference(edition):
    """Every rounded concentration from 0 to the top of every table (catches the float-ceiling trap)."""
    table = TABLES[normalize_edition(edition)]
    for indicator, bps in table.items():
        u = unit(indicator)
        n = int(bps[-1] / u)
        concs = np.arange(n + 1) / (10 if u != 1 else 1)
        got = iaqi(indicator, concs, edition=edition)
        exp = [reference_iaqi(table, indicator, Fraction(i) * u) for i in range(n + 1)]
        assert got.tolist() == exp, indicator


@pytest.mark.parametrize("edition, indicator, conc", [
    ("2012", "pm25_24h", 501), ("2026", "pm25_24h", 600), ("2026", "pm10_24h", 601), ("2012", "co_24h", 60.1),
    ("2026", "no2_1h", 4000), ("2026", "o3_1h", 1201), ("2012", "so2_24h", 3000), ("2026", "pm25_1h", 700),
])
def test_above_the_table_gives_500_and_a_flag(edition, indicator, conc):
    assert iaqi(indicator, conc, edition=edition) == 500
    kind = "daily" if indicator in USED_INDICATORS[(normalize_edition(edition), "daily")] else "hourly"
    r = aqi_from_indicators({indicator: conc}, edition=edition, kind=kind)
    assert r.above_range == (indicator,) and r.aqi == 500 and r.level == 6


def test_top_breakpoint_rounding_is_not_above_range():
    """500.4 rounds to 500, inside the table."""
    r = aqi_from_indicators({"pm25_24h": 500.4}, edition=2026)
    assert r.aqi == 500 and r.above_range == ()


@pytest.mark.parametrize("bad", [float("nan"), -1.0, -0.01, float("inf"), None])
def test_nan_negative_infinite_are_missing(bad):
    assert iaqi("pm25_24h", bad if bad is not None else float("nan"), edition=2026) is None
    r = aqi_from_indicators({"pm25_24h": bad, "pm10_24h": 30}, edition=2026)
    assert "pm25_24h" in r.missing and "pm25_24h" not in r.concentrations
    arr = iaqi("pm25_24h", np.array([bad if bad is not None else np.nan, 35.0]), edition=2026)
    assert np.isnan(arr[0]) and arr[1] == 50


def test_nothing_given_gives_no_aqi():
    r = aqi_from_indicators({}, edition=2026)
    assert r.aqi is None and r.level is None and len(r.missing) == 6


def test_all_zero_gives_aqi_zero_level_1():
    r = aqi_from_indicators(dict(pm25_24h=0, pm10_24h=0, so2_24h=0, no2_24h=0, co_24h=0, o3_8h=0), edition=2026)
    assert r.aqi == 0 and r.level == 1 and r.primary_pollutants == ()


def test_errors_are_domain_errors():
    with pytest.raises(ValidationError, match="unknown AQI indicator 'pm2.5'"):
        iaqi("pm2.5", 10, edition=2026)
    with pytest.raises(AQIInputError, match="unknown AQI edition"):
        iaqi("pm25_24h", 10, edition="2019")
    with pytest.raises(AQIInputError, match="edition .* or a target date"):
        iaqi("pm25_24h", 10)
    with pytest.raises(AQIInputError, match="unknown kind"):
        aqi_from_indicators({"pm25_24h": 1}, edition=2026, kind="weekly")
    with pytest.raises(AQIInputError, match="expected a number"):
        aqi_from_indicators({"pm25_24h": "abc"}, edition=2026)


@pytest.mark.parametrize("day, edition", [("2026-02-28", EDITION_2012), ("2026-03-01", EDITION_2026),
                                          ("2016-01-01", EDITION_2012), ("2031-01-01", EDITION_2026)])
def test_edition_by_target_date_t51(day, edition):
    assert edition_for(day) == edition


def test_t51_same_concentration_two_editions():
    a = aqi_from_indicators({"pm25_24h": 70}, date="2026-02-28")
    b = aqi_from_indicators({"pm25_24h": 70}, date="2026-03-01")
    assert (a.edition, a.aqi_computed) == (EDITION_2012, 94)
    assert (b.edition, b.aqi, b.category_zh) == (EDITION_2026, 110, "轻度污染")


def test_edition_for_aware_datetime_uses_beijing_date():
    import datetime as dt

    t = dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.timezone.utc)  # 2026-03-01 00:30 Beijing
    assert edition_for(t) == EDITION_2026


@pytest.mark.parametrize("spelling", ["2026", 2026, "HJ 633-2026", "hj633-2026", "HJ633-2026"])
def test_edition_spellings(spelling):
    assert normalize_edition(spelling) == EDITION_2026


def test_aqi_arrays_grid_shapes_and_sentinels():
    res = aqi_arrays({"pm25_24h": np.array([[35.0, 76.0], [np.nan, 600.0]]), "pm10_24h": 10.0},
                     edition=2012, kind="daily")
    assert res.aqi.dtype == np.int16 and res.aqi.shape == (2, 2)
    # missing indicators (so2, no2, co, o3) → only > 100 is published
    assert res.aqi.tolist() == [[-1, 102], [-1, 500]]
    assert res.aqi_computed.tolist() == [[50, 102], [10, 500]]
    assert res.level.tolist() == [[0, 3], [0, 6]]
    assert res.above_range["pm25_24h"].tolist() == [[False, False], [False, True]]
    assert res.primary["pm25_24h"].tolist() == [[False, True], [False, True]]


# ------------------------------------------------------------------------------------- properties

_EDITIONS = st.sampled_from([EDITION_2012, EDITION_2026])


@st.composite
def _indicator_and_edition(draw):
    ed = draw(_EDITIONS)
    ind = draw(st.sampled_from(sorted(TABLES[ed])))
    return ed, ind


@settings(max_examples=60, deadline=None)
@given(_indicator_and_edition(), st.lists(st.floats(0, 5000, allow_nan=False), min_size=2, max_size=40))
def test_property_iaqi_non_decreasing(ed_ind, concs):
    ed, ind = ed_ind
    if ed == EDITION_2012 and ind in ("so2_1h", "o3_8h"):
        concs = [min(c, 800) for c in concs]  # above 800 there is no 2012 sub-index
    concs = np.sort(np.asarray(concs))
    got = iaqi(ind, concs, edition=ed)
    assert np.all(np.diff(got) >= 0)


@settings(max_examples=60, deadline=None)
@given(_indicator_and_edition(), st.data())
def test_property_continuous_at_breakpoints(ed_ind, data):
    """One rounding unit either side of a breakpoint moves the IAQI by at most the steeper slope, + 1."""
    ed, ind = ed_ind
    bps = TABLES[ed][ind]
    k = data.draw(st.integers(1, len(bps) - 2))
    u = float(unit(ind))
    b = bps[k]
    at = iaqi(ind, b, edition=ed)
    assert at == IAQI_ROWS[k]
    slope = max((IAQI_ROWS[j + 1] - IAQI_ROWS[j]) / (bps[j + 1] - bps[j]) for j in (k - 1, k))
    for c in (b - u, b + u):
        assert abs(iaqi(ind, c, edition=ed) - at) <= slope * u + 1


@settings(max_examples=60, deadline=None)
@given(_EDITIONS, st.sampled_from(["daily", "hourly"]), st.lists(st.floats(0, 900), min_size=7, max_size=7))
def test_property_level_consistent_with_aqi(ed, kind, concs):
    values = dict(zip(USED_INDICATORS[(ed, kind)], concs))
    r = aqi_from_indicators(values, edition=ed, kind=kind)
    if r.aqi is None:  # 2012 SO2 1 h > 800 without a 24-h value: §5.3.1 applies
        assert r.missing == ("so2_24h",) and r.aqi_computed <= 100 and r.level is None
        return
    assert r.aqi == max(r.iaqi.values())
    bounds = {1: (0, 50), 2: (51, 100), 3: (101, 150), 4: (151, 200), 5: (201, 300), 6: (301, 500)}
    lo, hi = bounds[r.level]
    assert lo <= r.aqi <= hi and level_of(r.aqi) == r.level
    assert (r.aqi > 50) == bool(r.primary_pollutants)
    assert all(r.iaqi[k] == r.aqi for k in r.primary_pollutants)
