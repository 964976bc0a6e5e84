"""Database-level guards that the application cannot bypass by mistake.

``append_only`` makes a table refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL): used
for the audit trail and, later, for issued report bytes. Migrations call these functions, so
the guard exists in every database that is migrated, whatever code runs against it.
"""

from __future__ import annotations

from sqlalchemy import event

from forecasting.errors import Conflict
from forecasting.store.consultation import IssuedForecast, SubmissionVersion
from forecasting.store.reports import IssuedReport

__all__ = ["append_only_sql", "drop_append_only_sql", "no_replace_sql", "drop_no_replace_sql", "NO_REPLACE",
           "restricted_role_sql", "install_orm_guards"]

#: Append-only tables and their unique keys (besides ``id``). On SQLite ``INSERT OR REPLACE`` deletes
#: a conflicting row without firing DELETE triggers (``recursive_triggers`` is off), so a BEFORE
#: INSERT trigger refuses any insert that would collide on one of these keys (issue #15).
NO_REPLACE = {
    "audit_log": [("id",)],
    "issued_forecasts": [("id",), ("issue_date", "revision"), ("session_id",)],
    "issued_reports": [("id",), ("issued_forecast_id", "format")],
    "consultation_submission_versions": [("id",), ("submission_id", "version")],
    "consultation_notes": [("id",), ("session_id", "client_token")],
}


def append_only_sql(dialect: str, table: str) -> list[str]:
    """SQL statements that make ``table`` append-only on ``dialect`` ("sqlite" or "postgresql")."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never changed'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never deleted'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION forecasting_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: rows are never changed or deleted', TG_TABLE_NAME; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION forecasting_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION forecasting_refuse_change()",
        ]
    raise ValueError(f"append-only guard not written for dialect {dialect!r}")


def no_replace_sql(dialect: str, table: str, keys: list[tuple[str, ...]] | None = None) -> list[str]:
    """SQL that makes an insert colliding with an existing row of ``table`` fail instead of replacing
    it. SQLite only: on PostgreSQL ``INSERT ... ON CONFLICT DO UPDATE`` fires the UPDATE trigger."""
    if dialect != "sqlite":
        return []
    keys = keys or NO_REPLACE[table]
    cond = " OR ".join("(" + " AND ".join(f"{c} = NEW.{c}" for c in key) + ")" for key in keys)
    return [
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {cond}) "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: an existing row is never replaced'); END",
    ]


def drop_no_replace_sql(dialect: str, table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_replace"] if dialect == "sqlite" else []


def drop_append_only_sql(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


# -- the ORM refusal in front of the triggers ---------------------------------------------------------
# A clear, translated error before the database's own refusal: the same rule, said in the user's
# language. Registered when the models are imported (forecasting.store.models imports this module).

def _refuse(model, message_update: str, message_delete: str, key: str) -> None:
    def refuse_update(mapper, connection, target):
        raise Conflict(message_update, key=key)

    def refuse_delete(mapper, connection, target):
        raise Conflict(message_delete, key=key)

    event.listen(model, "before_update", refuse_update)
    event.listen(model, "before_delete", refuse_delete)


def restricted_role_sql(role: str) -> list[str]:
    """PostgreSQL grants for the application's own role, which does not own the tables: it reads and
    writes rows but cannot ``ALTER TABLE ... DISABLE TRIGGER``, drop a trigger or truncate, so the
    append-only triggers hold even against the application. Run by the owner after migrating (see
    ``docs/security.md``); ``role`` must already exist."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"role name {role!r}: letters, digits and '_' only")
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {role}",
    ]


def install_orm_guards() -> None:
    """Refuse ORM updates and deletes of issued forecasts, issued report files and submission versions."""
    _refuse(IssuedForecast, "an issued forecast never changes: open an amendment instead",
            "an issued forecast is never deleted", "consult.issued_immutable")
    _refuse(IssuedReport, "issued report files never change: open an amendment instead",
            "issued report files are never deleted", "report.immutable")
    _refuse(SubmissionVersion, "a saved submission version never changes", "a saved submission version is never deleted",
            "hard15.version_immutable")
