"""Levels, colours, texts (HJ 633 Table 1/2, Appendix A), AQI ranges, reference-state units (T35, T45-T49)."""

import math

import numpy as np
import pytest

from forecasting.aqi import (
    AQIInputError,
    RangeRules,
    aqi_range,
    level_info,
    level_of,
    levels,
    ppb_to_mass,
    sensitive_groups,
    to_reference_state,
)
from tests.aqi_data import COLOURS, LEVEL_VECTORS, UNIT_VECTORS


@pytest.mark.parametrize("aqi, level", LEVEL_VECTORS)
def test_t35_levels(aqi, level):
    assert level_of(aqi) == level
    assert level_info(aqi).level == level


def test_level_of_arrays_and_missing():
    assert level_of(np.array([0, 50, 51, 301, np.nan, -1])).tolist() == [1, 1, 2, 6, 0, 0]
    assert level_of(float("nan")) is None


@pytest.mark.parametrize("level", range(1, 7))
@pytest.mark.parametrize("edition", ["2012", "2026"])
def test_appendix_a_colours(level, edition):
    info = level_info(level=level, edition=edition)
    zh, rgb = COLOURS[level]
    assert info.category_zh == zh and info.rgb == rgb
    assert info.hex == "#{:02X}{:02X}{:02X}".format(*rgb)
    assert info.category("en") == info.category_en and info.advice("zh") == info.advice_zh


def test_colour_hex_literal():
    assert [i.hex for i in levels()] == ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"]


def test_texts_differ_by_edition():
    """2026 Table 1 renames the groups (易感人群 → 敏感人群, 青少年儿童); level 1 starts at 1 (§4.1.1)."""
    old, new = level_info(level=3, edition=2012), level_info(level=3, edition=2026)
    assert "易感人群" in old.health_effect_zh and "敏感人群" in new.health_effect_zh
    assert new.advice_zh.startswith("青少年儿童") and old.advice_zh.startswith("儿童")
    assert "避免户外活动" in level_info(level=6, edition=2012).advice_zh
    assert level_info(level=1, edition=2026).aqi_low == 1 and level_info(level=1, edition=2012).aqi_low == 0


def test_sensitive_groups_2026():
    assert "哮喘" in sensitive_groups("so2") and "cardiovascular" in sensitive_groups("co", "en")
    assert sensitive_groups("pm25_24h", "en") == sensitive_groups("pm10", "en")
    with pytest.raises(AQIInputError, match="unknown pollutant"):
        sensitive_groups("nox")


def test_level_info_errors():
    with pytest.raises(AQIInputError, match="level"):
        level_info(level=7)
    with pytest.raises(AQIInputError):
        level_info(-5)


# ------------------------------------------------------------------------------------------ ranges


def test_default_width_20_up_to_100():
    r = aqi_range(65)
    assert (r.lo, r.hi, r.width, r.text) == (55, 75, 20, "55-75")
    # T53 level part: 55-75 spans level 2 only
    assert r.levels == (2,) and r.span_zh == "良" and r.colors == ("#FFFF00",)


def test_t54_level_span_text():
    """T54 level part: 90-110 spans 良至轻度污染 (levels 2, 3)."""
    r = aqi_range(100)
    assert (r.lo, r.hi) == (90, 110) and r.levels == (2, 3)
    assert r.span("zh") == "良至轻度污染" and r.span("en") == "Good to Lightly Polluted"
    assert r.colors == ("#FFFF00", "#FF7E00")


def test_width_35_above_100():
    r = aqi_range(120)
    assert r.width == 35 and r.hi - r.lo == 35 and r.lo % 5 == 0 and r.lo <= 120 <= r.hi


def test_interval_skews_the_range():
    centred = aqi_range(120, interval=(100, 140))
    upward = aqi_range(120, interval=(110, 180))
    assert upward.lo >= centred.lo and upward.hi >= centred.hi
    assert aqi_range(interval=(60, 80)).text == "60-80"


def test_range_clipped_at_0_and_500():
    assert aqi_range(3).text == "0-20"
    assert aqi_range(495).text == "465-500"


def test_custom_rules():
    rules = RangeRules(widths=((150, 30), (math.inf, 50)), step=10, shift_off_boundaries=True)
    r = aqi_range(60, rules=rules)  # 60 - 15 = 45 → 50 on a boundary → shifted to 60
    assert (r.lo, r.hi) == (60, 90)


def test_range_errors():
    with pytest.raises(AQIInputError):
        aqi_range()
    with pytest.raises(AQIInputError):
        aqi_range(float("nan"))
    with pytest.raises(AQIInputError):
        aqi_range(50, interval=(80, 20))


# ------------------------------------------------------------------------------------------- units


@pytest.mark.parametrize("vid, species, ratio, expected, tol", UNIT_VECTORS)
def test_t45_t48_reference_state(vid, species, ratio, expected, tol):
    assert abs(ppb_to_mass(species, ratio) - expected) <= tol


def test_t48_published_co():
    from forecasting.aqi import round_concentration

    assert round_concentration("co_24h", ppb_to_mass("co", 1)) == 1.1


def test_t49_pre_2018_standard_state():
    """200 µg/m³ at 273 K → 200 × 273.15/298.15 = 183.2 µg/m³."""
    assert abs(to_reference_state(200.0, temperature=273.15) - 183.2) < 0.05
    with pytest.raises(AQIInputError):
        ppb_to_mass("pm25", 1)
