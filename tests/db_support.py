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


_templates: set[str] = set()


def pg_fresh(url: str, prepare) -> None:
    """Make ``url`` (the worker's database) a freshly prepared database.

    Under xdist the worker's database is dropped and re-created as a copy of a template database
    (``<name>_template``) that ``prepare(template_url)`` migrated once per worker: ``CREATE DATABASE
    ... TEMPLATE`` takes about 0.15 s where dropping the schema and running every migration took about
    0.9 s per test. ``prepare`` must close its connections. In one process (no worker id) the database
    is ``TEST_DATABASE_URL``'s own, which cannot be dropped: its schema is reset and prepared in place."""
    if not WORKER:
        pg_reset(url)
        prepare(url)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    template = f"{name}_template"
    admin = create_engine(normalise_url(BASE_PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if template not in _templates:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{template}"'))
                prepare(make_url(url).set(database=template).render_as_string(hide_password=False))
                _templates.add(template)
            # a copy needs a template nobody is connected to
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :t AND pid <> pg_backend_pid()"), {"t": template})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    _created.add(url)
