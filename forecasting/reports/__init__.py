"""Issued combined reports (会商报告, issue #7): what leaves the building.

Generated once at issue time from the issue snapshot, in Chinese and English: PDF (WeasyPrint,
embedded CJK font), HTML, a short public text (SMS/WeChat) and JSON with every field. Stored with
their SHA-256 in the append-only ``issued_reports`` table and never changed; a correction is a new
revision (an amendment) with its own files, and the old one stays, marked superseded.

At issue time call :func:`issue_with_report` (or ``issue_session(db, actor, day,
render=make_renderer(db))``). See ``docs/reports.md``.
"""

from forecasting.reports.content import (
    DEFAULT_ISSUING_BODY,
    NOTES_IN_DIGEST,
    build_report,
    issue_number,
    issuing_body,
)
from forecasting.reports.archive import MAX_ARCHIVE_REPORTS, archive_name, reports_archive
from forecasting.reports.html import render_html
from forecasting.reports.pdf import cjk_font_installed, render_pdf
from forecasting.reports.store import (
    CHINESE_FORMATS,
    FORMATS,
    MEDIA_TYPES,
    ReportSummary,
    StoredFile,
    issue_with_report,
    issued_acknowledgements,
    latest_report,
    level_calendar,
    list_reports,
    make_renderer,
    on_demand_renderer,
    prerendered,
    render_english_pdf,
    render_files,
    render_from_model,
    report_file,
    report_filename,
    report_json,
    report_revisions,
    verify_report,
)
from forecasting.reports.text import MAX_DISTRICT_CHARS, district_texts, render_text

__all__ = [
    "DEFAULT_ISSUING_BODY", "NOTES_IN_DIGEST", "build_report", "issue_number", "issuing_body",
    "render_html", "render_pdf", "cjk_font_installed", "render_text", "district_texts", "MAX_DISTRICT_CHARS",
    "FORMATS", "CHINESE_FORMATS", "MEDIA_TYPES", "ReportSummary", "StoredFile", "render_files", "render_english_pdf", "make_renderer",
    "prerendered",
    "on_demand_renderer", "render_from_model", "issue_with_report",
    "list_reports", "latest_report", "report_revisions", "report_file", "report_filename", "report_json", "verify_report",
    "issued_acknowledgements",
    "level_calendar",
    "MAX_ARCHIVE_REPORTS", "archive_name", "reports_archive",
]
