"""threaded notes and flag-group acknowledgements (issue #14)

Revision ID: i14_a
Revises: i20_a

Notes get ``parent_id`` (a reply) and ``mentions`` (@district); flag acknowledgements get the
``group_key`` of the group acknowledged with one reason. Plain columns added in place: the
append-only triggers of ``consultation_notes`` stay untouched.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'i14_a'
down_revision: Union[str, None] = 'i20_a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('consultation_notes', sa.Column('parent_id', sa.Integer(), nullable=True))
    op.add_column('consultation_notes', sa.Column('mentions', sa.JSON(), nullable=True))
    op.add_column('consultation_flag_acks', sa.Column('group_key', sa.String(length=160), nullable=True))


def downgrade() -> None:
    op.drop_column('consultation_flag_acks', 'group_key')
    op.drop_column('consultation_notes', 'mentions')
    op.drop_column('consultation_notes', 'parent_id')
