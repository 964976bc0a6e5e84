"""Seed the demo world into an empty database, completely or not at all.

:func:`seed_if_empty` seeds into the database it is given and marks it ``demo_build = building``
first and ``complete`` last (one transaction with the ``demo.seed`` audit row). :func:`build_demo_world`
is what ``make run`` calls: on SQLite it builds into a temporary file next to the database and
publishes it with one atomic rename; on PostgreSQL it seeds in place behind the marker. Either way a
build interrupted half-way (Ctrl-C, a crash) is found by :func:`demo_state` on the next run and
rebuilt, never served.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time  # ``time`` is the module
from pathlib import Path

from sqlalchemy import MetaData, func, select, text
from sqlalchemy.engine import make_url

from forecasting import accounts, audit
from forecasting.demo.consultation import seed_consultations
from forecasting.demo.spawn import inline_pool, spawn_pool, warm_up
from forecasting.permissions import Actor
from forecasting.config import settings
from forecasting.consultation.common import duty_in
from forecasting.reports.pdf import require_cjk_font
from forecasting.store.db import Database, forget_database, get_database
from forecasting.store.migrate import upgrade
from forecasting.store.models import AppMeta, AuditEntry, User
from forecasting.store.types import clock_at
from forecasting.vocab import BEIJING, DISTRICT_ORDER, beijing_datetime
from forecasting.zone import sync_districts

QP, WJ, JS = DISTRICT_ORDER  # Qingpu, Wujiang, Jiashan

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "BUILD_KEY", "DAY_KEY", "is_demo", "seed_if_empty", "mark_demo",
           "demo_state", "demo_day", "build_demo_world", "remove_demo_world"]

#: ``app_meta`` key of the build marker: ``building`` while the demo world is seeded, ``complete`` after.
BUILD_KEY = "demo_build"
#: ``app_meta`` key of the Beijing day the demo world was built for (its "today"; nothing arrives after it).
DAY_KEY = "demo_day"

#: Methods the demo's training compares (gradient boosting is left to `python -m forecasting train`:
#: it is the slowest and the demo must build in under two minutes).
DEMO_TRAIN_METHODS = ("raw", "persistence", "rolling_bias", "kalman_filter", "kalman_log", "mos_ridge", "ensemble",
                      "ensemble_log", "ensemble_mix")

#: Worlds of more days than this are built on both cores (two worker processes compute the guidance and
#: render the reports); smaller ones in this process, where starting the workers would cost more CPU than
#: they save and, on two cores, no time (the tests' 12- and 14-day worlds).
PARALLEL_MIN_DAYS = 21

#: The share of the guidance history's issue dates computed by the worker of the older part. The newer part
#: costs more per date (its dates have trained corrections of more methods, and its hourly series are kept),
#: and the consultations of the older part are seeded here while the newer part is computed: the older
#: part is the larger, so that both are done when those consultations are. 0.65 from timing the 60-day
#: build (46-48 s against 49-52 s at 0.5); the first-run bench after it showed no difference beyond the
#: hour's noise (docs/development.md, "The first run").
GUIDANCE_OLDER_SHARE = 0.65

#: One password for every demo account, printed by ``make run`` in demo mode only.
DEMO_PASSWORD = "demo-2026-yrd"

#: (username, display name, role, district adcode); a forecaster's district is shown beside the name by the app
DEMO_USERS = (
    ("qp_chen", "陈静", "forecaster", QP),
    ("qp_li", "李明", "forecaster", QP),
    ("qp_xu", "徐蕾", "forecaster", QP),
    ("wj_wang", "王磊", "forecaster", WJ),
    ("wj_zhao", "赵敏", "forecaster", WJ),
    ("js_zhou", "周婷", "forecaster", JS),
    ("js_wu", "吴强", "forecaster", JS),
    ("js_shen", "沈悦", "forecaster", JS),
    ("mgr_sun", "孙主任（示范区执委会）", "manager", None),
    ("mgr_he", "何处长（生态环境局）", "manager", None),
    ("admin", "系统管理员", "admin", None),
)


def is_demo(db: Database) -> bool:
    """True when this database holds the demo world (the app shows a banner)."""
    with db.read() as s:
        return s.scalar(select(AppMeta.value).where(AppMeta.key == "demo")) == "1"


def mark_demo(db: Database) -> None:
    with db.transaction() as s:
        if s.get(AppMeta, "demo") is None:
            s.add(AppMeta(key="demo", value="1"))


def _set_meta(session, key: str, value: str) -> None:
    row = session.get(AppMeta, key)
    if row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value


def todays_seats(db: Database, day: date) -> dict[str, str]:
    """User name → ``"chief"`` / ``"deputy"`` of the rota's duty on Beijing day ``day`` (substitutions applied):
    the demo accounts a newcomer signs in as to try the chief's desk (the seat rotates weekly)."""
    with db.read() as s:
        duty = duty_in(s, day)
        return {user.username: seat for seat, user_id in (("chief", duty.chief_id), ("deputy", duty.deputy_id))
                if user_id is not None and (user := s.get(User, user_id)) is not None}


def demo_day(db: Database) -> date | None:
    """The Beijing day a demo world was built for (its "today": its model runs, observations and sessions end
    there), or ``None`` for a database that holds no demo world. A world built before :data:`DAY_KEY` was
    written is dated by its ``demo.seed`` audit row."""
    with db.read() as s:
        if s.scalar(select(AppMeta.value).where(AppMeta.key == "demo")) != "1":
            return None
        day = s.scalar(select(AppMeta.value).where(AppMeta.key == DAY_KEY))
        if day:
            return date.fromisoformat(day)
        seeded = s.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.action == "demo.seed"))
    if seeded is None:
        return None
    seeded = seeded if seeded.tzinfo else seeded.replace(tzinfo=timezone.utc)
    return seeded.astimezone(BEIJING).date()


def demo_state(db: Database) -> str:
    """What the database holds: ``"empty"`` (no users, nothing begun), ``"complete"`` (a finished demo
    world), ``"partial"`` (a demo build that stopped half-way: rebuild it) or ``"production"`` (users,
    and not the demo: never touched)."""
    with db.read() as s:
        marker = s.scalar(select(AppMeta.value).where(AppMeta.key == BUILD_KEY))
        demo = s.scalar(select(AppMeta.value).where(AppMeta.key == "demo")) == "1"
        users = s.scalar(select(func.count()).select_from(User))
        if marker == "complete":
            return "complete"
        if marker == "building":
            return "partial"
        if users == 0:
            return "empty"
        if not demo:
            return "production"
        # Built before the marker existed: complete exactly when the final audit row was written.
        seeded = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "demo.seed"))
        return "complete" if seeded else "partial"


def _guidance_part(url: str, first: date, last: date, keep_series_days: int) -> int:
    """Worker process: the guidance of ``first``..``last`` (see :func:`compute_guidance`), with the
    hourly series of the issue dates from ``last - keep_series_days`` on."""
    from forecasting.guidance import compute_guidance  # lazy: pandas (app start)
    return compute_guidance(get_database(url), Actor.system("demo-seed"), first, last,
                            keep_series_days=keep_series_days)


class _GuidanceHistory:
    """The demo's guidance history, computed while the consultations are seeded.

    On both cores (``pool``'s two processes) each process computes one part of ``first``..``last``
    (each row still uses only what was known at its issue time); the older part holds
    :data:`GUIDANCE_OLDER_SHARE` of the dates. :meth:`wait` returns once the guidance of every issue date
    up to ``day`` is stored, so the consultations of the older part are seeded in this process while the
    newer part (the slower per date: more trained methods, and its hourly series are kept) is still
    computed. A short range or a small world (``parallel`` false): one pass here, first.
    """

    def __init__(self, db: Database, first: date, last: date, pool, *, parallel: bool = True, log=print):
        self.log = log
        self.logged = False
        if (last - first).days < 10 or not parallel:
            from forecasting.guidance import compute_guidance  # lazy: pandas (app start)

            self.parts = [(last, compute_guidance(db, Actor.system("demo-seed"), first, last))]
            return
        from forecasting.guidance import KEEP_SERIES_DAYS  # lazy: pandas (app start)

        middle = first + timedelta(days=round((last - first).days * GUIDANCE_OLDER_SHARE))
        # the series are kept for the issue dates of the last KEEP_SERIES_DAYS of the whole range, as one
        # pass keeps them: none in the first part unless it reaches them
        self.parts = [(middle, pool.submit(_guidance_part, db.url, first, middle, KEEP_SERIES_DAYS - (last - middle).days)),
                      (last, pool.submit(_guidance_part, db.url, middle + timedelta(days=1), last, KEEP_SERIES_DAYS))]

    def wait(self, day: date | None = None) -> None:
        """Block until the guidance of every issue date up to ``day`` (default: all) is stored; the
        ``guidance rows`` line is logged once all of it is."""
        starts = [None] + [end + timedelta(days=1) for end, _ in self.parts[:-1]]
        needed = [part for start, (_, part) in zip(starts, self.parts) if day is None or start is None or start <= day]
        rows = [part if isinstance(part, int) else part.result() for part in needed]
        if len(needed) == len(self.parts) and not self.logged:
            self.logged = True
            self.log(f"  guidance rows: {sum(rows)}")


@contextmanager
def _inline_pool(db: Database):
    """:func:`~forecasting.demo.spawn.inline_pool` for a small world built into ``db``. Its tasks open the
    file through :func:`get_database` in this process; their connections are closed when the pool is
    done, so that ``db``'s are the last and checkpoint the WAL into the file when the caller disposes it
    (else a caller that renames the file, as :func:`build_demo_world` and the tests do, published it
    without its last transactions: the "complete" marker among them)."""
    try:
        with inline_pool() as pool:
            yield pool
    finally:
        forget_database(db.url, keep=db)


def _report_formats(today: date, english_days: int = 1, rendered_days: int = 1):
    """``formats_for(day)``: the issued reports of the last ``english_days`` days with every file stored
    (Chinese and English), those of the last ``rendered_days`` with the Chinese files stored (their
    English files are rendered from the stored report model when first asked for: half the rendering
    time), older ones with their files on demand (``None``: the report model is fixed and hashed at issue
    time and every file is rendered from it when first asked for, see :mod:`forecasting.reports.store`)."""
    from forecasting.reports import CHINESE_FORMATS, FORMATS  # lazy: pandas, altair

    def formats_for(day: date):
        if day >= today - timedelta(days=english_days):
            return FORMATS
        return CHINESE_FORMATS if day >= today - timedelta(days=rendered_days) else None

    return formats_for


def seed_if_empty(db: Database, *, today: date | None = None, now: datetime | None = None,
                  folder: Path | None = None, days: int = 60, files_days: int = 7, english_days: int = 1,
                  rendered_days: int = 1,
                  log=print, parallel: bool | None = None) -> bool:
    """Create the demo world when the database has no users. Returns True when it seeded.

    ``parallel``: build on both cores (two worker processes); by default when the world has at least
    :data:`PARALLEL_MIN_DAYS` days.

    ``today`` (a Beijing date) and ``now`` default to the clock: the demo world is an ordinary
    working day today, with 60 days of history behind it. The reports of the last ``rendered_days``
    issue dates get their Chinese files at issue time, those of the last ``english_days`` also their
    English files; the other files are rendered from the report model stored at issue time when first
    asked for (about 1.5 s then, instead of 1.5 s each while the world is built).
    """
    if accounts.count_users(db) > 0:
        return False
    require_cjk_font()  # its 59 reports would print their Chinese as boxes, for good: stop before writing
    now = now or datetime.now(timezone.utc)
    today = today or now.astimezone(BEIJING).date()
    folder = folder or settings().data_dir / "demo" / "runs"
    started = time.perf_counter()
    operator = Actor.system("demo-seed")
    with db.transaction() as s:
        _set_meta(s, BUILD_KEY, "building")
    # two worker processes for the whole build: they warm up (imports, fonts) while this process seeds
    # accounts, observations, runs and training, then compute the guidance and render the reports (a
    # small world: all in this process)
    parallel = days >= PARALLEL_MIN_DAYS if parallel is None else parallel
    with spawn_pool(2) if parallel else _inline_pool(db) as pool:
        for _ in range(2 if parallel else 0):
            pool.submit(warm_up)
        # imported once the workers are started: they import their stacks meanwhile (2 s of one idle core)
        from forecasting.demo.science import seed_science  # lazy: sklearn (app start)
        from forecasting.training import train_history  # lazy: pandas (app start)

        # the accounts exist before the history they act in (09:00 Beijing the day before its first day)
        joined = beijing_datetime(today - timedelta(days=days + 1), clock_time(9))
        with clock_at(min(joined, now)):  # one shared password, hashed once (production Argon2id)
            accounts.create_users(db, operator, [accounts.NewUser(username, role, district, name)
                                                 for username, name, role, district in DEMO_USERS],
                                  password=DEMO_PASSWORD)
        mark_demo(db)
        log(f"  accounts: {len(DEMO_USERS)}")
        seed_science(db, today=today, now=now, days=days, files_days=files_days, folder=folder, log=log,
                     pool=pool if parallel else None)
        # weekly retraining through the history (one backtest pass): past guidance uses what was known then
        results = train_history(db, operator, until=today - timedelta(days=1), since=today - timedelta(days=days - 2),
                                every_days=7, history_days=min(days, 60), validation_days=30, methods=DEMO_TRAIN_METHODS,
                                pool=pool if parallel else None)
        log(f"  trained corrections: {sum(r.records for r in results)} in {len(results)} weekly trainings")
        guidance = _GuidanceHistory(db, today - timedelta(days=days - 2), today, pool, parallel=parallel, log=log)
        seed_consultations(db, today=today, days=days - 1, password=DEMO_PASSWORD, log=log,
                           render_formats=_report_formats(today, english_days, rendered_days), now=now, pool=pool,
                           guidance_ready=guidance.wait)
        guidance.wait()
    with db.transaction() as s:
        audit.record(s, operator, "demo.seed", details={"users": len(DEMO_USERS), "days": days,
                                                       "seconds": round(time.perf_counter() - started, 1)})
        _set_meta(s, BUILD_KEY, "complete")
        _set_meta(s, DAY_KEY, today.isoformat())
    log(f"  demo world built in {time.perf_counter() - started:.0f} s")
    return True


def remove_demo_world(url: str) -> Path:
    """Delete the SQLite demo database of ``url`` (and the demo's model files beside the app's data), so the
    next ``make run`` builds a demo world for today (``make demo-fresh``). Returns the file deleted.

    Raises
    ------
    ValidationError
        When the database holds anything but a demo world (never touched), is not a SQLite file, or a build
        is working on it; nothing is deleted then.
    """
    from forecasting.demo.status import live_build
    from forecasting.errors import ValidationError

    path = _sqlite_path(url)
    if path is None:
        raise ValidationError("demo reset deletes a SQLite demo database only: on PostgreSQL drop and create the "
                              "database, then make run", key="demo.reset_not_sqlite")
    if path.exists():
        from sqlalchemy.exc import OperationalError

        db = get_database(url)
        try:
            state = demo_state(db)
        except OperationalError as exc:  # a file never migrated (a first `make run` stopped early) holds nothing
            if "no such table" not in str(exc):
                raise  # not a database (any other file): never deleted
            state = "empty"
        finally:
            forget_database(url)
        if state == "production":
            raise ValidationError(f"{path} holds accounts and no demo world: demo reset never deletes it",
                                  key="demo.reset_production", path=str(path))
        running = live_build(url)
        if running is not None:
            raise ValidationError(f"the demo world of {path} is being built by process {running.pid}",
                                  key="demo.reset_building", path=str(path), pid=running.pid)
    _remove_sqlite(path)
    shutil.rmtree(settings().data_dir / "demo", ignore_errors=True)
    return path


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _fresh_database(url: str) -> Database:
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    return db


def _drop_everything(db: Database) -> None:
    """Drop every table (and the append-only trigger function) of a half-built PostgreSQL demo world."""
    with db.engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS forecasting_refuse_change() CASCADE"))


def build_demo_world(url: str, *, log=print, **options) -> str:
    """Make the database at ``url`` hold a complete demo world, unless it holds something else.

    Returns ``"seeded"`` (built now), ``"complete"`` (already there) or ``"production"`` (the
    database has its own users: left alone). A ``"partial"`` world (an interrupted build) is thrown
    away and rebuilt. ``options`` go to :func:`seed_if_empty`.

    SQLite: the world is built in ``.<name>.building`` beside the database file and renamed over it
    when complete (:func:`os.replace` is atomic), so an interruption leaves the old file untouched.
    PostgreSQL: built in place; the ``demo_build`` marker tells a finished world from a half one.
    """
    db = get_database(url)
    state = demo_state(db)
    if state in ("complete", "production"):
        return state
    if state == "partial":
        log("  an interrupted demo build was found: it is thrown away and built again")
    path = _sqlite_path(url)
    if path is None:
        if state == "partial":
            _drop_everything(db)
            db.dispose()
            db = _fresh_database(url)
        seed_if_empty(db, log=log, **options)
        return "seeded"
    temp = path.with_name(f".{path.name}.building")
    _remove_sqlite(temp)  # a previous interrupted build
    temp_url = f"sqlite:///{temp}"
    work = _fresh_database(temp_url)
    try:
        seed_if_empty(work, log=log, **options)
    finally:
        work.dispose()  # the last connection to close checkpoints the WAL into the file
    db.dispose()
    for suffix in ("-wal", "-shm"):  # the (empty or partial) old database's, else SQLite would replay them
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(temp, path)
    _remove_sqlite(temp)
    return "seeded"
