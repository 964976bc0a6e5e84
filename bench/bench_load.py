"""Load: 30 concurrent users adding notes and saving submissions on PostgreSQL, through the service
layer and through the HTTP API, for a fixed time; throughput, latency percentiles, and a check that
nothing was lost.

Baseline (same run): the same operations by one user alone; latencies under load are printed as
ratios to it. Settings: ``BENCH_DATABASE_URL`` (default: database ``bench`` on the local server,
created when missing; its schema is dropped and rebuilt), ``BENCH_LOAD_SECONDS`` (service phase,
default 300 s = five minutes), ``BENCH_LOAD_HTTP_SECONDS`` (HTTP phase, default 120 s),
``BENCH_LOAD_USERS`` (default 30).

``issue_under_load`` (issue #15), first on SQLite then on PostgreSQL: the same 30 writers plus
repeated sign-ins while one duty chief, in another process, issues ``BENCH_LOAD_ISSUES`` reports
(default 2) with every text at its maximum size; prints issue and sign-in p95 and counts any error a
user saw ("database is locked" in particular). ``BENCH_LOAD_ISSUE_SECONDS`` (default 60; 0 skips it).

Nothing lost means: every note the service acknowledged is in the database, and every entry's final
version equals the number of changing saves the service acknowledged for it (a refused save, "changed
by someone else", is counted as refused, never silently applied or dropped; saving identical values
again is a no-op by design, like a double click).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from forecasting.vocab import DISTRICT_ORDER

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

DISTRICTS = DISTRICT_ORDER  # forecasting.vocab
PASSWORD = "bench-password-1"


def _url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://", 1)
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench'").fetchone():
            conn.execute("CREATE DATABASE bench")
    return "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def _setup(url: str, users: int):
    from db_support import pg_reset

    from forecasting import accounts, tokens
    from forecasting import consultation as c
    from forecasting.permissions import Actor
    from forecasting.store.db import Database
    from forecasting.store.migrate import upgrade
    from forecasting.zone import sync_districts

    if not url.startswith("sqlite"):
        pg_reset(url)
    upgrade(url)
    db = Database(url)
    sync_districts(db)
    op = Actor.system("bench")
    cast = []
    for i in range(users):
        district = DISTRICTS[i % 3]
        v = accounts.create_user(db, op, username=f"load{i:02d}", password=PASSWORD, role="forecaster",
                                 district=district)
        actor = Actor(v.id, v.username, v.role, v.district, v.display_name)
        _, secret = tokens.create_token(db, op, v.username, name="load")
        cast.append((actor, secret))
    today = c.beijing_today()
    c.generate_rota(db, op, today - timedelta(days=today.weekday()), today + timedelta(days=14))
    session = c.open_session(db, op, today, days=3)
    return db, cast, today, list(session.target_dates)


def _pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat = defaultdict(list)
        self.refused = defaultdict(int)
        self.errors = defaultdict(int)
        self.saves = defaultdict(int)  # (district, target) -> acknowledged saves
        self.notes = 0

    def ok(self, kind, seconds):
        with self.lock:
            self.lat[kind].append(seconds)


def _service_worker(db, actor, today, targets, tally, rng, stop):
    from forecasting import consultation as c
    from forecasting.errors import Conflict

    seen = {}
    while not stop.is_set():
        if rng.random() < 0.6:
            t0 = time.perf_counter()
            c.add_note(db, actor, today, f"负载测试记录 {uuid.uuid4().hex[:8]}", client_token=uuid.uuid4().hex)
            tally.ok("note", time.perf_counter() - t0)
            with tally.lock:
                tally.notes += 1
        else:
            target = rng.choice(targets)
            lo = rng.randrange(20, 140, 5)
            entry = c.SubmissionInput(target, lo, lo + 15, ("pm25",) if lo > 50 else (), {}, "负载", seen.get(target, 0))
            t0 = time.perf_counter()
            try:
                views = c.save_submissions(db, actor, today, actor.district, [entry], submit=True)
            except Conflict:
                tally.ok("refused", time.perf_counter() - t0)
                with tally.lock:
                    tally.refused["submission"] += 1
                current = [v for v in c.list_submissions(db, today) if v.district == actor.district
                           and v.target_date == target]
                seen[target] = current[0].version if current else 0
                continue
            tally.ok("submission", time.perf_counter() - t0)
            changed = views[0].version > seen.get(target, 0)  # an identical save is a no-op (double click)
            seen[target] = views[0].version
            if changed:
                with tally.lock:
                    tally.saves[(actor.district, target)] += 1


def _http_worker(base, token, actor, today, targets, tally, rng, stop):
    import httpx

    seen = {}
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            target = rng.choice(targets)
            lo = rng.randrange(20, 140, 5)
            body = {"submit": True, "entries": [{"target_date": target.isoformat(), "aqi_lo": lo, "aqi_hi": lo + 15,
                                                 "primary": ["pm25"] if lo > 50 else [],
                                                 "expected_version": seen.get(target, 0)}]}
            t0 = time.perf_counter()
            r = client.post(f"/api/v1/sessions/{today.isoformat()}/submissions/{actor.district}", json=body)
            dt = time.perf_counter() - t0
            if r.status_code == 200:
                tally.ok("http_submission", dt)
                version = r.json()["submissions"][0]["version"]
                changed = version > seen.get(target, 0)  # an identical save is a no-op (double click)
                seen[target] = version
                if changed:
                    with tally.lock:
                        tally.saves[(actor.district, target)] += 1
            elif r.status_code == 409:
                tally.ok("http_refused", dt)
                with tally.lock:
                    tally.refused["http_submission"] += 1
                seen[target] = _current_version(actor.district, target)
            else:
                with tally.lock:
                    tally.errors[r.status_code] += 1


_DB_FOR_READS = {}


def _current_version(district, target):
    from forecasting import consultation as c

    db, today = _DB_FOR_READS["db"], _DB_FOR_READS["today"]
    rows = [v for v in c.list_submissions(db, today) if v.district == district and v.target_date == target]
    return rows[0].version if rows else 0


def _run(threads_args, target, seconds):
    stop = threading.Event()
    threads = [threading.Thread(target=target, args=(*a, stop), daemon=True) for a in threads_args]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)


def _report(title, tally, seconds, baseline=None):
    print(f"  {title}: {seconds:.0f} s")
    for kind, lat in sorted(tally.lat.items()):
        p50, p95, p99 = (_pct(lat, q) * 1000 for q in (0.5, 0.95, 0.99))
        line = f"    {kind:<16} {len(lat):>7} ops  {len(lat) / seconds:7.1f}/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"
        if baseline and kind in baseline.lat and baseline.lat[kind]:
            line += f"  p95 ratio to one user {p95 / (_pct(baseline.lat[kind], 0.95) * 1000):5.1f}"
        print(line)
    if tally.refused:
        print(f"    refused as 'changed by someone else' (expected under contention): {dict(tally.refused)}")
    if tally.errors:
        print(f"    unexpected errors: {dict(tally.errors)}")


def _check(db, today, tally, expected_notes):
    from forecasting import consultation as c

    notes = [n for n in c.list_notes(db, today) if n.kind == "note"]
    versions = {(v.district, v.target_date): v.version for v in c.list_submissions(db, today)}
    lost_notes = expected_notes - len(notes)
    mismatched = {k: (versions.get(k, 0), n) for k, n in tally.saves.items() if versions.get(k, 0) != n}
    print(f"  check: {len(notes)} notes stored for {expected_notes} acknowledged (lost {lost_notes}); "
          f"{len(tally.saves)} entries, final versions equal acknowledged saves: {not mismatched}")
    if lost_notes or mismatched:
        print(f"  LOST OR OVERWRITTEN: {mismatched}")


# -- issue under load (issue #15) ------------------------------------------------------------------


def _guarded(target, tally):
    """Run a worker; any exception a user would see is counted by its first line (e.g. "database is locked")."""
    def run(*args):
        stop = args[-1]
        while not stop.is_set():
            try:
                target(*args)
                return
            except Exception as exc:  # noqa: BLE001 -- counted and shown: this is what the bench looks for
                with tally.lock:
                    tally.errors[" ".join(str(exc).split())[:80]] += 1
    return run


def _signin_worker(db, usernames, tally, rng, stop):
    from forecasting import accounts

    while not stop.is_set():
        t0 = time.perf_counter()
        accounts.authenticate(db, rng.choice(usernames), PASSWORD)
        tally.ok("sign_in", time.perf_counter() - t0)
        time.sleep(0.2)


def _issuer_process(url, chief_id, issue_day, n_issues, out):
    """Runs in its own process (as a second app process would): one duty chief issues ``n_issues``
    times (amending in between) with every text at its maximum size; puts issue latencies and errors
    on ``out``."""
    import sys as _sys

    _sys.path.insert(0, str(ROOT))
    from forecasting import consultation as c
    from forecasting.consultation.rules import TEXT_LIMITS
    from forecasting.permissions import Actor
    from forecasting.reports import CHINESE_FORMATS, make_renderer
    from forecasting.store.db import Database
    from forecasting.store.models import User

    db = Database(url)
    with db.read() as s:
        u = s.get(User, chief_id)
        chief = Actor(u.id, u.username, u.role, u.district_adcode, u.display_name)
    summary = ("区域污染形势综述。" * 600)[:TEXT_LIMITS["zone_summary"][0]]
    conclusion = ("会商结论：维持各区预报。" * 1000)[:TEXT_LIMITS["note"][0]]
    reason = ("复核后更正。" * 200)[:TEXT_LIMITS["amendment_reason"][0]]
    latencies, errors, revision = [], [], 0
    while revision < n_issues:
        try:
            if revision:
                c.amend_session(db, chief, issue_day, reason=reason)
            for f in [f for f in c.session_flags(db, issue_day) if not f.acknowledged]:
                c.acknowledge_flag(db, chief, issue_day, f.flag.key, note="保留各自预报。")
            c.add_note(db, chief, issue_day, conclusion, kind="conclusion")
            c.save_final(db, chief, issue_day, [], zone_summary=summary[:-1] + str(revision % 10))
            c.sign_session(db, chief, issue_day, password=PASSWORD,
                           expected_version=c.get_session(db, issue_day).version)
            t0 = time.perf_counter()
            c.issue_session(db, chief, issue_day, render=make_renderer(db, formats=CHINESE_FORMATS))
            latencies.append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 -- reported by the bench
            errors.append(" ".join(str(exc).split())[:80])
            break
        revision += 1
    out.put((latencies, errors))


def issue_under_load(url: str, label: str, seconds: float, n_users: int) -> None:
    """30 writers (notes, submissions) and repeated sign-ins for at least ``seconds`` and until one
    chief (another process) has issued ``BENCH_LOAD_ISSUES`` reports (default 2) with every text at its
    maximum size; prints issue and sign-in p95 and whether any user saw an error."""
    from forecasting import consultation as c

    db, cast, today, targets = _setup(url, n_users)
    issue_day = today + timedelta(days=1)
    op = __import__("forecasting.permissions", fromlist=["Actor"]).Actor.system("bench")
    c.open_session(db, op, issue_day, days=3)
    duty = c.duty_for(db, issue_day)
    chief = next(a for a, _ in cast if a.user_id == duty.chief_id)
    c.start_consultation(db, chief, issue_day, expected_version=c.get_session(db, issue_day).version)
    for district in DISTRICTS:
        actor = next(a for a, _ in cast if a.district == district)
        day_targets = [issue_day + timedelta(days=k) for k in range(1, 4)]
        c.save_submissions(db, actor, issue_day, district,
                           [c.SubmissionInput(t, 60, 75, ("pm25",), {}, "分" * 4000, 0) for t in day_targets],
                           submit=True)
    tally = Tally()
    rng = random.Random(7)
    threads = []
    stop = threading.Event()
    for actor, _ in cast:
        threads.append(threading.Thread(target=_guarded(_service_worker, tally), daemon=True,
                                        args=(db, actor, today, targets, tally, random.Random(rng.random()), stop)))
    names = [a.username for a, _ in cast]
    for k in range(3):
        threads.append(threading.Thread(target=_guarded(_signin_worker, tally), daemon=True,
                                        args=(db, names, tally, random.Random(k), stop)))
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    n_issues = int(os.environ.get("BENCH_LOAD_ISSUES", 2))
    issuer = ctx.Process(target=_issuer_process, args=(url, chief.user_id, issue_day, n_issues, out))
    issuer.start()
    t_start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(seconds)
    issuer.join(timeout=3600)  # the writers keep writing until every issue is done
    seconds = time.monotonic() - t_start
    stop.set()
    for t in threads:
        t.join(timeout=300)
    latencies, issue_errors = out.get(timeout=60)
    tally.lat["issue"] = latencies
    for e in issue_errors:
        tally.errors[e] += 1
    _report(f"{label}: {n_users} writers + sign-ins while one chief issues with maximum-size texts", tally, seconds)
    for kind in ("issue", "sign_in"):
        print(f"    {kind} p95 {_pct(tally.lat.get(kind, []), 0.95) * 1000:.0f} ms over {len(tally.lat.get(kind, []))}")
    locked = sum(n for msg, n in tally.errors.items() if "locked" in str(msg))
    print(f"    'database is locked' seen by users: {locked}; other errors: "
          f"{sum(tally.errors.values()) - locked}")
    _check(db, today, tally, tally.notes)
    db.dispose()


def main() -> None:
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", 300))
    http_seconds = float(os.environ.get("BENCH_LOAD_HTTP_SECONDS", 120))
    n_users = int(os.environ.get("BENCH_LOAD_USERS", 30))
    issue_seconds = float(os.environ.get("BENCH_LOAD_ISSUE_SECONDS", 60))
    if issue_seconds > 0:  # SQLite first: its database-wide write lock is what a long issue used to hold
        with tempfile.TemporaryDirectory() as tmp:
            issue_under_load(f"sqlite:///{tmp}/load.db", "SQLite", issue_seconds, n_users)
    try:
        url = _url()
        if issue_seconds > 0:
            issue_under_load(url, "PostgreSQL", issue_seconds, n_users)
        db, cast, today, targets = _setup(url, n_users)
    except Exception as exc:  # no PostgreSQL here: say so, measure nothing
        print(f"  load bench skipped: PostgreSQL not reachable ({' '.join(str(exc).split())[:200]})")
        return
    print(f"  PostgreSQL {url.split('@')[-1]}, {n_users} users (forecasters of three districts), issue date {today}")
    rng = random.Random(1)

    base_tally = Tally()
    _run([(db, cast[0][0], today, targets, base_tally, random.Random(0))], _service_worker, min(15.0, seconds))
    _report("baseline, one user, service layer", base_tally, min(15.0, seconds))
    notes_before = base_tally.notes
    saves_before = dict(base_tally.saves)

    tally = Tally()
    tally.saves.update(saves_before)
    args = [(db, actor, today, targets, tally, random.Random(rng.random())) for actor, _ in cast]
    _run(args, _service_worker, seconds)
    _report(f"{n_users} users, service layer", tally, seconds, base_tally)
    _check(db, today, tally, notes_before + tally.notes)

    if http_seconds <= 0:
        return
    from browser_support import app_server

    _DB_FOR_READS.update(db=db, today=today)
    with tempfile.TemporaryDirectory() as tmp, app_server(url, data_dir=Path(tmp)) as base:
        htally = Tally()
        htally.saves.update(tally.saves)
        one = Tally()
        one.saves = htally.saves
        _run([(base, cast[0][1], cast[0][0], today, targets, one, random.Random(5))], _http_worker, min(10.0, http_seconds))
        _report("baseline, one client, HTTP API", one, min(10.0, http_seconds))
        args = [(base, token, actor, today, targets, htally, random.Random(rng.random())) for actor, token in cast]
        _run(args, _http_worker, http_seconds)
        _report(f"{n_users} clients, HTTP API (POST submissions)", htally, http_seconds, one)
        _check(db, today, htally, notes_before + tally.notes)


if __name__ == "__main__":
    main()
