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
