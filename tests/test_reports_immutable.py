"""Issued report bytes never change: refused through the ORM/services and by the database trigger
(SQLite and PostgreSQL); the stored hash matches the stored bytes; files commit with the issue."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from consultation_data import ISSUE, signed_session
from forecasting.errors import Conflict



@pytest.fixture
def issued(db, users):
    from forecasting.reports import CHINESE_FORMATS, issue_with_report

    chief = signed_session(db, users)
    view = issue_with_report(db, chief, ISSUE, formats=CHINESE_FORMATS)  # one PDF: faster
    assert view.formats == tuple(sorted(CHINESE_FORMATS))
    return view


def test_stored_reports_cannot_be_changed_or_deleted(db, issued):
    from forecasting.reports import report_file, verify_report
    from forecasting.store.reports import IssuedReport

    pdf = report_file(db, issued.id, "pdf")
    assert pdf.sha256 == issued.sha256 == hashlib.sha256(pdf.content).hexdigest()
    # through the ORM (what any service would use): refused before SQL is sent
    with pytest.raises(Conflict, match="never change"):
        with db.transaction() as s:
            row = s.scalar(select(IssuedReport).where(IssuedReport.issued_forecast_id == issued.id,
                                                      IssuedReport.format == "pdf"))
            row.content = b"%PDF-forged"
    with pytest.raises(Conflict, match="never deleted"):
        with db.transaction() as s:
            s.delete(s.scalar(select(IssuedReport).where(IssuedReport.issued_forecast_id == issued.id).limit(1)))
    # through SQL: the trigger refuses
    for statement in ("UPDATE issued_reports SET content = :b, sha256 = 'x' WHERE format = 'pdf'",
                      "DELETE FROM issued_reports"):
        with pytest.raises(Exception, match="append-only"):
            with db.transaction() as s:
                s.execute(text(statement), {"b": b"forged"})
    assert report_file(db, issued.id, "pdf").content == pdf.content
    assert verify_report(db, issued.id)


def test_the_issued_forecast_and_its_files_commit_together(db, users):
    """Regression guard: a failure after rendering leaves neither the issue nor orphan files."""
    from forecasting import consultation as c
    from forecasting.reports import make_renderer
    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.reports import IssuedReport

    chief = signed_session(db, users)
    render = make_renderer(db)

    def failing(snapshot):
        files, digest = render(snapshot)
        return files, None  # issued_forecasts.sha256 is NOT NULL: the insert fails after rendering

    with pytest.raises(Exception):
        c.issue_session(db, chief, ISSUE, render=failing)
    with db.read() as s:
        assert s.scalar(select(IssuedForecast.id)) is None and s.scalar(select(IssuedReport.id)) is None
    assert c.get_session(db, ISSUE).state == "signed"


def test_unknown_formats_are_refused(db):
    from forecasting.reports import make_renderer

    with pytest.raises(ValueError, match="unknown report formats"):
        make_renderer(db, formats=("pdf", "docx"))
