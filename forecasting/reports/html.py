"""HTML rendering of the report model (Jinja2, autoescape on: notes and any user text are escaped,
never passed through as markup). The same template serves the screen (``for_pdf=False``) and
WeasyPrint (``for_pdf=True``: A4 page rules, running header and page numbers)."""

from __future__ import annotations

import base64
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from forecasting.i18n import t as translate, unbroken_ranges
from forecasting.reports.content import day_label, issuing_body
from forecasting.reports.model import Report
from forecasting.vocab import day_runs

__all__ = ["render_html", "written_in_chinese", "unguided_days", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _env() -> Environment:
    # autoescape for every template (the .j2 suffix is not in Jinja2's default list)
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def _css_string(text: str) -> str:
    """Text safe inside a CSS string in the ``<style>`` page rules (quotes, backslashes, ``<``, ``>`` and
    line breaks dropped), so it can be marked safe there."""
    return "".join(ch for ch in text if ch not in '"\\\n\r<>')


_CJK = re.compile("[\u3400-\u9fff]")


def written_in_chinese(report: Report) -> bool:
    """Whether the texts the forecasters wrote (summary, analyses, conclusion, notes) hold Chinese: the
    English report then says they are quoted as written (an English reader met them without a word).

    Examples
    --------
    >>> written_in_chinese({"zone_summary": "未来三天以良为主", "conclusion": ""})
    True
    >>> written_in_chinese({"zone_summary": "Mostly good", "notes_digest": [{"body": "ok"}]})
    False
    """
    texts = [report.get("zone_summary") or "", report.get("conclusion") or ""]
    texts += [p.get("text", "") for a in report.get("met_analysis_by_district") or [] for p in a.get("paragraphs", [])]
    texts += [n.get("body", "") for n in report.get("notes_digest") or []]
    return any(_CJK.search(text) for text in texts)


def unguided_days(report: Report, lang: str = "zh") -> str:
    """The issued days the guidance chart has no guidance point for (past the models' reach), as its day
    labels write them: runs of days as "12-11–12-13", held on one line; "" when every day has guidance.

    Examples
    --------
    >>> days = [{"target_date": f"2026-12-{d:02d}"} for d in range(8, 15)]
    >>> report = {"districts": [{"days": days}],
    ...           "guidance": [{"target_date": f"2026-12-{d:02d}", "centre": 90} for d in (8, 9, 10, 11, 13)]}
    >>> unguided_days(report)
    '12-12、12-14'
    >>> report["guidance"] = report["guidance"][:4]
    >>> unguided_days(report, "en")
    '12-12\\u2060–\\u206012-14'
    """
    issued = sorted({e["target_date"] for d in report.get("districts") or [] for e in d.get("days") or []})
    guided = {g["target_date"] for g in report.get("guidance") or [] if g.get("centre") is not None}
    runs = day_runs([(date.fromisoformat(d), None) for d in issued if d not in guided])
    # a run of days is one piece: the PDF's caption broke it as "12-12–" / "12-14"
    return unbroken_ranges(translate("common.list_sep", lang).join(
        f"{a:%m-%d}" if a == b else f"{a:%m-%d}–{b:%m-%d}" for a, b, _ in runs))


def render_html(report: Report, *, lang: str = "zh", for_pdf: bool = False, chart_svg: str = "") -> str:
    """The report as an HTML document (text).

    Parameters
    ----------
    report : dict
        From :func:`forecasting.reports.content.build_report`.
    chart_svg : str
        The guidance chart as SVG (embedded as a ``data:`` image, so it is never parsed as markup here).
    """
    title = report["title_en"] if lang == "en" else report["title_zh"]
    body = issuing_body(lang) if not report.get("issuing_body_zh") else (
        report["issuing_body_en"] if lang == "en" else report["issuing_body_zh"])
    names = {d["adcode"]: (d["name_en"] if lang == "en" else d["name_zh"]) for d in report["districts"]}
    uri = ""
    if chart_svg:
        uri = "data:image/svg+xml;base64," + base64.b64encode(chart_svg.encode("utf-8")).decode("ascii")
    # "第 {p} 页 / 共 {n} 页" → "第 " counter(page) " 页 / 共 " counter(pages) " 页" (CSS generated content)
    pattern = _css_string(translate("report.page_of", lang, p="\x00", n="\x01"))
    page_css = '"' + pattern.replace("\x00", '" counter(page) "').replace("\x01", '" counter(pages) "') + '"'
    map_uri = ""
    if (report.get("headline") or {}).get("districts"):
        from forecasting.reports.chart import zone_map_png

        map_uri = "data:image/png;base64," + base64.b64encode(zone_map_png(report, lang=lang)).decode("ascii")
    template = _env().get_template("report.html.j2")
    return template.render(
        quoted_in_chinese=lang == "en" and written_in_chinese(report),
        r=report, lang=lang, for_pdf=for_pdf, title=title, body_name=body, chart_uri=uri, names=names, map_uri=map_uri,
        title_short=Markup(_css_string(title)), body_short=Markup(_css_string(body)), page_css=Markup(page_css),
        t=lambda key, **p: translate(key, lang, **p), unguided=unguided_days(report, lang),
        day_label=lambda day: day_label(day, lang),
        weekday=lambda day: date.fromisoformat(day).weekday(),
    )
