"""Rota of the cross-district chief seat (跨区域轮值首席).

The seat rotates over the districts on a cycle (default weekly, Qingpu → Wujiang → Jiashan);
each turn names a chief (轮值首席) and a deputy (副班) from that district's forecasters. The duty
chief of a date is derived from the rota (:func:`duty_for`), never stored as a role.
Admin and the current duty chief may change future turns; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.consultation.common import (Duty, current_actor, changed_meanwhile, district_params, duty_in, seat_of,
                                             user_name)
from forecasting.consultation.config import ConsultationConfig, beijing_today, consultation_config, parse_day
from forecasting.errors import PermissionDenied, ValidationError
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import RotaSubstitution, RotaTurn
from forecasting.store.db import Database
from forecasting.store.models import User
from forecasting.store.types import utcnow
from forecasting.textlimits import clean_text

__all__ = ["Duty", "TurnView", "duty_for", "list_turns", "generate_rota", "update_turn", "swap_turns",
           "substitute", "district_forecasters", "first_day_without_duty", "ROTA_LOOKAHEAD_DAYS"]

#: How far ahead (days, today included) the pages look for a day that nobody is on duty: two weekly
#: turns, so that a rota running out is seen a week before its last turn begins.
ROTA_LOOKAHEAD_DAYS = 14


@dataclass(frozen=True)
class TurnView:
    id: int
    start_date: date
    end_date: date
    district: str
    chief_id: int
    chief_name: str
    deputy_id: int | None
    deputy_name: str
    version: int
    updated_by: str
    #: the display name of ``updated_by`` (a user name, or a system job's name when no user has it)
    updated_by_name: str = ""


def _view(s: Session, t: RotaTurn, editors: dict[str, str] | None = None) -> TurnView:
    """``editors``: display names by user name, filled as it goes (one query per editor, not per turn)."""
    editors = {} if editors is None else editors
    if t.updated_by and t.updated_by not in editors:
        editors[t.updated_by] = s.scalar(select(User.display_name).where(User.username == t.updated_by)) or ""
    return TurnView(t.id, t.start_date, t.end_date, t.district, t.chief_id, user_name(s, t.chief_id), t.deputy_id,
                    user_name(s, t.deputy_id), t.version, t.updated_by, editors.get(t.updated_by, ""))


def _username(s: Session, user_id: int | None) -> str | None:
    user = s.get(User, user_id) if user_id is not None else None
    return user.username if user is not None else None


def _forecasters(s: Session, district: str) -> list[User]:
    return list(s.scalars(select(User).where(User.role == "forecaster", User.district_adcode == district,
                                             User.is_active.is_(True)).order_by(User.username)))


def district_forecasters(db: Database, district: str) -> list[tuple[int, str]]:
    """``(user id, name)`` of a district's active forecasters (for pickers)."""
    with db.read() as s:
        return [(u.id, u.display_name or u.username) for u in _forecasters(s, district)]


def duty_for(db: Database, day) -> Duty:
    """Who is duty chief and deputy on Beijing day ``day`` (a ``date`` or ``YYYY-MM-DD``)."""
    with db.read() as s:
        return duty_in(s, parse_day(day))


def _may_sign(s: Session, user_id: int | None) -> bool:
    """Whether the holder of a seat can act in it: an active forecaster (signing requires both)."""
    user = s.get(User, user_id) if user_id is not None else None
    return user is not None and user.is_active and user.role == "forecaster"


def first_day_without_duty(db: Database, start, days: int = ROTA_LOOKAHEAD_DAYS) -> date | None:
    """The first Beijing day of ``start`` .. ``start + days - 1`` on which nobody can act for the chief
    seat: neither the chief nor the deputy (after that day's substitutions) is an active forecaster
    (no turn covers the day, or its people have left). Nobody can sign or issue that day's forecast then,
    and only an admin can fill the seat, so the pages warn ahead of it: a rota whose last turn ends on
    01-03 runs out on 01-04. ``None`` when every day has someone on duty.
    """
    start = parse_day(start)
    with db.read() as s:
        for i in range(max(int(days), 0)):
            day = start + timedelta(days=i)
            duty = duty_in(s, day)
            if not (_may_sign(s, duty.chief_id) or _may_sign(s, duty.deputy_id)):
                return day
    return None


def list_turns(db: Database, start, end) -> list[TurnView]:
    """Turns overlapping ``start``..``end`` (inclusive), in date order."""
    start, end = parse_day(start), parse_day(end)
    with db.read() as s:
        rows = s.scalars(select(RotaTurn).where(RotaTurn.end_date >= start, RotaTurn.start_date <= end)
                         .order_by(RotaTurn.start_date))
        editors: dict[str, str] = {}
        return [_view(s, t, editors) for t in rows]


def _may_edit_rota(s: Session, actor: Actor, action: str) -> None:
    """Admin (or the operator), or today's duty chief."""
    if actor.is_admin:
        return
    if actor.role == "forecaster" and seat_of(duty_in(s, beijing_today()), actor) == "chief":
        return
    raise PermissionDenied(f"{actor.username} may not {action}: admin or today's duty chief only",
                           key="rota.may_not_edit", action=action)


def _future(turn: RotaTurn, today: date) -> None:
    if turn.start_date <= today:
        raise ValidationError(f"the turn starting {turn.start_date} has begun: only future turns can change",
                              key="rota.not_future", day=turn.start_date.isoformat())


def _check_member(s: Session, user_id: int | None, district: str, *, seat: str, required: bool = True) -> None:
    if user_id is None:
        if required:
            raise ValidationError(f"a turn needs a {seat}", key="rota.need_chief")
        return
    user = s.get(User, user_id)
    if user is None or user.role != "forecaster" or not user.is_active or user.district_adcode != district:
        raise ValidationError(f"user #{user_id} is not an active forecaster of district {district}",
                              key="rota.not_district_forecaster", district=district, **district_params(district))


#: The longest period :func:`generate_rota` fills in one call [days].
MAX_GENERATE_DAYS = 366


def generate_rota(db: Database, actor: Actor | None, start, end, *, config: ConsultationConfig | None = None
                  ) -> list[TurnView]:
    """Fill ``start``..``end`` with turns of ``config.cycle_days`` days (admin or the operator).

    Districts take the seat in ``config.order``, continuing after the last existing turn; within a
    district, chief and deputy go round-robin over its forecasters (by user name), continuing from
    that district's previous turns. Days already covered are left alone, so running it twice
    creates nothing twice.
    """
    cfg = config or consultation_config()
    start, end = parse_day(start), parse_day(end)
    if end < start:
        raise ValidationError(f"--to {end} is before --from {start}", key="common.dates_reversed",
                              first=start.isoformat(), last=end.isoformat())
    if (end - start).days + 1 > MAX_GENERATE_DAYS:  # a slip of the year (2036) would write ten years of turns
        raise ValidationError(f"{start} to {end} is {(end - start).days + 1} days: the rota is generated for at most "
                              f"{MAX_GENERATE_DAYS} days at a time", key="rota.range_too_long",
                              days=(end - start).days + 1, max=MAX_GENERATE_DAYS)
    created: list[TurnView] = []
    editors: dict[str, str] = {}  # every turn here is written by the same actor: their name read once
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "generate the rota"), "admin", action="generate the rota")
        before = s.scalar(select(RotaTurn).where(RotaTurn.start_date < start).order_by(RotaTurn.start_date.desc())
                          .limit(1))
        pos = (cfg.order.index(before.district) + 1) if before is not None and before.district in cfg.order else 0
        day = start
        while day <= end:
            turn_end = day + timedelta(days=cfg.cycle_days - 1)
            clash = s.scalar(select(RotaTurn).where(RotaTurn.start_date <= turn_end, RotaTurn.end_date >= day)
                             .order_by(RotaTurn.start_date).limit(1))
            if clash is not None:
                if clash.district in cfg.order:
                    pos = cfg.order.index(clash.district) + 1
                day = max(day + timedelta(days=1), clash.end_date + timedelta(days=1))
                continue
            district = cfg.order[pos % len(cfg.order)]
            people = _forecasters(s, district)
            if not people:
                raise ValidationError(f"district {district} has no active forecaster to take the chief seat",
                                      key="rota.no_forecasters", district=district, **district_params(district))
            done = len(s.scalars(select(RotaTurn.id).where(RotaTurn.district == district)).all())
            chief = people[done % len(people)]
            deputy = people[(done + 1) % len(people)] if len(people) > 1 else None
            turn = RotaTurn(start_date=day, end_date=turn_end, district=district, chief_id=chief.id,
                            deputy_id=deputy.id if deputy else None, updated_by=actor.username, updated_at=utcnow())
            s.add(turn)
            s.flush()
            created.append(_view(s, turn, editors))
            pos += 1
            day = turn_end + timedelta(days=1)
        audit.record(s, actor, "rota.generate", object_type="rota",
                     object_id=f"{start}..{end}", details={"created": [t.id for t in created],
                                                         "cycle_days": cfg.cycle_days})
    return created


def update_turn(db: Database, actor: Actor | None, turn_id: int, *, expected_version: int, chief_id: int,
                deputy_id: int | None, reason: str) -> TurnView:
    """Name another chief or deputy for a future turn (admin or today's duty chief; reason required)."""
    if not (reason or "").strip():
        raise ValidationError("give a reason for the change", key="rota.reason_required")
    reason = clean_text(reason, field="rota_reason")
    with db.transaction() as s:
        actor = current_actor(s, actor, "change the rota")
        _may_edit_rota(s, actor, "change the rota")
        turn = s.get(RotaTurn, turn_id, with_for_update=True)
        if turn is None:
            raise ValidationError(f"no rota turn #{turn_id}", key="rota.no_turn")
        _future(turn, beijing_today())
        if turn.version != expected_version:
            raise changed_meanwhile(f"rota turn {turn.start_date}", turn.updated_by, turn.updated_at,
                                    expected_version, turn.version, ref=turn.start_date.isoformat())
        _check_member(s, chief_id, turn.district, seat="chief")
        _check_member(s, deputy_id, turn.district, seat="deputy", required=False)
        if deputy_id is not None and deputy_id == chief_id:
            raise ValidationError("chief and deputy must be two people", key="rota.same_person")
        before = {"chief": turn.chief_id, "deputy": turn.deputy_id}
        turn.chief_id, turn.deputy_id = chief_id, deputy_id
        turn.version += 1
        turn.updated_by, turn.updated_at = actor.username, utcnow()
        audit.record(s, actor, "rota.turn.update", object_type="rota_turn", object_id=turn.id,
                     details={"before": before, "after": {"chief": chief_id, "deputy": deputy_id},
                              "reason": reason})
        s.flush()
        return _view(s, turn)


def swap_turns(db: Database, actor: Actor | None, turn_a: int, turn_b: int, *, reason: str) -> tuple[TurnView, TurnView]:
    """Swap two future turns (district, chief and deputy change places; the dates stay)."""
    if not (reason or "").strip():
        raise ValidationError("give a reason for the swap", key="rota.reason_required")
    reason = clean_text(reason, field="rota_reason")
    with db.transaction() as s:
        actor = current_actor(s, actor, "swap rota turns")
        _may_edit_rota(s, actor, "swap rota turns")
        a, b = s.get(RotaTurn, turn_a, with_for_update=True), s.get(RotaTurn, turn_b, with_for_update=True)
        if a is None or b is None or a.id == b.id:
            raise ValidationError("pick two different rota turns", key="rota.no_turn")
        today = beijing_today()
        _future(a, today)
        _future(b, today)
        for field in ("district", "chief_id", "deputy_id"):
            va, vb = getattr(a, field), getattr(b, field)
            setattr(a, field, vb)
            setattr(b, field, va)
        now = utcnow()
        for t in (a, b):
            t.version += 1
            t.updated_by, t.updated_at = actor.username, now
        audit.record(s, actor, "rota.turn.swap", object_type="rota_turn", object_id=f"{a.id},{b.id}",
                     details={"turns": [a.start_date.isoformat(), b.start_date.isoformat()], "reason": reason})
        s.flush()
        return _view(s, a), _view(s, b)


def substitute(db: Database, actor: Actor | None, day, *, seat: str, user_id: int | None, reason: str) -> Duty:
    """A substitution (代班) for one day and seat, with a reason. Admin, today's duty chief, or the
    person leaving the seat on that day may record it; the substitute is an active forecaster."""
    day = parse_day(day)
    if seat not in ("chief", "deputy"):
        raise ValidationError(f"seat {seat!r}: expected chief or deputy", key="rota.bad_seat")
    if user_id is None:  # the form's first field: said before the reason (a tour needed two tries)
        raise ValidationError("choose the substitute", key="rota.substitute_required")
    if not (reason or "").strip():
        raise ValidationError("give a reason for the substitution", key="rota.reason_required")
    reason = clean_text(reason, field="rota_reason")
    with db.transaction() as s:
        actor = current_actor(s, actor, "record a substitution")
        duty = duty_in(s, day)
        holder = duty.chief_id if seat == "chief" else duty.deputy_id
        if not (actor.user_id is not None and actor.user_id == holder):
            _may_edit_rota(s, actor, "record a substitution")
        if day < beijing_today():
            raise ValidationError(f"{day} is past: the rota of past days stays as it was", key="rota.not_future",
                                  day=day.isoformat())
        user = s.get(User, user_id)
        if user is None or user.role != "forecaster" or not user.is_active:
            raise ValidationError(f"user #{user_id} is not an active forecaster", key="rota.not_forecaster")
        other = duty.deputy_id if seat == "chief" else duty.chief_id
        if other == user_id:
            raise ValidationError("chief and deputy must be two people", key="rota.same_person")
        if holder == user_id:
            # nothing would change: saying "recorded" misled an admin who kept the form's first name
            raise ValidationError(f"{user.username} already holds the {seat} seat on {day}",
                                  key=f"rota.already_on_duty.{seat}", name=user.display_name or user.username,
                                  day=day.isoformat())
        s.add(RotaSubstitution(day=day, seat=seat, user_id=user_id, reason=reason,
                               created_by=actor.username, created_at=utcnow()))
        # who left and who took the seat by user name (the audit page showed "自: 2；至: 1", user ids)
        audit.record(s, actor, "rota.substitute", object_type="rota_day", object_id=day.isoformat(),
                     details={"seat": seat, "from": _username(s, holder), "to": user.username,
                              "reason": reason})
        s.flush()
        return duty_in(s, day)
