"""append-only guards that hold for any connection (issue #15)

Revision ID: i15_a
Revises: i14_a
Create Date: 2026-11-29 04:50:00

SQLite: ``INSERT OR REPLACE`` deleted append-only rows without firing their DELETE triggers; a
BEFORE INSERT trigger on each append-only table now refuses an insert that collides with an existing
row (id or unique key). ``consultation_submission_versions`` becomes append-only (UPDATE/DELETE
refused) on both SQLite and PostgreSQL.
"""
from typing import Sequence, Union

from alembic import op

from forecasting.store.guards import (
    NO_REPLACE,
    append_only_sql,
    drop_append_only_sql,
    drop_no_replace_sql,
    no_replace_sql,
)

revision: str = 'i15_a'
down_revision: Union[str, None] = 'i14_a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in append_only_sql(dialect, "consultation_submission_versions"):
        op.execute(statement)
    for table in NO_REPLACE:
        for statement in no_replace_sql(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in NO_REPLACE:
        for statement in drop_no_replace_sql(dialect, table):
            op.execute(statement)
    for statement in drop_append_only_sql(dialect, "consultation_submission_versions"):
        op.execute(statement)
