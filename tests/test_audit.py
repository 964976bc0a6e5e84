"""The audit trail is append-only: the database itself refuses UPDATE and DELETE."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from forecasting import accounts
from forecasting.store.models import AuditEntry

from db_support import PASSWORD


def test_audit_rows_cannot_be_changed_or_deleted(db, users):
    accounts.authenticate(db, "fc_qp", PASSWORD)
    with db.read() as s:
        before = [(e.id, e.action, e.actor_username, e.details) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert before, "sign-in and user creation wrote audit rows"
    with pytest.raises(DBAPIError, match="append-only"):
        with db.transaction() as s:
            s.execute(update(AuditEntry).values(action="tampered"))
    with pytest.raises(DBAPIError, match="append-only"):
        with db.transaction() as s:
            s.execute(delete(AuditEntry))
    if not db.is_sqlite:
        with pytest.raises(DBAPIError, match="append-only"):
            with db.transaction() as s:
                s.execute(text("TRUNCATE audit_log"))
    with db.read() as s:
        after = [(e.id, e.action, e.actor_username, e.details) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert after == before


def test_a_failed_action_writes_no_audit_row(db, users):
    """One transaction per unit of work: a refused create leaves neither user nor audit row."""
    with db.read() as s:
        n = len(s.scalars(select(AuditEntry.id)).all())
    with pytest.raises(Exception):
        accounts.create_user(db, users["admin1"], username="x!", password="a-good-password", role="manager")
    with db.read() as s:
        assert len(s.scalars(select(AuditEntry.id)).all()) == n
