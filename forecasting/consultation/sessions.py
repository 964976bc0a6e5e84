"""Consultation sessions: one per issue date, target days D+1..D+N.

States (DESIGN.md, docs/consultation.md)::

    open ──start_consultation──► consulting ──sign_session──► signed ──issue_session──► issued
                                                                                         │
    (new revision, open) ◄──────────────── amend_session (reason) ───────────────────────┘ old: superseded

Submissions and notes are accepted while ``open`` or ``consulting``; a signed session is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forecasting import audit
from forecasting.consultation.common import current_actor, changed_meanwhile, duty_in, require_duty, seat_of, session_for
from forecasting.consultation.config import (
    ConsultationConfig,
    beijing_datetime,
    beijing_today,
    consultation_config,
    parse_day,
)
from forecasting.errors import Conflict, PermissionDenied, ValidationError
from forecasting.permissions import Actor
from forecasting.store.consultation import ConsultationSession
from forecasting.store.db import Database
from forecasting.store.types import utcnow

__all__ = ["SessionView", "open_session", "start_consultation", "get_session", "session_history",
           "session_view_of", "TRANSITIONS"]

#: Legal state changes and the service that makes each.
TRANSITIONS = {
    ("open", "consulting"): "start_consultation",
    ("consulting", "signed"): "sign_session",
    ("signed", "issued"): "issue_session",
    ("issued", "superseded"): "amend_session",
}


@dataclass(frozen=True)
class SessionView:
    id: int
    issue_date: date
    revision: int
    days: int
    state: str
    target_dates: tuple[date, ...]
    consult_deadline: datetime
    issue_deadline: datetime
    zone_summary: str
    amendment_of_id: int | None
    amendment_reason: str
    opened_at: datetime
    opened_by: str
    consulting_at: datetime | None
    signed_at: datetime | None
    signed_by_id: int | None
    signed_seat: str
    chief_absent_reason: str
    issued_at: datetime | None
    issued_by_id: int | None
    superseded_at: datetime | None
    updated_at: datetime
    updated_by: str
    version: int

    @property
    def locked(self) -> bool:
        return self.state not in ("open", "consulting")

    @property
    def issue_deadline_missed(self) -> bool:
        """Issued after the deadline, or not issued and the deadline has passed."""
        return (self.issued_at or utcnow()) > self.issue_deadline if self.state != "superseded" else False

    @property
    def consult_deadline_missed(self) -> bool:
        """Signed after the consultation deadline, or not signed and it has passed."""
        return (self.signed_at or utcnow()) > self.consult_deadline if self.state != "superseded" else False


def session_view_of(row: ConsultationSession) -> SessionView:
    targets = tuple(row.issue_date + timedelta(days=k) for k in range(1, row.days + 1))
    return SessionView(
        row.id, row.issue_date, row.revision, row.days, row.state, targets, row.consult_deadline,
        row.issue_deadline, row.zone_summary, row.amendment_of_id, row.amendment_reason, row.opened_at,
        row.opened_by, row.consulting_at, row.signed_at, row.signed_by_id, row.signed_seat,
        row.chief_absent_reason, row.issued_at, row.issued_by_id, row.superseded_at, row.updated_at,
        row.updated_by, row.version,
    )


def _may_open(s, actor: Actor, issue_date: date) -> None:
    if actor.is_admin:
        return
    if actor.role == "forecaster" and seat_of(duty_in(s, issue_date), actor) is not None:
        return
    raise PermissionDenied(f"{actor.username} may not open a consultation: the duty chief, admin or the daily job",
                           key="consult.may_not_open")


def open_session(db: Database, actor: Actor | None, issue_date=None, *, days: int | None = None,
                 config: ConsultationConfig | None = None) -> SessionView:
    """Open the consultation of ``issue_date`` (default: today in Beijing). Idempotent: when it
    exists, the existing session is returned unchanged (the daily job and a double click are safe).

    The daily job (operator), admin, or the duty chief/deputy of that date may open it.
    ``days`` = N target days D+1..D+N (≥ 3, HJ 633-2026 §5.2; default from the configuration).
    """
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date) if issue_date is not None else beijing_today()
    n = cfg.days if days is None else int(days)
    if n < 3:
        raise ValidationError(f"{n} target days: HJ 633-2026 §5.2 asks for at least 3 (D+1..D+3)",
                              key="consult.too_few_days", days=n)
    try:
        with db.transaction() as s:
            actor = current_actor(s, actor, "open a consultation")
            _may_open(s, actor, issue_date)
            existing = s.scalar(select(ConsultationSession).where(ConsultationSession.issue_date == issue_date)
                                .order_by(ConsultationSession.revision.desc()).limit(1))
            if existing is not None:
                return session_view_of(existing)
            now = utcnow()
            row = ConsultationSession(
                issue_date=issue_date, revision=1, days=n, state="open",
                consult_deadline=beijing_datetime(issue_date, cfg.consult_deadline),
                issue_deadline=beijing_datetime(issue_date, cfg.issue_deadline),
                opened_at=now, opened_by=actor.username, updated_at=now, updated_by=actor.username,
            )
            s.add(row)
            s.flush()
            audit.record(s, actor, "consult.session.open", object_type="consultation", object_id=row.id,
                         details={"issue_date": issue_date.isoformat(), "days": n})
            return session_view_of(row)
    except IntegrityError:  # opened at the same moment by someone else (PostgreSQL): return theirs
        return get_session(db, issue_date)


def get_session(db: Database, issue_date) -> SessionView:
    """The current revision of the consultation of ``issue_date`` (:class:`NotFound` when none)."""
    with db.read() as s:
        return session_view_of(session_for(s, parse_day(issue_date)))


def session_history(db: Database, issue_date) -> list[SessionView]:
    """Every revision of the consultation of ``issue_date``, oldest first."""
    with db.read() as s:
        rows = s.scalars(select(ConsultationSession).where(ConsultationSession.issue_date == parse_day(issue_date))
                         .order_by(ConsultationSession.revision))
        return [session_view_of(r) for r in rows]


def start_consultation(db: Database, actor: Actor | None, issue_date, *, expected_version: int) -> SessionView:
    """open → consulting (duty chief or deputy)."""
    issue_date = parse_day(issue_date)
    with db.transaction() as s:
        actor = current_actor(s, actor, "start the consultation")
        row = session_for(s, issue_date, lock=True)
        require_duty(s, actor, issue_date, "start the consultation")
        if row.state != "open":
            raise illegal(row.state, "consulting")
        if row.version != expected_version:
            raise changed_meanwhile("the consultation", row.updated_by, row.updated_at, expected_version, row.version,
                                    ref=issue_date.isoformat())
        now = utcnow()
        row.state, row.consulting_at = "consulting", now
        row.version += 1
        row.updated_at, row.updated_by = now, actor.username
        audit.record(s, actor, "consult.session.start", object_type="consultation", object_id=row.id,
                     details={"issue_date": issue_date.isoformat()})
        s.flush()
        return session_view_of(row)


def illegal(state: str, target: str) -> Conflict:
    return Conflict(f"a consultation cannot go from {state} to {target}", key="consult.illegal_transition",
                    state=state, target=target)
