"""Persistence: SQLAlchemy models, the engine factory, migrations helpers."""

from forecasting.store.db import Database, get_database
from forecasting.store.models import ROLES, AppMeta, AuditEntry, AuthSession, Base, District, User
from forecasting.store.types import UTCDateTime, utcnow

__all__ = [
    "Database",
    "get_database",
    "Base",
    "AppMeta",
    "District",
    "User",
    "AuthSession",
    "AuditEntry",
    "ROLES",
    "UTCDateTime",
    "utcnow",
]
