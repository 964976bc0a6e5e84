"""SQLAlchemy 2 models: the persistence layer (no business rules here).

Column names follow DESIGN.md's vocabulary (``adcode``, ``role``, ``issue_date`` ...).
Schema changes go through Alembic (``migrations/``); ``tests/test_migrations.py`` fails when
these models and the migrations disagree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from forecasting.store.types import UTCDateTime, utcnow

__all__ = ["Base", "AppMeta", "District", "User", "AuthSession", "AuditEntry", "ROLES"]

ROLES = ("forecaster", "manager", "admin")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AppMeta(Base):
    """Key/value facts about this database (e.g. ``demo`` = ``1`` when it holds the demo world)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class District(Base):
    """A district of the zone, loaded from the boundary GeoJSON (data, not code)."""

    __tablename__ = "districts"
    adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    parent_zh: Mapped[str] = mapped_column(String(64), default="")
    parent_en: Mapped[str] = mapped_column(String(64), default="")
    area_km2: Mapped[float | None] = mapped_column(Float)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """A person who signs in. ``role`` is one of :data:`ROLES`; a forecaster belongs to one district.

    The duty chief is not a role: it is derived from the rota for a date.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('forecaster', 'manager', 'admin')", name="role_known"),
        CheckConstraint("role <> 'forecaster' OR district_adcode IS NOT NULL", name="forecaster_has_district"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    district_adcode: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the password was set by someone else (an administrator's new account or reset): the user chooses their
    #: own before anything else (``accounts.current_actor`` refuses every other action meanwhile)
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)

    district: Mapped[District | None] = relationship()
    __mapper_args__ = {"version_id_col": version}


class AuthSession(Base):
    """A server-side sign-in session. The browser holds the token in an HttpOnly cookie;
    only its SHA-256 is stored. ``bind_ticket_hash`` is a one-time, short-lived ticket the
    page exchanges for that cookie right after sign-in."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bind_ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    bind_ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship()


class AuditEntry(Base):
    """One row of the append-only audit trail (who, when, what). Database triggers refuse
    UPDATE and DELETE on this table (see the first migration)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(128), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


# The other model modules register their tables on the same metadata (Alembic sees them all).
from forecasting.store import science as _science  # noqa: E402,F401
from forecasting.store import consultation as _consultation  # noqa: E402,F401
from forecasting.store import reports as _reports  # noqa: E402,F401
from forecasting.store import datadesk as _datadesk  # noqa: E402,F401  (issue #20: ingest attempts)

from forecasting.store.guards import install_orm_guards as _install_orm_guards  # noqa: E402

_install_orm_guards()
