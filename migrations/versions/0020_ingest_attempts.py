"""ingest attempts (data desk, issue #20)

Revision ID: i20_a
Revises: i13_a
Create Date: 2026-11-29 04:20:00

Every attempt to ingest a model run or import observations, stored or refused (with the reason
and the file's SHA-256): the arrivals board's memory of refusals.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import forecasting.store.types


revision: str = 'i20_a'
down_revision: Union[str, None] = 'i13_a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('ingest_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', forecasting.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('actor_username', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('cycle', forecasting.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('n_variables', sa.Integer(), nullable=False),
    sa.Column('n_times', sa.Integer(), nullable=False),
    sa.Column('n_values', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_attempts'))
    )
    with op.batch_alter_table('ingest_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingest_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingest_attempts_model'), ['model'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ingest_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingest_attempts_model'))
        batch_op.drop_index(batch_op.f('ix_ingest_attempts_at'))
    op.drop_table('ingest_attempts')
