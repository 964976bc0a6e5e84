"""The duty chief's work before issue: flags, the combined forecast, sign-off (electronic signature).

Only the duty chief of the issue date signs (or the deputy when the chief is absent: the reason
is recorded). Signing asks for the password again and locks the session. Issuing and amending
live in :mod:`forecasting.consultation.issue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.accounts import Reauthentication, count_wrong_password, is_locked, reauthenticated, verify_password
from forecasting.config import settings
from forecasting.consultation.common import (
    current_actor,
    changed_meanwhile,
    refuse_repeated_days,
    require_duty,
    require_writable,
    session_for,
)
from forecasting.consultation.config import ConsultationConfig, consultation_config, parse_day
from forecasting.consultation.flags import Flag, ForecastEntry, compute_flags, stale_final_flag
from forecasting.consultation.guidance import guidance_centres, guidance_rows
from forecasting.consultation.rules import check_forecast, clean_text
from forecasting.consultation.sessions import SessionView, illegal, session_view_of
from forecasting.errors import AuthenticationFailed, Conflict, ValidationError
from forecasting.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import (
    ConsultationNote,
    ConsultationSession,
    FinalForecast,
    FlagAcknowledgement,
    Submission,
)
from forecasting.store.db import Database
from forecasting.store.models import District, User
from forecasting.store.types import utcnow

__all__ = ["FinalInput", "FlagState", "effective_entries", "session_entries", "read_centres", "flag_states",
           "session_flags", "acknowledge_flag", "save_final",
           "sign_session", "zone_districts", "require_chair"]


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


# -- helpers inside a transaction -------------------------------------------------------------------


def zone_districts(s: Session) -> list[District]:
    """The zone's districts in the one display order (Qingpu, Wujiang, Jiashan)."""
    return list(s.scalars(select(District).order_by(District.sort_order, District.adcode)))


_districts = zone_districts


def _finals_and_submissions(s: Session, session: ConsultationSession) -> tuple[dict, list]:
    finals = {(f.district, f.target_date): f for f in
              s.scalars(select(FinalForecast).where(FinalForecast.session_id == session.id))}
    return finals, list(s.scalars(select(Submission).where(Submission.session_id == session.id)))


def _final_entry(f: FinalForecast) -> ForecastEntry:
    return ForecastEntry(f.district, f.target_date, f.aqi_lo, f.aqi_hi, f.level_lo, f.level_hi,
                         tuple(f.primary or ()), "final")


def _submission_entry(sub: Submission) -> ForecastEntry:
    return ForecastEntry(sub.district, sub.target_date, sub.aqi_lo, sub.aqi_hi, sub.level_lo, sub.level_hi,
                         tuple(sub.primary or ()), sub.status)


def _entries(finals: dict, submissions: list, submitted_only: bool = False) -> list[ForecastEntry]:
    out = {k: _final_entry(f) for k, f in finals.items()}
    for sub in submissions:
        key = (sub.district, sub.target_date)
        if key in out or (submitted_only and sub.status != "submitted"):
            continue
        out[key] = _submission_entry(sub)
    return sorted(out.values(), key=lambda e: (e.target_date, e.district))


def session_entries(s: Session, session: ConsultationSession, *, submitted_only: bool = False) -> list[ForecastEntry]:
    """Per district and day, the chief's combined entry, else the district's latest submission
    (``submitted_only``: drafts left out), sorted by day then district (inside a transaction)."""
    return _entries(*_finals_and_submissions(s, session), submitted_only)


def _stale_finals(finals: dict, submissions: list) -> list[Flag]:
    """``final_stale`` flags: a district submitted (or changed its submitted forecast) after the chief
    saved that day's combined entry, and the two differ. The combined entry hides the submission from
    every other flag, so without this a tour's amendment issued Jiashan's old 50–70 over its new 150–180."""
    out = []
    for sub in submissions:
        f = finals.get((sub.district, sub.target_date))
        if (sub.status != "submitted" or f is None or sub.updated_at is None or f.updated_at is None
                or sub.updated_at <= f.updated_at):
            continue
        flag = stale_final_flag(_submission_entry(sub), _final_entry(f))
        if flag is not None:
            out.append(flag)
    return sorted(out, key=lambda x: (x.target_date, x.key))


def read_centres(db: Database, issue_date: date, guidance_source: Callable | None) -> dict:
    """Guidance centres per (district, day), read before a transaction opens (no second connection
    is held while the session row is locked)."""
    return guidance_centres(guidance_rows(db, issue_date, source=guidance_source))


def flag_states(s: Session, session: ConsultationSession, cfg: ConsultationConfig, centres: dict) -> list[FlagState]:
    """The session's current flags (from its entries and the guidance ``centres``, see
    :func:`read_centres`), each with its acknowledgement if one matches its fingerprint."""
    finals, submissions = _finals_and_submissions(s, session)  # read once for both kinds of flag
    flags = compute_flags(_entries(finals, submissions), centres, threshold=cfg.guidance_threshold, order=cfg.order)
    flags += _stale_finals(finals, submissions)
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
        return session_entries(s, session_for(s, parse_day(issue_date)))


def session_flags(db: Database, issue_date, *, config: ConsultationConfig | None = None,
                  guidance_source: Callable | None = None) -> list[FlagState]:
    """The current flags of a consultation and whether each is acknowledged."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    centres = read_centres(db, issue_date, guidance_source)
    with db.read() as s:
        return flag_states(s, session_for(s, issue_date), cfg, centres)


def require_chair(s: Session, actor: Actor, issue_date: date, action: str) -> str:
    """The seat ("chief" or "deputy") ``actor`` holds on ``issue_date``, else :class:`PermissionDenied`."""
    require_role(actor, "forecaster", action=action)
    return require_duty(s, actor, issue_date, action)


_chair = require_chair


def acknowledge_flag(db: Database, actor: Actor | None, issue_date, flag_key: str, *, note: str,
                     config: ConsultationConfig | None = None, guidance_source: Callable | None = None) -> FlagState:
    """The duty chief (or deputy) acknowledges a current flag with a note (also written to the record)."""
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    note = clean_text(note, field="flag_note")
    if not note:
        raise ValidationError("say why the flag is acceptable", key="flag.note_required")
    centres = read_centres(db, issue_date, guidance_source)
    with db.transaction() as s:
        actor = current_actor(s, actor, "acknowledge flags")
        _chair(s, actor, issue_date, "acknowledge flags")
        session = session_for(s, issue_date, lock=True)
        require_writable(session, "the flags")
        if session.state == "open":  # the chief acknowledges in the consultation, not before it starts
            raise ValidationError("the consultation has not started: start it, then acknowledge the flags",
                                  key="ack14.not_started")
        current = {fs.flag.key: fs for fs in flag_states(s, session, cfg, centres)}
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
        # the flag's kind named in every language (a reader read the code "[level_gap]"), the reason as typed
        texts = {lang: f"[{t(f'flag.kind.{f.kind}', lang)}] {note}" for lang in LANGUAGES}
        s.add(ConsultationNote(session_id=session.id, kind="acknowledgement", district=f.district_a,
                               target_date=f.target_date, body=texts[DEFAULT_LANGUAGE], texts=texts,
                               author_id=actor.user_id, author_name=name, created_at=now))
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
    if zone_summary is not None:
        zone_summary = clean_text(zone_summary, field="zone_summary")
    refuse_repeated_days((e.district, e.target_date) for e in entries)
    with db.transaction() as s:
        actor = current_actor(s, actor, "compose the combined forecast")
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
                                            e.expected_version, 0, ref=str(day), district=e.district)
                row = FinalForecast(session_id=session.id, district=e.district, target_date=day, version=1)
                s.add(row)
            elif row.version != e.expected_version:
                if same and row.version == e.expected_version + 1:
                    continue
                raise changed_meanwhile(f"the combined forecast of {e.district} for {day}", row.updated_by,
                                        row.updated_at, e.expected_version, row.version, ref=str(day),
                                        district=e.district)
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


def sign_session(db: Database, actor: Actor | None, issue_date, *, password: str = "", expected_version: int,
                 chief_absent_reason: str = "", config: ConsultationConfig | None = None,
                 guidance_source: Callable | None = None, reauth: Reauthentication | None = None) -> SessionView:
    """Sign the consultation (electronic signature): consulting → signed, locked.

    Only the duty chief of the issue date, or the deputy with ``chief_absent_reason`` (recorded).
    The password is checked again against the user's stored hash; a bulk job may instead pass
    ``reauth``, a short-lived in-process proof from :func:`forecasting.accounts.reauthenticate` for
    the same user and unchanged password (pages and the API always pass the password). Every district and day needs a
    combined entry or a submitted forecast (those become the combined entries), and every flag must
    be resolved or acknowledged.
    """
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    chief_absent_reason = clean_text(chief_absent_reason, field="chief_absent_reason")
    if reauth is None and not (password or "").strip():
        # nothing typed: say so (it is not a wrong password, and it does not count towards the lockout)
        raise ValidationError("type your password to sign", key="consult.password_required")
    centres = read_centres(db, issue_date, guidance_source)
    with db.read() as s:  # the Argon2 check runs outside the write transaction (#15)
        row = s.get(User, getattr(actor, "user_id", None)) if actor is not None else None
        seen_hash = row.password_hash if row is not None else ""
        locked = is_locked(row, utcnow())
    if locked:
        good = False
    elif reauth is not None:
        good = reauthenticated(reauth, getattr(actor, "user_id", None), seen_hash)
    else:
        good = bool(seen_hash) and verify_password(seen_hash, password or "")
    wrong = False
    with db.transaction() as s:
        actor = current_actor(s, actor, "sign the consultation")
        seat = _chair(s, actor, issue_date, "sign the consultation")
        user = s.get(User, actor.user_id)
        if user is None or not good or user.password_hash != seen_hash:
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
            entries = {(e.district, e.target_date): e for e in session_entries(s, session, submitted_only=True)}
            targets = [issue_date + timedelta(days=k) for k in range(1, session.days + 1)]
            missing = [f"{d.adcode} {day}" for day in targets for d in _districts(s) if (d.adcode, day) not in entries]
            if missing:
                raise Conflict(f"no submitted or combined forecast for: {', '.join(missing)}",
                               key="consult.incomplete", missing=", ".join(missing))
            open_flags = [fs.flag.key for fs in flag_states(s, session, cfg, centres)
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
            user.failed_attempts = 0  # the right password ends a run of wrong ones, as a sign-in does
            session.chief_absent_reason = (chief_absent_reason or "").strip() if seat == "deputy" else ""
            session.version += 1
            session.updated_at, session.updated_by = now, actor.username
            audit.record(s, actor, "consult.session.sign", object_type="consultation", object_id=session.id,
                         details={"seat": seat, "chief_absent_reason": session.chief_absent_reason,
                                  "late": now > session.consult_deadline})
            s.flush()
            return session_view_of(session)
    if wrong:
        now = utcnow()
        with db.transaction() as s:
            user = s.get(User, actor.user_id)
            locked = locked or is_locked(user, now)
            reason = ("locked" if locked else "wrong password" if reauth is None
                      else "re-authentication expired or not this user's")
            audit.record(s, actor, "consult.sign.failed", object_type="consultation", object_id=issue_date.isoformat(),
                         details={"reason": reason})
            if reason == "wrong password" and user is not None and user.password_hash == seen_hash:
                # a wrong password counts as a failed sign-in does: an open session cannot guess it without limit
                locked = count_wrong_password(s, user, actor, now)
        if locked:
            raise AuthenticationFailed("too many wrong passwords: the account is locked for a while; not signed",
                                       key="consult.signature_locked", minutes=settings().lockout_minutes)
        raise AuthenticationFailed("the password is wrong: the consultation is not signed",
                                   key="consult.signature_failed")


_MOVED = {"IssuedView", "issue_session", "amend_session", "issued_forecasts", "canonical_json", "verify_issued"}


def __getattr__(name: str):
    """Names that moved to :mod:`forecasting.consultation.issue` (issue #15) still resolve here, so
    code written against the old module keeps working; import them from the package instead."""
    if name in _MOVED:
        from forecasting.consultation import issue

        return getattr(issue, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
