"""Read models for the pages: everything one screen needs in one read, plus what the actor may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from sqlalchemy import select

from forecasting.consultation.common import Duty, current_actor, duty_in, seat_of, session_for
from forecasting.consultation.config import BEIJING, ConsultationConfig, consultation_config, parse_day
from forecasting.consultation.flags import ForecastEntry, group_flags
from forecasting.consultation.guidance import guidance_rows
from forecasting.consultation.notes import NoteView, note_view_of
from forecasting.consultation.prefill import district_prefill, guidance_ends
from forecasting.consultation.sessions import SessionView, session_view_of
from forecasting.consultation.signoff import FlagState, flag_states, read_centres, session_entries
from forecasting.consultation.submissions import SubmissionView, submission_view_of
from forecasting.errors import NotFound
from forecasting.permissions import Actor
from forecasting.store.consultation import ConsultationNote, ConsultationSession, FinalForecast, Submission
from forecasting.store.db import Database
from forecasting.store.models import District
from forecasting.store.types import utcnow

__all__ = ["RoomView", "FinalView", "room_view", "latest_issue_dates", "session_document", "guidance_document"]


@dataclass(frozen=True)
class FinalView:
    district: str
    target_date: date
    aqi_lo: int
    aqi_hi: int
    level_lo: int
    level_hi: int
    primary: tuple[str, ...]
    version: int
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class RoomView:
    """The consultation of one issue date as the actor sees it."""

    session: SessionView | None
    duty: Duty
    districts: tuple[str, ...]
    submissions: tuple[SubmissionView, ...]
    notes: tuple[NoteView, ...]
    flags: tuple[FlagState, ...]
    finals: tuple[FinalView, ...]
    entries: tuple[ForecastEntry, ...]
    seat: str | None            # the actor's seat on the issue date (chief/deputy) or None
    can_submit: bool            # forecaster of a district, session writable
    can_chair: bool             # duty chief or deputy, forecaster
    can_note: bool
    now: datetime

    def submission(self, district: str, day: date) -> SubmissionView | None:
        for sub in self.submissions:
            if sub.district == district and sub.target_date == day:
                return sub
        return None

    def final(self, district: str, day: date) -> FinalView | None:
        for f in self.finals:
            if f.district == district and f.target_date == day:
                return f
        return None

    def submitted_districts(self) -> dict[str, str]:
        """Per district: ``submitted`` (all days), ``draft`` (something saved) or ``none``."""
        out = {}
        days = self.session.target_dates if self.session else ()
        for d in self.districts:
            subs = [self.submission(d, day) for day in days]
            if subs and all(x is not None and x.status == "submitted" for x in subs):
                out[d] = "submitted"
            elif any(x is not None for x in subs):
                out[d] = "draft"
            else:
                out[d] = "none"
        return out


def room_view(db: Database, actor: Actor | None, issue_date, *, config: ConsultationConfig | None = None,
              guidance_source: Callable | None = None) -> RoomView:
    """The whole room of ``issue_date`` (a missing session gives ``session=None``)."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    centres = read_centres(db, issue_date, guidance_source)
    with db.read() as s:
        actor = current_actor(s, actor, "see the consultation")
        duty = duty_in(s, issue_date)
        districts = tuple(s.scalars(select(District.adcode).order_by(District.sort_order, District.adcode)))
        seat = seat_of(duty, actor) if actor.role == "forecaster" else None
        try:
            row: ConsultationSession | None = session_for(s, issue_date)
        except NotFound:
            row = None
        if row is None:
            return RoomView(None, duty, districts, (), (), (), (), (), seat, False, False, False, utcnow())
        subs = tuple(submission_view_of(r) for r in s.scalars(
            select(Submission).where(Submission.session_id == row.id).order_by(Submission.district,
                                                                                 Submission.target_date)))
        note_rows = list(s.scalars(select(ConsultationNote).where(ConsultationNote.session_id == row.id)
                                   .order_by(ConsultationNote.id)))
        revised: dict[int, list[int]] = {}
        for n in note_rows:
            if n.revises_id:
                revised.setdefault(n.revises_id, []).append(n.id)
        notes = tuple(note_view_of(n, tuple(revised.get(n.id, ()))) for n in note_rows)
        finals = tuple(FinalView(f.district, f.target_date, f.aqi_lo, f.aqi_hi, f.level_lo, f.level_hi,
                                 tuple(f.primary or ()), f.version, f.updated_by, f.updated_at)
                       for f in s.scalars(select(FinalForecast).where(FinalForecast.session_id == row.id)
                                          .order_by(FinalForecast.target_date, FinalForecast.district)))
        flags = tuple(flag_states(s, row, cfg, centres))
        entries = tuple(session_entries(s, row))
        writable = row.state in ("open", "consulting")
        is_fc = actor.role == "forecaster"
        return RoomView(session_view_of(row), duty, districts, subs, notes, flags, finals, entries, seat,
                        writable and is_fc and actor.district is not None, writable and seat is not None,
                        writable and is_fc, utcnow())


def latest_issue_dates(db: Database, *, limit: int = 30) -> list[date]:
    """Issue dates that have a consultation, newest first."""
    with db.read() as s:
        return list(dict.fromkeys(s.scalars(select(ConsultationSession.issue_date)
                                            .order_by(ConsultationSession.issue_date.desc()).limit(limit))))


# -- documents for the session API (issue #14) -------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(BEIJING).isoformat() if moment else None


def session_document(db: Database, actor: Actor | None, issue_date, *,
                     config: ConsultationConfig | None = None, guidance_source: Callable | None = None) -> dict:
    """The consultation of ``issue_date`` as plain JSON-able data (``GET /api/v1/sessions/{issue_date}``):
    state, deadlines, duty chief and deputy, each district's state and entries, and the flag groups.
    Any signed-in role may read it; :class:`NotFound` when there is no session."""
    cfg = config or consultation_config()
    room = room_view(db, actor, issue_date, config=cfg, guidance_source=guidance_source)
    if room.session is None:
        raise NotFound(f"no consultation for issue date {parse_day(issue_date)}", key="consult.no_session",
                       day=parse_day(issue_date).isoformat())
    sv = room.session
    states = room.submitted_districts()
    districts = []
    for d in room.districts:
        entries = [{"target_date": x.target_date.isoformat(), "aqi_lo": x.aqi_lo, "aqi_hi": x.aqi_hi,
                    "level_lo": x.level_lo, "level_hi": x.level_hi, "primary": list(x.primary), "status": x.status,
                    "version": x.version, "author": x.author_name, "updated_at": _iso(x.updated_at),
                    "submitted_at": _iso(x.submitted_at)}
                   for x in room.submissions if x.district == d]
        districts.append({"adcode": d, "state": states.get(d, "none"), "entries": entries})
    groups = []
    for g in group_flags(room.flags, order=cfg.order):
        first = g.lead.flag  # the first of its most severe days
        groups.append({"key": g.key, "kind": g.kind, "severity": g.severity, "needs_acknowledgement": g.needs_ack,
                       "acknowledged": g.acknowledged, "open": g.open,
                       "districts": [x for x in (g.district_a, g.district_b) if x],
                       "days": [day.isoformat() for day in g.days],
                       "values": [{"aqi_lo": side[0], "aqi_hi": side[1], "level_lo": side[2], "level_hi": side[3],
                                   "primary": list(side[4])} for side in first.sides]})
    return {
        "issue_date": sv.issue_date.isoformat(), "revision": sv.revision, "state": sv.state, "version": sv.version,
        "target_dates": [day.isoformat() for day in sv.target_dates],
        "deadlines": {"consultation": _iso(sv.consult_deadline), "issue": _iso(sv.issue_deadline),
                      "signed_at": _iso(sv.signed_at), "issued_at": _iso(sv.issued_at)},
        "duty": {"district": room.duty.district, "chief": room.duty.chief_name or None,
                 "deputy": room.duty.deputy_name or None},
        "districts": districts,
        "flag_groups": groups,
        "open_flag_groups": sum(1 for g in groups if g["open"]),
    }


def guidance_document(db: Database, actor: Actor | None, issue_date, *,
                      config: ConsultationConfig | None = None, guidance_source: Callable | None = None) -> dict:
    """Each district's prefill per target day (``GET /api/v1/sessions/{issue_date}/guidance``).

    ``entries`` use the submission's own field names (``target_date``, ``aqi_lo``, ``aqi_hi``,
    ``primary``, and ``expected_version`` where an entry exists), so a client can post them back
    unchanged to ``POST /api/v1/sessions/{issue_date}/submissions/{adcode}``; ``guidance`` says per
    day the level span, the median, P(AQI>100) when known and whether it is model guidance."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    rows = guidance_rows(db, issue_date, source=guidance_source) or []
    with db.read() as s:
        current_actor(s, actor, "see the guidance")
        session = session_for(s, issue_date)
        days = session_view_of(session).target_dates
        versions = {(r.district, r.target_date): r.version for r in
                    s.scalars(select(Submission).where(Submission.session_id == session.id))}
        districts = tuple(s.scalars(select(District.adcode).order_by(District.sort_order, District.adcode)))
    out = []
    for d in districts:
        pre = district_prefill(rows, days, d, config=cfg)
        entries, about = [], []
        for p in pre:
            e = {"target_date": p.target_date.isoformat(), "aqi_lo": p.aqi_lo, "aqi_hi": p.aqi_hi,
                 "primary": list(p.primary)}
            if (d, p.target_date) in versions:
                e["expected_version"] = versions[(d, p.target_date)]
            entries.append(e)
            about.append({"target_date": p.target_date.isoformat(), "level_lo": p.level_lo, "level_hi": p.level_hi,
                          "median": p.median, "q10": p.q_lo, "q90": p.q_hi, "p_aqi_over_100": p.p_aqi_over_100,
                          "from_models": p.from_models, "outlook": p.outlook, "method": p.method})
        end = guidance_ends(rows, d)
        out.append({"adcode": d, "guidance_ends": end.isoformat() if end else None, "entries": entries,
                    "guidance": about})
    return {"issue_date": issue_date.isoformat(), "districts": out}
