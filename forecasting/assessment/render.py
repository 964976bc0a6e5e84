"""The assessment as HTML, PDF (WeasyPrint) and CSV, in Chinese or English (issue #18).

Everything user-visible comes from the translation table (``assess18.*`` keys); every value is
escaped. The CSV is long (one statistic per row) and formula-escaped (a cell starting with
``= + - @`` or a tab/CR gets a leading apostrophe, OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import html
import io
import math

from forecasting.aqi import POLLUTANT_LABELS
from forecasting.assessment.hj663 import LEVELS, MEAN_INDICATORS, PERCENTILE_RULES
from forecasting.assessment.service import AREAS, Assessment
from forecasting.i18n import t
from forecasting.textlimits import csv_safe
from forecasting.vocab import unit_of

__all__ = ["to_html", "to_pdf", "to_csv", "csv_cell", "area_name", "rows"]



def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    Examples
    --------
    >>> csv_cell("=1+1"), csv_cell("-3"), csv_cell(-3), csv_cell("青浦")
    ("'=1+1", "'-3", '-3', '青浦')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return csv_safe(str(value))


def area_name(area: str, lang: str) -> str:
    return t("assess18.zone", lang) if area == "zone" else t(f"district.{area}", lang)


def _pct(x) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{100 * x:.0f} %"


def _num(x) -> str:
    return "—" if x is None else (f"{x:.1f}" if isinstance(x, float) and not float(x).is_integer() else f"{x:g}")


def rows(a: Assessment, lang: str = "zh") -> list[dict]:
    """Long rows ``area period statistic value unit`` (period ``current`` or ``previous``)."""
    out = []
    for period, stats in (("current", a.observed), ("previous", a.previous)):
        for area in AREAS:
            s = stats[area]

            def add(stat, value, unit=""):
                out.append({"area": area, "area_name": area_name(area, lang), "period": period, "statistic": stat,
                            "value": value, "unit": unit})

            add("valid_days", s["valid_days"])
            add("good_days", s["good_days"])
            add("good_ratio", None if not math.isfinite(s["good_ratio"]) else round(s["good_ratio"], 4))
            for lv in LEVELS:
                add(f"level_{lv}_days", s["level_days"][lv])
            for p, (ind, q) in PERCENTILE_RULES.items():
                add(f"{p}_p{q}", s["percentiles"][p], unit_of(p))
                add(f"{p}_p{q}_days", s["percentile_days"][p])
            for p in MEAN_INDICATORS:
                add(f"{p}_mean", s["means"][p], "µg/m³")
    v = a.verification
    out.append({"area": "zone", "area_name": area_name("zone", lang), "period": "current",
                "statistic": "forecast_level_hit_rate", "value": v.level.value if v.n else None, "unit": ""})
    out.append({"area": "zone", "area_name": area_name("zone", lang), "period": "current",
                "statistic": "forecast_cases", "value": v.n, "unit": ""})
    if v.n:
        for r in v.by_district.to_dict("records"):
            out.append({"area": r["district"], "area_name": area_name(r["district"], lang), "period": "current",
                        "statistic": "forecast_level_hit_rate", "value": r["level_hit_rate"], "unit": ""})
    return out


def to_csv(a: Assessment, lang: str = "zh") -> bytes:
    """UTF-8 CSV with BOM (opens in Excel with Chinese intact), formula-escaped."""
    buf = io.StringIO()
    w = csv.writer(buf)
    head = ["area", "area_name", "period", "statistic", "value", "unit"]
    w.writerow(head)
    for r in rows(a, lang):
        w.writerow([csv_cell(r[k]) for k in head])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _e(x) -> str:
    return html.escape(str(x))


def to_html(a: Assessment, lang: str = "zh", *, for_pdf: bool = False) -> str:
    """A self-contained HTML page (no external resources)."""
    period = a.label
    title = t("assess18.title_month" if a.kind == "month" else "assess18.title_year" if a.kind == "year"
              else "assess18.title_period", lang, period=period)
    v = a.verification
    parts = [f"<!doctype html><html lang='{'zh-CN' if lang != 'en' else 'en'}'><head><meta charset='utf-8'>",
             f"<title>{_e(title)}</title><style>",
             "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;font-size:11pt;margin:1.5em;color:#222}",
             "table{border-collapse:collapse;margin:0.5em 0 1em}td,th{border:1px solid #bbb;padding:3px 6px;"
             "text-align:right}th:first-child,td:first-child{text-align:left;white-space:nowrap}h1{font-size:16pt}h2{font-size:13pt}"
             ".note{color:#555;font-size:9pt}",
             # on paper a heading stays with its table and a row (a header row of wrapped words included) is never
             # cut by a page break: a tour's PDF had "7 (23" on page 1 and "%)" on page 2, and the HJ 663 table's
             # header cut across two pages; a table that must break repeats its header (thead) on the next page
             "h2{break-after:avoid}tr{break-inside:avoid}table{break-inside:avoid}td{white-space:nowrap}"
             "thead{display:table-header-group}",
             "@page{size:A4 landscape;margin:1.5cm}" if for_pdf else "", "</style></head><body>",
             f"<h1>{_e(title)}</h1>",
             f"<p>{_e(t('assess18.period_line', lang, first=a.first, last=a.last, pf=a.previous_first, pl=a.previous_last))}"
             f" {_e(coverage_text(a, lang))}</p>"]
    # forecast accuracy
    parts.append(f"<h2>{_e(t('assess18.h_forecast', lang))}</h2>")
    from forecasting.verification import headline

    parts.append(f"<p><b>{_e(headline(v, lang, period_name=period))}</b></p>")
    if v.n:  # what the rates count: every lead day together (the page's 上月 preset counts D+1 by default)
        parts.append(f"<p class='note'>{_e(t('assess18.cases_line', lang, n=v.n))}</p>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{_e(t(k, lang))}</th>" for k in (
            "verif18.col.district", "verif18.col.cases", "verif18.col.level", "verif18.col.interval",
            "verif18.col.range", "verif18.col.polluted")) + "</tr></thead>")
        for r in v.by_district.to_dict("records"):
            parts.append(f"<tr><td>{_e(area_name(r['district'], lang))}</td><td>{r['n']}</td>"
                         f"<td>{_pct(r['level_hit_rate'])}</td><td>{_pct(r['level_lo'])}–{_pct(r['level_hi'])}</td>"
                         f"<td>{_pct(r['range_hit_rate'])}</td><td>{r['polluted_hits']}/{r['polluted_days']}</td></tr>")
        parts.append("</table>")
    # observed air quality
    parts.append(f"<h2>{_e(t('assess18.h_observed', lang))}</h2>")
    head = [t("assess18.col.area", lang), t("assess18.col.valid_days", lang), t("assess18.col.good_days", lang),
            t("assess18.col.good_ratio", lang), t("assess18.col.good_ratio_prev", lang)]
    head += [t(f"assess18.level.{lv}", lang) for lv in LEVELS]
    parts.append("<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>")
    for area in AREAS:
        s, p = a.observed[area], a.previous[area]
        cells = [area_name(area, lang), s["valid_days"], s["good_days"], _pct(s["good_ratio"]), _pct(p["good_ratio"])]
        cells += [f"{s['level_days'][lv]} ({_pct(s['level_share'][lv])})" for lv in LEVELS]
        parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    # percentiles and means
    parts.append(f"<h2>{_e(t('assess18.h_percentiles', lang))}</h2>")
    head = [t("assess18.col.area", lang)]
    for pol, (_ind, q) in PERCENTILE_RULES.items():
        unit = unit_of(pol)
        label = POLLUTANT_LABELS.get(pol, pol) + (" MDA8" if pol == "o3" else "")
        head.append(t("assess18.col.percentile", lang, pollutant=label, p=q, unit=unit))
    for pol in MEAN_INDICATORS:
        head.append(t("assess18.col.mean", lang, pollutant=POLLUTANT_LABELS.get(pol, pol)))
    parts.append("<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>")
    for area in AREAS:
        s, p = a.observed[area], a.previous[area]
        cells = [area_name(area, lang)]
        for pol in PERCENTILE_RULES:
            cells.append(f"{_num(s['percentiles'][pol])} ({_num(p['percentiles'][pol])})")
        for pol in MEAN_INDICATORS:
            cells.append(f"{_num(s['means'][pol])} ({_num(p['means'][pol])})")
        parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    parts.append(f"<p class='note'>{_e(t('assess18.note', lang))}</p></body></html>")
    return "".join(parts)


def to_pdf(a: Assessment, lang: str = "zh") -> bytes:
    """PDF bytes (WeasyPrint, the CJK font of :mod:`forecasting.reports.pdf`)."""
    from forecasting.reports.pdf import render_pdf

    return render_pdf(to_html(a, lang, for_pdf=True))


def coverage_text(a: Assessment, lang: str = "zh") -> str:
    """Which days of the period the statistics rest on: a year's report read "2026-01-01 至 2026-12-31"
    in November with data from October only. The days with a valid daily AQI (any district or the zone), first to last.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> days = pd.DataFrame({"district": ["310118", "zone", "310118"], "date": [date(2026, 10, 2)] * 2 + [date(2026, 11, 29)],
    ...                      "aqi": [60.0, 58.0, float("nan")]})
    >>> a = Assessment("year", date(2026, 1, 1), date(2026, 12, 31), None, None, {}, {}, None, days)
    >>> coverage_text(a, "en")
    'Days with a valid daily AQI: 1 of the 365 days of the period (2026-10-02 to 2026-10-02).'
    """
    d = a.daily
    valid = sorted(set(d.loc[d["aqi"].notna(), "date"])) if len(d) and "aqi" in d else []
    total = (a.last - a.first).days + 1
    if not valid:
        return t("assess18.coverage_none", lang, total=total)
    return t("assess18.coverage", lang, n=len(valid), total=total, first=valid[0], last=valid[-1])
