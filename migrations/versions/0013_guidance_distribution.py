"""guidance distribution, outlook and training window (issue #13)

Revision ID: i13_a
Revises: 0004

Adds to every guidance row the quantiles of the day's AQI (10/50/90 %), the probabilities of
AQI > 100 and AQI > 200, whether the row is the labelled outlook past the longest model lead, and
the end of the training window of the corrections it used (guidance is computed only with
corrections trained on windows that ended by its issue time).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import forecasting.store.types


revision: str = 'i13_a'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_FLOATS = ('aqi_q10', 'aqi_q50', 'aqi_q90', 'p_over_100', 'p_over_200')


def upgrade() -> None:
    with op.batch_alter_table('guidance') as batch:
        for name in _FLOATS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
        batch.add_column(sa.Column('outlook', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('trained_until', forecasting.store.types.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('guidance') as batch:
        batch.drop_column('trained_until')
        batch.drop_column('outlook')
        for name in reversed(_FLOATS):
            batch.drop_column(name)
