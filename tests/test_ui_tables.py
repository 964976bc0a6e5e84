"""Table layouts that must fit a desktop page: checked without a browser, from the widths the pages use."""

from __future__ import annotations

import pytest


def test_the_flag_table_is_html_whose_rows_keep_their_own_height_and_escape_every_cell():
    """The flag groups as an HTML table: each row as tall as its own text (Streamlit's table gave every row the
    height of the longest, five rows of 185 px for one week's values), the severity tinted, and a chief's reason
    shown as text, never as markup."""
    from datetime import date

    from forecasting.consultation.flags import Flag, group_flags
    from forecasting.consultation.signoff import FlagState
    from ui.consultation import flag_table_html

    day = date(2026, 12, 8)
    flags = [FlagState(Flag(f"range_disjoint:{day}:310118:330421", "range_disjoint", "amber", day, "310118", "330421",
                            {}, "x", ((60, 80, 2, 2, ("pm25",)), (85, 105, 2, 3, ("pm25",)))), True,
                       note="<script>alert(1)</script> 保留 & 复核", by="陈静"),
             FlagState(Flag(f"level_gap:{day}:310118:320509", "level_gap", "red", day, "310118", "320509", {}, "x",
                            ((60, 80, 2, 2, ("pm25",)), (160, 190, 4, 4, ("pm25",)))), False)]
    html = flag_table_html(group_flags(flags), date(2026, 12, 7))
    assert html.count("<tr>") == 3 and "height" not in html  # a heading and two groups, no fixed row height
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; 保留 &amp; 复核" in html
    assert "background:#FF0000;color:#000'>红</td>" in html and "background:#FFBF00;color:#000'>黄</td>" in html
    assert "60–80 PM2.5 对 85–105 PM2.5" in html and "min-width:760px" in html and "overflow-x:auto" in html
    # a day span breaks only between its lead days and its dates ("12-08–12-14" broke as "12-" / "08–12-14"), a
    # state never ("待处" / "理")
    assert "<span style='white-space:nowrap'>第 1 天</span> <span style='white-space:nowrap'>12-08</span>" in html
    assert "<span style='white-space:nowrap'>待处理</span>" in html
    # a district's name is never broken ("吴江区与" / "嘉善" / "县" on a phone)
    assert "<span style='white-space:nowrap'>青浦区</span>与<span style='white-space:nowrap'>嘉善县</span>" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_skill_table_of_every_method_fits_a_1366_px_page(lang):
    """The district forecast page's skill table, with every method a training can score (the longest names),
    fits the 905 px page: with RMSE and NMB in columns of their own, the D+1 coverage (the calibration
    reading) was off the right edge at 1366 px (a tour)."""
    from forecasting.correction.engine import METHODS
    from ui.consultation import PAGE_CONTENT_PX, text_width
    from ui.skill import skill_frame

    scores = {m: {f"D+{n}": {"rmse": 187.25, "nmb": -0.125, "coverage80": 0.8} for n in (1, 2, 3)}
              for m in METHODS}
    frame = skill_frame(scores, "ensemble_mix", lang)
    widths = [text_width([col, *frame[col].astype(str)]) for col in frame.columns]
    assert len(frame.columns) == 5 and sum(widths) <= PAGE_CONTENT_PX, dict(zip(frame.columns, widths))


@pytest.mark.parametrize("lang, heading", [("zh", "覆盖率"), ("en", "Coverage")])
def test_the_skill_table_fits_a_1280_px_page(lang, heading):
    """At 1280 px (820 px beside the sidebar) the coverage column's header showed and its right-aligned values
    were past the table's edge: the column read as empty. The Chinese header is "覆盖率" (the first day and the
    80 % interval are in its help and in the caption below the table). Chromium drew the Chinese table 21 px wider
    than these widths add up to (835 px against 814, measured): 5 px a column are allowed for it. In English
    the table was 915 px: its heading is "Coverage", and the two longest method names are shorter ("skill-weighted
    ensemble (log Kalman + MOS)", "log-ratio Kalman filter (multiplicative bias)")."""
    from forecasting.correction.engine import METHODS
    from ui.consultation import PAGE_CONTENT_1280_PX, text_width
    from ui.skill import skill_frame

    scores = {m: {f"D+{n}": {"rmse": 187.25, "nmb": -0.125, "coverage80": 0.8} for n in (1, 2, 3)}
              for m in METHODS}
    frame = skill_frame(scores, "ensemble_mix", lang)
    widths = [text_width([col, *frame[col].astype(str)]) for col in frame.columns]
    assert frame.columns[-1] == heading and sum(widths) + 5 * len(widths) <= PAGE_CONTENT_1280_PX, \
        dict(zip(frame.columns, widths))


def test_the_skill_table_puts_the_method_in_use_first_then_the_others_by_mean_rmse():
    """The order a forecaster reads the choice in: the method in use (✓), then by mean RMSE over D+1..D+3,
    the chooser's criterion; each day's cell holds the stored RMSE and NMB."""
    from ui.skill import skill_frame

    def by(r1, r2, r3, nmb=0.05):
        return {f"D+{n}": {"rmse": r, "nmb": nmb} for n, r in zip((1, 2, 3), (r1, r2, r3))}

    scores = {"raw": by(60, 61, 62, 0.21), "mos_ridge": by(30, 31, 36), "ensemble_mix": by(19.53, 23.5, 32.27, 0.01),
              "kalman_log": by(20, 26, 39), "persistence": by(87.4, 90.1, 86.5)}
    frame = skill_frame(scores, "ensemble_mix", "zh")
    # means: ensemble_mix 25.1, kalman_log 28.3, mos_ridge 32.3, raw 61, persistence 88
    assert frame["方法"].tolist() == ["✓ 技巧加权集合（对数比卡尔曼与岭回归 MOS 订正）", "对数比卡尔曼滤波（乘性偏差）",
                                    "MOS 岭回归", "原始模式", "持续性（昨日同时刻）"]
    assert frame.loc[0, "第 1 天"] == "19.5 (+1%)" and frame.loc[3, "第 3 天"] == "62.0 (+21%)"
    assert frame["覆盖率"].isna().all()  # no coverage stored: "—" on the page
