"""Quality control with only what was known at a moment (no look-ahead), for backtest scoring (issue #18).

The real-time QC of :func:`forecasting.observations.quality_control` looks at neighbours on both sides:
the ``spike`` test compares hour t with hours t−1 and **t+1**, and a ``flat`` run is flagged over its
whole length once it reaches ``flat_hours``, so an hour can be flagged by values that arrived later.
Stored observations carry those hindsight flags. :func:`quality_control_known_at` applies the same
checks to the values whose hour ended by ``known_at`` only, so a value is judged as it was when a
forecast was made.

What this means for the verification (``docs/verification.md`` §6): the verified truth (the observed
daily AQI of the target day) rightly uses every flag; the only observation a forecast of the
verification *uses* is persistence's, the whole day before the issue date, read at the consultation
(15:00 Beijing on the issue date). For those hours the hindsight flags and the known-at-the-time flags
are the same whenever ``known_at`` is at least ``flat_hours − 1`` hours and one hour after the day's
end: the spike test of the last hour needs one later hour, and a flat run that touches the day reaches
``flat_hours`` within ``flat_hours − 1`` hours of the day's end or never involves it.
:func:`lookahead_margin` gives that margin, and the tests check the claim.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from forecasting.observations.known import CONSULTATION_HOUR, lookahead_margin
from forecasting.observations.qc import quality_control

__all__ = ["quality_control_known_at", "lookahead_margin", "CONSULTATION_HOUR"]


def quality_control_known_at(obs: pd.DataFrame, known_at: datetime, **options) -> pd.DataFrame:
    """QC flags as they stood at ``known_at``: the checks run on the values whose hour ended by then.

    Parameters
    ----------
    obs : DataFrame
        Long station observations ``station time pollutant value`` (UTC, hour-ending).
    known_at : datetime
        Timezone-aware moment; values labelled after it are left out (they were not known).
    **options
        Passed to :func:`forecasting.observations.quality_control` (``flat_hours``, ``spike_ratio``, ...).

    Returns
    -------
    DataFrame
        The known rows with ``qc_flags`` and ``valid``.
    """
    if known_at.tzinfo is None:
        raise ValueError("known_at must be timezone-aware (e.g. UTC)")
    times = pd.to_datetime(obs["time"], utc=True)
    return quality_control(obs[(times <= pd.Timestamp(known_at)).to_numpy()], **options)
