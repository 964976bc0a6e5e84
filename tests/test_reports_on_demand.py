"""Reports whose files are rendered on demand (the demo world's history, issue #16): the report model is
fixed and hashed at issue time; the PDF, HTML and text files are rendered from that stored JSON when first
asked for, are exactly the files a full issue would have stored, and are stored once, never replaced."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import func, select

from consultation_data import ISSUE, signed_session
from db_support import PASSWORD
from forecasting.errors import NotFound

pytestmark = pytest.mark.slow  # each test renders PDFs (about 1.5 s each)


#: What the files say does not depend on the database engine: the tests of content run on SQLite only; the
#: stored model, its hash and two readers at once (the unique constraint) run on both.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def on_demand(db, users):
    """``(view, chief)``: the consultation issued with its files on demand."""
    from forecasting import consultation as c
    from forecasting.reports import on_demand_renderer

    chief = signed_session(db, users, note="各区意见一致，按 60-80 发布。")
    return c.issue_session(db, chief, ISSUE, render=on_demand_renderer(db)), chief


def _at_issue(db, view, formats, *, on_demand=True):
    """The files rendered at issue time from the report model of the same snapshot (before anything changed),
    as a full issue renders them; with ``on_demand`` the model says its hash is the JSON's."""
    from forecasting.reports import build_report, render_from_model

    model = build_report(db, json.loads(view.snapshot))
    if on_demand:
        model["report_hash"] = "json"
    return render_from_model(model, formats=formats)


def _rows(db, issued_id: int) -> dict[str, int]:
    from forecasting.store.reports import IssuedReport

    with db.read() as s:
        return dict(s.execute(select(IssuedReport.format, func.count())
                              .where(IssuedReport.issued_forecast_id == issued_id)
                              .group_by(IssuedReport.format)).all())


def test_the_report_model_is_stored_and_hashed_at_issue(db, on_demand):
    from forecasting.reports import FORMATS, latest_report, report_file, verify_report

    view, _ = on_demand
    assert view.formats == ("json",) and _rows(db, view.id) == {"json": 1}
    data = report_file(db, view.id, "json").content
    assert hashlib.sha256(data).hexdigest() == view.sha256  # the report's hash is the stored JSON's
    model = json.loads(data)
    assert model["pdf_sha256"] is None and model["snapshot_sha256"] == hashlib.sha256(
        view.snapshot.encode("utf-8")).hexdigest()
    assert model["report_hash"] == "json"
    summary = latest_report(db)
    assert summary.on_demand and summary.sha256 == view.sha256 and set(summary.formats) == set(FORMATS)
    assert verify_report(db, view.id)


@sqlite_only
def test_files_on_demand_are_the_files_of_the_issue_not_of_later_changes(db, users, on_demand):
    from forecasting import accounts
    from forecasting.reports import FORMATS, build_report, report_file, verify_report

    view, chief = on_demand
    at_issue = _at_issue(db, view, FORMATS)
    # the duty chief renamed after the issue: a report built now would name her so; the issued one must not
    version = next(u.version for u in accounts.list_users(db, users["admin1"]) if u.username == chief.username)
    accounts.update_user(db, users["admin1"], chief.username, expected_version=version,
                         display_name="NAME-AFTER-ISSUE")
    assert build_report(db, json.loads(view.snapshot))["duty"]["chief"] == "NAME-AFTER-ISSUE"

    pdf = report_file(db, view.id, "pdf")
    assert pdf.content == at_issue["pdf"] and pdf.content.startswith(b"%PDF-")
    for fmt in ("html", "txt"):
        content = report_file(db, view.id, fmt).content
        assert content == at_issue[fmt]  # carries the stored PDF's hash, as a full issue's file does
        assert "NAME-AFTER-ISSUE" not in content.decode("utf-8")
    html = report_file(db, view.id, "html").content.decode("utf-8")
    assert hashlib.sha256(pdf.content).hexdigest() in html
    # the files say which hash is the report's and how to check it (a tour's manager followed "sha256sum
    # 文件名.pdf" and got a mismatch)
    assert "sha256sum 文件名.json" in html and "sha256sum 文件名.pdf" not in html
    assert _rows(db, view.id) == {"json": 1, "pdf": 1, "html": 1, "txt": 1}  # the English ones not yet

    # English: rendered on first request, beside the Chinese PDF already stored (not rendered again)
    assert report_file(db, view.id, "en.txt").content == at_issue["en.txt"]
    assert report_file(db, view.id, "en.pdf").content == at_issue["en.pdf"]
    assert "sha256sum FILE.json" in report_file(db, view.id, "en.html").content.decode("utf-8")
    assert _rows(db, view.id) == {fmt: 1 for fmt in ("json", "pdf", "html", "txt", "en.pdf", "en.html", "en.txt")}
    assert report_file(db, view.id, "pdf").content == pdf.content
    assert report_file(db, view.id, "json").content != at_issue["json"]  # the JSON stays as issued (no PDF hash)
    assert verify_report(db, view.id)
    # each rendering is in the audit trail, by the system, with the hashes it stored
    from forecasting.store.models import AuditEntry

    with db.read() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "report.render_on_demand")
                              .order_by(AuditEntry.id)))
    assert [sorted(r.details["formats"]) for r in rows] == [["html", "pdf", "txt"], ["en.html", "en.pdf", "en.txt"]]
    assert rows[0].details["sha256"]["pdf"] == pdf.sha256 and all(r.object_id == str(view.id) for r in rows)


def test_two_readers_at_once_store_one_set_of_files(db, on_demand):
    from forecasting.reports import report_file

    view, _ = on_demand
    at_issue = _at_issue(db, view, ("pdf",))
    got, errors = [], []
    start = threading.Barrier(2)

    def read():
        try:
            start.wait()
            got.append(report_file(db, view.id, "pdf").content)
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert got == [at_issue["pdf"]] * 2
    assert _rows(db, view.id) == {"json": 1, "pdf": 1, "html": 1, "txt": 1}


@sqlite_only
def test_a_report_issued_in_chinese_gets_its_english_files_from_its_stored_model(db, users):
    """A report issued in the Chinese formats renders its English files from its stored JSON when first
    asked for: the bytes a full issue would have stored, the report's hash still its Chinese PDF's. A
    snapshot-only issue (no renderer) has no model and no files."""
    from forecasting import consultation as c
    from forecasting.reports import (CHINESE_FORMATS, FORMATS, issue_with_report, latest_report, render_files,
                                     report_file, verify_report)

    chief = signed_session(db, users, note="各区意见一致，按 60-80 发布。")
    view = issue_with_report(db, chief, ISSUE, formats=CHINESE_FORMATS)
    at_issue, digest = render_files(db, json.loads(view.snapshot), formats=FORMATS)
    assert digest == view.sha256  # the same Chinese PDF as the one issued
    assert "sha256sum on the Chinese PDF file" in at_issue["en.html"].decode("utf-8")  # its hash is its PDF's
    summary = latest_report(db)
    assert not summary.on_demand and set(summary.formats) == set(FORMATS)
    assert set(summary.stored) == set(CHINESE_FORMATS)
    for fmt in ("en.txt", "en.pdf", "en.html"):
        assert report_file(db, view.id, fmt).content == at_issue[fmt]
    assert view.sha256 in report_file(db, view.id, "en.html").content.decode("utf-8")
    assert _rows(db, view.id) == {fmt: 1 for fmt in FORMATS}
    assert report_file(db, view.id, "pdf").sha256 == view.sha256 and verify_report(db, view.id)

    c.amend_session(db, chief, ISSUE, reason="更正")
    c.sign_session(db, chief, ISSUE, password=PASSWORD, expected_version=c.get_session(db, ISSUE).version)
    bare = c.issue_session(db, chief, ISSUE)  # no render: the snapshot's hash, no files
    with pytest.raises(NotFound):
        report_file(db, bare.id, "pdf")
    assert latest_report(db).formats == () and not latest_report(db).on_demand
    assert verify_report(db, bare.id)


@sqlite_only
def test_files_rendered_on_two_workers_are_the_files_of_one_rendering(db, users):
    """The demo world's newest report is rendered by both worker processes at once (every file but the
    English PDF in one, the English PDF in the other): the union is byte for byte what one rendering of
    every format makes, with the same hash (the Chinese PDF's)."""
    from forecasting.demo.consultation import _render
    from forecasting.demo.spawn import spawn_pool
    from forecasting.reports import FORMATS, issue_with_report, render_english_pdf, render_files

    chief = signed_session(db, users, note="各区意见一致，按 60-80 发布。")
    snapshot = json.loads(issue_with_report(db, chief, ISSUE, formats=("pdf",)).snapshot)
    whole, digest = render_files(db, snapshot, formats=FORMATS)
    assert render_english_pdf(db, snapshot) == whole["en.pdf"]
    with spawn_pool(2) as pool:
        files, split_digest = _render(pool, db.url, snapshot, FORMATS).result()
    assert split_digest == digest == hashlib.sha256(whole["pdf"]).hexdigest()
    assert set(files) == set(FORMATS)
    assert {fmt: hashlib.sha256(data).hexdigest() for fmt, data in files.items()} == \
        {fmt: hashlib.sha256(data).hexdigest() for fmt, data in whole.items()}
