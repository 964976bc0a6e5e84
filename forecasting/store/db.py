"""Engine factory and units of work.

One :class:`Database` per process and URL (the UI caches it with ``st.cache_resource``);
each service call opens one transaction with :meth:`Database.transaction`.

SQLite: WAL journal, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for write
transactions so two writers queue instead of failing half-way. PostgreSQL: psycopg 3.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from forecasting.config import settings
from forecasting.errors import ValidationError

__all__ = ["BACKENDS", "Database", "database_url", "get_database", "forget_database", "insert_rows", "insert_columns",
           "SQLITE_BUSY_TIMEOUT_MS"]

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection, _record):
    # Autocommit at the driver level; transactions are begun explicitly below.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn):
    # Writers take the lock at BEGIN, so a read-then-write never deadlocks into SQLITE_BUSY;
    # read-only sessions (``sqlite_write=False``) begin deferred and never block writers (WAL).
    write = conn.get_execution_options().get("sqlite_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


#: The database systems the app runs on (``DATABASE_URL``), and what their URLs look like.
BACKENDS = ("sqlite", "postgresql")
_URL_FORMS = "sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/database"


def database_url(url: str):
    """``url`` parsed (:class:`sqlalchemy.engine.URL`), or a :class:`~forecasting.errors.ValidationError` that
    says what a ``DATABASE_URL`` may be: an unreadable URL or another database system ended in SQLAlchemy's
    "Could not parse SQLAlchemy URL" or "No module named 'MySQLdb'" (the URL itself is never echoed: it may
    hold a password).

    Examples
    --------
    >>> database_url("postgresql+psycopg://app@db/aq").get_backend_name()
    'postgresql'
    >>> database_url("mysql://app@db/aq")
    Traceback (most recent call last):
    ...
    forecasting.errors.ValidationError: DATABASE_URL names the database system 'mysql', which this app does not run on; use sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/database
    """
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValidationError(f"DATABASE_URL is not a database URL; use {_URL_FORMS}", key="config.database_url_bad",
                              forms=_URL_FORMS) from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise ValidationError(f"DATABASE_URL names the database system {backend!r}, which this app does not run on; "
                              f"use {_URL_FORMS}", key="config.database_url_unsupported", backend=backend,
                              forms=_URL_FORMS)
    return parsed


class Database:
    """An engine and its session factory for one database URL."""

    def __init__(self, url: str | None = None, *, echo: bool = False):
        self.url = url or settings().database_url
        parsed = database_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                folder = Path(parsed.database).parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:  # was "FileNotFoundError: [Errno 2] …" from the command line
                    raise ValidationError(f"cannot create the database's folder {folder} ({exc.strerror}); set "
                                          "DATABASE_URL or FORECASTING_DATA_DIR to a folder this user may write",
                                          key="config.database_folder", folder=str(folder),
                                          reason=exc.strerror or str(exc)) from None
            engine = create_engine(
                self.url, echo=echo, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(self.url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.engine: Engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(engine.execution_options(sqlite_write=False), expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (its transaction is rolled back on close; loaded objects stay readable)."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"


_cache: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(url: str | None = None) -> Database:
    """The process-wide :class:`Database` for ``url`` (default: ``DATABASE_URL`` or the SQLite file)."""
    url = url or settings().database_url
    with _lock:
        db = _cache.get(url)
        if db is None:
            db = _cache[url] = Database(url)
        return db


def forget_database(url: str, *, keep: Database | None = None) -> None:
    """Close and drop the process-wide :class:`Database` of ``url``, if :func:`get_database` made one and
    it is not ``keep`` (a SQLite file about to be renamed: its last connection to close checkpoints the
    WAL into the file, so the connections of the other engines on it must be closed first)."""
    with _lock:
        db = _cache.get(url)
        if db is None or db is keep:
            return
        del _cache[url]
    db.dispose()


def insert_rows(session, model, rows: list[dict], *, batch: int = 20_000) -> None:
    """Insert ``rows`` (dicts of column values) into ``model``'s table inside ``session``'s transaction:
    Core ``executemany`` in batches, without ORM bookkeeping (the write transaction stays short). Rows
    with the same keys go together, so a missing key takes the column's default, as with the ORM.

    SQLite: the driver's ``executemany`` of the statement SQLAlchemy compiles, with each column's values
    converted once per distinct value by the column type's own bind processor (the hourly series repeat
    each time hundreds of times; converting every time-stamp row by row took two thirds of inserting the
    demo world's 390 000 district values). What is stored is what SQLAlchemy stores (checked in
    ``tests/test_store_insert.py``). PostgreSQL: SQLAlchemy's ``executemany`` (insertmanyvalues).
    """
    by_keys: dict[tuple, list[dict]] = {}
    for r in rows:
        by_keys.setdefault(tuple(sorted(r)), []).append(r)
    for keys, group in by_keys.items():
        insert_columns(session, model, {name: [r[name] for r in group] for name in keys}, batch=batch)


def insert_columns(session, model, columns: dict[str, list], *, batch: int = 20_000) -> None:
    """:func:`insert_rows` for rows given column by column (``{column: values}``, every list as long as
    the others): a bulk writer that has its values as columns need not build a dict per row."""
    if not columns:
        return
    n = {len(values) for values in columns.values()}
    if len(n) != 1:
        raise ValueError(f"columns of different lengths: {sorted(n)}")
    if not n.pop():
        return
    conn = session.connection()
    table = model.__table__
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    if not compiled.positional or compiled.positiontup is None or set(compiled.positiontup) != set(columns):
        names = list(columns)
        rows = [dict(zip(names, values)) for values in zip(*columns.values())]
        for i in range(0, len(rows), batch):
            session.execute(insert(table), rows[i:i + batch])
        return
    params = list(zip(*(_bound(table.c[name].type.dialect_impl(dialect).bind_processor(dialect), columns[name])
                        for name in compiled.positiontup)))
    for i in range(0, len(params), batch):
        conn.exec_driver_sql(compiled.string, params[i:i + batch])


def _bound(processor, values: list) -> list:
    """``values`` as the driver gets them: ``processor`` (a column type's bind processor) applied once per
    distinct value (unhashable values, e.g. JSON documents: once per value)."""
    if processor is None:
        return values
    try:
        done = {v: processor(v) for v in set(values)}
    except TypeError:
        return [processor(v) for v in values]
    return [done[v] for v in values]
