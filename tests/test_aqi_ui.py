"""AQI display components: HTML built from constants only, and a smoke run under AppTest."""

import re

from streamlit.testing.v1 import AppTest

from forecasting.aqi import aqi_from_indicators, aqi_range
from ui.aqi import badge_html, iaqi_frame, legend_html, range_badge_html
from patience import PATIENCE_S


def test_badge_colour_and_category():
    assert "#FF7E00" in badge_html(107, lang="zh") and "轻度污染" in badge_html(107)
    assert "Lightly Polluted" in badge_html(107, lang="en")
    assert "NA" in badge_html(None)


def test_legend_and_range():
    legend = legend_html(lang="en")
    for colour in ("#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"):
        assert colour in legend
    # HJ 633-2026 Table 1 starts level 1 at 1, HJ 633-2012 Table 2 at 0; written with the pages' dash
    assert "&gt;300" in legend and "1–50 Excellent" in legend and "0–50" not in legend
    assert "0–50 Excellent" in legend_html(edition="HJ 633-2012", lang="en")
    html = range_badge_html(aqi_range(100), lang="zh")
    assert "良" in html and "轻度污染" in html
    # the numbers never break; "AQI" may stand above them in a narrow day card ("AQI 105–125" ran past the
    # border of one of seven cards at 1440 px)
    assert 'AQI <span style="white-space:nowrap">90–110</span>' in html
    # the badges' text reads as words (a tour copied "良轻度污染" and "ExcellentGood")
    assert re.sub(r"<[^>]+>", "", html) == "AQI 90–110 良 轻度污染"
    assert "Excellent Good" in re.sub(r"<[^>]+>", "", range_badge_html(aqi_range(50), lang="en"))


def test_iaqi_frame():
    r = aqi_from_indicators({"pm25_24h": 76, "pm10_24h": 153}, edition=2012)
    df = iaqi_frame(r, lang="en")
    assert df["IAQI"].tolist()[:2] == [102, 102]
    assert df["Primary pollutant"].tolist()[:2] == ["✓", "✓"]


def _page():
    from forecasting.aqi import aqi_from_indicators, aqi_range
    from ui.aqi import aqi_legend, aqi_range_badge, iaqi_table

    iaqi_table(aqi_from_indicators({"pm25_24h": 80, "pm10_24h": 120}, edition=2026), lang="en")
    aqi_range_badge(aqi_range(100), lang="en")
    aqi_legend(lang="zh")


def test_components_render():
    at = AppTest.from_function(_page).run(timeout=PATIENCE_S)
    assert not at.exception
    assert len(at.dataframe) == 1


def test_translation_keys_used_by_aqi_exist():
    """Every ``aqi.*`` key raised by forecasting.aqi or shown by ui/aqi.py has a (zh, en) pair."""
    import re
    from pathlib import Path

    from forecasting.i18n import table

    root = Path(__file__).resolve().parents[1]
    sources = [*sorted((root / "forecasting" / "aqi").glob("*.py")), root / "ui" / "aqi.py"]
    keys = set()
    for path in sources:
        keys |= set(re.findall(r"""(?:key=|t\()["'](aqi\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert keys, "no keys found"
    missing = sorted(k for k in keys if k not in table())
    assert not missing
    en = {k: v[1] for k, v in table().items() if k.startswith("aqi.")}
    assert all(en.values())
