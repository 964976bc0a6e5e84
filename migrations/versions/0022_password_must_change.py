"""a password someone else set is changed before anything else (round forty-two)

Revision ID: r42_a
Revises: r21_a

``users.password_must_change``: true for an account an administrator created on the page and after an
administrator's password reset; the user's own change clears it. Existing accounts keep their passwords
(false).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'r42_a'
down_revision: Union[str, None] = 'r21_a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # a plain column added in place (SQLite allows NOT NULL with a default): the table is not rebuilt
    op.add_column('users', sa.Column('password_must_change', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_must_change')
