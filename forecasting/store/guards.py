"""Database-level guards that the application cannot bypass by mistake.

``append_only`` makes a table refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL): used
for the audit trail and, later, for issued report bytes. Migrations call these functions, so
the guard exists in every database that is migrated, whatever code runs against it.
"""

from __future__ import annotations

__all__ = ["append_only_sql", "drop_append_only_sql"]


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


def drop_append_only_sql(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]
