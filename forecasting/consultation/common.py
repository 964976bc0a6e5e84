"""Helpers shared by the consultation services (inside one transaction; not public)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting.accounts import current_actor  # noqa: F401  (re-exported for the services)
from forecasting.consultation.config import BEIJING, parse_day
from forecasting.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forecasting.i18n import has_key, t
from forecasting.permissions import Actor
from forecasting.store.consultation import ConsultationSession, RotaSubstitution, RotaTurn
from forecasting.store.models import User

WRITABLE_STATES = ("open", "consulting")


@dataclass(frozen=True)
class Duty:
    """Who holds the chief seat on a Beijing day, derived from the rota (never a stored role)."""

    day: date
    turn_id: int | None
    district: str | None
    chief_id: int | None
    chief_name: str
    deputy_id: int | None
    deputy_name: str
    chief_substituted: bool = False
    deputy_substituted: bool = False


def user_name(s: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = s.get(User, user_id)
    return (user.display_name or user.username) if user else f"#{user_id}"


def duty_in(s: Session, day: date) -> Duty:
    """The duty of ``day``: the turn covering it, with that day's substitutions applied."""
    turn = s.scalar(select(RotaTurn).where(RotaTurn.start_date <= day, RotaTurn.end_date >= day))
    chief_id = turn.chief_id if turn else None
    deputy_id = turn.deputy_id if turn else None
    subs = {}
    for sub in s.scalars(select(RotaSubstitution).where(RotaSubstitution.day == day).order_by(RotaSubstitution.id)):
        subs[sub.seat] = sub.user_id  # the newest wins
    chief_sub = "chief" in subs and subs["chief"] != chief_id
    deputy_sub = "deputy" in subs and subs["deputy"] != deputy_id
    chief_id = subs.get("chief", chief_id)
    deputy_id = subs.get("deputy", deputy_id)
    return Duty(day, turn.id if turn else None, turn.district if turn else None, chief_id, user_name(s, chief_id),
                deputy_id, user_name(s, deputy_id), chief_sub, deputy_sub)


def seat_of(duty: Duty, actor: Actor) -> str | None:
    """``"chief"``, ``"deputy"`` or ``None`` for ``actor`` on ``duty``."""
    if actor.user_id is not None and actor.user_id == duty.chief_id:
        return "chief"
    if actor.user_id is not None and actor.user_id == duty.deputy_id:
        return "deputy"
    return None


def require_duty(s: Session, actor: Actor, day: date, action: str) -> str:
    """The seat (chief/deputy) ``actor`` holds on ``day``, or :class:`PermissionDenied`."""
    seat = seat_of(duty_in(s, day), actor)
    if seat is None:
        raise PermissionDenied(
            f"{actor.username} may not {action}: only the duty chief or deputy of {day} may",
            key="consult.not_on_duty", action=action, day=day.isoformat(),
        )
    return seat


def session_for(s: Session, issue_date: date, *, lock: bool = False) -> ConsultationSession:
    """The current (highest revision) session of ``issue_date``; ``lock`` takes a row lock
    (PostgreSQL ``FOR UPDATE``; SQLite write transactions are serialised already)."""
    query = (select(ConsultationSession).where(ConsultationSession.issue_date == issue_date)
             .order_by(ConsultationSession.revision.desc()).limit(1))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = s.scalar(query)
    if row is None:
        raise NotFound(f"no consultation for issue date {issue_date}; open it first",
                       key="consult.no_session", day=issue_date.isoformat())
    return row


def require_writable(session: ConsultationSession, what: str) -> None:
    if session.state not in WRITABLE_STATES:
        raise Conflict(
            f"the consultation of {session.issue_date} is {session.state}: {what} can no longer change",
            key="consult.locked", state=session.state, day=session.issue_date.isoformat(),
        )


def refuse_repeated_days(district_days) -> None:
    """A :class:`ValidationError` when two of the ``(district, target_date)`` pairs of one request are
    the same: a request gives each district's day once, else which of the two is meant? (Such a request
    was refused as "changed meanwhile" by its own sender, at the time of the request.)

    Examples
    --------
    >>> refuse_repeated_days([("320509", "2026-12-09"), ("320509", "2026-12-10"), ("330421", "2026-12-09")])
    >>> refuse_repeated_days([("320509", "2026-12-09"), ("320509", "2026-12-09")])
    Traceback (most recent call last):
    ...
    forecasting.errors.ValidationError: 320509 2026-12-09 is given twice
    """
    seen = set()
    for district, day in district_days:
        key = (district, parse_day(day))
        if key in seen:
            raise ValidationError(f"{district} {key[1]} is given twice", key="consult.day_twice",
                                  day=key[1].isoformat(), district=district, **district_params(district))
        seen.add(key)


def district_params(adcode: str, name: str = "district") -> dict[str, str]:
    """The district's name in each language as an error's parameters (``district_zh``, ``district_en``), so
    that the page names the district in its language, never by its adcode; the plain ``district`` parameter
    (the adcode) stays for logs and the API. A code that is no district of the zone gives nothing.

    Examples
    --------
    >>> district_params("320509")
    {'district_zh': '吴江区', 'district_en': 'Wujiang'}
    >>> district_params("110000")
    {}
    """
    if not has_key(f"district.{adcode}"):
        return {}
    return {f"{name}_{lang}": t(f"district.{adcode}", lang) for lang in ("zh", "en")}


def changed_meanwhile(what: str, who: str, when: datetime | None, seen: int, now: int, *, ref: str = "",
                      district: str = "") -> Conflict:
    """The message for a lost optimistic race: who changed it, and when (Beijing time).
    ``what`` is English (logs, CLI); ``ref`` a language-neutral reference for the page (a date); with
    ``district`` (an adcode) the page names the district in its language before ``ref``, never the code."""
    at = when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if when else "?"
    names = {}
    if district:
        names = {f"what_{lang}": f"{t(f'district.{district}', lang)} {ref}".strip() for lang in ("zh", "en")}
    return Conflict(
        f"{what} was changed by {who} at {at} (Beijing time; version {now}, you saw {seen}); "
        "your input is kept: review their change and save again",
        key="consult.changed_meanwhile", what=ref or what, who=who, at=at, **names,
    )


def forbid_role(actor: Actor, action: str, *roles: str) -> None:
    if actor.role in roles:
        raise PermissionDenied(f"{actor.username} ({actor.role}) may not {action}",
                               key="consult.role_may_not", action=action, role=actor.role)
