"""Many issued reports in one ZIP file: a manager files a month's reports at once instead of one download each.

The archive holds, for each issued revision asked for, its file in one format exactly as stored (a file not
rendered yet is rendered from the report model fixed at issue time, as a single download is:
:func:`~forecasting.reports.store.report_file`), and ``index.csv`` listing every file with its issue date,
revision, state, issue time (Beijing), signer, highest level and SHA-256. Every file is checked against
its stored SHA-256 first: a file that no longer matches stops the archive (nothing is handed out), as it
stops the API. The same reports in the same format give the same bytes (each entry is dated at its
report's issue time, in issue order).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Sequence

from forecasting.aqi import level_info
from forecasting.errors import IntegrityFailure, ValidationError
from forecasting.i18n import t
from forecasting.reports.store import FORMATS, ReportSummary, report_file
from forecasting.store.db import Database
from forecasting.vocab import BEIJING

__all__ = ["MAX_ARCHIVE_REPORTS", "archive_name", "reports_archive"]

#: At most this many reports in one archive (two months of daily issues with a few amendments): each
#: report not rendered yet takes about 2 s, and the archive is held in memory.
MAX_ARCHIVE_REPORTS = 70


def archive_name(summaries: Sequence[ReportSummary], fmt: str) -> str:
    """The archive's download name: the first and last issue dates and the format.

    Examples
    --------
    >>> from datetime import date
    >>> class R:  # a stand-in with the one field used
    ...     def __init__(self, d): self.issue_date = d
    >>> archive_name([R(date(2026, 11, 30)), R(date(2026, 11, 1))], "pdf")
    'aq-reports-2026-11-01_2026-11-30-pdf.zip'
    >>> archive_name([R(date(2026, 11, 1))], "en.pdf")
    'aq-reports-2026-11-01_2026-11-01-en.pdf.zip'
    """
    days = sorted(s.issue_date for s in summaries)
    return f"aq-reports-{days[0].isoformat()}_{days[-1].isoformat()}-{fmt}.zip"


def reports_archive(db: Database, summaries: Sequence[ReportSummary], fmt: str = "pdf", *, lang: str = "zh",
                    progress: Callable[[int, int], None] | None = None) -> bytes:
    """A ZIP of one file per issued revision in ``summaries`` (format ``fmt``) and ``index.csv`` (headings in
    ``lang``; UTF-8 with a byte-order mark, so that Excel reads the Chinese). ``progress(done, total)`` is
    called after each report. Refused (:class:`ValidationError`) for no report, more than
    :data:`MAX_ARCHIVE_REPORTS`, or an unknown format; :class:`~forecasting.errors.IntegrityFailure` for a file whose bytes
    no longer match its SHA-256. Rendering (for files not stored yet) runs outside any transaction."""
    if fmt not in FORMATS:
        raise ValidationError(f"unknown report format {fmt!r}", key="report.archive_format", fmt=fmt)
    if not summaries:
        raise ValidationError("no report to put in the archive", key="report.archive_empty")
    if len(summaries) > MAX_ARCHIVE_REPORTS:
        raise ValidationError(f"{len(summaries)} reports: at most {MAX_ARCHIVE_REPORTS} in one archive",
                              key="report.archive_too_many", n=len(summaries), limit=MAX_ARCHIVE_REPORTS)
    ordered = sorted(summaries, key=lambda r: (r.issue_date, r.revision))
    files = []
    for done, summary in enumerate(ordered, 1):
        stored = report_file(db, summary.id, fmt)
        if hashlib.sha256(stored.content).hexdigest() != stored.sha256:
            raise IntegrityFailure(f"issued report {summary.id} ({stored.filename}) failed its integrity "
                                        "check: stored bytes do not match their hash",
                                        key="hard15.integrity_failed", id=summary.id)
        files.append((summary, stored))
        if progress is not None:
            progress(done, len(ordered))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for summary, stored in files:
            archive.writestr(_entry(stored.filename, summary), stored.content)
        index = _index(files, lang)
        archive.writestr(_entry("index.csv", ordered[-1]), index)
    return buffer.getvalue()


def _entry(name: str, summary: ReportSummary) -> zipfile.ZipInfo:
    """A ZIP entry dated at the report's issue time (Beijing): the same reports give the same bytes."""
    when = summary.issued_at.astimezone(BEIJING)
    info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _index(files, lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(f"report.archive_col.{c}", lang) for c in
                     ("title", "issue_date", "revision", "state", "issued_at", "signed_by", "max_level", "file",
                      "file_sha", "report_sha")])
    for summary, stored in files:
        writer.writerow([
            summary.title_en if lang == "en" else summary.title_zh,
            summary.issue_date.isoformat(),
            summary.revision,
            t("report.superseded" if summary.superseded else "report.current", lang),
            summary.issued_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
            summary.signed_by,
            level_info(level=summary.max_level).category(lang) if summary.max_level else "—",
            stored.filename,
            stored.sha256,
            # a report issued with its files on demand is identified by its report data's hash, as on the page
            summary.sha256 + (t("report.sha_kind_json", lang) if summary.on_demand else ""),
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
