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


def _no_fonts(monkeypatch, tmp_path):
    """fontconfig with no font folders: what a machine without any installed font reports (``fc-list`` is
    run for real, with ``FONTCONFIG_FILE`` pointing at this configuration)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


def test_no_report_is_issued_without_the_chinese_font(db, users, monkeypatch, tmp_path):
    """A machine without Noto Sans CJK: WeasyPrint would fall back to a font without Chinese glyphs and the
    immutable PDF would print boxes. The issue is refused in the chief's language, naming the font and the
    fix, and nothing is written; with the font back it issues."""
    from forecasting import consultation as c
    from forecasting.errors import ValidationError
    from forecasting.reports import CHINESE_FORMATS, cjk_font_installed, issue_with_report
    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.reports import IssuedReport

    if not cjk_font_installed():
        pytest.skip("Noto Sans CJK is not installed (scripts/sysdeps.sh installs fonts-noto-cjk)")
    chief = signed_session(db, users)
    _no_fonts(monkeypatch, tmp_path)
    assert not cjk_font_installed()
    with pytest.raises(ValidationError) as refused:
        issue_with_report(db, chief, ISSUE, formats=CHINESE_FORMATS)
    text_zh = refused.value.localized("zh")
    assert "Noto Sans CJK" in text_zh and "方框" in text_zh and "fonts-noto-cjk" in text_zh, text_zh
    assert "未写入任何内容" in text_zh
    with db.read() as s:
        assert s.scalar(select(IssuedForecast.id)) is None and s.scalar(select(IssuedReport.id)) is None
    assert c.get_session(db, ISSUE).state == "signed"
    monkeypatch.delenv("FONTCONFIG_FILE")
    assert issue_with_report(db, chief, ISSUE, formats=CHINESE_FORMATS).sha256


def test_the_font_is_found_without_fontconfig_tools(monkeypatch, tmp_path):
    """Without ``fc-list`` (Debian's ``fontconfig`` package holds it; WeasyPrint needs only the library) the
    font files themselves are looked for; an English document without Chinese needs no CJK font."""
    from forecasting.reports import cjk_font_installed
    from forecasting.reports.pdf import require_cjk_font

    installed = cjk_font_installed()
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list on the path
    assert cjk_font_installed() == installed
    _no_fonts(monkeypatch, tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert not cjk_font_installed()
    require_cjk_font("<html lang='en'><body><p>Qingpu, Wujiang, Jiashan: AQI 60–80</p></body></html>")
    with pytest.raises(Exception, match="Noto Sans CJK"):
        require_cjk_font("<p>青浦区</p>")
