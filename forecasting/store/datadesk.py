"""Model of the data desk (issue #20): every attempt to bring a model run or observations into
the database, stored or refused, with the file's SHA-256 and the reason of a refusal.

Append-only in practice (nothing updates or deletes a row); it is the arrivals board's memory of
refusals and of the files' hashes, next to the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forecasting.store.models import Base
from forecasting.store.types import UTCDateTime, utcnow

__all__ = ["IngestAttempt"]


class IngestAttempt(Base):
    """One ingest or import attempt: ``kind`` ``model_run`` or ``observations``; ``status``
    ``stored``, ``replaced`` or ``refused`` (then ``reason`` says why); ``via`` ``upload``,
    ``reingest``, ``cli`` ...; ``sha256`` of the file (of the sorted file hashes for several)."""

    __tablename__ = "ingest_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(16), default="")
    actor_username: Mapped[str] = mapped_column(String(64), default="system")
    model: Mapped[str | None] = mapped_column(String(64), index=True)
    cycle: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[list] = mapped_column(JSON, default=list)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    n_variables: Mapped[int] = mapped_column(Integer, default=0)
    n_times: Mapped[int] = mapped_column(Integer, default=0)
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
