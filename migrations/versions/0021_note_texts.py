"""a note the app writes, in every language (round twenty-one)

Revision ID: r21_a
Revises: i15_b

``consultation_notes.texts``: an acknowledgement note's text in Chinese and English (``{"zh": ..., "en":
...}``), so an English reader does not read the Chinese chief's sentence (and the reverse). A plain
column added in place: the append-only triggers of ``consultation_notes`` stay untouched.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'r21_a'
down_revision: Union[str, None] = 'i15_b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('consultation_notes', sa.Column('texts', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('consultation_notes', 'texts')
