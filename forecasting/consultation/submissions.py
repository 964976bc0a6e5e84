"""District submissions: a forecaster's forecast for their own district, per target day.

Draft and submitted entries are both visible to the neighbours with author and time. Every
save that changes something is a new version (kept in ``consultation_submission_versions``);
a save is refused when the entry changed since the user loaded it (``expected_version``),
naming who changed it and when. Nothing changes after sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.consultation.common import (current_actor, changed_meanwhile, district_params, refuse_repeated_days,
                                             require_writable, session_for)
from forecasting.consultation.config import ConsultationConfig, consultation_config, parse_day
from forecasting.consultation.rules import check_forecast, clean_text
from forecasting.errors import NotFound, PermissionDenied, ValidationError
from forecasting.i18n import zone_districts
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import ConsultationSession, Submission, SubmissionVersion
from forecasting.store.db import Database
from forecasting.store.types import utcnow
from forecasting.vocab import DISTRICT_ORDER

__all__ = ["SubmissionInput", "SubmissionView", "save_submissions", "save_submission", "list_submissions",
           "submission_history", "submission_view_of"]


@dataclass(frozen=True)
class SubmissionInput:
    """What the form sends for one target day. ``expected_version`` is the version the user saw
    (0 when there was none yet)."""

    target_date: date
    aqi_lo: int
    aqi_hi: int
    primary: tuple[str, ...] = ()
    concentrations: dict = field(default_factory=dict)
    analysis: str = ""
    expected_version: int = 0


@dataclass(frozen=True)
class SubmissionView:
    id: int
    district: str
    target_date: date
    status: str
    aqi_lo: int
    aqi_hi: int
    level_lo: int
    level_hi: int
    primary: tuple[str, ...]
    concentrations: dict
    analysis: str
    author_id: int | None
    author_name: str
    updated_at: datetime
    submitted_at: datetime | None
    version: int


def submission_view_of(r: Submission) -> SubmissionView:
    return SubmissionView(r.id, r.district, r.target_date, r.status, r.aqi_lo, r.aqi_hi, r.level_lo, r.level_hi,
                          tuple(r.primary or ()), dict(r.concentrations or {}), r.analysis, r.author_id,
                          r.author_name, r.updated_at, r.submitted_at, r.version)


def _require_own_district(actor: Actor, district: str) -> None:
    require_role(actor, "forecaster", action="submit a district forecast")
    if district not in DISTRICT_ORDER:  # a typo in a program's path is no district, not someone else's
        shown = district[:40]
        raise NotFound(f"{shown!r} is not a district of the zone ({', '.join(DISTRICT_ORDER)})",
                       key="consult.unknown_district", district=shown, **zone_districts())
    if actor.district != district:
        raise PermissionDenied(
            f"{actor.username} forecasts for {actor.district}, not for {district}",
            key="consult.not_your_district", district=district, **district_params(district),
        )


def _same(row: Submission, checked, analysis: str, status: str) -> bool:
    return (row.aqi_lo, row.aqi_hi, tuple(row.primary or ()), dict(row.concentrations or {}), row.analysis,
            row.status) == (checked.aqi_lo, checked.aqi_hi, checked.primary, checked.concentrations, analysis, status)


def _save_one(s: Session, actor: Actor, session: ConsultationSession, district: str, entry: SubmissionInput,
              submit: bool, cfg: ConsultationConfig, now: datetime) -> tuple[Submission, bool]:
    day = parse_day(entry.target_date)
    targets = {session.issue_date.toordinal() + k for k in range(1, session.days + 1)}
    if day.toordinal() not in targets:
        raise ValidationError(f"{day} is not a target day of the consultation of {session.issue_date}",
                              key="consult.not_a_target_day", day=day.isoformat())
    checked = check_forecast(entry.aqi_lo, entry.aqi_hi, entry.primary, entry.concentrations, config=cfg)
    analysis = clean_text(entry.analysis, field="analysis")  # length limit, no bidi controls (#15)
    row = s.scalar(select(Submission).where(Submission.session_id == session.id, Submission.district == district,
                                            Submission.target_date == day).with_for_update())
    if row is None:
        if entry.expected_version:
            raise NotFound(f"no submission for {district} {day} to update", key="consult.no_submission")
        status = "submitted" if submit else "draft"
        row = Submission(session_id=session.id, district=district, target_date=day, version=1)
    else:
        status = "submitted" if (submit or row.status == "submitted") else "draft"
        if row.version != entry.expected_version:
            # A double click resends what the same user just saved: nothing to do.
            if (row.version == entry.expected_version + 1 and row.author_id == actor.user_id
                    and _same(row, checked, analysis, status)):
                return row, False
            raise changed_meanwhile(f"the forecast of {district} for {day}", row.author_name, row.updated_at,
                                    entry.expected_version, row.version, ref=str(day), district=district)
        if _same(row, checked, analysis, status):
            return row, False
        row.version += 1
    row.status = status
    row.aqi_lo, row.aqi_hi, row.level_lo, row.level_hi = checked.aqi_lo, checked.aqi_hi, checked.level_lo, checked.level_hi
    row.primary = list(checked.primary)
    row.concentrations = dict(checked.concentrations)
    row.analysis = analysis
    row.author_id, row.author_name = actor.user_id, actor.display_name or actor.username
    row.updated_at = now
    if status == "submitted" and (submit or row.submitted_at is None):
        row.submitted_at = now
    if row.id is None:
        s.add(row)
    s.flush()
    s.add(SubmissionVersion(submission_id=row.id, version=row.version, status=row.status, aqi_lo=row.aqi_lo,
                            aqi_hi=row.aqi_hi, primary=list(row.primary), concentrations=dict(row.concentrations),
                            analysis=row.analysis, author_id=row.author_id, author_name=row.author_name, saved_at=now))
    return row, True


def save_submissions(db: Database, actor: Actor | None, issue_date, district: str, entries: list[SubmissionInput], *,
                     submit: bool = False, config: ConsultationConfig | None = None) -> list[SubmissionView]:
    """Save a district's forecast for several target days in one unit of work (all or nothing).

    Only a forecaster of ``district`` may; only while the session is open or in consultation.
    ``submit=True`` marks the entries submitted (they stay submitted on later saves).
    """
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    if not entries:
        raise ValidationError("nothing to save", key="consult.nothing_to_save")
    refuse_repeated_days((district, e.target_date) for e in entries)
    with db.transaction() as s:
        actor = current_actor(s, actor, "submit a district forecast")
        _require_own_district(actor, district)
        session = session_for(s, issue_date, lock=True)
        require_writable(session, "the district forecasts")
        now = utcnow()
        saved, changed = [], []
        for entry in entries:
            row, did = _save_one(s, actor, session, district, entry, submit, cfg, now)
            saved.append(row)
            if did:
                changed.append({"target_date": row.target_date.isoformat(), "version": row.version,
                                "status": row.status, "aqi": [row.aqi_lo, row.aqi_hi], "primary": list(row.primary)})
        if changed:
            audit.record(s, actor, "consult.submission.submit" if submit else "consult.submission.save",
                         object_type="consultation", object_id=session.id,
                         details={"district": district, "entries": changed})
        return [submission_view_of(r) for r in saved]


def save_submission(db: Database, actor: Actor | None, issue_date, district: str, target_date, *, aqi_lo: int,
                    aqi_hi: int, primary=(), concentrations=None, analysis: str = "", expected_version: int = 0,
                    submit: bool = False, config: ConsultationConfig | None = None) -> SubmissionView:
    """Save one target day (see :func:`save_submissions`)."""
    entry = SubmissionInput(parse_day(target_date), aqi_lo, aqi_hi, tuple(primary or ()), dict(concentrations or {}),
                            analysis, expected_version)
    return save_submissions(db, actor, issue_date, district, [entry], submit=submit, config=config)[0]


def list_submissions(db: Database, issue_date) -> list[SubmissionView]:
    """Every district's current entries of the consultation of ``issue_date`` (drafts included)."""
    with db.read() as s:
        session = session_for(s, parse_day(issue_date))
        rows = s.scalars(select(Submission).where(Submission.session_id == session.id)
                         .order_by(Submission.district, Submission.target_date))
        return [submission_view_of(r) for r in rows]


def submission_history(db: Database, submission_id: int) -> list[dict]:
    """Every saved version of one submission, oldest first."""
    with db.read() as s:
        rows = s.scalars(select(SubmissionVersion).where(SubmissionVersion.submission_id == submission_id)
                         .order_by(SubmissionVersion.version))
        return [dict(version=r.version, status=r.status, aqi_lo=r.aqi_lo, aqi_hi=r.aqi_hi, primary=list(r.primary),
                     concentrations=dict(r.concentrations), analysis=r.analysis, author=r.author_name,
                     saved_at=r.saved_at) for r in rows]
