"""Models for issued report files and personal API tokens.

Persistence only; the rules live in :mod:`forecasting.reports` and :mod:`forecasting.tokens`.

``issued_reports`` is append-only (database triggers, migrations 0004 and i15, plus an ORM refusal in
:mod:`forecasting.store.guards`): the bytes of a report are generated once at issue time and never
change. A correction is a new issued forecast (a higher revision) with its own files.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from forecasting.store.models import Base
from forecasting.store.types import UTCDateTime, utcnow

__all__ = ["IssuedReport", "ApiToken", "TokenRefusal", "MEDIA_TYPES", "insert_report_files"]

#: Media type of each stored report format.
MEDIA_TYPES = {
    "pdf": "application/pdf", "en.pdf": "application/pdf",
    "html": "text/html; charset=utf-8", "en.html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8", "en.txt": "text/plain; charset=utf-8",
    "json": "application/json",
}


class IssuedReport(Base):
    """One file of an issued combined report (``format`` ``pdf``, ``html``, ``txt``, ``json`` and the
    English ``en.pdf``/``en.html``/``en.txt``): the exact bytes served, and their SHA-256."""

    __tablename__ = "issued_reports"
    __table_args__ = (UniqueConstraint("issued_forecast_id", "format", name="uq_issued_reports_file"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued_forecast_id: Mapped[int] = mapped_column(ForeignKey("issued_forecasts.id"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A personal API token. Only the SHA-256 of the secret is stored; ``prefix`` (its first
    characters) lets the owner recognise it in a list."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))



class TokenRefusal(Base):
    """Refused API token uses per client address and UTC minute (issue #15): the counter behind the
    429 throttle, and the source of the aggregated audit row (one per address and minute, with the
    count) written once the minute is over."""

    __tablename__ = "token_refusals"
    __table_args__ = (UniqueConstraint("address", "minute", name="uq_token_refusals_address_minute"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    minute: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    audited: Mapped[bool] = mapped_column(Boolean, default=False)

def insert_report_files(s: Session, issued_forecast_id: int, files: dict[str, bytes]) -> int:
    """Insert the report files of one issued forecast inside the caller's (issue) transaction, each
    with its size and SHA-256; returns how many. The one way report bytes enter the database."""
    if not files:
        return 0
    now = utcnow()
    s.execute(insert(IssuedReport), [
        {"issued_forecast_id": issued_forecast_id, "format": fmt,
         "media_type": MEDIA_TYPES.get(fmt, "application/octet-stream"), "content": bytes(data), "size": len(data),
         "sha256": hashlib.sha256(data).hexdigest(), "created_at": now}
        for fmt, data in sorted(files.items())])
    return len(files)
