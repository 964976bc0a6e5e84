"""Issue #15 item 3: append-only guards live in the schema and hold for any connection.

SQLite: ``INSERT OR REPLACE`` deleted an audit row without firing its DELETE trigger. PostgreSQL:
the application runs as a role that does not own the tables and cannot disable the triggers."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from forecasting import audit
from forecasting.permissions import Actor


def _record(s) -> int:
    entry = audit.record(s, Actor.system("t"), "test.original", details={"n": 1})
    s.flush()
    return entry.id


@pytest.mark.parametrize("table, statement", [
    ("audit_log", "INSERT OR REPLACE INTO audit_log (id, at, actor_username, action, object_type, object_id, details) "
                  "SELECT id, at, actor_username, 'forged', object_type, object_id, details FROM audit_log WHERE id = :id"),
    ("audit_log", "REPLACE INTO audit_log (id, at, actor_username, action, object_type, object_id, details) "
                  "SELECT id, at, actor_username, 'forged', object_type, object_id, details FROM audit_log WHERE id = :id"),
])
def test_insert_or_replace_cannot_rewrite_an_audit_row(sqlite_db, table, statement):
    """Regression: REPLACE deleted the row without firing the DELETE trigger (any plain connection)."""
    with sqlite_db.transaction() as s:
        row_id = _record(s)
    path = make_url(sqlite_db.url).database
    conn = sqlite3.connect(path)  # no application pragmas at all
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement.replace(":id", str(row_id)))
        conn.rollback()
        assert conn.execute("SELECT action FROM audit_log WHERE id = ?", (row_id,)).fetchone() == ("test.original",)
    finally:
        conn.close()


def test_submission_versions_are_append_only(db, users):
    from consultation_data import ISSUE, TARGETS, make_rota, open_consulting

    from forecasting import consultation as c

    if not db.is_sqlite:
        pytest.skip("plain sqlite3 connection")
    sqlite_db = db

    make_rota(sqlite_db)
    open_consulting(sqlite_db, users["fc_qp"])
    c.save_submission(sqlite_db, users["fc_qp"], ISSUE, "310118", TARGETS[0], aqi_lo=60, aqi_hi=80, primary=("pm25",))
    conn = sqlite3.connect(make_url(sqlite_db.url).database)
    try:
        for sql in ("UPDATE consultation_submission_versions SET aqi_lo = 10",
                    "DELETE FROM consultation_submission_versions",
                    "INSERT OR REPLACE INTO consultation_submission_versions SELECT * FROM consultation_submission_versions"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
            conn.rollback()
    finally:
        conn.close()


def test_issued_report_cannot_be_replaced_through_its_unique_key(sqlite_db):
    """A REPLACE with a NEW id but the same (issued_forecast_id, format) would delete the old file."""
    conn = sqlite3.connect(make_url(sqlite_db.url).database)
    try:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'issued_reports_no_replace'").fetchone()
        assert sql and "issued_forecast_id = NEW.issued_forecast_id AND format = NEW.format" in sql[0]
    finally:
        conn.close()


@pytest.mark.postgres
def test_restricted_app_role_cannot_disable_the_triggers(pg_url):
    """The app role (not the tables' owner) cannot ALTER TABLE ... DISABLE TRIGGER nor rewrite audit rows."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    from forecasting.store.db import Database
    from forecasting.store.guards import restricted_role_sql

    db = Database(pg_url)
    with db.transaction() as s:
        row_id = _record(s)
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aq_app_test') "
                          "THEN CREATE ROLE aq_app_test NOLOGIN; END IF; END $$"))
        for statement in restricted_role_sql("aq_app_test"):
            conn.execute(text(statement))
    for sql in ("ALTER TABLE audit_log DISABLE TRIGGER USER", "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_log_append_only ON audit_log", "TRUNCATE audit_log",
                f"UPDATE audit_log SET action = 'forged' WHERE id = {row_id}"):
        with engine.connect() as conn:
            conn.execute(text("SET ROLE aq_app_test"))
            with pytest.raises(DBAPIError):
                conn.execute(text(sql))
            conn.rollback()
    with engine.connect() as conn:  # the app role still works normally
        conn.execute(text("SET ROLE aq_app_test"))
        conn.execute(text("INSERT INTO audit_log (at, actor_username, action, object_type, object_id, details) "
                          "VALUES (now(), 'app', 'test.insert', '', '', '{}'::json)"))
        assert conn.execute(text(f"SELECT action FROM audit_log WHERE id = {row_id}")).scalar() == "test.original"
        conn.rollback()
    engine.dispose()
    db.dispose()
