"""The report's one-page layout helpers (issue #17): analysis once per district, the zone headline,
the short text carrying page 1, the zone map; and the meteogram's drawing order."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd


def _day(day, lo, hi, llo, lhi, primary=("pm25",)):
    from forecasting.aqi import level_info

    cells = [{"level": k, "hex": level_info(level=k).hex, "category_zh": level_info(level=k).category_zh}
             for k in range(llo, lhi + 1)]
    return {"target_date": day, "aqi_lo": lo, "aqi_hi": hi, "level_lo": llo, "level_hi": lhi, "levels": cells,
            "category_zh": "良" if (llo, lhi) == (2, 2) else "良至轻度污染", "category_en": "",
            "primary": list(primary), "primary_label": "PM2.5", "primary_label_en": "PM2.5"}


DISTRICTS = [
    {"adcode": "310118", "name_zh": "青浦区", "name_en": "Qingpu",
     "days": [_day("2026-11-30", 60, 80, 2, 2), _day("2026-12-01", 60, 80, 2, 2)]},
    {"adcode": "320509", "name_zh": "吴江区", "name_en": "Wujiang",
     "days": [_day("2026-11-30", 90, 110, 2, 3), _day("2026-12-01", 90, 110, 2, 3)]},
]


def test_analysis_written_for_every_day_appears_once_per_district():
    """Regression: the report repeated each district's 气象条件分析 for every day (21 identical rows)."""
    from forecasting.reports.content import analysis_by_district

    rows = [{"district": "310118", "target_date": d, "author": "徐", "text": "弱冷空气，扩散一般"}
            for d in ("2026-12-01", "2026-11-30", "2026-12-02")]
    rows += [{"district": "320509", "target_date": "2026-11-30", "author": "王", "text": "午后臭氧偏高"},
             {"district": "320509", "target_date": "2026-12-01", "author": "王", "text": "降水，转好"}]
    out = analysis_by_district(rows, DISTRICTS)
    assert [a["district"] for a in out] == ["310118", "320509"]  # the zone's order
    assert out[0]["paragraphs"] == [{"days": ["2026-11-30", "2026-12-01", "2026-12-02"],
                                     "text": "弱冷空气，扩散一般", "authors": ["徐"]}]
    assert [p["text"] for p in out[1]["paragraphs"]] == ["午后臭氧偏高", "降水，转好"]


def test_zone_headline_is_tomorrow_per_district_and_the_zone_span():
    from forecasting.reports.content import zone_headline

    h = zone_headline(DISTRICTS)
    assert h["target_date"] == "2026-11-30"
    assert [(d["name_zh"], d["aqi_lo"], d["aqi_hi"]) for d in h["districts"]] == [("青浦区", 60, 80),
                                                                                  ("吴江区", 90, 110)]
    assert (h["level_lo"], h["level_hi"]) == (2, 3)


def test_short_text_has_the_headline_health_and_signature():
    from forecasting.reports.content import zone_headline
    from forecasting.reports.text import render_text

    report = {"title_zh": "2026年第333期", "title_en": "", "issuing_body_zh": "会商组", "issuing_body_en": "",
              "issued_at_beijing": "2026-11-29 16:00", "districts": DISTRICTS, "headline": zone_headline(DISTRICTS),
              "health": [{"category_zh": "轻度污染", "category_en": "", "advice_zh": "儿童减少户外锻炼",
                          "advice_en": ""}],
              "duty": {"signed_by": "张首席"}, "issued_by": "张首席"}
    lines = render_text(report).splitlines()
    assert lines[1] == "示范区明日（11月30日）：青浦区 良 60-80；吴江区 良至轻度污染 90-110。"
    assert lines[-2] == "健康提示（轻度污染）：儿童减少户外锻炼"
    assert lines[-1] == "签发：张首席；发布：张首席。"


def test_zone_map_fills_each_district_with_its_upper_level_colour():
    from PIL import Image

    from forecasting.fieldmap import PRESETS
    from forecasting.reports.chart import zone_map_png
    from forecasting.reports.content import zone_headline

    png = zone_map_png({"headline": zone_headline(DISTRICTS)}, width=400)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(float)
    ext = PRESETS["zone"]
    h = img.shape[0]

    def px(lon, lat):
        return img[int((ext.north - lat) / (ext.north - ext.south) * h), int((lon - ext.west) / (ext.east - ext.west) * 400)]

    # inside Wujiang (120.55 E 30.85 N, inside its polygon, away from labels): orange (level 3, #FF7E00) over land at 225/255
    land, a = np.array([246, 245, 240]), 225 / 255
    assert np.allclose(px(120.55, 30.85), np.array([255, 126, 0]) * a + land * (1 - a), atol=3)


def test_meteogram_draws_observations_last_in_black():
    from ui.charts import OBS_COLOUR, meteogram

    t = pd.date_range("2026-11-29 01:00", periods=4, freq="h")
    frame = pd.concat([
        pd.DataFrame({"time": t, "value": [50, 55, 60, 58], "series": "观测", "model": "观测", "kind": "observed"}),
        pd.DataFrame({"time": t, "value": [40, 45, 70, 65], "series": "CMAQ 原始", "model": "CMAQ", "kind": "raw"}),
        pd.DataFrame({"time": t, "value": [48, 52, 62, 60], "series": "CMAQ 订正", "model": "CMAQ",
                      "kind": "corrected"}),
    ])
    band = pd.DataFrame({"time": t, "lower": [40, 42, 50, 50], "upper": [60, 62, 75, 70]})
    spec = meteogram(frame, "pm25", band=band, now=t[2], issued=t[0]).to_dict()
    layers = spec["layer"]
    assert layers[-1]["mark"]["color"] == OBS_COLOUR and layers[-1]["mark"]["strokeWidth"] >= 3
    assert any(isinstance(l["mark"], dict) and l["mark"].get("type") == "area" for l in layers)  # the 80 % band
    assert spec["height"] >= 300


def test_the_guidance_chart_is_a_valid_vega_lite_spec_with_a_panel_per_district():
    """``chart_svg`` skips Altair's schema check to save time at issue; the spec is checked here (Altair
    raises ``SchemaValidationError`` on a spec Vega-Lite would refuse)."""
    from forecasting.reports.chart import chart_svg, guidance_chart

    guidance = [{"district": "310118", "target_date": "2026-11-30", "centre": 70, "method": m, "model": "CMAQ-YRD"}
                for m in ("raw", "corrected", "ensemble")]
    report = {"districts": DISTRICTS, "guidance": guidance}
    for lang in ("zh", "en"):
        spec = guidance_chart(report, lang=lang).to_dict()  # validates
        assert len(spec["hconcat"]) == len(DISTRICTS)
        # headroom: Wujiang's 90–110 range does not end on the axis's top (a tour read 130–160 as cut off)
        tops = [panel["layer"][0]["encoding"]["y"]["scale"]["domain"][1] for panel in spec["hconcat"]]
        assert tops[0] > 80 and tops[1] > 110
        # one axis for every district: they compare by height (Qingpu's 0–150 beside Wujiang's 0–200 drew a 120
        # as tall as a 125, a tour of the PDF)
        assert len(set(tops)) == 1, tops
    svg = chart_svg(report, lang="zh")
    assert svg.startswith("<svg") and "青浦区" in svg and "吴江区" in svg
