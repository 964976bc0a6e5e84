"""Issue #15 High 2: text limits everywhere, and a two-phase issue (snapshot read-only, rendering
outside any transaction, one short transaction that re-checks the snapshot and stores the files)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from consultation_data import ISSUE, TARGETS, add_forecaster, make_rota, open_consulting, signed_session
from db_support import PASSWORD
from forecasting.errors import Conflict, ValidationError



@pytest.fixture
def signed(db, users):
    return signed_session(db, users)


def _count(db, model):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_over_long_texts_are_refused_with_the_field_named(db, users):
    """Regression: nothing limited the analysis, the zone summary or an amendment reason."""
    from forecasting import consultation as c
    from forecasting.store.consultation import Submission

    make_rota(db)
    chief = users["fc_qp"]
    open_consulting(db, chief)
    with pytest.raises(ValidationError, match="analysis may have at most 4000 characters") as err:
        c.save_submission(db, users["fc_qp"], ISSUE, "310118", TARGETS[0], aqi_lo=60, aqi_hi=80, primary=("pm25",),
                          analysis="污" * 4001)
    assert err.value.key == "hard15.too_long.analysis"
    assert "分析最多 4000 个字符" in err.value.localized("zh")
    assert _count(db, Submission) == 0
    with pytest.raises(ValidationError, match="zone summary may have at most 4000"):
        c.save_final(db, chief, ISSUE, [], zone_summary="x" * 4001)
    assert c.get_session(db, ISSUE).zone_summary == ""
    with pytest.raises(ValidationError, match="amendment reason may have at most 1000"):
        c.amend_session(db, chief, ISSUE, reason="r" * 1001)


def test_display_name_is_limited_and_bidi_controls_are_stripped(db, users):
    from forecasting import accounts

    admin = users["admin1"]
    with pytest.raises(ValidationError, match="display name may have at most 64"):
        accounts.create_user(db, admin, username="longname", password="Tq8!vLm#2pZr", role="manager",
                             display_name="名" * 65)
    view = accounts.create_user(db, admin, username="bidi", password="Tq8!vLm#2pZr", role="manager",
                                display_name="Ann\u202egnp.exe")
    assert view.display_name == "Anngnp.exe"


def test_rendering_runs_outside_any_write_transaction(db, signed):
    """Regression: the report was rendered inside the issue's BEGIN IMMEDIATE, so any other writer
    (a sign-in) waited for the whole rendering and then failed with "database is locked"."""
    from forecasting import consultation as c

    if not db.is_sqlite:
        pytest.skip("SQLite's database-wide write lock is what this guards")
    path = make_url(db.url).database
    seen = {}

    def render(snapshot):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)  # no waiting: locked is an error
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen["write_possible"] = True
        finally:
            other.close()
        return {"pdf": b"%PDF-1.7 test"}, "cd" * 32

    issued = c.issue_session(db, signed, ISSUE, render=render)
    assert seen == {"write_possible": True}
    assert issued.formats == ("pdf",)


def test_issue_refuses_a_snapshot_that_changed_while_rendering(db, signed):
    from forecasting import consultation as c
    from forecasting.store.consultation import ConsultationSession, IssuedForecast
    from forecasting.store.reports import IssuedReport

    def render(snapshot):
        with db.transaction() as s:  # someone changes the signed consultation meanwhile
            row = s.scalar(select(ConsultationSession).where(ConsultationSession.issue_date == ISSUE))
            row.zone_summary = "changed behind the renderer's back"
        return {"pdf": b"%PDF-1.7 test"}, "ef" * 32

    with pytest.raises(Conflict) as err:
        c.issue_session(db, signed, ISSUE, render=render)
    assert err.value.key == "hard15.snapshot_changed"
    assert _count(db, IssuedForecast) == 0 and _count(db, IssuedReport) == 0
    assert c.get_session(db, ISSUE).state == "signed"


def test_files_are_stored_through_the_public_store_function(db, signed):
    """The issued row and its files go in together, from the issue's own transaction; no global
    hand-over and no ORM after_insert side channel remain."""
    from forecasting import consultation as c
    from forecasting.reports import store as report_store
    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.reports import IssuedReport

    assert not hasattr(report_store, "_pending")
    assert len(IssuedForecast.__mapper__.dispatch.after_insert) == 0
    issued = c.issue_session(db, signed, ISSUE, render=lambda snap: ({"pdf": b"%PDF", "txt": b"t"}, "ab" * 32))
    with db.read() as s:
        rows = {r.format: r.sha256 for r in s.scalars(select(IssuedReport)
                                                       .where(IssuedReport.issued_forecast_id == issued.id))}
    import hashlib

    assert rows == {"pdf": hashlib.sha256(b"%PDF").hexdigest(), "txt": hashlib.sha256(b"t").hexdigest()}
    assert _count(db, IssuedForecast) == 1


def test_issue_snapshot_is_what_gets_issued(db, signed):
    from forecasting import consultation as c

    seen = {}

    def render(snapshot):
        seen["snap"] = snapshot
        return {"pdf": b"%PDF"}, "12" * 32

    issued = c.issue_session(db, signed, ISSUE, render=render)
    assert issued.snapshot == c.canonical_json(seen["snap"])


def test_report_with_maximum_size_analyses_uses_a_fixed_table_layout(db, users):
    """Regression: an automatic table layout measured each long CJK analysis in O(n²) (a report with
    nine 4,000-character analyses did not render in minutes; with the fixed layout: seconds), and a
    long unbroken token was clipped at the page edge instead of broken."""
    from forecasting import consultation as c
    from forecasting.reports import render_files

    if not db.is_sqlite:
        pytest.skip("rendering does not depend on the database")
    add_forecaster(db, "fc_qp2", "310118")
    make_rota(db)
    chief = users["fc_qp"]
    open_consulting(db, chief)
    long_token = "x" * 300
    for u, d in (("fc_qp", "310118"), ("fc_wj", "320509"), ("fc_js", "330421")):
        for day in TARGETS:
            c.save_submission(db, users[u], ISSUE, d, day, aqi_lo=60, aqi_hi=80, primary=("pm25",),
                              analysis=(long_token + "区域污染形势分析。" * 500)[:4000], submit=True)
    c.sign_session(db, chief, ISSUE, password=PASSWORD, expected_version=c.get_session(db, ISSUE).version)
    files, digest = render_files(db, c.issue_snapshot(db, chief, ISSUE), formats=("pdf", "html"))
    html = files["html"].decode("utf-8")
    assert '<table class="analysis">' in html and "table.analysis { table-layout: fixed; }" in html
    assert "overflow-wrap: anywhere" in html and long_token in html
    assert files["pdf"].startswith(b"%PDF")
