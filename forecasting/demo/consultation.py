"""Demo consultations: 60 days of the joint consultation as it would have happened.

Each past issue date runs through the real services, with the context clock
(:func:`forecasting.store.types.clock_at`) set to that day's Beijing times: the daily job opens the
session at 08:30; the duty chief starts the consultation at 13:00; each district's forecaster
submits D+1..D+7 between 13:10 and 14:30, starting from the objective guidance (the ensemble) and
adjusting it by their own judgement (a deterministic, seeded nudge); notes are written; the chief
acknowledges the flags, writes the conclusion and the zone summary, signs at about 15:20 with the
password and issues at about 16:00. Two issue dates get an amendment. Today's session is opened and
waits for submissions (one district has a draft).
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, datetime, time, timedelta, timezone
from time import monotonic

from forecasting import accounts
from forecasting import consultation as c
from forecasting.aqi import level_of
from forecasting.consultation import issue_snapshot
from forecasting.demo.spawn import spawn_pool
from forecasting.permissions import Actor
from forecasting.store.db import Database, get_database
from forecasting.store.types import clock_at
from forecasting.vocab import BEIJING
from forecasting.zone import list_districts

__all__ = ["seed_consultations"]

LABEL = {"pm25": "PM2.5", "pm10": "PM10", "o3": "臭氧", "no2": "二氧化氮", "so2": "二氧化硫", "co": "一氧化碳"}
ANALYSES = (
    "受弱冷空气影响，偏北风 2-3 级，扩散条件一般，夜间近地面逆温，PM2.5 早晚偏高。",
    "均压场控制，风速小，湿度大，边界层偏低，不利于污染物扩散，需关注区域传输。",
    "午后日照较强、气温偏高，臭氧光化学生成明显，需关注午后臭氧峰值。",
    "冷锋过境后转偏北大风，扩散条件转好，空气质量以优良为主。",
    "高压后部偏南气流，上游污染物向示范区输送，夜间至清晨 PM2.5 可能上升。",
    "降水过程影响，湿清除作用明显，污染物浓度总体较低。",
)
#: A note's author and district are shown beside it (room, desk, report digest): the text does not repeat them
#: (the report read "赵敏（吴江区）：赵敏：边界层高度预报偏低…").
NOTES = (
    "客观预报对 {d} 的 PM2.5 偏高，参考昨日观测，本区下调 5-10。",
    "同意 {b} 的意见，{d} 三地整体以良为主。",
    "请注意上游苏州方向的输送，{d} 夜间可能有短时升高。",
    "本区站点昨日臭氧实测偏低，模式略偏高，预报下调。",
    "边界层高度预报偏低，集合订正结果可信。",
)
#: The zone summary published in the report, by the worst level the districts forecast for D+1..D+3 (a
#: summary must not say "以优良为主" above a table of 轻度污染 days) and, for good days, whether ozone leads.
SUMMARIES = {
    "clean": ("经三地会商，未来三天示范区空气质量以良为主，首要污染物为 PM2.5，夜间至清晨浓度偏高，午后改善。",
              "未来三天受冷空气影响，扩散条件转好，示范区空气质量以优良为主。"),
    "ozone": ("会商结论：臭氧为主要关注污染物，午后浓度较高，其余时段空气质量良好。",),
    "light": ("会商一致认为未来三天扩散条件一般，示范区以良至轻度污染为主，需关注区域传输影响；敏感人群应减少户外活动。",
              "未来三天示范区部分时段可能出现轻度污染，首要污染物以 PM2.5 为主，夜间至清晨偏高，建议敏感人群减少户外活动。"),
    "heavy": ("未来三天示范区可能出现中度及以上污染过程，建议各区县做好预警准备，公众减少户外活动。",),
}
#: The consultation's internal conclusion (a note, not the published summary): how the forecast was agreed.
CONCLUSIONS = (
    "三地意见基本一致，采纳各区县提交范围作为联合预报。",
    "模式对 PM2.5 总体偏高，各区县已在客观指导基础上下调，联合预报取各区县提交值。",
    "相邻区县首日级别存在分歧，经讨论保留各自对本地排放与传输的判断，分歧已逐组确认。",
    "客观指导与昨日检验一致性较好，联合预报以订正集合为基础，个别日期按本地判断调整。",
)


def _summary_kind(entries) -> str:
    """Which of :data:`SUMMARIES` fits the districts' D+1..D+3 forecasts (``(level_hi, primary)`` pairs)."""
    worst = max((level for level, _ in entries), default=1)
    if worst >= 4:
        return "heavy"
    if worst == 3:
        return "light"
    return "ozone" if sum("o3" in primary for _, primary in entries) * 2 > len(entries) else "clean"


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    """``day`` at Beijing ``hh:mm`` (minutes past 59 roll over into the next hours)."""
    return datetime.combine(day, time(0, 0), tzinfo=BEIJING) + timedelta(hours=hh, minutes=mm)


def _actors(db: Database) -> dict[str, Actor]:
    views = accounts.list_users(db, Actor.system("demo-seed"))
    return {v.username: Actor(v.id, v.username, v.role, v.district, v.display_name) for v in views}


def _nudge(lo: int, hi: int, rng: random.Random, cfg) -> tuple[int, int]:
    """A forecaster's adjustment of the guidance range: shift by -10..+10, keeping the width rule."""
    shift = rng.choice((-10, -5, 0, 0, 5, 10))
    lo, hi = max(0, lo + shift), max(1, hi + shift)
    width = cfg.max_width((lo + hi) / 2)
    if hi - lo > width:
        hi = lo + width
    return lo, max(hi, lo + 1)


def _primary(lo: int, hi: int, guess: tuple[str, ...]) -> tuple[str, ...]:
    if hi <= 50:
        return ()
    return guess or ("pm25",)


def _plan(rows, district: str, day: date, days: int):
    """(lo, hi, primary) per target day from the ensemble guidance, past the models' reach from the
    labelled outlook (issue #13; carried forward only where neither exists)."""
    by_day = {r.target_date: r for r in sorted(rows, key=lambda r: r.method == "ensemble")
              if r.district == district and r.method in ("ensemble", "outlook") and r.aqi_lo is not None}
    out, last = {}, (40, 60, ("pm25",))
    for k in range(1, days + 1):
        target = day + timedelta(days=k)
        g = by_day.get(target)
        if g is not None:
            last = (g.aqi_lo, g.aqi_hi, tuple(g.primary))
        out[target] = last
    return out


def _prepare(db: Database, day: date, actors: dict, districts: list[str], proofs: _Proofs, rng: random.Random,
             cfg, names: dict[str, str]) -> tuple[Actor, datetime]:
    """One issue date's consultation up to the signature; returns the chief and the issue time.
    ``names``: adcode -> Chinese district name (the notes name the neighbours as people write them)."""
    from forecasting.guidance import guidance_for  # lazy: pandas (app start)

    system = Actor.system("daily-job")
    with clock_at(_at(day, 8, 30)):
        c.open_session(db, system, day, days=7)
    duty = c.duty_for(db, day)
    chief = next(a for a in actors.values() if a.user_id == duty.chief_id)
    with clock_at(_at(day, 13, 0)):
        view = c.get_session(db, day)
        c.start_consultation(db, chief, day, expected_version=view.version)
    rows = guidance_for(db, day)
    first_days: list[tuple[int, tuple[str, ...]]] = []  # (upper level, primary) of every district's D+1..D+3
    by_district = {d: [a for a in actors.values() if a.role == "forecaster" and a.district == d] for d in districts}
    for i, d in enumerate(districts):
        author = by_district[d][(day.toordinal() + i) % len(by_district[d])]
        plan = _plan(rows, d, day, 7)
        entries = []
        for target, (lo, hi, prim) in plan.items():
            lo, hi = _nudge(lo, hi, rng, cfg)
            entries.append(c.SubmissionInput(target, lo, hi, _primary(lo, hi, prim), {}, rng.choice(ANALYSES), 0))
            if (target - day).days <= 3:
                first_days.append((level_of(hi), _primary(lo, hi, prim)))
        with clock_at(_at(day, 13, 10 + 25 * i)):
            c.save_submissions(db, author, day, d, entries, submit=True)
        if rng.random() < 0.8:
            other = names[districts[(i + 1) % len(districts)]]  # a neighbour by name, never its adcode
            text = rng.choice(NOTES).format(b=other, d=(day + timedelta(days=1)).strftime("%m月%d日"))
            with clock_at(_at(day, 13, 20 + 25 * i)):
                c.add_note(db, author, day, text, district=d, target_date=day + timedelta(days=1))
    with clock_at(_at(day, 14, 50)):
        # every open flag group with one reason, as the chief desk does (issue #14): one service call
        c.acknowledge_groups(db, chief, day, kind="*", note="已与相关区县沟通，差异来自本地排放与传输判断，保留各自预报。")
        c.add_note(db, chief, day, rng.choice(CONCLUSIONS), kind="conclusion")
        c.save_final(db, chief, day, [], zone_summary=rng.choice(SUMMARIES[_summary_kind(first_days)]))
    with clock_at(_at(day, 15, rng.randint(10, 45))):
        c.sign_session(db, chief, day, reauth=proofs.get(db, chief), expected_version=c.get_session(db, day).version)
    return chief, _at(day, 16, rng.randint(0, 30))


class _Proofs:
    """Each chief's password checked once (production Argon2id) per :data:`accounts.REAUTH_SECONDS`:
    the signatures carry a short-lived in-process re-authentication proof
    (:func:`forecasting.accounts.reauthenticate`) instead of 60 identical Argon2 checks."""

    def __init__(self, password: str):
        self.password = password
        self.held: dict[int, accounts.Reauthentication] = {}

    def get(self, db: Database, actor: Actor) -> accounts.Reauthentication:
        proof = self.held.get(actor.user_id)
        if proof is None or proof.expires - monotonic() < 30:  # renewed well before it expires
            proof = self.held[actor.user_id] = accounts.reauthenticate(db, actor, self.password)
        return proof


def _expected_snapshot(db: Database, day: date, chief: Actor, at: datetime) -> dict:
    """The snapshot ``issue_session`` will build when ``chief`` issues ``day`` at ``at``."""
    return issue_snapshot(db, chief, day, issued_at=at.astimezone(timezone.utc))


def _observed_table(db: Database, first: date, last: date) -> dict[tuple[str, str], float]:
    """The observed daily AQI of every district and day ``first``..``last``, ``(adcode, ISO day) -> AQI``
    (published days only): one pass of the AQI engine for the whole history instead of one per report
    (about 0.06 s each). A day's AQI depends on that day's hours alone, so it is the value each report's
    own yesterday check computes."""
    from forecasting.guidance import observed_daily_aqi  # lazy: pandas (app start)

    daily = observed_daily_aqi(db, first, last)
    return {(r.district, r.date.isoformat()): float(r.aqi) for r in daily.itertuples(index=False)
            if math.isfinite(float(r.aqi))}


def _render_worker(url: str, snapshot: dict, formats: tuple[str, ...] | None,
                   observed: dict[tuple[str, str], float] | None = None):
    """Runs in a worker process: the report files of one snapshot (reads the database only), or its
    report model alone (``formats`` ``None``: the files are rendered on demand; ``observed``, from
    :func:`_observed_table`, gives yesterday's observed AQI)."""
    from forecasting.reports import on_demand_renderer, render_files  # lazy: pandas, altair
    if formats is None:
        def lookup(_db, district, day):
            return observed.get((district, day.isoformat()))

        return on_demand_renderer(get_database(url), observed=None if observed is None else lookup)(snapshot)
    return render_files(get_database(url), snapshot, formats=tuple(dict.fromkeys(("pdf", *formats))))


def _english_pdf_worker(url: str, snapshot: dict) -> bytes:
    """Runs in a worker process: the English PDF of one snapshot (reads the database only)."""
    from forecasting.reports import render_english_pdf  # lazy: pandas, altair
    return render_english_pdf(get_database(url), snapshot)


class _Joined:
    """A day's files rendered by both workers: every file but the English PDF (``files``, a future of
    :func:`_render_worker`) and the English PDF (``english``, of :func:`_english_pdf_worker`). The newest
    day, the only one with English files, is rendered last, when nothing else is left for the second
    worker to overlap with."""

    def __init__(self, files, english):
        self.parts = (files, english)

    def result(self) -> tuple[dict[str, bytes], str]:
        files, digest = self.parts[0].result()
        return {**files, "en.pdf": self.parts[1].result()}, digest

    def cancel(self) -> None:
        for part in self.parts:
            part.cancel()


def _render(pool, url: str, snapshot: dict, formats: tuple[str, ...] | None, observed=None):
    """The future of one day's files (or report model) rendered by ``pool``'s workers."""
    if formats is None:
        return pool.submit(_render_worker, url, snapshot, formats, observed)
    if "en.pdf" not in formats:
        return pool.submit(_render_worker, url, snapshot, formats)
    return _Joined(pool.submit(_render_worker, url, snapshot, tuple(f for f in formats if f != "en.pdf")),
                   pool.submit(_english_pdf_worker, url, snapshot))


def _issue(db: Database, day: date, chief: Actor, at: datetime, render) -> None:
    with clock_at(at):
        c.issue_session(db, chief, day, render=render)


def _amend(db: Database, day: date, chief: Actor, proofs: _Proofs, cfg, districts: list[str], render) -> None:
    with clock_at(_at(day, 17, 40)):
        c.amend_session(db, chief, day, reason="嘉善站点数据复核后，次日 PM2.5 预报上调")
        room = c.room_view(db, chief, day)
        first = min((f for f in room.finals if f.district == districts[-1]), key=lambda f: f.target_date)
        lo, hi = first.aqi_lo + 10, first.aqi_hi + 10
        hi = min(hi, lo + cfg.max_width((lo + hi) / 2))
        # the summary still fits the table once the corrected day is in it
        kept = [(level_of(f.aqi_hi), tuple(f.primary)) for f in room.finals
                if f is not first and (f.target_date - day).days <= 3]
        kind = _summary_kind(kept + [(level_of(hi), _primary(lo, hi, tuple(first.primary)))])
        summary = room.session.zone_summary if room.session.zone_summary in SUMMARIES[kind] else SUMMARIES[kind][0]
        c.save_final(db, chief, day, [c.FinalInput(first.district, first.target_date, lo, hi,
                                                   _primary(lo, hi, tuple(first.primary)), first.version)],
                     zone_summary=summary)
        c.acknowledge_groups(db, chief, day, kind="*", note="更正后复核，维持。")
        c.sign_session(db, chief, day, reauth=proofs.get(db, chief), expected_version=c.get_session(db, day).version)
    _issue(db, day, chief, _at(day, 18, 5), render)


def seed_consultations(db: Database, *, today: date, days: int, password: str, seed: int = 6, log=print,
                       render_formats=None, now: datetime | None = None, pool=None,
                       guidance_ready: Callable[[date], None] | None = None) -> int:
    """Rota for the past ``days`` and the next 30, one issued consultation per past day, today's open.

    Today's session is opened by the daily job at 08:30 Beijing, or at ``now`` when the world is built
    earlier in the day (never an audit entry from the future). With ``render_formats``, the report files
    are rendered by ``pool`` (two worker processes; started here when not given): ``render_formats(day)``
    names the formats of ``day``'s issue, or is ``None`` for a report whose files are rendered on demand
    (:func:`forecasting.reports.on_demand_renderer`: the report model is fixed at issue time, in this
    process). ``guidance_ready(day)``, when given, returns once the guidance of every issue date up to
    ``day`` is stored (the build computes the newer guidance while the older days are seeded here)."""
    cfg = c.consultation_config()
    system = Actor.system("demo-seed")
    first = today - timedelta(days=days - 1)
    with clock_at(_at(first - timedelta(days=1), 9)):
        c.generate_rota(db, system, first - timedelta(days=first.weekday()), today + timedelta(days=30))
    actors = _actors(db)
    zone = list_districts(db)
    districts = [d.adcode for d in zone]
    names = {d.adcode: d.name_zh for d in zone}
    rng = random.Random(seed)
    proofs = _Proofs(password)
    amend_days = {today - timedelta(days=9), today - timedelta(days=23)}
    issued = 0
    days_list = [first + timedelta(days=k) for k in range(days - 1)]
    # Pipeline on both cores: worker processes render the report files of the newest signed days
    # while this process runs the next days' consultations. A report reads the forecasts issued two
    # or more days before its issue date (yesterday's verification: the D+1 of the day before
    # yesterday and older), so day d is rendered only after day d-2 is issued; each issue hands over
    # its files only if its snapshot is the one they were rendered from (else it renders afresh).
    depth = 2
    stack = ExitStack()
    if render_formats is None or not days_list:
        pool = None
    elif pool is None:
        pool = stack.enter_context(spawn_pool(depth))
    queue: deque = deque()
    # yesterday's observed AQI of every report made by a worker from its model alone, computed once here
    # while the first guidance is still being computed (this process waits for it)
    observed = None
    if pool is not None and any(render_formats(d) is None for d in days_list):
        observed = _observed_table(db, first - timedelta(days=1), days_list[-1] - timedelta(days=1))

    def renderer(day: date, expected: dict | None, future):
        """The ``render`` of ``day``'s issue: the files rendered in a worker (``future``), or the report
        model only, its files rendered on demand (``render_formats(day)`` is ``None``), or none."""
        if render_formats is None:
            return None
        from forecasting.reports import make_renderer, on_demand_renderer, prerendered  # lazy: pandas, altair

        formats = render_formats(day)
        fresh = on_demand_renderer(db) if formats is None else make_renderer(db, formats=formats)
        if future is not None:
            files, digest = future.result()
            return prerendered(db, expected, files, digest, fallback=fresh)
        return fresh

    def issue_oldest() -> None:
        nonlocal issued
        p_day, p_chief, p_at, expected, future = queue.popleft()
        _issue(db, p_day, p_chief, p_at, renderer(p_day, expected, future))
        if p_day in amend_days:
            _amend(db, p_day, p_chief, proofs, cfg, districts, renderer(p_day, None, None))
        issued += 1

    try:
        for day in days_list:
            if guidance_ready is not None:
                guidance_ready(day)
            chief, at = _prepare(db, day, actors, districts, proofs, rng, cfg, names)
            while len(queue) >= depth:
                issue_oldest()
            expected = future = None
            if pool is not None:  # the files, or the report model alone, made by a worker
                expected = _expected_snapshot(db, day, chief, at)
                future = _render(pool, db.url, expected, render_formats(day), observed)
            queue.append((day, chief, at, expected, future))
        while queue:
            issue_oldest()
    finally:
        for item in queue:  # an error left renders behind: do not wait for them
            if item[-1] is not None:
                item[-1].cancel()
        stack.close()
    opened = _at(today, 8, 30) if now is None else min(_at(today, 8, 30), now)
    with clock_at(opened):
        c.open_session(db, Actor.system("daily-job"), today, days=7)
    log(f"  consultations: {issued} issued ({len(amend_days & {first + timedelta(days=k) for k in range(days)})} amended),"
        f" today's open")
    return issued
