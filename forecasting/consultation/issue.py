"""Issuing a signed consultation, and amending it after issue.

Issuing is two-phase, so no slow work ever runs inside a write transaction (issue #15: a
300,000-character analysis rendered inside ``BEGIN IMMEDIATE`` blocked every sign-in in the zone):

1. :func:`issue_snapshot` builds the canonical snapshot of the combined forecast in a read-only
   session (checking the actor's seat and the session's state);
2. the caller's ``render(snapshot)`` makes the report files outside any transaction;
3. one short write transaction re-checks the seat and the state, rebuilds the snapshot and
   compares it with the rendered one (canonical JSON equal, else :class:`Conflict`: nothing is
   issued), then inserts the ``issued_forecasts`` row and the files through
   :func:`forecasting.store.reports.insert_report_files`, with the audit row.

The issued row and its files never change (database triggers, see :mod:`forecasting.store.guards`).
A correction after issue opens an amendment: a new revision of the session, reason required; the old
one stays, marked superseded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.aqi import edition_for, level_info
from forecasting.arrivals import arrivals_for_snapshot, model_arrivals_in, schedules, unscheduled_runs_in
from forecasting.consultation.acknowledgements import snapshot_acknowledgements
from forecasting.consultation.common import current_actor, duty_in, require_duty, seat_of, session_for, user_name
from forecasting.consultation.config import beijing_today, consultation_config, parse_day
from forecasting.consultation.rules import clean_text, span_text
from forecasting.consultation.sessions import SessionView, illegal, session_view_of
from forecasting.consultation.signoff import flag_states, read_centres, require_chair, zone_districts
from forecasting.errors import Conflict, ValidationError
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import (
    ConsultationNote,
    ConsultationSession,
    FinalForecast,
    FlagAcknowledgement,
    IssuedForecast,
    Submission,
    SubmissionVersion,
)
from forecasting.store.db import Database
from forecasting.store.reports import insert_report_files
from forecasting.store.types import utcnow
from forecasting import vocab

__all__ = ["IssuedView", "canonical_json", "build_snapshot", "issue_snapshot", "issue_session", "amend_session",
           "may_amend", "issued_forecasts", "verify_issued", "StandingForecast", "standing_forecast"]

#: ``render(snapshot) -> (bytes_by_format, sha256)``: the report files of a snapshot and the report's hash.
Render = Callable[[dict], tuple[dict, str]]


@dataclass(frozen=True)
class IssuedView:
    id: int
    issue_date: date
    revision: int
    sha256: str
    snapshot: str
    formats: tuple[str, ...]
    issued_at: datetime
    issued_by_name: str
    reason: str
    supersedes_id: int | None
    superseded: bool


def canonical_json(data) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text: the bytes that are hashed.

    Examples
    --------
    >>> canonical_json({"b": 1, "a": "青浦"})
    '{"a":"青浦","b":1}'
    """
    return vocab.canonical_json(data)


def build_snapshot(s: Session, session: ConsultationSession, issued_at: datetime, issuer: str,
                   centres: dict | None = None) -> dict:
    """The issue snapshot of ``session`` as ``issuer`` would issue it at ``issued_at`` (reads only).

    With the guidance ``centres`` (:func:`~forecasting.consultation.signoff.read_centres`) the
    acknowledgements are those of the flags the issued forecast still has; without, all of them."""
    finals = list(s.scalars(select(FinalForecast).where(FinalForecast.session_id == session.id)
                            .order_by(FinalForecast.target_date)))
    in_force = None if centres is None else {
        (st.flag.key, st.flag.fingerprint) for st in flag_states(s, session, consultation_config(), centres)
        if st.acknowledged}
    conclusion = s.scalar(select(ConsultationNote.body).where(ConsultationNote.session_id == session.id,
                                                              ConsultationNote.kind == "conclusion")
                          .order_by(ConsultationNote.id.desc()).limit(1))
    districts = []
    for d in zone_districts(s):
        days = []
        for f in (f for f in finals if f.district == d.adcode):
            edition = edition_for(f.target_date)
            days.append({
                "target_date": f.target_date.isoformat(),
                "lead_day": (f.target_date - session.issue_date).days,
                "aqi_lo": f.aqi_lo, "aqi_hi": f.aqi_hi, "level_lo": f.level_lo, "level_hi": f.level_hi,
                "category_zh": span_text(f.level_lo, f.level_hi, "zh"),
                "category_en": span_text(f.level_lo, f.level_hi, "en"),
                "colors": [level_info(level=k, edition=edition).hex for k in range(f.level_lo, f.level_hi + 1)],
                "primary": list(f.primary or []), "edition": edition,
            })
        districts.append({"adcode": d.adcode, "name_zh": d.name_zh, "name_en": d.name_en, "days": days})
    return {
        "issue_date": session.issue_date.isoformat(),
        "revision": session.revision,
        "amendment_reason": session.amendment_reason,
        "districts": districts,
        "zone_summary": session.zone_summary,
        "conclusion": conclusion or "",
        "acknowledgements": snapshot_acknowledgements(s, session, in_force=in_force),  # issue #14
        "signed_by": user_name(s, session.signed_by_id),
        "signed_seat": session.signed_seat,
        "signed_at": session.signed_at.isoformat() if session.signed_at else None,
        "chief_absent_reason": session.chief_absent_reason,
        "issued_by": issuer,
        "issued_at": issued_at.isoformat(),
        "deadlines": {
            "consultation": session.consult_deadline.isoformat(),
            "issue": session.issue_deadline.isoformat(),
            "consultation_missed": bool(session.signed_at and session.signed_at > session.consult_deadline),
            "issue_missed": issued_at > session.issue_deadline,
        },
        # data desk (issue #20): which expected model runs had arrived ("NAQPMS 12Z 未到，未参与")
        "data_arrivals": data_arrivals(s, session.issue_date, issued_at),
    }


def data_arrivals(s: Session, issue_date: date, issued_at: datetime) -> list[dict]:
    """Expected model runs of ``issue_date`` and whether they had arrived by ``issued_at`` (issue #20), and
    the runs no schedule expects that had (an extra 00Z run: the guidance used it)."""
    plan = schedules()
    return arrivals_for_snapshot(model_arrivals_in(s, now=issued_at, plan=plan)
                                 + unscheduled_runs_in(s, now=issued_at, plan=plan), issue_date=issue_date)


def _issued_view(r: IssuedForecast, superseded: bool) -> IssuedView:
    return IssuedView(r.id, r.issue_date, r.revision, r.sha256, r.snapshot, tuple(r.formats or ()), r.issued_at,
                      r.issued_by_name, r.reason, r.supersedes_id, superseded)


def issue_snapshot(db: Database, actor: Actor | None, issue_date, *, issued_at: datetime | None = None,
                   centres: dict | None = None) -> dict:
    """Phase 1 of issuing: the snapshot ``actor`` would issue, built in a read-only session.

    Refuses (like the issue itself) an actor who is not the duty chief or deputy of ``issue_date``
    and a consultation that is not signed. ``issued_at`` defaults to now (UTC).
    """
    issue_date = parse_day(issue_date)
    issued_at = issued_at or utcnow()
    centres = read_centres(db, issue_date, None) if centres is None else centres
    with db.read() as s:
        actor = current_actor(s, actor, "issue the forecast")
        require_chair(s, actor, issue_date, "issue the forecast")
        session = session_for(s, issue_date)
        if session.state != "signed":
            raise illegal(session.state, "issued")
        return build_snapshot(s, session, issued_at, actor.display_name or actor.username, centres)


def issue_session(db: Database, actor: Actor | None, issue_date, *, render: Render | None = None) -> IssuedView:
    """Issue a signed consultation (duty chief or deputy): signed → issued, in two phases.

    ``render(snapshot) -> (bytes_by_format, sha256)`` produces the report files (e.g.
    :func:`forecasting.reports.make_renderer`); it runs outside any transaction. Without it the
    SHA-256 of the canonical JSON snapshot is recorded. The snapshot, the hash and the files are
    stored in one short transaction after checking that the consultation is still exactly what was
    rendered; if it changed meanwhile, :class:`Conflict` and nothing is issued.
    """
    issue_date = parse_day(issue_date)
    now = utcnow()
    centres = read_centres(db, issue_date, None)  # the guidance the flags are judged by, read once
    snapshot = issue_snapshot(db, actor, issue_date, issued_at=now, centres=centres)
    text = canonical_json(snapshot)
    files: dict[str, bytes] = {}
    formats: list[str] = ["json"]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if render is not None:
        files, digest = render(snapshot)
        formats = sorted(files)
    with db.transaction() as s:
        actor = current_actor(s, actor, "issue the forecast")
        require_chair(s, actor, issue_date, "issue the forecast")
        session = session_for(s, issue_date, lock=True)
        if session.state != "signed":
            raise illegal(session.state, "issued")
        name = actor.display_name or actor.username
        if canonical_json(build_snapshot(s, session, now, name, centres)) != text:
            raise Conflict("the consultation changed while its report was being rendered: nothing was issued",
                           key="hard15.snapshot_changed")
        previous = s.scalar(select(IssuedForecast).where(IssuedForecast.issue_date == issue_date)
                            .order_by(IssuedForecast.revision.desc()).limit(1))
        row = IssuedForecast(session_id=session.id, issue_date=issue_date, revision=session.revision,
                             supersedes_id=previous.id if previous else None, reason=session.amendment_reason,
                             snapshot=text, sha256=digest, formats=formats, issued_at=now,
                             issued_by_id=actor.user_id, issued_by_name=name)
        s.add(row)
        session.state, session.issued_at, session.issued_by_id = "issued", now, actor.user_id
        session.version += 1
        session.updated_at, session.updated_by = now, actor.username
        s.flush()
        insert_report_files(s, row.id, files)
        audit.record(s, actor, "consult.session.issue", object_type="issued_forecast", object_id=row.id,
                     details={"issue_date": issue_date.isoformat(), "revision": row.revision, "sha256": digest,
                              "late": now > session.issue_deadline})
        return _issued_view(row, False)


def _may_amend(s: Session, actor: Actor, issue_date: date) -> bool:
    return actor.role == "forecaster" and (seat_of(duty_in(s, issue_date), actor) is not None
                                           or seat_of(duty_in(s, beijing_today()), actor) is not None)


def may_amend(db: Database, actor: Actor | None, issue_date) -> bool:
    """Whether ``actor`` may amend the issued forecast of ``issue_date`` (what :func:`amend_session`
    checks): the duty chief or deputy of that date, or of today. Pages offer the amendment form only then."""
    if actor is None:
        return False
    with db.read() as s:
        return _may_amend(s, actor, parse_day(issue_date))


def amend_session(db: Database, actor: Actor | None, issue_date, *, reason: str) -> SessionView:
    """Open an amendment of an issued consultation: a new revision in consultation, prefilled with
    the issued combined forecast and the submissions; the old revision stays, marked superseded.
    The duty chief or deputy of the issue date, or of today, may amend; a reason is required."""
    issue_date = parse_day(issue_date)
    reason = clean_text(reason, field="amendment_reason")
    if not reason:
        raise ValidationError("an amendment needs a reason", key="consult.amend_reason_required")
    with db.transaction() as s:
        actor = current_actor(s, actor, "amend an issued forecast")
        require_role(actor, "forecaster", action="amend an issued forecast")
        if seat_of(duty_in(s, issue_date), actor) is None:
            require_duty(s, actor, beijing_today(), "amend an issued forecast")
        old = session_for(s, issue_date, lock=True)
        if old.state != "issued":
            raise illegal(old.state, "amended")
        now = utcnow()
        new = ConsultationSession(
            issue_date=issue_date, revision=old.revision + 1, days=old.days, state="consulting",
            consult_deadline=old.consult_deadline, issue_deadline=old.issue_deadline, zone_summary=old.zone_summary,
            amendment_of_id=old.id, amendment_reason=reason, opened_at=now, opened_by=actor.username,
            consulting_at=now, updated_at=now, updated_by=actor.username,
        )
        s.add(new)
        s.flush()
        for f in s.scalars(select(FinalForecast).where(FinalForecast.session_id == old.id)):
            s.add(FinalForecast(session_id=new.id, district=f.district, target_date=f.target_date, aqi_lo=f.aqi_lo,
                                aqi_hi=f.aqi_hi, level_lo=f.level_lo, level_hi=f.level_hi, primary=list(f.primary),
                                updated_by=f.updated_by, updated_at=f.updated_at, version=1))
        for sub in s.scalars(select(Submission).where(Submission.session_id == old.id)):
            copy = Submission(session_id=new.id, district=sub.district, target_date=sub.target_date,
                              status=sub.status, aqi_lo=sub.aqi_lo, aqi_hi=sub.aqi_hi, level_lo=sub.level_lo,
                              level_hi=sub.level_hi, primary=list(sub.primary), concentrations=dict(sub.concentrations),
                              analysis=sub.analysis, author_id=sub.author_id, author_name=sub.author_name,
                              updated_at=sub.updated_at, submitted_at=sub.submitted_at, version=1)
            s.add(copy)
            s.flush()
            s.add(SubmissionVersion(submission_id=copy.id, version=1, status=copy.status, aqi_lo=copy.aqi_lo,
                                    aqi_hi=copy.aqi_hi, primary=list(copy.primary),
                                    concentrations=dict(copy.concentrations), analysis=copy.analysis,
                                    author_id=copy.author_id, author_name=copy.author_name, saved_at=now))
        # the acknowledgements hold for their conflicts (fingerprints): a conflict the amendment leaves as it
        # was needs no second look (a tour re-acknowledged five identical groups); a changed one needs one
        for a in s.scalars(select(FlagAcknowledgement).where(FlagAcknowledgement.session_id == old.id)
                           .order_by(FlagAcknowledgement.id)):
            s.add(FlagAcknowledgement(session_id=new.id, flag_key=a.flag_key, fingerprint=a.fingerprint, note=a.note,
                                      by_id=a.by_id, by_name=a.by_name, at=a.at, group_key=a.group_key))
        # the day's conclusion stands until the chief writes another: the new revision starts with it
        # (the discussion itself stays with the revision it was written in; the report quotes both)
        conclusion = s.scalar(select(ConsultationNote).where(ConsultationNote.session_id == old.id,
                                                             ConsultationNote.kind == "conclusion")
                              .order_by(ConsultationNote.id.desc()).limit(1))
        if conclusion is not None:
            s.add(ConsultationNote(session_id=new.id, kind="conclusion", body=conclusion.body,
                                   author_id=conclusion.author_id, author_name=conclusion.author_name,
                                   created_at=conclusion.created_at))
        old.state, old.superseded_at = "superseded", now
        old.version += 1
        old.updated_at, old.updated_by = now, actor.username
        audit.record(s, actor, "consult.session.amend", object_type="consultation", object_id=new.id,
                     details={"issue_date": issue_date.isoformat(), "supersedes": old.id, "revision": new.revision,
                              "reason": reason, "conclusion_kept": conclusion is not None})
        s.flush()
        return session_view_of(new)


def issued_forecasts(db: Database, issue_date) -> list[IssuedView]:
    """Every issued revision of ``issue_date``, oldest first; all but the newest are superseded."""
    with db.read() as s:
        rows = list(s.scalars(select(IssuedForecast).where(IssuedForecast.issue_date == parse_day(issue_date))
                              .order_by(IssuedForecast.revision)))
        return [_issued_view(r, i < len(rows) - 1) for i, r in enumerate(rows)]


def latest_issued_before(db: Database, day) -> IssuedView | None:
    """The newest issued revision of the newest issue date before ``day``: the forecast that stands for the
    days ahead until ``day``'s own is issued (yesterday's covered today's tomorrow as its D+2)."""
    with db.read() as s:
        row = s.scalar(select(IssuedForecast).where(IssuedForecast.issue_date < parse_day(day))
                       .order_by(IssuedForecast.issue_date.desc(), IssuedForecast.revision.desc()).limit(1))
        return None if row is None else _issued_view(row, False)


@dataclass(frozen=True)
class StandingForecast:
    """The issued forecast that stands for an issue date's target days until that date's own is issued."""

    issue_date: date | None  #: when it was issued (``None``: nothing was issued before)
    #: its AQI range per (district adcode, target day)
    ranges: dict[tuple[str, date], tuple[int, int]]


def standing_forecast(db: Database, issue_date) -> StandingForecast:
    """The newest issued forecast before ``issue_date`` (:func:`latest_issued_before`) and its ranges: what a
    forecaster keeps in line with or changes on purpose (yesterday's D+2 is today's D+1). Only what was issued
    before ``issue_date``, so a past session reads what its forecasters had.
    """
    view = latest_issued_before(db, issue_date)
    if view is None:
        return StandingForecast(None, {})
    ranges = {}
    for district in json.loads(view.snapshot).get("districts", []):
        for day in district.get("days", []):
            if day.get("aqi_lo") is not None and day.get("aqi_hi") is not None:
                ranges[(district["adcode"], date.fromisoformat(day["target_date"]))] = (int(day["aqi_lo"]),
                                                                                       int(day["aqi_hi"]))
    return StandingForecast(view.issue_date, ranges)


def verify_issued(view: IssuedView) -> bool:
    """Whether the stored snapshot still hashes to the stored SHA-256 (JSON-only issues)."""
    return hashlib.sha256(view.snapshot.encode("utf-8")).hexdigest() == view.sha256
