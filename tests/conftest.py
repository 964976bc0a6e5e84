"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).

PostgreSQL tests are marked ``postgres``; without ``TEST_DATABASE_URL`` they are not run and one
line in the summary says so. ``.ci/run`` sets it to the machine's server (database ``test``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Fast Argon2 parameters are NOT used: tests hash with the production settings.
os.environ.setdefault("FORECASTING_LANGUAGE", "zh")

from db_support import PASSWORD, PG_URL, normalise_url, pg_reset

ROOT = Path(__file__).resolve().parent.parent
_not_run: list[str] = []


def pytest_collection_modifyitems(config, items):
    if PG_URL:
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        _not_run.append(f"{len(dropped)} PostgreSQL tests not run: TEST_DATABASE_URL is not set")


def pytest_terminal_summary(terminalreporter):
    for line in _not_run:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy (migrations run once)."""
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    db.dispose()  # the last connection to close checkpoints and removes the WAL file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "test.sqlite3"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url() -> str:
    """A freshly migrated PostgreSQL database (schema dropped and re-created)."""
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    url = normalise_url(PG_URL)
    pg_reset(url)
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    db.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Each test using this runs on SQLite and (when available) PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url):
    from forecasting.store.db import Database

    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_url):
    from forecasting.store.db import Database

    database = Database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def users(db):
    """A small cast: an admin, a forecaster per district, a manager (password ``correct-horse-9``)."""
    from forecasting import accounts
    from forecasting.permissions import Actor

    op = Actor.system("test")
    cast = {}
    for username, role, district in [
        ("admin1", "admin", None),
        ("fc_qp", "forecaster", "310118"),
        ("fc_wj", "forecaster", "320509"),
        ("fc_js", "forecaster", "330421"),
        ("mgr1", "manager", None),
    ]:
        view = accounts.create_user(db, op, username=username, password=PASSWORD, role=role, district=district)
        cast[username] = accounts.Actor(view.id, view.username, view.role, view.district, view.display_name)
    return cast



@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory, _sqlite_template) -> Path:
    """A small demo world (12 days, the 2 newest cycles as files) for today, seeded once per test
    session: accounts, rota, observations, model runs, guidance, issued consultations, today's
    session open."""

    from forecasting.demo import seed_if_empty
    from forecasting.store.db import Database

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.sqlite3"
    shutil.copy(_sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    seed_if_empty(db, folder=folder / "runs", days=12, files_days=2, log=lambda *_: None)
    db.dispose()
    return path


@pytest.fixture
def demo_url(_demo_template, tmp_path) -> str:
    """A copy of the small demo world (see ``_demo_template``)."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    return f"sqlite:///{path}"
