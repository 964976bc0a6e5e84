"""Table layouts that must fit a desktop page: checked without a browser, from the widths the pages use."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_flag_table_fits_a_1366_px_page(lang):
    """The flag table's columns together fit the page beside the sidebar at 1366 px (905 px of content,
    measured on a screenshot): widening the Chinese days' column once pushed the English reason column
    (beside a wider "Severity") off the table's right edge."""
    from forecasting.i18n import t
    from ui.consultation import PAGE_CONTENT_PX, flag_table_widths

    widths = flag_table_widths(lang)
    assert sum(widths.values()) <= PAGE_CONTENT_PX == 905, widths
    headings = [t(k, lang) for k in ("flag.col_severity", "ack14.col_days", "flag.col_pair", "flag.col_kind",
                                     "ack14.col_values", "flag.col_state", "flag.col_note")]
    assert list(widths) == headings  # every column of flag_groups_frame has its width, in its order


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
    assert frame["第 1 天 80% 区间覆盖率"].isna().all()  # no coverage stored: "—" on the page
