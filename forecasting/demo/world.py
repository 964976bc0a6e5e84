"""Seed the demo world into an empty database (accounts now; model runs, observations and
consultations are added by the later parts of the demo world)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from forecasting import accounts, audit
from forecasting.permissions import Actor
from forecasting.config import settings
from forecasting.store.db import Database
from forecasting.store.models import AppMeta

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "is_demo", "seed_if_empty", "mark_demo"]

BEIJING = ZoneInfo("Asia/Shanghai")
#: Methods the demo's training compares (gradient boosting is left to `python -m forecasting train`:
#: it is the slowest and the demo must build in under two minutes).
DEMO_TRAIN_METHODS = ("raw", "persistence", "rolling_bias", "kalman_filter", "mos_ridge", "ensemble")

#: One password for every demo account, printed by ``make run`` in demo mode only.
DEMO_PASSWORD = "demo-2026-yrd"

#: (username, display name, role, district adcode)
DEMO_USERS = (
    ("qp_chen", "陈静 (青浦)", "forecaster", "310118"),
    ("qp_li", "李明 (青浦)", "forecaster", "310118"),
    ("qp_xu", "徐蕾 (青浦)", "forecaster", "310118"),
    ("wj_wang", "王磊 (吴江)", "forecaster", "320509"),
    ("wj_zhao", "赵敏 (吴江)", "forecaster", "320509"),
    ("js_zhou", "周婷 (嘉善)", "forecaster", "330421"),
    ("js_wu", "吴强 (嘉善)", "forecaster", "330421"),
    ("js_shen", "沈悦 (嘉善)", "forecaster", "330421"),
    ("mgr_sun", "孙主任 (示范区执委会)", "manager", None),
    ("mgr_he", "何处长 (生态环境局)", "manager", None),
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


def _guidance_part(url: str, first: date, last: date) -> int:
    """Worker process: the guidance of ``first``..``last`` (see :func:`compute_guidance`)."""
    from forecasting.guidance import compute_guidance
    from forecasting.store.db import get_database

    return compute_guidance(get_database(url), Actor.system("demo-seed"), first, last)


def _guidance_in_two_processes(db: Database, first: date, last: date) -> int:
    """The demo's 60 days of guidance on both cores: two processes, each one pass over its half
    (each row still uses only what was known at its issue time)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if (last - first).days < 10:
        return _guidance_part(db.url, first, last)
    middle = first + (last - first) / 2
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = [pool.submit(_guidance_part, db.url, first, middle),
                 pool.submit(_guidance_part, db.url, middle + timedelta(days=1), last)]
        return sum(p.result() for p in parts)


def _report_formats(today: date):
    """``formats_for(day)``: the issued reports of the last week in every format (Chinese and English),
    older ones in the Chinese formats only (half the rendering time; the demo must build in under two
    minutes)."""
    from forecasting.reports import CHINESE_FORMATS, FORMATS

    def formats_for(day: date):
        return FORMATS if day >= today - timedelta(days=7) else CHINESE_FORMATS

    return formats_for


def seed_if_empty(db: Database, *, today: date | None = None, now: datetime | None = None,
                  folder: Path | None = None, days: int = 60, files_days: int = 7, log=print) -> bool:
    """Create the demo world when the database has no users. Returns True when it seeded.

    ``today`` (a Beijing date) and ``now`` default to the clock: the demo world is an ordinary
    working day today, with 60 days of history behind it.
    """
    if accounts.count_users(db) > 0:
        return False
    from forecasting.demo.science import seed_science
    from forecasting.training import train_history

    now = now or datetime.now(timezone.utc)
    today = today or now.astimezone(BEIJING).date()
    folder = folder or settings().data_dir / "demo" / "runs"
    started = time.perf_counter()
    operator = Actor.system("demo-seed")
    for username, name, role, district in DEMO_USERS:
        accounts.create_user(db, operator, username=username, password=DEMO_PASSWORD, role=role,
                             district=district, display_name=name)
    mark_demo(db)
    log(f"  accounts: {len(DEMO_USERS)}")
    seed_science(db, today=today, now=now, days=days, files_days=files_days, folder=folder, log=log)
    # weekly retraining through the history (one backtest pass): past guidance uses what was known then
    results = train_history(db, operator, until=today - timedelta(days=1), since=today - timedelta(days=days - 2),
                            every_days=7, history_days=min(days, 60), validation_days=30, methods=DEMO_TRAIN_METHODS)
    log(f"  trained corrections: {sum(r.records for r in results)} in {len(results)} weekly trainings")
    rows = _guidance_in_two_processes(db, today - timedelta(days=days - 2), today)
    log(f"  guidance rows: {rows}")
    from forecasting.demo.consultation import seed_consultations

    seed_consultations(db, today=today, days=days - 1, password=DEMO_PASSWORD, log=log, render_formats=_report_formats(today))
    with db.transaction() as s:
        audit.record(s, operator, "demo.seed", details={"users": len(DEMO_USERS), "days": days,
                                                       "seconds": round(time.perf_counter() - started, 1)})
    log(f"  demo world built in {time.perf_counter() - started:.0f} s")
    return True
