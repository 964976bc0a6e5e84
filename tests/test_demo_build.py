"""The first run's demo build: progress by stage, and a world that is complete or absent (issue #16)."""

from __future__ import annotations

import io
import os
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest

from forecasting.demo.progress import STAGES, BuildProgress, Stage


def test_progress_marks_the_stage_a_line_names_and_prints_every_line():
    stages = (Stage("accounts", "accounts", 1.0), Stage("model runs", "runs", 3.0), Stage("consultations", "c", 4.0))
    out = io.StringIO()
    with BuildProgress(stages=stages, stream=out, bar=False) as progress:
        assert progress.fraction == 0 and progress.eta is None and progress.current.key == "accounts"
        progress("  accounts: 11")
        assert progress.fraction == pytest.approx(1 / 8) and progress.current.key == "model runs"
        progress("  something the build says in between")
        assert progress.fraction == pytest.approx(1 / 8)
        progress("  model runs: 180 (21 from files)")
        assert progress.fraction == pytest.approx(4 / 8) and progress.current.key == "consultations"
        # the estimate is the time so far scaled by the work left: (elapsed) × 4/4
        assert progress.eta == pytest.approx(progress.stage_started - progress.started)
        progress("  consultations: 59 issued")
        assert progress.fraction == 1 and progress.current is None
    text = out.getvalue()
    assert "accounts: 11" in text and "something the build says" in text and "consultations: 59" in text
    assert "left]" in text  # stage lines carry the estimate


def test_progress_bar_on_a_terminal_like_stream_ends_at_done():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    with BuildProgress(stream=out) as progress:
        for stage in STAGES:
            progress(f"  {stage.key}: 1")
    assert "done" in out.getvalue() and "100%" in out.getvalue()


class _Stop(KeyboardInterrupt):
    """A newcomer pressing Ctrl-C during the named stage."""


def _interrupt_at(key: str):
    def log(*parts):
        if " ".join(map(str, parts)).strip().startswith(key):
            raise _Stop(key)

    return log


@pytest.mark.slow
def test_an_interrupted_build_is_never_served_and_the_next_run_rebuilds_it(db_url, tmp_path):
    """Regression: Ctrl-C during the first ``make run`` left a half-built world that the next run kept
    ("database not empty: demo world not seeded") and served with 22 of 60 sessions."""
    from forecasting import accounts
    from forecasting.demo import build_demo_world, demo_state, seed_if_empty
    from forecasting.store.db import Database, get_database

    # the smallest world: the mechanics are tested. The first build on both cores like make run's world (its
    # workers are ended in the middle of their warm-up: spawn.stop_workers); the others in this process (a
    # whole build in worker processes is the suite's demo world, tests/conftest.py)
    options = dict(folder=tmp_path / "runs", days=2, files_days=1, parallel=False)
    db = Database(db_url)
    with pytest.raises(_Stop):  # the old way: seeded in place, stopped after the observations
        seed_if_empty(db, log=_interrupt_at("observations"), **{**options, "parallel": True})
    db.dispose()
    assert demo_state(get_database(db_url)) == "partial"

    with pytest.raises(_Stop):  # interrupted again, later
        build_demo_world(db_url, log=_interrupt_at("model runs"), **options)
    assert demo_state(get_database(db_url)) == "partial"

    lines = []
    assert build_demo_world(db_url, log=lines.append, **options) == "seeded"
    assert any("interrupted demo build" in line for line in lines)
    db = get_database(db_url)
    assert demo_state(db) == "complete" and accounts.count_users(db) == 11
    assert build_demo_world(db_url, log=lines.append, **options) == "complete"
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        assert not list(path.parent.glob(f".{path.name}.building*"))  # the temporary file was published


def test_a_production_database_is_never_touched(sqlite_url, tmp_path):
    from forecasting import accounts
    from forecasting.demo import build_demo_world, demo_state
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    db = get_database(sqlite_url)
    accounts.create_user(db, Actor.system("test"), username="boss", password="a-long-secret-1", role="admin",
                         district=None)
    assert demo_state(db) == "production"
    assert build_demo_world(sqlite_url, log=lambda *_: None, folder=tmp_path, days=4, files_days=0) == "production"
    assert accounts.count_users(db) == 1


def test_the_app_shows_the_build_instead_of_sign_in_while_the_world_is_half_built(sqlite_url, monkeypatch):
    from apptest_support import new_app
    from forecasting.demo import BUILD_KEY
    from forecasting.store.db import Database
    from forecasting.store.models import AppMeta

    db = Database(sqlite_url)
    with db.transaction() as s:
        s.add(AppMeta(key=BUILD_KEY, value="building"))
    db.dispose()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    at = new_app().run()
    assert not at.exception
    assert any("演示数据正在构建" in i.value for i in at.info)
    assert not [w for w in at.text_input if w.key == "signin_username"]


@pytest.mark.slow
def test_a_world_built_before_dawn_holds_nothing_from_the_future(sqlite_url, tmp_path):
    """Built at 02:00 Beijing: today's session is opened then (not at the daily job's 08:30), every run
    arrived by then, the accounts date from before the history, and no consultation event, observation or session time lies after the build's
    ``now``. (Entries the build writes on the real clock, such as the accounts and the guidance, are
    not scripted; this test's ``now`` is made up, so they are left out.)"""
    from datetime import date, datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from forecasting.demo import seed_if_empty
    from forecasting.store.consultation import ConsultationSession
    from forecasting.store.db import Database
    from forecasting.store.models import AuditEntry, User
    from forecasting.store.science import ModelRun, Observation

    today = date(2026, 11, 30)
    now = datetime(2026, 11, 30, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    db = Database(sqlite_url)
    assert seed_if_empty(db, today=today, now=now, folder=tmp_path / "runs", days=4, files_days=1,
                         english_days=0, log=lambda *_: None)
    utc = timezone.utc
    with db.read() as s:
        newest = {name: s.scalar(select(func.max(col)).where(*where)) for name, col, where in (
            ("consultation event", AuditEntry.at, (AuditEntry.action.like("consult.%"),)),
            ("run", ModelRun.ingested_at, ()), ("observation", Observation.time, ()),
            ("session", ConsultationSession.opened_at, ()))}
        joined = set(s.scalars(select(User.created_at)))
        opened = s.scalar(select(ConsultationSession.opened_at).where(ConsultationSession.issue_date == today))
    db.dispose()
    for name, at in newest.items():
        assert at.replace(tzinfo=utc) <= now, (name, at)
    assert opened.replace(tzinfo=utc) == now.astimezone(utc)
    assert now - timedelta(hours=1) <= newest["observation"].replace(tzinfo=utc)  # the world is current
    # the accounts were there before the 4-day history they act in: 09:00 Beijing on 25 November
    assert {t.replace(tzinfo=utc) for t in joined} == {datetime(2026, 11, 25, 1, 0, tzinfo=utc)}


def test_a_small_world_built_in_this_process_is_published_complete(sqlite_url, tmp_path):
    """A world of fewer than PARALLEL_MIN_DAYS days is built in this process, whose report tasks open the
    building file through ``get_database``. Their connections stayed open when the file was published,
    so its WAL (deleted with the temporary file) held the last transactions: the app saw the build
    marker ``building`` and said the world was half-built, for good."""
    from forecasting.demo import build_demo_world, demo_state
    from forecasting.demo.world import PARALLEL_MIN_DAYS
    from forecasting.store.db import Database

    days = 4
    assert days < PARALLEL_MIN_DAYS
    assert build_demo_world(sqlite_url, log=lambda *_: None, folder=tmp_path / "runs", days=days,
                            files_days=1, english_days=0) == "seeded"  # the Chinese files only: half the rendering
    fresh = Database(sqlite_url)  # new connections: what the app opens after the build
    try:
        assert demo_state(fresh) == "complete"
    finally:
        fresh.dispose()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    assert not list(path.parent.glob(f".{path.name}.building*"))


def test_the_demo_notes_name_neighbours_by_name_never_by_adcode(demo_url):
    """The demo's consultation notes read as forecasters write them: "同意 吴江区 的意见", never the
    neighbour's adcode ("同意 320509 的意见", as the presentation page once showed)."""
    import re

    from forecasting.store.consultation import ConsultationNote
    from forecasting.store.db import Database
    from sqlalchemy import select

    db = Database(demo_url)
    try:
        with db.read() as s:
            notes = list(s.execute(select(ConsultationNote.body, ConsultationNote.author_name)))
    finally:
        db.dispose()
    bodies = [body for body, _ in notes]
    assert bodies
    assert not [b for b in bodies if re.search(r"\d{6}", b)]
    assert [b for b in bodies if re.search(r"同意 (青浦区|吴江区|嘉善县) 的意见", b)]
    # the author is shown beside the note: its text does not begin with the name again (the report read
    # "赵敏（吴江区）：赵敏：边界层高度预报偏低…")
    assert not [b for b, name in notes if name and b.startswith(name.split(" ")[0])], notes[:3]


def test_the_demo_reports_summary_agrees_with_their_own_forecast_table(demo_url):
    """A demo report's zone summary fits its D+1..D+3 table: a report whose table holds 轻度污染 or worse
    never sums up as "以优良为主" / "空气质量良好" (a random summary once did), and the internal conclusion
    is not the published summary again."""
    import json

    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.db import Database
    from sqlalchemy import select

    db = Database(demo_url)
    try:
        with db.read() as s:
            snaps = [json.loads(f.snapshot) for f in s.scalars(select(IssuedForecast))]
    finally:
        db.dispose()
    assert snaps
    polluted = 0
    for snap in snaps:
        worst = max(d["level_hi"] for district in snap["districts"] for d in district["days"] if d["lead_day"] <= 3)
        if worst >= 3:
            polluted += 1
            assert not any(w in snap["zone_summary"] for w in ("以优良为主", "以良为主", "空气质量良好")), snap["zone_summary"]
        else:
            assert "污染过程" not in snap["zone_summary"] and "轻度污染" not in snap["zone_summary"], snap["zone_summary"]
        assert snap["zone_summary"] != snap["conclusion"]
    assert polluted, "the demo world has polluted days to sum up"


class _Part(Future):
    """A worker's guidance part: asking a pending one for its result is the defect under test (it
    would block the consultations until the newer half is done), so it fails instead of waiting."""

    def result(self, timeout=None):
        assert self.done(), "waited for a guidance part that holds none of the days asked for"
        return super().result(timeout)


def test_the_consultations_wait_only_for_the_guidance_of_their_own_days():
    """The demo's consultations of the older half of its history are seeded while the newer half's
    guidance is still computed (issue #16); a day of the newer half waits for both halves."""
    from datetime import date

    from forecasting.demo.world import _GuidanceHistory

    lines = []
    history = _GuidanceHistory.__new__(_GuidanceHistory)  # the parts as the pool hands them out, unstarted
    older, newer = _Part(), _Part()
    history.parts = [(date(2026, 11, 2), older), (date(2026, 12, 2), newer)]
    history.log, history.logged = lines.append, False
    older.set_result(2937)
    history.wait(date(2026, 10, 5))  # the first day: the older part only
    history.wait(date(2026, 11, 2))  # the older part's last day
    assert lines == []  # the newer half is not done: no "guidance rows" line yet
    newer.set_result(3045)
    history.wait(date(2026, 11, 3))  # the newer part's first day needs both
    history.wait()
    assert lines == ["  guidance rows: 5982"]  # once, with both parts' rows


def test_a_world_on_both_cores_seeds_each_consultation_after_its_guidance(demo_template, demo_url):
    """On both cores the guidance is computed in two parts (the older one the larger,
    ``GUIDANCE_OLDER_SHARE``) while the consultations are seeded: the audit trail (in write order) shows
    each part's guidance stored before any submission of its days.
    Read on the suite's demo world, which is built on both cores (``tests/conftest.py``)."""
    from datetime import date

    from sqlalchemy import select

    from forecasting.store.consultation import ConsultationSession
    from forecasting.store.db import Database
    from forecasting.store.models import AuditEntry

    lines = (demo_template.parent / "build.log").read_text(encoding="utf-8").splitlines()
    db = Database(demo_url)
    try:
        with db.read() as s:
            computed = s.execute(select(AuditEntry.id, AuditEntry.details).where(
                AuditEntry.action == "guidance.compute").order_by(AuditEntry.id)).all()
            submits = s.execute(select(AuditEntry.id, AuditEntry.object_id).where(
                AuditEntry.action == "consult.submission.submit")).all()
            issue_of = {str(i): d for i, d in s.execute(select(ConsultationSession.id, ConsultationSession.issue_date))}
    finally:
        db.dispose()
    # (the two parts are stored in whichever order they finish: sorted by their days)
    parts = sorted((date.fromisoformat(d["from"]), date.fromisoformat(d["to"]), i) for i, d in computed)
    assert len(parts) == 2 and parts[0][1] < parts[1][0]  # two parts, one per worker process
    assert len(submits) == 3 * 10  # three districts, every issued day of the 12-day history
    for audit_id, session_id in submits:
        day = issue_of[session_id]
        stored = next(i for first, last, i in parts if first <= day <= last)
        assert stored < audit_id, f"{day} was submitted before its guidance was stored"
    assert sum(line.startswith("  guidance rows: ") for line in lines) == 1


def test_the_demo_reports_check_yesterday_against_that_days_own_observed_aqi(demo_url):
    """The demo world's reports made from their model alone take yesterday's observed AQI from one table
    of the whole history (issue #16: one pass of the AQI engine instead of one per report); each report
    says what that day's own check computes from the observations, district by district."""
    import json
    from datetime import timedelta

    from reports_data import day_publishable, valid_hours

    from forecasting.consultation import yesterday_check
    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.db import Database
    from forecasting.store.reports import IssuedReport
    from sqlalchemy import select

    db = Database(demo_url)
    try:
        with db.read() as s:
            stored = s.execute(select(IssuedForecast.issue_date, IssuedReport.content)
                               .join(IssuedReport, IssuedReport.issued_forecast_id == IssuedForecast.id)
                               .where(IssuedReport.format == "json")).all()
        assert len(stored) >= 10  # every issued day of the 12-day history, amended ones twice
        publishable_days = 0
        for issue_date, content in stored:
            rows = {r["district"]: r["observed_aqi"] for r in json.loads(content)["yesterday"]}
            own = {v.district: None if v.observed_aqi is None else int(round(v.observed_aqi))
                   for v in yesterday_check(db, issue_date)}
            assert rows == own, issue_date
            # a day with enough observed hours has its AQI (the demo world keeps the record's outages)
            hours = valid_hours(db, issue_date - timedelta(days=1))
            for district, aqi in own.items():
                if day_publishable(hours.get(district, {})):
                    publishable_days += 1
                    assert aqi is not None, (issue_date, district)
        assert publishable_days >= 3  # the check is not empty
    finally:
        db.dispose()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals on this system")
def test_progress_bar_on_a_terminal_that_reports_no_size(monkeypatch):
    """A fresh clone's `make run` under `script` (a pseudo-terminal nobody sized: 0 × 0, as some container
    consoles are) printed the stage lines but never the bar: tqdm read -1 rows from standard error and drew
    nothing. The bar is drawn 80 columns wide there."""
    master, slave = os.openpty()  # a new pseudo-terminal: 0 rows, 0 columns
    try:
        assert os.get_terminal_size(slave).columns == 0
        with os.fdopen(slave, "w", encoding="utf-8", closefd=False) as out:
            monkeypatch.setattr(sys, "stderr", out)  # the build's standard error, as under `make run`
            with BuildProgress() as progress:
                for stage in STAGES:
                    progress(f"  {stage.key}: 1")
        os.set_blocking(master, False)
        text = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            text += chunk
    finally:
        os.close(slave)
        os.close(master)
    text = text.decode("utf-8", "replace")
    assert "100%|" in text and "elapsed" in text and "done" in text, text[-500:]


def test_the_world_knows_the_day_it_was_built_for(demo_url):
    """The build writes its day (``demo_day``): the app's banner and `make run` say, days later, since when
    nothing has arrived (a world of today says nothing more)."""
    from forecasting.consultation import beijing_today
    from forecasting.demo import demo_day
    from forecasting.store.db import Database

    db = Database(demo_url)
    try:
        assert demo_day(db) == beijing_today()
    finally:
        db.dispose()


def test_demo_reset_deletes_only_a_demo_world(sqlite_url, tmp_path, monkeypatch):
    """`make demo-fresh` and `make clean` delete the database through `demo reset`: never one with accounts and
    no demo world, never on PostgreSQL (dropped by hand there); refused in words, nothing deleted."""
    import sqlite3

    from forecasting import accounts
    from forecasting.demo.world import remove_demo_world
    from forecasting.errors import ValidationError
    from forecasting.permissions import Actor
    from forecasting.store.db import Database

    monkeypatch.setenv("FORECASTING_DATA_DIR", str(tmp_path))
    (tmp_path / "demo" / "runs").mkdir(parents=True)
    db = Database(sqlite_url)
    accounts.create_user(db, Actor.system("test"), username="boss", password="a-long-secret-1", role="admin")
    db.dispose()
    with pytest.raises(ValidationError) as refused:
        remove_demo_world(sqlite_url)
    assert refused.value.key == "demo.reset_production" and "不是演示数据库" in refused.value.localized("zh")
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists() and (tmp_path / "demo").exists()
    with pytest.raises(ValidationError) as refused:  # before it connects
        remove_demo_world("postgresql://postgres@127.0.0.1:5432/test")
    assert "只删除 SQLite 演示数据库" in refused.value.localized("zh")
    # a file never migrated (a first `make run` stopped early) is deleted; a file that is no database is not
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    assert empty.exists() and remove_demo_world(f"sqlite:///{empty}") == empty and not empty.exists()
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("not a database, " * 100)
    with pytest.raises(Exception, match="not a database"):
        remove_demo_world(f"sqlite:///{notes}")
    assert notes.exists()
