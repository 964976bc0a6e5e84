"""Column types shared by the models."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

__all__ = ["UTCDateTime", "utcnow", "clock_at"]

_NOW: ContextVar[datetime | None] = ContextVar("forecasting_now", default=None)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (or the time set by :func:`clock_at` in this context)."""
    fixed = _NOW.get()
    return fixed if fixed is not None else datetime.now(timezone.utc)


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Run the services as if it were ``when`` (aware). Used to build the demo world's history,
    where a day's consultation must carry that day's times; it affects only the current thread
    or task (a context variable), never another user's request."""
    if when.tzinfo is None:
        raise ValueError("clock_at needs a timezone-aware time")
    token = _NOW.set(when.astimezone(timezone.utc))
    try:
        yield
    finally:
        _NOW.reset(token)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text. Naive input is refused:
    every time in the app is aware (DESIGN.md: stored in UTC, timezone-aware).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware time")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
