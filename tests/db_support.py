"""Constants and helpers for the database tests (imported by conftest.py and tests).

Under pytest-xdist every worker gets its own PostgreSQL database, named after the one in
``TEST_DATABASE_URL`` plus the worker id (``test_gw0``, ``test_gw1``), created on first use: the
tests drop and re-create the ``public`` schema, which two workers must not do to each other.
"""

from __future__ import annotations

import os

BASE_PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "").strip()
PASSWORD = "correct-horse-9"


def _worker_url(url: str, worker: str) -> str:
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database or 'test'}_{worker}").render_as_string(hide_password=False)


PG_URL = _worker_url(BASE_PG_URL, WORKER)
_created: set[str] = set()


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _ensure_database(url: str) -> None:
    """Create the worker's database (from the server's base database) when it does not exist."""
    if not WORKER or url in _created:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = create_engine(normalise_url(BASE_PG_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    _created.add(url)


def pg_reset(url: str) -> None:
    """Drop and re-create the public schema of a PostgreSQL test database."""
    from sqlalchemy import create_engine, text

    _ensure_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
