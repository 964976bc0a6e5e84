"""token refusals per client address and minute (issue #15)

Revision ID: i15_b
Revises: i15_a
Create Date: 2026-11-29 04:35:00

The counter behind the 429 throttle of refused API tokens and the aggregated audit rows.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import forecasting.store.types


revision: str = 'i15_b'
down_revision: Union[str, None] = 'i15_a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'token_refusals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('minute', forecasting.store.types.UTCDateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('audited', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_token_refusals')),
        sa.UniqueConstraint('address', 'minute', name='uq_token_refusals_address_minute'),
    )
    with op.batch_alter_table('token_refusals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_token_refusals_minute'), ['minute'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('token_refusals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_token_refusals_minute'))
    op.drop_table('token_refusals')
