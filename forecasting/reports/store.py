"""Generating the report files at issue time, and reading them back.

:func:`make_renderer` returns the ``render(snapshot) -> (bytes_by_format, sha256)`` callable that
:func:`forecasting.consultation.issue_session` calls outside any transaction; the issue then stores
the returned files with the issued forecast in one short transaction
(:func:`forecasting.store.reports.insert_report_files`), so both commit together or not at all.

``issued_reports`` is append-only: database triggers and an ORM refusal (:mod:`forecasting.store.guards`).

**Files on demand** (:func:`on_demand_renderer`, the demo world's history): the report model (the JSON file) is
built and stored at issue time, and its SHA-256 is the report's hash; the PDF, HTML and text files are rendered
from that stored JSON the first time someone asks for them (:func:`report_file`) and then stored like any
other file, never replaced. Nothing read from the database after the issue enters them: what the files say
is what the report model said at issue time, and the hash fixed then (the JSON's) still proves it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forecasting import audit
from forecasting.aqi import level_info
from forecasting.consultation import issue_session
from forecasting.consultation.config import parse_day
from forecasting.errors import NotFound
from forecasting.reports.chart import chart_svg
from forecasting.reports.content import build_report, issue_number
from forecasting.reports.html import render_html
from forecasting.reports.model import Report
from forecasting.reports.pdf import render_pdf
from forecasting.reports.text import render_text
from forecasting.permissions import Actor
from forecasting.store.consultation import IssuedForecast
from forecasting.store.db import Database
from forecasting.store.reports import IssuedReport, MEDIA_TYPES, insert_report_files
from forecasting.vocab import canonical_json

__all__ = ["FORMATS", "CHINESE_FORMATS", "MEDIA_TYPES", "ReportSummary", "StoredFile", "render_files",
           "render_english_pdf", "make_renderer", "prerendered", "on_demand_renderer", "render_from_model", "report_filename",
           "issue_with_report", "list_reports", "latest_report", "report_revisions", "report_file",
           "report_json", "verify_report", "level_calendar", "canonical_report_json", "issued_acknowledgements"]

#: Stored formats: the Chinese report and its English version.
FORMATS = ("pdf", "html", "txt", "json", "en.pdf", "en.html", "en.txt")
#: The Chinese files and the JSON only (about half the time: one PDF, one chart).
CHINESE_FORMATS = ("pdf", "html", "txt", "json")


# -- rendering -----------------------------------------------------------------------------------------


def canonical_report_json(report: Report) -> bytes:
    """The JSON file: sorted keys, UTF-8, indented for people."""
    return canonical_json(report, indent=1).encode("utf-8")


def render_files(db: Database, snapshot: dict, *, formats: tuple[str, ...] = FORMATS,
                 timings: dict | None = None) -> tuple[dict[str, bytes], str]:
    """Every file of one issued revision, and the SHA-256 of the Chinese PDF (the report's hash).

    The PDFs cannot contain their own hash: they carry the snapshot's; the HTML, text and JSON files
    are rendered after the Chinese PDF and carry its SHA-256 as ``pdf_sha256``.
    """
    t0 = time.perf_counter()
    report = build_report(db, snapshot)
    if timings is not None:
        timings["content"] = time.perf_counter() - t0
    files = render_from_model(report, formats=formats, timings=timings)
    return files, hashlib.sha256(files["pdf"]).hexdigest()


def render_from_model(report: Report, *, formats: tuple[str, ...] = FORMATS,
                      timings: dict | None = None, pdf: bytes | None = None) -> dict[str, bytes]:
    """The files of a report model (:func:`forecasting.reports.content.build_report`, or a stored JSON
    file): reads nothing else. The PDFs are rendered from the model without ``pdf_sha256`` (a PDF cannot
    carry its own hash); the Chinese PDF is always made (or ``pdf``, the one already stored, is used), and
    the other files carry its SHA-256 as ``pdf_sha256``. ``report`` is not changed."""
    clock = time.perf_counter
    t1 = clock()
    report = {**report, "pdf_sha256": None}
    langs = ("zh", "en") if any(f.startswith("en.") for f in formats) else ("zh",)
    svgs = {lang: chart_svg(report, lang=lang) for lang in langs}
    t2 = clock()
    files: dict[str, bytes] = {}
    files["pdf"] = pdf if pdf is not None else _pdf(report, "zh", svgs["zh"])
    t3 = clock()
    if "en.pdf" in formats:
        files["en.pdf"] = _pdf(report, "en", svgs["en"])
    report["pdf_sha256"] = hashlib.sha256(files["pdf"]).hexdigest()
    t4 = clock()
    files["html"] = render_html(report, lang="zh", chart_svg=svgs["zh"]).encode("utf-8")
    t5 = clock()
    if "en.html" in formats:
        files["en.html"] = render_html(report, lang="en", chart_svg=svgs["en"]).encode("utf-8")
    files["txt"] = render_text(report, lang="zh").encode("utf-8")
    files["en.txt"] = render_text(report, lang="en").encode("utf-8")
    files["json"] = canonical_report_json(report)
    if timings is not None:
        timings.update(chart=t2 - t1, pdf=t3 - t2, html=t5 - t4)
    return {k: v for k, v in files.items() if k in formats}


def _pdf(report: Report, lang: str, svg: str) -> bytes:
    """One language's PDF of a report model whose ``pdf_sha256`` is empty (a PDF cannot carry its own hash)."""
    return render_pdf(render_html(report, lang=lang, for_pdf=True, chart_svg=svg))


def render_english_pdf(db: Database, snapshot: dict) -> bytes:
    """The English PDF of one snapshot alone: byte for byte the ``en.pdf`` of :func:`render_files` (the PDFs
    are rendered from the model without ``pdf_sha256``, so the English one needs nothing of the Chinese
    one). A bulk job renders it in a second process while the first renders the other files
    (``render_files`` without ``en.pdf``), and stores the union of the two."""
    report = {**build_report(db, snapshot), "pdf_sha256": None}
    return _pdf(report, "en", chart_svg(report, lang="en"))


def make_renderer(db: Database, *, formats: tuple[str, ...] = FORMATS
                  ) -> Callable[[dict], tuple[dict[str, bytes], str]]:
    """The ``render`` argument of :func:`forecasting.consultation.issue_session`:
    ``issue_session(db, actor, day, render=make_renderer(db))`` renders every report file outside
    any transaction and stores them with the issued forecast. ``formats`` (a subset of :data:`FORMATS`; ``pdf`` is always made, its
    SHA-256 is the report's) lets a bulk job such as the demo seed skip the English files."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown report formats {sorted(unknown)}; expected some of {', '.join(FORMATS)}")
    formats = tuple(dict.fromkeys(("pdf", *formats)))

    def render(snapshot: dict) -> tuple[dict[str, bytes], str]:
        return render_files(db, snapshot, formats=formats)

    return render


def prerendered(db: Database, expected: dict, files: dict[str, bytes], digest: str, *,
                formats: tuple[str, ...] = FORMATS, fallback: Callable | None = None
                ) -> Callable[[dict], tuple[dict[str, bytes], str]]:
    """A ``render`` for :func:`forecasting.consultation.issue_session` that returns files rendered
    beforehand (e.g. in another process, for a bulk job) when the issue's snapshot is exactly the one
    they were rendered from, and renders afresh otherwise (with ``fallback``, a ``render`` such as
    :func:`on_demand_renderer`'s; else every file of ``formats``): what is stored always matches the issue."""

    expected_text = canonical_json(expected)
    fallback = fallback or make_renderer(db, formats=formats)

    def render(snapshot: dict) -> tuple[dict[str, bytes], str]:
        if canonical_json(snapshot) == expected_text:
            return files, digest
        return fallback(snapshot)

    return render


def on_demand_renderer(db: Database, *, observed=None) -> Callable[[dict], tuple[dict[str, bytes], str]]:
    """A ``render`` for :func:`forecasting.consultation.issue_session` that stores only the report model
    (the JSON file, ``pdf_sha256`` empty) at issue time; its SHA-256 is the report's hash. The other
    files are rendered from it when first asked for (:func:`report_file`). For bulk history (the demo
    world): about 0.1 s an issue instead of 1.5 s. The chief desk's issues render every file at once.
    ``observed``: see :func:`forecasting.reports.content.build_report`."""

    def render(snapshot: dict) -> tuple[dict[str, bytes], str]:
        report = build_report(db, snapshot, observed=observed)
        report["pdf_sha256"] = None
        report["report_hash"] = "json"  # the files say which hash is the report's, and how to check it
        data = canonical_report_json(report)
        return {"json": data}, hashlib.sha256(data).hexdigest()

    return render


def issue_with_report(db: Database, actor, issue_date, *, formats: tuple[str, ...] = FORMATS):
    """Issue the signed consultation of ``issue_date`` with its report files (what the chief desk and
    the demo call). Returns the :class:`forecasting.consultation.IssuedView`."""
    return issue_session(db, actor, issue_date, render=make_renderer(db, formats=formats))


# -- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSummary:
    """One issued revision as the archive lists it."""

    id: int
    issue_date: date
    revision: int
    title_zh: str
    title_en: str
    issued_at: datetime
    issued_by: str
    signed_by: str
    sha256: str
    reason: str
    superseded: bool
    formats: tuple[str, ...]
    levels: dict  # {adcode: [level_lo, level_hi] of the first target day}
    max_level: int
    districts: tuple[dict, ...]  # the snapshot's districts (days with ranges, levels, colours, primary)
    zone_summary: str
    conclusion: str
    #: the report was issued with its files on demand: ``sha256`` is its JSON's (see the module's docstring)
    on_demand: bool = False
    #: the formats stored now; the others of ``formats`` are rendered from the stored JSON when first asked for
    stored: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredFile:
    issued_forecast_id: int
    format: str
    media_type: str
    content: bytes
    sha256: str
    filename: str


def _files(s, rows: list[IssuedForecast]) -> dict[int, tuple[tuple[str, ...], bool, tuple[str, ...]]]:
    """Per issued forecast: the formats a reader can have (every format once the report model is stored:
    the files not stored yet are rendered from it on demand), whether the report's hash is its JSON's
    (files on demand, see the module's docstring), and the formats stored now."""
    stored: dict[int, dict[str, str]] = {}
    if rows:
        for fid, fmt, sha in s.execute(select(IssuedReport.issued_forecast_id, IssuedReport.format,
                                              IssuedReport.sha256)
                                       .where(IssuedReport.issued_forecast_id.in_([r.id for r in rows]))):
            stored.setdefault(fid, {})[fmt] = sha
    out = {}
    for r in rows:
        files = stored.get(r.id, {})
        on_demand = files.get("json") == r.sha256
        offered = FORMATS if "json" in files else tuple(sorted(files))
        out[r.id] = (tuple(sorted(offered)), on_demand, tuple(sorted(files)))
    return out


def _summary(row: IssuedForecast, superseded: bool, formats: tuple[str, ...], on_demand: bool = False,
             stored: tuple[str, ...] = ()) -> ReportSummary:
    snap = json.loads(row.snapshot)
    n = issue_number(row.issue_date)
    rev_zh = f"（第{row.revision}版·更正）" if row.revision > 1 else ""
    rev_en = f" (revision {row.revision})" if row.revision > 1 else ""
    levels, top = {}, 0
    for d in snap.get("districts", []):
        if d.get("days"):
            first = d["days"][0]
            levels[d["adcode"]] = [first["level_lo"], first["level_hi"]]
        top = max([top] + [e["level_hi"] for e in d.get("days", [])])
    return ReportSummary(row.id, row.issue_date, row.revision,
                         f"{row.issue_date.year}年第{n}期{rev_zh}", f"{row.issue_date.year} No. {n}{rev_en}",
                         row.issued_at, row.issued_by_name, snap.get("signed_by", ""), row.sha256, row.reason,
                         superseded, formats, levels, top, tuple(snap.get("districts", [])),
                         snap.get("zone_summary", ""), snap.get("conclusion", ""), on_demand, stored)


def _all(s, *, first: date | None = None, last: date | None = None) -> list[ReportSummary]:
    q = select(IssuedForecast).order_by(IssuedForecast.issue_date.desc(), IssuedForecast.revision.desc())
    if first:
        q = q.where(IssuedForecast.issue_date >= first)
    if last:
        q = q.where(IssuedForecast.issue_date <= last)
    rows = list(s.scalars(q))
    files = _files(s, rows)
    newest: dict[date, int] = {}
    for r in rows:
        newest.setdefault(r.issue_date, r.revision)
    return [_summary(r, r.revision < newest[r.issue_date], *files[r.id]) for r in rows]


def list_reports(db: Database, *, first=None, last=None, district: str | None = None, level: int | None = None,
                 chief: str | None = None, text: str | None = None,
                 include_superseded: bool = True) -> list[ReportSummary]:
    """The archive, newest first, filtered.

    Parameters
    ----------
    district, level : optional
        Keep reports in which ``district`` (or any district) has a target day whose level span
        includes ``level`` (1-6).
    chief : str, optional
        Keep reports signed by this name (exact).
    text : str, optional
        Case-insensitive search in the title, zone summary, conclusion and signer.
    """
    first = parse_day(first) if first else None
    last = parse_day(last) if last else None
    with db.read() as s:
        items = _all(s, first=first, last=last)
    out = []
    for r in items:
        if r.superseded and not include_superseded:
            continue
        if chief and r.signed_by != chief:
            continue
        if level is not None or district:
            ok = False
            for d in r.districts:
                if district and d["adcode"] != district:
                    continue
                if level is None or any(e["level_lo"] <= level <= e["level_hi"] for e in d.get("days", [])):
                    ok = True
            if not ok:
                continue
        if text:
            hay = " ".join([r.title_zh, r.title_en, r.zone_summary, r.conclusion, r.signed_by, r.issued_by,
                            r.reason]).lower()
            if text.strip().lower() not in hay:
                continue
        out.append(r)
    return out


def latest_report(db: Database) -> ReportSummary | None:
    """The newest issued revision of the newest issue date, or ``None``."""
    with db.read() as s:
        row = s.scalar(select(IssuedForecast).order_by(IssuedForecast.issue_date.desc(),
                                                       IssuedForecast.revision.desc()).limit(1))
        if row is None:
            return None
        return _summary(row, False, *_files(s, [row])[row.id])


def report_revisions(db: Database, issue_date) -> list[ReportSummary]:
    """The amendment trail of one issue date, oldest first (all but the newest superseded)."""
    day = parse_day(issue_date)
    with db.read() as s:
        return sorted(_all(s, first=day, last=day), key=lambda r: r.revision)


def report_file(db: Database, issued_forecast_id: int, fmt: str = "pdf") -> StoredFile:
    """The stored bytes of one file, exactly as generated at issue time. A file not stored yet (every file
    of a report issued with its files on demand, the English files of one issued in the Chinese formats)
    is rendered from the report model stored at issue time the first time it is asked for, and stored
    (about 1.5 s for the Chinese PDF, HTML and text; an English file renders the English three)."""
    stored = _stored_file(db, issued_forecast_id, fmt)
    if stored is None and fmt in FORMATS and _render_on_demand(db, issued_forecast_id, fmt):
        stored = _stored_file(db, issued_forecast_id, fmt)
    if stored is None:
        raise NotFound(f"no {fmt} file for issued forecast {issued_forecast_id}", key="report.no_report_files",
                       fmt=fmt)
    return stored


def _stored_file(db: Database, issued_forecast_id: int, fmt: str) -> StoredFile | None:
    with db.read() as s:
        row = s.scalar(select(IssuedReport).where(IssuedReport.issued_forecast_id == issued_forecast_id,
                                                  IssuedReport.format == fmt))
        if row is None:
            return None
        issued = s.get(IssuedForecast, issued_forecast_id)
        return StoredFile(issued_forecast_id, fmt, row.media_type, bytes(row.content), row.sha256,
                          report_filename(issued.issue_date, issued.revision, fmt))


def report_filename(issue_date: date, revision: int, fmt: str) -> str:
    """The download name of one report file.

    Examples
    --------
    >>> report_filename(date(2026, 12, 1), 2, "en.pdf")
    'aq-report-2026-12-01-r2.en.pdf'
    >>> report_filename(date(2026, 12, 1), 1, "json")
    'aq-report-2026-12-01-r1.json'
    """
    lang = ".en" if fmt.startswith("en.") else ""
    return f"aq-report-{issue_date.isoformat()}-r{revision}{lang}.{fmt.split('.')[-1]}"


def _render_on_demand(db: Database, issued_forecast_id: int, fmt: str) -> bool:
    """Render and store missing files from the report model stored at issue time (the JSON file): every
    file of a report issued with its files on demand (its JSON carries the report's hash), the English
    files of a report issued in the Chinese formats. The model holds everything the database knew at
    issue time, so these are the bytes rendered from it then. Rendering runs outside any
    transaction; the insert is one short transaction. Two readers asking at once render the same bytes
    (WeasyPrint is deterministic here); the second insert meets the unique constraint and the first
    one's files are kept. False when there is no stored model to render from."""
    with db.read() as s:
        issued = s.get(IssuedForecast, issued_forecast_id)
        if issued is None:
            return False
        stored = {r.format: r for r in s.scalars(select(IssuedReport)
                                                  .where(IssuedReport.issued_forecast_id == issued_forecast_id))}
        model = stored.get("json")
        if model is None:
            return False
        report = json.loads(bytes(model.content))
        pdf = bytes(stored["pdf"].content) if "pdf" in stored else None
    wanted = ("pdf", "html", "txt") if pdf is None else ()
    if fmt.startswith("en."):
        wanted += ("en.pdf", "en.html", "en.txt")
    wanted = tuple(f for f in wanted if f not in stored)
    if not wanted:
        return True
    # the HTML and text carry the hash of the Chinese PDF (the one already stored, when it is)
    files = render_from_model(report, formats=("pdf", *wanted), pdf=pdf)
    files = {f: files[f] for f in wanted}
    try:
        with db.transaction() as s:
            insert_report_files(s, issued_forecast_id, files)
            audit.record(s, Actor.system("reports"), "report.render_on_demand", object_type="issued_forecast",
                         object_id=issued_forecast_id,
                         details={"formats": sorted(files), "sha256": {f: hashlib.sha256(b).hexdigest()
                                                                       for f, b in sorted(files.items())}})
    except IntegrityError:  # another reader stored them first: theirs are the files (and their audit row)
        pass
    return True


def report_json(db: Database, issue_date=None) -> tuple[bytes, ReportSummary]:
    """The stored JSON of the current revision of ``issue_date`` (the newest date when ``None``);
    the issue snapshot when that revision was issued without report files."""
    if issue_date is None:
        summary = latest_report(db)
        if summary is None:
            raise NotFound("no report has been issued yet", key="report.none_issued")
    else:
        day = parse_day(issue_date)
        trail = report_revisions(db, day)
        if not trail:
            raise NotFound(f"no issued report for {day}", key="report.not_found", day=day.isoformat())
        summary = trail[-1]
    try:
        return report_file(db, summary.id, "json").content, summary
    except NotFound:
        with db.read() as s:
            return s.get(IssuedForecast, summary.id).snapshot.encode("utf-8"), summary


def issued_acknowledgements(db: Database, issued_forecast_id: int) -> list[dict]:
    """The flag acknowledgements as issued (the revision's snapshot, oldest first): one dict per flag with
    ``flag kind target_date districts group reason by at``. What the report says was resolved, not what
    the discussion later holds: a group acknowledgement is one note for many flags."""
    with db.read() as s:
        issued = s.get(IssuedForecast, issued_forecast_id)
        if issued is None:
            raise NotFound(f"no issued forecast {issued_forecast_id}", key="report.not_found",
                           day=str(issued_forecast_id))
        return list(json.loads(issued.snapshot).get("acknowledgements") or [])


def verify_report(db: Database, issued_forecast_id: int) -> bool:
    """Every stored file still hashes to its stored SHA-256, and the PDF's to the issued forecast's
    (for an issue without files: the snapshot to the issued forecast's SHA-256; for files on demand: the
    JSON stored at issue time)."""
    with db.read() as s:
        issued = s.get(IssuedForecast, issued_forecast_id)
        if issued is None:
            raise NotFound(f"no issued forecast {issued_forecast_id}", key="report.not_found",
                           day=str(issued_forecast_id))
        rows = list(s.scalars(select(IssuedReport)
                              .where(IssuedReport.issued_forecast_id == issued_forecast_id)))
        if not rows:  # issued without files: the hash is that of the canonical snapshot
            return hashlib.sha256(issued.snapshot.encode("utf-8")).hexdigest() == issued.sha256
        ok = all(hashlib.sha256(bytes(r.content)).hexdigest() == r.sha256 for r in rows)
        by_format = {r.format: r for r in rows}
        if "json" in by_format and by_format["json"].sha256 == issued.sha256:
            return ok  # files on demand: the JSON stored at issue time carries the report's hash
        return ok and ("pdf" not in by_format or by_format["pdf"].sha256 == issued.sha256)


def level_calendar(db: Database, *, first=None, last=None) -> list[dict]:
    """Per issue date (current revision) and district: the highest level of the first target day
    (rows ``issue_date district level hex``) for the calendar heatmap."""
    out = []
    for r in list_reports(db, first=first, last=last, include_superseded=False):
        for adcode, (lo, hi) in r.levels.items():
            out.append({"issue_date": r.issue_date, "district": adcode, "level": hi,
                        "hex": level_info(level=hi).hex})
    return out
