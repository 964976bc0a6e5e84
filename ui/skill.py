"""The district forecast page's table of correction methods: each method's validation scores, the one in use
first, in a table that fits the page (905 px) in both languages."""

from __future__ import annotations

import math

import pandas as pd

from forecasting.i18n import signed, t
from forecasting.scores import finite_or_none

__all__ = ["LEADS", "score_cell", "skill_frame"]

#: The lead days the table shows (the chooser's D+1..D+3)
LEADS = (1, 2, 3)


def score_cell(rmse, nmb) -> str:
    """One lead day's scores in one cell: the RMSE (µg/m³ to one decimal, whole from 100; CO's mg/m³, below
    10, to two) and the normalised mean bias in per cent in brackets; "—" where there is no RMSE.

    Examples
    --------
    >>> score_cell(19.534, 0.0112)
    '19.5 (+1%)'
    >>> score_cell(53.0, 0.09)
    '53.0 (+9%)'
    >>> score_cell(0.2134, -0.084)
    '0.21 (−8%)'
    >>> score_cell(156.2, None)
    '156'
    >>> score_cell(None, 0.1), score_cell(float("nan"), 0.1)
    ('—', '—')
    """
    rmse, nmb = finite_or_none(rmse), finite_or_none(nmb)
    if rmse is None:
        return "—"
    text = f"{rmse:.0f}" if rmse >= 100 else f"{rmse:.1f}" if rmse >= 10 else f"{rmse:.2f}"
    return text if nmb is None else f"{text} ({signed(100 * nmb)}%)"


def _mean_rmse(by_lead: dict) -> float:
    values = [finite_or_none((by_lead.get(f"D+{n}") or {}).get("rmse")) for n in LEADS]
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else math.inf


def skill_frame(scores: dict, in_use: str, lang: str) -> pd.DataFrame:
    """The rows of the skill table (in ``lang``) from a trained correction's ``scores`` (method → ``"D+n"`` →
    ``rmse``, ``nmb``, ``coverage80``): the method in use first and marked "✓", the others by their mean
    hourly RMSE over D+1..D+3 (the chooser's criterion, so the order reads as the choice was made); one column
    per lead day holding "RMSE (NMB)", and the D+1 coverage of the 80 % interval in per cent.

    Eight numeric columns (RMSE and NMB apart, per day) were wider than the page at 1366 px: the coverage,
    the calibration reading, was off its right edge (a tour).
    """
    order = sorted(scores, key=lambda m: (m != in_use, _mean_rmse(scores[m]), m))
    coverage_head = t("dfc.coverage", lang)
    rows = []
    for method in order:
        by_lead = scores[method] or {}
        name = t(f"method.{method}", lang)
        row = {t("dfc.method", lang): f"✓ {name}" if method == in_use else name}
        for n in LEADS:
            sc = by_lead.get(f"D+{n}") or {}
            row[t("dfc.lead", lang, n=n)] = score_cell(sc.get("rmse"), sc.get("nmb"))
        cov = finite_or_none((by_lead.get("D+1") or {}).get("coverage80"))
        row[coverage_head] = None if cov is None else 100.0 * cov
        rows.append(row)
    return pd.DataFrame(rows)
