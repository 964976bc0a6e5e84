"""Constants and helpers for the database tests (imported by conftest.py and tests)."""

from __future__ import annotations

import os

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
PASSWORD = "correct-horse-9"


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def pg_reset(url: str) -> None:
    """Drop and re-create the public schema of a PostgreSQL test database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
