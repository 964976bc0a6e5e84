"""Models for the joint consultation: rota, sessions, submissions, notes, flags, sign-off.

Persistence only; the rules live in :mod:`forecasting.consultation`. Mutable rows carry a
``version`` that services compare with the version the user saw (optimistic check). Two tables
are append-only by database trigger (migration 0003): ``issued_forecasts`` (an issued forecast
never changes) and ``consultation_notes`` (a note is never edited in place).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from forecasting.store.models import Base
from forecasting.store.types import UTCDateTime, utcnow

__all__ = [
    "RotaTurn",
    "RotaSubstitution",
    "ConsultationSession",
    "Submission",
    "SubmissionVersion",
    "ConsultationNote",
    "FlagAcknowledgement",
    "FinalForecast",
    "IssuedForecast",
    "SESSION_STATES",
]

#: Session states in order; ``superseded`` is reached only by an amendment of an issued session.
SESSION_STATES = ("open", "consulting", "signed", "issued", "superseded")


class RotaTurn(Base):
    """One turn of the cross-district chief seat: ``start_date``..``end_date`` (Beijing days,
    inclusive), the district holding the seat, its chief (轮值首席) and deputy (副班)."""

    __tablename__ = "rota_turns"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_ordered"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_date: Mapped[date] = mapped_column(Date, unique=True)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"))
    chief_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")


class RotaSubstitution(Base):
    """A substitution (代班) for one day and seat (``chief`` or ``deputy``); the newest row wins."""

    __tablename__ = "rota_substitutions"
    __table_args__ = (
        CheckConstraint("seat IN ('chief', 'deputy')", name="seat_known"),
        Index("ix_rota_substitutions_day_seat", "day", "seat"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    seat: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationSession(Base):
    """The consultation of one issue date (``revision`` 1; an amendment after issue is revision 2 ...)."""

    __tablename__ = "consultation_sessions"
    __table_args__ = (
        UniqueConstraint("issue_date", "revision", name="uq_consultation_sessions_issue_date_revision"),
        CheckConstraint(
            "state IN ('open', 'consulting', 'signed', 'issued', 'superseded')", name="state_known"
        ),
        CheckConstraint("days >= 3", name="at_least_three_days"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    days: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="open")
    consult_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    issue_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    zone_summary: Mapped[str] = mapped_column(Text, default="")
    amendment_of_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_sessions.id"))
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(64))
    consulting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_seat: Mapped[str] = mapped_column(String(8), default="")
    chief_absent_reason: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    version: Mapped[int] = mapped_column(Integer, default=1)


class Submission(Base):
    """A district's current forecast for one target day of a session (draft or submitted).
    Every saved version is also kept in :class:`SubmissionVersion`."""

    __tablename__ = "consultation_submissions"
    __table_args__ = (
        UniqueConstraint("session_id", "district", "target_date", name="uq_consultation_submissions_key"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status_known"),
        CheckConstraint("aqi_lo < aqi_hi", name="range_ordered"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_sessions.id"), index=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"))
    target_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    aqi_lo: Mapped[int] = mapped_column(Integer)
    aqi_hi: Mapped[int] = mapped_column(Integer)
    level_lo: Mapped[int] = mapped_column(Integer)
    level_hi: Mapped[int] = mapped_column(Integer)
    primary: Mapped[list] = mapped_column(JSON, default=list)
    concentrations: Mapped[dict] = mapped_column(JSON, default=dict)
    analysis: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class SubmissionVersion(Base):
    """One saved version of a submission (history; rows are only ever added)."""

    __tablename__ = "consultation_submission_versions"
    __table_args__ = (
        UniqueConstraint("submission_id", "version", name="uq_consultation_submission_versions_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("consultation_submissions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    aqi_lo: Mapped[int] = mapped_column(Integer)
    aqi_hi: Mapped[int] = mapped_column(Integer)
    primary: Mapped[list] = mapped_column(JSON, default=list)
    concentrations: Mapped[dict] = mapped_column(JSON, default=dict)
    analysis: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(128), default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationNote(Base):
    """An attributed, time-stamped note (会商记录) or the chief's conclusion (会商结论).
    Never edited: a correction is a new row with ``revises_id`` pointing at the old one."""

    __tablename__ = "consultation_notes"
    __table_args__ = (
        UniqueConstraint("session_id", "client_token", name="uq_consultation_notes_client_token"),
        CheckConstraint("kind IN ('note', 'conclusion', 'acknowledgement')", name="kind_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_sessions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="note")
    district: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"))
    target_date: Mapped[date | None] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_notes.id"))
    client_token: Mapped[str | None] = mapped_column(String(64))
    #: the note this one replies to (a thread; id of a note of the same session, checked by the service;
    #: a plain column so that SQLite can add and drop it without rebuilding the append-only table)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: districts addressed with ``@青浦``-style mentions (adcodes, zone order)
    mentions: Mapped[list | None] = mapped_column(JSON, nullable=True)
    #: a note the app wrote (an acknowledgement's sentence around the chief's reason) in every language,
    #: ``{"zh": ..., "en": ...}``, so each reader reads it in theirs; ``body`` is the writer's language
    texts: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class FlagAcknowledgement(Base):
    """The chief's acknowledgement of one consistency flag in the state that raised it
    (``fingerprint`` = the values that produced it; a changed forecast needs a new look)."""

    __tablename__ = "consultation_flag_acks"
    __table_args__ = (
        UniqueConstraint("session_id", "flag_key", "fingerprint", name="uq_consultation_flag_acks_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_sessions.id"), index=True)
    flag_key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the flag group acknowledged with one reason (``kind:a:b:first:last``), when it was a group
    group_key: Mapped[str | None] = mapped_column(String(160), nullable=True)


class FinalForecast(Base):
    """The duty chief's combined forecast for one district and target day."""

    __tablename__ = "consultation_final"
    __table_args__ = (
        UniqueConstraint("session_id", "district", "target_date", name="uq_consultation_final_key"),
        CheckConstraint("aqi_lo < aqi_hi", name="range_ordered"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_sessions.id"), index=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"))
    target_date: Mapped[date] = mapped_column(Date)
    aqi_lo: Mapped[int] = mapped_column(Integer)
    aqi_hi: Mapped[int] = mapped_column(Integer)
    level_lo: Mapped[int] = mapped_column(Integer)
    level_hi: Mapped[int] = mapped_column(Integer)
    primary: Mapped[list] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class IssuedForecast(Base):
    """An issued combined forecast: canonical JSON snapshot and its SHA-256. Append-only
    (database trigger); an amendment adds a higher ``revision`` and the older row is superseded."""

    __tablename__ = "issued_forecasts"
    __table_args__ = (UniqueConstraint("issue_date", "revision", name="uq_issued_forecasts_issue_date_revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_sessions.id"), unique=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    revision: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("issued_forecasts.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    formats: Mapped[list] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_name: Mapped[str] = mapped_column(String(128))
