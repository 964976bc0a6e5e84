"""The duty chief's work: flags, the combined forecast, sign-off (electronic signature), issue,
and amendments after issue.

Only the duty chief of the issue date signs (or the deputy when the chief is absent: the reason
is recorded). Signing asks for the password again and locks the session; issuing stores a
canonical JSON snapshot of the combined forecast and its SHA-256 in ``issued_forecasts``, which
nothing changes (service refusal here and a database trigger). A correction after issue opens an
amendment: a new revision of the session, reason required; the old one stays, marked superseded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.accounts import verify_password
from forecasting.aqi import edition_for, level_info
from forecasting.consultation.common import (
    _current,
    changed_meanwhile,
    duty_in,
    require_duty,
    require_writable,
    seat_of,
    session_for,
    user_name,
)
from forecasting.consultation.config import ConsultationConfig, beijing_today, consultation_config, parse_day
from forecasting.consultation.acknowledgements import snapshot_acknowledgements
from forecasting.consultation.flags import Flag, ForecastEntry, compute_flags
from forecasting.consultation.guidance import guidance_centres, guidance_rows
from forecasting.consultation.rules import check_forecast, span_text
from forecasting.consultation.sessions import SessionView, illegal, session_view_of
from forecasting.errors import AuthenticationFailed, Conflict, ValidationError
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
from forecasting.store.models import District, User
from forecasting.store.types import utcnow

__all__ = ["FinalInput", "FlagState", "IssuedView", "effective_entries", "session_flags", "acknowledge_flag",
           "save_final", "sign_session", "issue_session", "amend_session", "issued_forecasts", "canonical_json",
           "verify_issued"]


@dataclass(frozen=True)
class FinalInput:
    """The chief's combined entry for one district and day (``expected_version`` 0 when new)."""

    district: str
    target_date: date
    aqi_lo: int
    aqi_hi: int
    primary: tuple[str, ...] = ()
    expected_version: int = 0


@dataclass(frozen=True)
class FlagState:
    flag: Flag
    acknowledged: bool
    note: str = ""
    by: str = ""
    at: datetime | None = None


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


# -- the service refusal behind the trigger -------------------------------------------------------


@event.listens_for(IssuedForecast, "before_update")
def _refuse_update(mapper, connection, target):
    raise Conflict("an issued forecast never changes: open an amendment instead", key="consult.issued_immutable")


@event.listens_for(IssuedForecast, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise Conflict("an issued forecast is never deleted", key="consult.issued_immutable")


# -- helpers inside a transaction -------------------------------------------------------------------


def _districts(s: Session) -> list[District]:
    return list(s.scalars(select(District).order_by(District.sort_order, District.adcode)))


def _entries(s: Session, session: ConsultationSession, *, submitted_only: bool = False) -> list[ForecastEntry]:
    finals = {(f.district, f.target_date): f for f in
              s.scalars(select(FinalForecast).where(FinalForecast.session_id == session.id))}
    out = {k: ForecastEntry(f.district, f.target_date, f.aqi_lo, f.aqi_hi, f.level_lo, f.level_hi,
                            tuple(f.primary or ()), "final") for k, f in finals.items()}
    for sub in s.scalars(select(Submission).where(Submission.session_id == session.id)):
        key = (sub.district, sub.target_date)
        if key in out or (submitted_only and sub.status != "submitted"):
            continue
        out[key] = ForecastEntry(sub.district, sub.target_date, sub.aqi_lo, sub.aqi_hi, sub.level_lo, sub.level_hi,
                                 tuple(sub.primary or ()), sub.status)
    return sorted(out.values(), key=lambda e: (e.target_date, e.district))


def _centres(db: Database, issue_date: date, guidance_source: Callable | None) -> dict:
    """Guidance centres per (district, day), read before a transaction opens (no second connection
    is held while the session row is locked)."""
    try:
        return guidance_centres(guidance_rows(db, issue_date, source=guidance_source))
    except Exception:  # guidance belongs to another module; flags still work without it
        return {}


def _flag_states(s: Session, session: ConsultationSession, cfg: ConsultationConfig, centres: dict) -> list[FlagState]:
    flags = compute_flags(_entries(s, session), centres, threshold=cfg.guidance_threshold, order=cfg.order)
    acks = {(a.flag_key, a.fingerprint): a for a in
            s.scalars(select(FlagAcknowledgement).where(FlagAcknowledgement.session_id == session.id))}
    out = []
    for f in flags:
        a = acks.get((f.key, f.fingerprint))
        out.append(FlagState(f, a is not None, a.note if a else "", a.by_name if a else "", a.at if a else None))
    return out


def effective_entries(db: Database, issue_date) -> list[ForecastEntry]:
    """Per district and day: the chief's combined entry, else the district's latest submission."""
    with db.read() as s:
        return _entries(s, session_for(s, parse_day(issue_date)))


def session_flags(db: Database, issue_date, *, config: ConsultationConfig | None = None,
                  guidance_source: Callable | None = None) -> list[FlagState]:
    """The current flags of a consultation and whether each is acknowledged."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    centres = _centres(db, issue_date, guidance_source)
    with db.read() as s:
        return _flag_states(s, session_for(s, issue_date), cfg, centres)


def _chair(s: Session, actor: Actor, issue_date: date, action: str) -> str:
    require_role(actor, "forecaster", action=action)
    return require_duty(s, actor, issue_date, action)


def acknowledge_flag(db: Database, actor: Actor | None, issue_date, flag_key: str, *, note: str,
                     config: ConsultationConfig | None = None, guidance_source: Callable | None = None) -> FlagState:
    """The duty chief (or deputy) acknowledges a current flag with a note (also written to the record)."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    note = (note or "").strip()
    if not note:
        raise ValidationError("say why the flag is acceptable", key="flag.note_required")
    centres = _centres(db, issue_date, guidance_source)
    with db.transaction() as s:
        actor = _current(s, actor, "acknowledge flags")
        _chair(s, actor, issue_date, "acknowledge flags")
        session = session_for(s, issue_date, lock=True)
        require_writable(session, "the flags")
        current = {fs.flag.key: fs for fs in _flag_states(s, session, cfg, centres)}
        state = current.get(flag_key)
        if state is None:
            raise Conflict(f"flag {flag_key} is no longer raised (the forecasts changed)", key="flag.gone")
        if state.acknowledged:
            return state  # a double click
        now = utcnow()
        name = actor.display_name or actor.username
        s.add(FlagAcknowledgement(session_id=session.id, flag_key=flag_key, fingerprint=state.flag.fingerprint,
                                  note=note, by_id=actor.user_id, by_name=name, at=now))
        f = state.flag
        s.add(ConsultationNote(session_id=session.id, kind="acknowledgement", district=f.district_a,
                               target_date=f.target_date, body=f"[{f.kind}] {note}", author_id=actor.user_id,
                               author_name=name, created_at=now))
        audit.record(s, actor, "consult.flag.acknowledge", object_type="consultation", object_id=session.id,
                     details={"flag": flag_key, "fingerprint": f.fingerprint, "note": note})
        return FlagState(f, True, note, name, now)


def save_final(db: Database, actor: Actor | None, issue_date, entries: list[FinalInput] = (), *,
               zone_summary: str | None = None, expected_session_version: int | None = None,
               config: ConsultationConfig | None = None) -> SessionView:
    """Compose the zone's combined forecast (duty chief or deputy): per district and day the final AQI
    range and primary pollutant(s) (level span derived), and the zone summary. One unit of work."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    with db.transaction() as s:
        actor = _current(s, actor, "compose the combined forecast")
        _chair(s, actor, issue_date, "compose the combined forecast")
        session = session_for(s, issue_date, lock=True)
        require_writable(session, "the combined forecast")
        now, name = utcnow(), actor.display_name or actor.username
        known = {d.adcode for d in _districts(s)}
        changed = []
        for e in entries:
            day = parse_day(e.target_date)
            if e.district not in known:
                raise ValidationError(f"unknown district {e.district!r}", key="consult.bad_district",
                                      district=e.district)
            if not (1 <= (day - issue_date).days <= session.days):
                raise ValidationError(f"{day} is not a target day", key="consult.not_a_target_day",
                                      day=day.isoformat())
            c = check_forecast(e.aqi_lo, e.aqi_hi, e.primary, config=cfg)
            row = s.scalar(select(FinalForecast).where(FinalForecast.session_id == session.id,
                                                       FinalForecast.district == e.district,
                                                       FinalForecast.target_date == day).with_for_update())
            same = row is not None and (row.aqi_lo, row.aqi_hi, tuple(row.primary or ())) == (c.aqi_lo, c.aqi_hi,
                                                                                               c.primary)
            if row is None:
                if e.expected_version:
                    raise changed_meanwhile(f"the combined forecast of {e.district} for {day}", "?", None,
                                            e.expected_version, 0, ref=f"{e.district} {day}")
                row = FinalForecast(session_id=session.id, district=e.district, target_date=day, version=1)
                s.add(row)
            elif row.version != e.expected_version:
                if same and row.version == e.expected_version + 1:
                    continue
                raise changed_meanwhile(f"the combined forecast of {e.district} for {day}", row.updated_by,
                                        row.updated_at, e.expected_version, row.version, ref=f"{e.district} {day}")
            elif same:
                continue
            else:
                row.version += 1
            row.aqi_lo, row.aqi_hi, row.level_lo, row.level_hi = c.aqi_lo, c.aqi_hi, c.level_lo, c.level_hi
            row.primary = list(c.primary)
            row.updated_by, row.updated_at = name, now
            changed.append({"district": e.district, "target_date": day.isoformat(), "aqi": [c.aqi_lo, c.aqi_hi],
                            "primary": list(c.primary)})
        if zone_summary is not None and zone_summary.strip() != session.zone_summary:
            if expected_session_version is not None and session.version != expected_session_version:
                raise changed_meanwhile("the zone summary", session.updated_by, session.updated_at,
                                        expected_session_version, session.version, ref=issue_date.isoformat())
            session.zone_summary = zone_summary.strip()
            session.version += 1
            session.updated_at, session.updated_by = now, actor.username
            changed.append({"zone_summary": True})
        if changed:
            audit.record(s, actor, "consult.final.save", object_type="consultation", object_id=session.id,
                         details={"changes": changed})
        s.flush()
        return session_view_of(session)


def sign_session(db: Database, actor: Actor | None, issue_date, *, password: str, expected_version: int,
                 chief_absent_reason: str = "", config: ConsultationConfig | None = None,
                 guidance_source: Callable | None = None) -> SessionView:
    """Sign the consultation (electronic signature): consulting → signed, locked.

    Only the duty chief of the issue date, or the deputy with ``chief_absent_reason`` (recorded).
    The password is checked again against the user's stored hash. Every district and day needs a
    combined entry or a submitted forecast (those become the combined entries), and every flag must
    be resolved or acknowledged.
    """
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    centres = _centres(db, issue_date, guidance_source)
    wrong = False
    with db.transaction() as s:
        actor = _current(s, actor, "sign the consultation")
        seat = _chair(s, actor, issue_date, "sign the consultation")
        user = s.get(User, actor.user_id)
        if user is None or not verify_password(user.password_hash, password or ""):
            wrong = True
        else:
            session = session_for(s, issue_date, lock=True)
            if seat == "deputy" and not (chief_absent_reason or "").strip():
                raise ValidationError("the deputy signs only when the chief is absent: give the reason",
                                      key="consult.deputy_needs_reason")
            if session.state != "consulting":
                raise illegal(session.state, "signed")
            if session.version != expected_version:
                raise changed_meanwhile("the consultation", session.updated_by, session.updated_at, expected_version,
                                        session.version, ref=issue_date.isoformat())
            entries = {(e.district, e.target_date): e for e in _entries(s, session, submitted_only=True)}
            targets = [issue_date + timedelta(days=k) for k in range(1, session.days + 1)]
            missing = [f"{d.adcode} {day}" for day in targets for d in _districts(s) if (d.adcode, day) not in entries]
            if missing:
                raise Conflict(f"no submitted or combined forecast for: {', '.join(missing)}",
                               key="consult.incomplete", missing=", ".join(missing))
            open_flags = [fs.flag.key for fs in _flag_states(s, session, cfg, centres)
                          if not fs.acknowledged and fs.flag.needs_ack]  # info flags need none (#14)
            if open_flags:
                raise Conflict(f"{len(open_flags)} flag(s) neither resolved nor acknowledged: {', '.join(open_flags)}",
                               key="consult.open_flags", n=len(open_flags))
            now, name = utcnow(), actor.display_name or actor.username
            for (district, day), e in entries.items():
                if e.source != "final":
                    s.add(FinalForecast(session_id=session.id, district=district, target_date=day, aqi_lo=e.aqi_lo,
                                        aqi_hi=e.aqi_hi, level_lo=e.level_lo, level_hi=e.level_hi,
                                        primary=list(e.primary), updated_by=name, updated_at=now, version=1))
            session.state = "signed"
            session.signed_at, session.signed_by_id, session.signed_seat = now, actor.user_id, seat
            session.chief_absent_reason = (chief_absent_reason or "").strip() if seat == "deputy" else ""
            session.version += 1
            session.updated_at, session.updated_by = now, actor.username
            audit.record(s, actor, "consult.session.sign", object_type="consultation", object_id=session.id,
                         details={"seat": seat, "chief_absent_reason": session.chief_absent_reason,
                                  "late": now > session.consult_deadline})
            s.flush()
            return session_view_of(session)
    if wrong:
        with db.transaction() as s:
            audit.record(s, actor, "consult.sign.failed", object_type="consultation", object_id=issue_date.isoformat(),
                         details={"reason": "wrong password"})
        raise AuthenticationFailed("the password is wrong: the consultation is not signed",
                                   key="consult.signature_failed")


def canonical_json(data) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text: the bytes that are hashed."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _snapshot(s: Session, session: ConsultationSession, issued_at: datetime, issuer: str) -> dict:
    finals = list(s.scalars(select(FinalForecast).where(FinalForecast.session_id == session.id)
                            .order_by(FinalForecast.target_date)))
    conclusion = s.scalar(select(ConsultationNote.body).where(ConsultationNote.session_id == session.id,
                                                              ConsultationNote.kind == "conclusion")
                          .order_by(ConsultationNote.id.desc()).limit(1))
    districts = []
    for d in _districts(s):
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
        "acknowledgements": snapshot_acknowledgements(s, session),  # issue #14
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
    }


def _issued_view(r: IssuedForecast, superseded: bool) -> IssuedView:
    return IssuedView(r.id, r.issue_date, r.revision, r.sha256, r.snapshot, tuple(r.formats or ()), r.issued_at,
                      r.issued_by_name, r.reason, r.supersedes_id, superseded)


def issue_session(db: Database, actor: Actor | None, issue_date, *,
                  render: Callable[[dict], tuple[dict, str]] | None = None) -> IssuedView:
    """Issue a signed consultation (duty chief or deputy): signed → issued.

    ``render(snapshot) -> (bytes_by_format, sha256)`` produces the report files (the reports
    module); without it the SHA-256 of the canonical JSON snapshot is recorded. Either way the
    snapshot and the hash go into ``issued_forecasts``, which never changes.
    """
    issue_date = parse_day(issue_date)
    with db.transaction() as s:
        actor = _current(s, actor, "issue the forecast")
        _chair(s, actor, issue_date, "issue the forecast")
        session = session_for(s, issue_date, lock=True)
        if session.state != "signed":
            raise illegal(session.state, "issued")
        now, name = utcnow(), actor.display_name or actor.username
        snapshot = _snapshot(s, session, now, name)
        text = canonical_json(snapshot)
        formats: list[str] = ["json"]
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if render is not None:
            files, digest = render(snapshot)
            formats = sorted(files)
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
        audit.record(s, actor, "consult.session.issue", object_type="issued_forecast", object_id=row.id,
                     details={"issue_date": issue_date.isoformat(), "revision": row.revision, "sha256": digest,
                              "late": now > session.issue_deadline})
        return _issued_view(row, False)


def amend_session(db: Database, actor: Actor | None, issue_date, *, reason: str) -> SessionView:
    """Open an amendment of an issued consultation: a new revision in consultation, prefilled with
    the issued combined forecast and the submissions; the old revision stays, marked superseded.
    The duty chief or deputy of the issue date, or of today, may amend; a reason is required."""
    issue_date = parse_day(issue_date)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("an amendment needs a reason", key="consult.amend_reason_required")
    with db.transaction() as s:
        actor = _current(s, actor, "amend an issued forecast")
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
        old.state, old.superseded_at = "superseded", now
        old.version += 1
        old.updated_at, old.updated_by = now, actor.username
        audit.record(s, actor, "consult.session.amend", object_type="consultation", object_id=new.id,
                     details={"issue_date": issue_date.isoformat(), "supersedes": old.id, "revision": new.revision,
                              "reason": reason})
        s.flush()
        return session_view_of(new)


def issued_forecasts(db: Database, issue_date) -> list[IssuedView]:
    """Every issued revision of ``issue_date``, oldest first; all but the newest are superseded."""
    with db.read() as s:
        rows = list(s.scalars(select(IssuedForecast).where(IssuedForecast.issue_date == parse_day(issue_date))
                              .order_by(IssuedForecast.revision)))
        return [_issued_view(r, i < len(rows) - 1) for i, r in enumerate(rows)]


def verify_issued(view: IssuedView) -> bool:
    """Whether the stored snapshot still hashes to the stored SHA-256 (JSON-only issues)."""
    return hashlib.sha256(view.snapshot.encode("utf-8")).hexdigest() == view.sha256
