"""Acknowledging flag groups with one reason (issue #14), and the acknowledgements recorded in the
issued snapshot.

The chief sees one :class:`~forecasting.consultation.flags.FlagGroup` per district pair and kind over
consecutive days. :func:`acknowledge_groups` acknowledges the named groups, or every open group of a
kind, with one reason, in one unit of work: one acknowledgement row per member flag (holding for
that flag's conflict fingerprint), one discussion note written as a short sentence in the chief's
language (never a raw key), and one audit row.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.consultation.common import current_actor, require_duty, require_writable, session_for
from forecasting.consultation.config import ConsultationConfig, consultation_config, parse_day
from forecasting.consultation.flags import FlagGroup, group_flags
from forecasting.consultation.notes import MAX_NOTE_CHARS
from forecasting.errors import Conflict, ValidationError
from forecasting.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import ConsultationNote, ConsultationSession, FlagAcknowledgement
from forecasting.store.db import Database
from forecasting.store.types import utcnow
from forecasting.vocab import POLLUTANT_TEXT, day_runs

__all__ = ["acknowledge_groups", "session_flag_groups", "group_sentence", "snapshot_acknowledgements",
           "guidance_centre_text",
           "MAX_ACK_CHARS", "POLLUTANT_TEXT"]

MAX_ACK_CHARS = 2_000
#: How pollutants are written in the consultation's texts (one spelling: PM2.5, O₃, NO₂ as elsewhere)


def _signoff():
    # the flag states live with the sign-off services (being split by another issue): one import point
    from forecasting.consultation import signoff

    return signoff


def session_flag_groups(db: Database, issue_date, *, config: ConsultationConfig | None = None,
                        guidance_source: Callable | None = None) -> list[FlagGroup]:
    """The current flag groups of a consultation (members are flag states with ``acknowledged``)."""
    cfg = config or consultation_config()
    return group_flags(_signoff().session_flags(db, issue_date, config=cfg, guidance_source=guidance_source),
                       order=cfg.order)


def _day_span(first: date, last: date) -> str:
    return first.strftime("%m-%d") if first == last else f"{first:%m-%d}–{last:%m-%d}"


def guidance_centre_text(centre) -> str:
    """The guidance centre a flag compares with, as an AQI is written: a whole number ("?" when unknown).

    Examples
    --------
    >>> guidance_centre_text(117.0), guidance_centre_text(84.6), guidance_centre_text(None)
    ('117', '85', '?')
    """
    if isinstance(centre, (int, float)) and math.isfinite(centre):
        return f"{centre:.0f}"
    return "?"


def _values(side: tuple, lang: str) -> str:
    lo, hi, _llo, _lhi, primary = side
    text = f"{lo}–{hi}"
    if primary:
        text += " " + t("common.list_sep", lang).join(POLLUTANT_TEXT.get(p, p) for p in primary)
    return text


def _day_values(flag, lang: str) -> str:
    sides = flag.sides
    if len(sides) == 2:
        return t("ack14.stale_final" if flag.kind == "final_stale" else "ack14.versus", lang,
                 a=_values(sides[0], lang), b=_values(sides[1], lang))
    if len(sides) == 1:
        return t("ack14.against_guidance", lang, a=_values(sides[0], lang),
                 g=guidance_centre_text(flag.detail.get("guidance")))
    return ""


def group_values(group: FlagGroup, lang: str = "zh") -> str:
    """The values a group's flags compare: one text when every day of the group has the same values,
    else each day's (a tour acknowledged 12-03–12-05 seeing only 12-03's "50–70 对 75–95", while 12-04
    was 60–80 against 90–125). Only the days of the group's severity are shown, as by
    :attr:`~forecasting.consultation.flags.FlagGroup.lead`: an information-only day joined to an amber
    one is not what the chief acknowledges.

    Consecutive days with the same values are written once, as a span of days; against the guidance, a
    district's forecast is written once for the days it holds, followed by those days' guidance centres in
    order (a 7-day group repeated "110–145 PM2.5，指导中心" seven times, more than the flag table's eight lines
    held: a 1366 px tour read its first and last days cut off).

    Examples
    --------
    >>> from datetime import date
    >>> from forecasting.consultation.flags import Flag, group_flags
    >>> def f(day, lo, b=90):
    ...     return Flag(f"ranges_disjoint:{day}:A:B", "ranges_disjoint", "amber", day, "A", "B", {}, "x",
    ...                 sides=((lo, lo + 20, 2, 2, ("pm25",)), (b, b + 35, 2, 3, ("pm25",))))
    >>> group_values(group_flags([f(date(2026, 12, 3), 50), f(date(2026, 12, 4), 50)])[0])
    '50–70 PM2.5 对 90–125 PM2.5'
    >>> group_values(group_flags([f(date(2026, 12, 3), 50), f(date(2026, 12, 4), 60)])[0])
    '12-03 50–70 PM2.5 对 90–125 PM2.5；12-04 60–80 PM2.5 对 90–125 PM2.5'
    >>> group_values(group_flags([f(date(2026, 12, 3), 50), f(date(2026, 12, 4), 60), f(date(2026, 12, 5), 60)])[0])
    '12-03 50–70 PM2.5 对 90–125 PM2.5；12-04–12-05 60–80 PM2.5 对 90–125 PM2.5'
    >>> def g(day, centre):
    ...     return Flag(f"guidance_deviation:{day}:A", "guidance_deviation", "amber", day, "A", None,
    ...                 {"guidance": centre}, "x", sides=((110, 145, 3, 3, ("pm25",)),))
    >>> group_values(group_flags([g(date(2026, 12, 8), 100), g(date(2026, 12, 9), 92), g(date(2026, 12, 10), 92)])[0])
    '110–145 PM2.5，指导中心 100、92、92'
    >>> def h(day, lo, centre):
    ...     return Flag(f"guidance_deviation:{day}:A", "guidance_deviation", "amber", day, "A", None,
    ...                 {"guidance": centre}, "x", sides=((lo, lo + 35, 3, 3, ("pm25",)),))
    >>> group_values(group_flags([h(date(2026, 12, 8), 110, 100), h(date(2026, 12, 9), 110, 92),
    ...                           h(date(2026, 12, 10), 95, 74)])[0])
    '12-08–12-09 110–145 PM2.5，指导中心 100、92；12-10 95–130 PM2.5，指导中心 74'
    """
    flags = sorted((f for f in (getattr(m, "flag", m) for m in group.members) if f.severity == group.severity),
                   key=lambda f: f.target_date)
    texts = {f.target_date: _day_values(f, lang) for f in flags}
    shown = {day: text for day, text in texts.items() if text}
    if not shown:
        return ""
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    alone = [f for f in flags if shown.get(f.target_date) and len(f.sides) == 1]
    if len(alone) == len(shown):  # against the guidance: each run of one forecast, then its days' centres
        runs = day_runs([(f.target_date, _values(f.sides[0], lang)) for f in alone])
        centre = {f.target_date: guidance_centre_text(f.detail.get("guidance")) for f in alone}
        parts = [(a, b, t("ack14.against_guidance", lang, a=text, g=t("common.list_sep", lang).join(
            centre[a + timedelta(days=k)] for k in range((b - a).days + 1)))) for a, b, text in runs]
        if len(parts) == 1:
            return parts[0][2]  # the days are the group's, in the days column
        return t("common.clause_sep", lang).join(f"{_day_span(a, b)} {text}" for a, b, text in parts)
    return t("common.clause_sep", lang).join(f"{_day_span(a, b)} {text}" for a, b, text in day_runs(sorted(shown.items())))


def group_sentence(group: FlagGroup, lang: str = "zh") -> str:
    """One short human sentence for a group: who against whom, which days, what, with its values
    (:func:`group_values`), e.g. ``青浦区与吴江区 12-01–12-02：AQI 范围不重叠（60–80 对 160–190）``."""
    a = t(f"district.{group.district_a}", lang)
    who = a if not group.district_b else t("ack14.pair", lang, a=a, b=t(f"district.{group.district_b}", lang))
    return t("ack14.sentence", lang, who=who, days=_day_span(group.first, group.last),
             kind=t(f"flag.kind.{group.kind}", lang), values=group_values(group, lang))


def acknowledge_groups(db: Database, actor: Actor | None, issue_date, *, note: str, group_keys: Iterable[str] = (),
                       kind: str | None = None, lang: str = "zh", config: ConsultationConfig | None = None,
                       guidance_source: Callable | None = None) -> list[FlagGroup]:
    """Acknowledge flag groups with one reason (duty chief or deputy): the groups named by
    ``group_keys``, and/or every open group of ``kind`` (``"*"`` = every open group).

    Returns the groups acknowledged now (empty when they already were: a double click). A named
    group that no longer exists (the forecasts changed) is refused with :class:`Conflict`.
    """
    cfg = config or consultation_config()
    issue_date = parse_day(issue_date)
    note = (note or "").strip()
    wanted = [k for k in dict.fromkeys(group_keys or ()) if k]
    if not note:
        raise ValidationError("say why the flags are acceptable", key="flag.note_required")
    if len(note) > MAX_ACK_CHARS:
        raise ValidationError(f"the reason has {len(note)} characters; at most {MAX_ACK_CHARS}",
                              key="consult.note_too_long", limit=MAX_ACK_CHARS)
    if not wanted and not kind:
        raise ValidationError("name the flag groups or the kind to acknowledge", key="ack14.nothing_chosen")
    signoff = _signoff()
    centres = signoff.read_centres(db, issue_date, guidance_source)
    with db.transaction() as s:
        actor = current_actor(s, actor, "acknowledge flags")
        require_role(actor, "forecaster", action="acknowledge flags")
        seat = require_duty(s, actor, issue_date, "acknowledge flags")
        session = session_for(s, issue_date, lock=True)
        require_writable(session, "the flags")
        if session.state == "open":  # the chief acknowledges in the consultation, not before it starts
            raise ValidationError("the consultation has not started: start it, then acknowledge the flags",
                                  key="ack14.not_started")
        groups = group_flags(signoff.flag_states(s, session, cfg, centres), order=cfg.order)
        by_key = {g.key: g for g in groups}
        chosen: dict[str, FlagGroup] = {}
        for key in wanted:
            g = by_key.get(key)
            if g is None:
                raise Conflict(f"flag group {key} is no longer raised (the forecasts changed)", key="flag.gone")
            if g.open:
                chosen[key] = g
        if kind:
            for g in groups:
                if g.open and (kind == "*" or g.kind == kind):
                    chosen.setdefault(g.key, g)
        if not chosen:
            return []  # already acknowledged (a double click) or nothing open of that kind
        now, name = utcnow(), actor.display_name or actor.username
        acked = []
        for g in chosen.values():
            for m in g.members:
                if m.flag.needs_ack and not m.acknowledged:
                    s.add(FlagAcknowledgement(session_id=session.id, flag_key=m.flag.key,
                                              fingerprint=m.flag.fingerprint, note=note, by_id=actor.user_id,
                                              by_name=name, at=now, group_key=g.key))
                    acked.append(m.flag.key)
        # the note in every language (each reader reads the app's sentence in theirs; the reason as typed)
        texts = {language: _acknowledgement_note(list(chosen.values()), note, language, seat=seat)
                 for language in LANGUAGES}
        first = next(iter(chosen.values()))
        s.add(ConsultationNote(session_id=session.id, kind="acknowledgement",
                               district=first.district_a if len(chosen) == 1 else None,
                               target_date=first.first if len(chosen) == 1 else None,
                               body=texts.get(lang, texts[DEFAULT_LANGUAGE]), texts=texts,
                               author_id=actor.user_id, author_name=name, created_at=now))
        audit.record(s, actor, "consult.flag.acknowledge_groups", object_type="consultation", object_id=session.id,
                     details={"groups": list(chosen), "kind": kind, "flags": acked, "note": note})
        return list(chosen.values())


def _acknowledgement_note(groups: list[FlagGroup], reason: str, lang: str, *, seat: str = "chief") -> str:
    """The discussion's note of an acknowledgement in ``lang``: who accepted (the chief, or the deputy: the
    record said "首席确认" over the deputy's name), the groups (three at most, the rest counted; the flag table
    and the audit have them all) and the reason as typed."""
    sentences = [group_sentence(g, lang) for g in groups]
    if len(sentences) > 3:  # keep the discussion readable
        sentences = sentences[:3] + [t("ack14.and_more", lang, n=len(sentences) - 3)]
    items = t("common.clause_sep", lang).join(sentences)
    key = "ack14.note_deputy" if seat == "deputy" else "ack14.note"
    return t(key, lang, n=len(groups), items=items, reason=reason)[:MAX_NOTE_CHARS]


def snapshot_acknowledgements(s: Session, session: ConsultationSession, *,
                              in_force: set[tuple[str, str]] | None = None) -> list[dict]:
    """The flag acknowledgements of a session for the issued snapshot (oldest first): which flag,
    which conflict (fingerprint), the group it was acknowledged with, the reason, who and when.

    ``in_force``: the ``(flag key, fingerprint)`` pairs of the flags the issued forecast still has; an
    acknowledgement of a conflict that later changed (values nobody issued) is left out, so the report
    counts what the chief vouched for in the forecast it publishes (a tour read 10 acknowledgements,
    the same pair and day twice, one of them for a range that was never issued)."""
    rows = s.scalars(select(FlagAcknowledgement).where(FlagAcknowledgement.session_id == session.id)
                     .order_by(FlagAcknowledgement.id))
    out = []
    for a in rows:
        if in_force is not None and (a.flag_key, a.fingerprint) not in in_force:
            continue
        kind, _, rest = a.flag_key.partition(":")
        day, _, pair = rest.partition(":")
        out.append({"flag": a.flag_key, "kind": kind, "target_date": day,
                    "districts": [d for d in pair.split(":") if d], "fingerprint": a.fingerprint,
                    "group": a.group_key or "", "reason": a.note, "by": a.by_name,
                    "at": a.at.isoformat() if a.at else None})
    return out
