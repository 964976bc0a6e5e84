"""Arrivals at a glance (the data desk, issue #20): which model runs and observations are in.

For every model whose mapping file (``data/models/NAME.yaml``) declares a schedule —
``cycles`` (UTC hours delivered every day) and ``arrival_hours`` (hours after the cycle by which
the files are due) — each expected cycle is compared with what was ingested:

``arrived``  a stored run (when, by whom or which job, variables, hours, the file's SHA-256);
             ``arrived_late`` when it came after its due time;
``refused``  no stored run, and the newest attempt for that cycle was refused (with the reason);
``pending``  not in yet, and not yet due;
``late``     not in, past its due time, but before the next cycle of the model is due;
``missing``  not in, and the next cycle is due as well (the run was skipped).

A stored run that no schedule expects (an extra 00Z run of a model delivered at 12Z, a model without a
schedule) is listed beside them as ``unscheduled`` (:func:`unscheduled_runs`); the summary line and the
issued snapshot count the expected cycles only.

Observations: the newest hour per station and pollutant, and the share of valid hours (a value,
no quality-control flag) in the last 24 hours.

Reading functions take ``now`` (UTC) so the board is reproducible; pages pass the clock. A run
counts from the moment it was stored (``ModelRun.ingested_at <= now``): the board, and the snapshot
an issue records, say what was in at ``now``, never what came later. The issued
snapshot records which expected runs had not arrived (:func:`arrivals_for_snapshot`,
"NAQPMS 12Z 未到，未参与").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forecasting.i18n import t
from forecasting.store.datadesk import IngestAttempt
from forecasting.store.db import Database
from forecasting.store.science import Guidance, ModelRun, Observation, Station
from forecasting.vocab import BEIJING

__all__ = [
    "STATUSES",
    "Schedule",
    "CycleArrival",
    "ObservationArrival",
    "ArrivalSummary",
    "schedules",
    "expected_cycles",
    "classify",
    "model_arrivals",
    "model_arrivals_in",
    "unscheduled_runs",
    "unscheduled_runs_in",
    "observation_arrivals",
    "arrival_summary",
    "summary_text",
    "arrivals_for_snapshot",
    "snapshot_lines",
    "stale_guidance",
    "consultation_cutoff",
]

STATUSES = ("arrived", "late", "missing", "refused", "pending", "unscheduled")
#: How far back the board looks [days].
WINDOW_DAYS = 2
#: Runs older than this before an issue date's cut-off do not feed its guidance [days] (5-day leads).
GUIDANCE_REACH_DAYS = 5


@dataclass(frozen=True)
class Schedule:
    """A model's delivery schedule from its mapping file."""

    model: str
    cycles: tuple[int, ...]
    arrival_hours: float


@dataclass(frozen=True)
class CycleArrival:
    """One expected cycle of one model and what happened to it (or a stored run no schedule expects)."""

    model: str
    cycle: datetime          # initialisation time [UTC]
    expected_at: datetime | None  # due time [UTC]; None: not scheduled
    status: str              # one of STATUSES
    arrived_at: datetime | None = None
    arrived_late: bool = False
    ingested_by: str = ""
    n_variables: int = 0
    n_times: int = 0
    sha256: str = ""
    reason: str = ""
    run_id: int | None = None

    @property
    def label(self) -> str:
        """``NAQPMS-SH 12Z``."""
        return f"{self.model} {self.cycle:%H}Z"


@dataclass(frozen=True)
class ObservationArrival:
    """The newest hour of one station and pollutant, and its valid share over the last 24 h."""

    station: str
    name: str
    district: str | None
    pollutant: str
    newest: datetime | None      # hour-ending [UTC]
    valid_hours_24h: int         # [h]
    valid_share_24h: float       # [1], valid hours / 24


@dataclass(frozen=True)
class ArrivalSummary:
    """What the one-line summary says: the newest expected cycle per model, and observations."""

    now: datetime
    newest: tuple[CycleArrival, ...]          # per model and cycle hour, the newest cycle already due
    observations_newest: datetime | None      # the newest hour any station reported [UTC]
    valid_share_24h: float | None             # over every station and pollutant [1]

    @property
    def not_in(self) -> tuple[CycleArrival, ...]:
        return tuple(a for a in self.newest if a.status in ("late", "missing", "refused"))

    @property
    def arrived(self) -> tuple[CycleArrival, ...]:
        return tuple(a for a in self.newest if a.status == "arrived")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def schedules() -> list[Schedule]:
    """Models whose mapping file declares ``cycles`` (``arrival_hours`` defaults to 6 h)."""
    from forecasting.grids.mapping import list_models, load_mapping

    out = []
    for name in list_models():
        mapping = load_mapping(name)
        if mapping.cycles:
            out.append(Schedule(mapping.model, tuple(mapping.cycles),
                                mapping.arrival_hours if mapping.arrival_hours is not None else 6.0))
    return sorted(out, key=lambda s: s.model)


def expected_cycles(schedule: Schedule, *, now: datetime, days: int = WINDOW_DAYS) -> list[tuple[datetime, datetime]]:
    """``(cycle, due)`` of the cycles initialised in the ``days`` before ``now`` (newest last).

    Examples
    --------
    >>> s = Schedule("M", (0, 12), 10.0)
    >>> [(c.strftime("%dT%H"), d.strftime("%dT%H")) for c, d in
    ...  expected_cycles(s, now=datetime(2026, 11, 29, 4, tzinfo=timezone.utc), days=1)]
    [('28T12', '28T22'), ('29T00', '29T10')]
    """
    now = _utc(now)
    start = now - timedelta(days=days)
    out = []
    day = start.date()
    while day <= now.date():
        for hour in schedule.cycles:
            cycle = datetime.combine(day, time(hour), tzinfo=timezone.utc)
            if start < cycle <= now:
                out.append((cycle, cycle + timedelta(hours=schedule.arrival_hours)))
        day += timedelta(days=1)
    return sorted(out)


def classify(schedule: Schedule, cycle: datetime, due: datetime, *, now: datetime, stored: bool,
             refused: bool) -> str:
    """The status of one expected cycle (see the module docstring).

    ``late`` lasts one cycle interval (24 h / cycles per day) after the due time, then ``missing``.

    Examples
    --------
    >>> s = Schedule("M", (12,), 10.0)
    >>> c = datetime(2026, 11, 28, 12, tzinfo=timezone.utc); due = c + timedelta(hours=10)
    >>> [classify(s, c, due, now=due + timedelta(hours=h), stored=False, refused=False) for h in (-1, 0, 23, 24)]
    ['pending', 'late', 'late', 'missing']
    >>> classify(s, c, due, now=due, stored=True, refused=True)
    'arrived'
    """
    if stored:
        return "arrived"
    if refused:
        return "refused"
    now = _utc(now)
    if now < due:
        return "pending"
    interval = timedelta(hours=24 / len(schedule.cycles))
    return "late" if now < due + interval else "missing"


def model_arrivals_in(s: Session, *, now: datetime, days: int = WINDOW_DAYS,
                      plan: list[Schedule] | None = None) -> list[CycleArrival]:
    """:func:`model_arrivals` inside an open session (the issue's snapshot builder uses it)."""
    now = _utc(now)
    plan = schedules() if plan is None else plan
    if not plan:
        return []
    since = now - timedelta(days=days)
    names = [p.model for p in plan]
    runs = {(r.model, _utc(r.cycle)): r for r in s.scalars(
        select(ModelRun).where(ModelRun.model.in_(names), ModelRun.cycle > since, ModelRun.cycle <= now,
                               ModelRun.ingested_at <= now))}  # what was known at ``now``
    attempts: dict[tuple[str, datetime], IngestAttempt] = {}
    for a in s.scalars(select(IngestAttempt).where(IngestAttempt.kind == "model_run", IngestAttempt.model.in_(names),
                                                   IngestAttempt.cycle > since, IngestAttempt.at <= now)
                       .order_by(IngestAttempt.id)):
        attempts[(a.model, _utc(a.cycle))] = a  # the newest attempt per cycle wins
    out = []
    for p in plan:
        for cycle, due in expected_cycles(p, now=now, days=days):
            run = runs.get((p.model, cycle))
            attempt = attempts.get((p.model, cycle))
            refused = attempt is not None and attempt.status == "refused"
            status = classify(p, cycle, due, now=now, stored=run is not None, refused=refused)
            if run is not None:
                ok = attempt if attempt is not None and attempt.run_id == run.id else None
                out.append(_stored(run, due, status, ok.sha256 if ok else ""))
            else:
                out.append(CycleArrival(p.model, cycle, due, status,
                                        reason=attempt.reason if refused else "",
                                        sha256=attempt.sha256 if refused else "",
                                        ingested_by=attempt.actor_username if refused else ""))
    return out


def model_arrivals(db: Database, *, now: datetime | None = None, days: int = WINDOW_DAYS,
                   plan: list[Schedule] | None = None) -> list[CycleArrival]:
    """Every expected cycle of the ``days`` before ``now`` for every scheduled model (read-only;
    anybody signed in may read it); ``plan``: the schedules when the caller has read them."""
    with db.read() as s:
        return model_arrivals_in(s, now=now or datetime.now(timezone.utc), days=days, plan=plan)


def _stored(run: ModelRun, due: datetime | None, status: str, sha256: str) -> CycleArrival:
    """The arrival of a stored run (due ``None``: no schedule expected it)."""
    arrived = _utc(run.ingested_at)
    return CycleArrival(run.model, _utc(run.cycle), due, status, arrived_at=arrived,
                        arrived_late=due is not None and arrived > due, ingested_by=run.ingested_by or "",
                        n_variables=len(run.variables or ()), n_times=run.n_times or 0, sha256=sha256,
                        run_id=run.id)


def unscheduled_runs(db: Database, *, now: datetime | None = None, days: int = WINDOW_DAYS,
                     plan: list[Schedule] | None = None) -> list[CycleArrival]:
    """Stored runs initialised in the ``days`` before ``now`` that no schedule expects, as ``unscheduled``
    arrivals (when, by whom, variables, hours, the file's SHA-256): a scheduled model's extra cycle, or a
    model whose mapping file declares no schedule. Before, the board left them out, so a run uploaded
    at the desk was nowhere on it."""
    with db.read() as s:
        return unscheduled_runs_in(s, now=now or datetime.now(timezone.utc), days=days, plan=plan)


def unscheduled_runs_in(s: Session, *, now: datetime, days: int = WINDOW_DAYS,
                        plan: list[Schedule] | None = None) -> list[CycleArrival]:
    """:func:`unscheduled_runs` inside an open session (the issue's snapshot builder uses it); ``plan``: the
    schedules when the caller has read them (default :func:`schedules`)."""
    now = _utc(now)
    since = now - timedelta(days=days)
    plan = schedules() if plan is None else plan
    expected = {(p.model, cycle) for p in plan for cycle, _ in expected_cycles(p, now=now, days=days)}
    runs = [r for r in s.scalars(select(ModelRun).where(ModelRun.cycle > since, ModelRun.cycle <= now,
                                                        ModelRun.ingested_at <= now))
            if (r.model, _utc(r.cycle)) not in expected]
    if not runs:
        return []
    hashes = {a.run_id: a.sha256 for a in s.scalars(
        select(IngestAttempt).where(IngestAttempt.run_id.in_([r.id for r in runs])).order_by(IngestAttempt.id))}
    return [_stored(r, None, "unscheduled", hashes.get(r.id, ""))
            for r in sorted(runs, key=lambda r: (r.model, _utc(r.cycle)))]


def observation_arrivals(db: Database, *, now: datetime | None = None) -> list[ObservationArrival]:
    """Per station and pollutant: the newest stored hour and the valid hours of the last 24 h."""
    now = _utc(now or datetime.now(timezone.utc))
    since = now - timedelta(hours=24)
    with db.read() as s:
        newest = {(st, p): _utc(t) for st, p, t in s.execute(
            select(Observation.station_id, Observation.pollutant, func.max(Observation.time))
            .where(Observation.time <= now).group_by(Observation.station_id, Observation.pollutant))}
        valid = dict(((st, p), n) for st, p, n in s.execute(
            select(Observation.station_id, Observation.pollutant, func.count())
            .where(Observation.time > since, Observation.time <= now, Observation.value.is_not(None),
                   Observation.qc_flags == "")
            .group_by(Observation.station_id, Observation.pollutant)))
        stations = {r.station_id: r for r in s.scalars(select(Station))}
    out = []
    for (st, p), latest in sorted(newest.items()):
        meta = stations.get(st)
        n = int(valid.get((st, p), 0))
        out.append(ObservationArrival(st, meta.name if meta else "", meta.district if meta else None, p, latest, n,
                                      min(n, 24) / 24))
    return out


def arrival_summary(db: Database, *, now: datetime | None = None) -> ArrivalSummary:
    """The newest due cycle per model (and cycle hour) and the observations' state."""
    now = _utc(now or datetime.now(timezone.utc))
    arrivals = model_arrivals(db, now=now)
    newest: dict[tuple[str, int], CycleArrival] = {}
    for a in arrivals:
        if a.status == "pending":
            continue
        key = (a.model, a.cycle.hour)
        if key not in newest or a.cycle > newest[key].cycle:
            newest[key] = a
    obs = observation_arrivals(db, now=now)
    last = max((o.newest for o in obs if o.newest is not None), default=None)
    share = (sum(o.valid_hours_24h for o in obs) / (24 * len(obs))) if obs else None
    return ArrivalSummary(now, tuple(sorted(newest.values(), key=lambda a: (a.model, a.cycle))), last, share)


def summary_text(summary: ArrivalSummary, lang: str = "zh") -> str:
    """The one-line summary for the home page, the room and the desk, in ``lang``.

    Examples
    --------
    >>> c = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    >>> s = ArrivalSummary(c + timedelta(hours=20), (
    ...     CycleArrival("CAMS", c, c + timedelta(hours=10), "arrived"),
    ...     CycleArrival("NAQPMS-SH", c, c + timedelta(hours=10), "late")),
    ...     datetime(2026, 11, 29, 7, tzinfo=timezone.utc), 0.9583)
    >>> summary_text(s, "zh")
    '模式 1/2 已到；NAQPMS-SH 12Z 迟到；观测最新 11-29 15:00，近 24 小时有效 96%'
    >>> summary_text(s, "en")
    'Models 1/2 arrived; NAQPMS-SH 12Z late; observations up to 11-29 15:00, 96% valid in the last 24 h'
    """
    parts = [t("dd20.summary.models", lang, n=len(summary.arrived), total=len(summary.newest))]
    for a in summary.not_in:
        parts.append(f"{a.label} {t(f'dd20.status.{a.status}', lang)}")
    if summary.observations_newest is not None:
        parts.append(t("dd20.summary.obs", lang, when=summary.observations_newest.astimezone(BEIJING).strftime("%m-%d %H:%M"),
                       share=round(100 * (summary.valid_share_24h or 0))))
    else:
        parts.append(t("dd20.summary.no_obs", lang))
    return t("dd20.summary.sep", lang).join(parts)


def consultation_cutoff(issue_date: date) -> datetime:
    """15:00 Beijing time on the issue date [UTC] (the consultation's knowledge cut-off)."""
    return datetime.combine(issue_date, time(15), tzinfo=BEIJING).astimezone(timezone.utc)


def arrivals_for_snapshot(arrivals: list[CycleArrival], *, issue_date: date) -> list[dict]:
    """What the issued snapshot records: per model (and cycle hour), the newest cycle due by the
    consultation's cut-off, whether it took part, and a sentence in both languages. Pure.

    ``unscheduled`` arrivals (:func:`unscheduled_runs_in`) initialised by the cut-off are recorded too, as
    having taken part ("CAMS 00Z 已到（计划外）"): the guidance used each model's newest run.

    Examples
    --------
    >>> c = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    >>> rows = arrivals_for_snapshot([
    ...     CycleArrival("NAQPMS-SH", c, c + timedelta(hours=10), "late"),
    ...     CycleArrival("NAQPMS-SH", c - timedelta(days=1), c - timedelta(hours=14), "arrived"),
    ...     CycleArrival("CAMS", c, c + timedelta(hours=10), "arrived")], issue_date=date(2026, 11, 29))
    >>> [(r["model"], r["cycle"], r["used"], r["text_zh"]) for r in rows]
    [('CAMS', '2026-11-28T12:00:00+00:00', True, 'CAMS 12Z 已到'), ('NAQPMS-SH', '2026-11-28T12:00:00+00:00', False, 'NAQPMS-SH 12Z 未到，未参与')]
    >>> extra = CycleArrival("CAMS", c + timedelta(hours=12), None, "unscheduled", arrived_at=c + timedelta(hours=17))
    >>> [r["text_zh"] for r in arrivals_for_snapshot([extra], issue_date=date(2026, 11, 29))]
    ['CAMS 00Z 已到（计划外）']
    """
    cutoff = consultation_cutoff(issue_date)
    newest: dict[tuple[str, int], CycleArrival] = {}
    for a in arrivals:
        if (a.expected_at or a.cycle) > cutoff:
            continue
        key = (a.model, a.cycle.hour)
        if key not in newest or a.cycle > newest[key].cycle:
            newest[key] = a
    rows = []
    for (model, _h), a in sorted(newest.items()):
        used = a.status in ("arrived", "unscheduled")
        extra = a.status == "unscheduled"
        rows.append({
            "model": model, "cycle": a.cycle.isoformat(), "status": a.status, "used": used,
            "arrived_at": a.arrived_at.isoformat() if a.arrived_at else None,
            "text_zh": f"{a.label} " + ("已到（计划外）" if extra else "已到" if used else
                                        ("被拒收，未参与" if a.status == "refused" else "未到，未参与")),
            "text_en": f"{a.label} " + ("arrived (unscheduled)" if extra else "arrived" if used else
                                        ("refused, not used" if a.status == "refused" else "not arrived, not used")),
        })
    return rows


def snapshot_lines(rows: list[dict], lang: str = "zh") -> list[str]:
    """The sentences of :func:`arrivals_for_snapshot` rows that did not take part (for a report)."""
    return [r[f"text_{lang}"] for r in rows if not r.get("used")]


def stale_guidance(db: Database, issue_date: date) -> list[tuple[str, datetime]]:
    """Runs ``(model, cycle)`` stored after the guidance of ``issue_date`` was computed that the
    guidance would have used (cycle before the cut-off, at most 5 days before it). Empty when the
    guidance is up to date or there is none."""
    cutoff = consultation_cutoff(issue_date)
    with db.read() as s:
        computed = s.scalar(select(func.min(Guidance.created_at)).where(Guidance.issue_date == issue_date))
        if computed is None:
            return []
        rows = s.execute(select(ModelRun.model, ModelRun.cycle).where(
            ModelRun.cycle <= cutoff, ModelRun.cycle >= cutoff - timedelta(days=GUIDANCE_REACH_DAYS),
            ModelRun.ingested_at > _utc(computed)).order_by(ModelRun.model, ModelRun.cycle))
        return [(m, _utc(c)) for m, c in rows]
