"""Consultation notes (会商记录) and the chief's conclusion (会商结论).

A note is attributed and time-stamped, optionally tied to a district and a target day. It is
never edited in place (the table is append-only by trigger): a correction is a new note whose
``revises_id`` points at the one it corrects. Markdown is stored as typed and shown as plain
text. A ``client_token`` (one per form) makes a double click create one note, not two.

Threads (issue #14): a reply names its ``parent_id`` (a note of the same consultation); ``@青浦``,
``@吴江区``, ``@Jiashan`` in the body mention districts (stored as adcodes in ``mentions``); a note
tied to a district-day cell carries ``district`` and ``target_date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from forecasting import audit
from forecasting.consultation.common import current_actor, require_duty, require_writable, session_for
from forecasting.consultation.config import DISTRICT_ORDER, parse_day
from forecasting.errors import PermissionDenied, ValidationError
from forecasting.i18n import t
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import ConsultationNote
from forecasting.store.db import Database
from forecasting.store.models import District
from forecasting.store.types import utcnow

__all__ = ["NoteView", "add_note", "list_notes", "note_view_of", "parse_mentions", "thread_order", "MAX_NOTE_CHARS"]

MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class NoteView:
    id: int
    kind: str
    district: str | None
    target_date: date | None
    body: str
    author_id: int | None
    author_name: str
    created_at: datetime
    revises_id: int | None
    revised_by: tuple[int, ...] = ()
    parent_id: int | None = None
    mentions: tuple[str, ...] = ()
    #: ``(language, text)`` pairs of a note the app wrote (an acknowledgement), see :meth:`body_in`
    texts: tuple[tuple[str, str], ...] = ()

    def body_in(self, lang: str) -> str:
        """The note in ``lang``: a note the app wrote reads in every reader's language, a person's note
        as they wrote it.

        Examples
        --------
        >>> n = NoteView(1, "acknowledgement", None, None, "首席确认 1 组分歧", None, "沈悦", None, None,
        ...              texts=(("en", "The chief acknowledged 1 group"), ("zh", "首席确认 1 组分歧")))
        >>> n.body_in("en"), n.body_in("zh")
        ('The chief acknowledged 1 group', '首席确认 1 组分歧')
        >>> NoteView(2, "note", None, None, "同意", None, "王磊", None, None).body_in("en")
        '同意'
        """
        return dict(self.texts).get(lang, self.body)


def note_view_of(n: ConsultationNote, revised_by: tuple[int, ...] = ()) -> NoteView:
    texts = tuple(sorted((str(k), str(v)) for k, v in (n.texts or {}).items()))
    return NoteView(n.id, n.kind, n.district, n.target_date, n.body, n.author_id, n.author_name, n.created_at,
                    n.revises_id, revised_by, n.parent_id, tuple(n.mentions or ()), texts)


def _mention_names() -> list[tuple[str, str]]:
    names = []
    for adcode in DISTRICT_ORDER:
        for lang in ("zh", "en"):
            full = t(f"district.{adcode}", lang)
            names.append((full, adcode))
            if lang == "zh" and full[-1:] in ("区", "县"):
                names.append((full[:-1], adcode))
        names.append((adcode, adcode))
    return sorted(names, key=lambda p: -len(p[0]))  # longest first: 青浦区 before 青浦


def parse_mentions(body: str) -> tuple[str, ...]:
    """Districts mentioned with ``@name`` (Chinese with or without 区/县, English, adcode), zone order.

    Examples
    --------
    >>> parse_mentions("@吴江区 请看 D+1，@青浦 同意")
    ('310118', '320509')
    >>> parse_mentions("no mention here, mail@example.org")
    ()
    """
    found = set()
    text = body or ""
    lowered = text.lower()
    for name, adcode in _mention_names():
        if f"@{name.lower()}" in lowered:
            found.add(adcode)
    return tuple(d for d in DISTRICT_ORDER if d in found)


def thread_order(notes) -> list[tuple[int, object]]:
    """Notes in thread order with their depth: each top-level note (oldest first) followed by its
    replies (oldest first, recursively). A reply whose parent is missing shows at the top level.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> ns = [N(id=1, parent_id=None), N(id=2, parent_id=None), N(id=3, parent_id=1), N(id=4, parent_id=3)]
    >>> [(d, n.id) for d, n in thread_order(ns)]
    [(0, 1), (1, 3), (2, 4), (0, 2)]
    """
    ids = {n.id for n in notes}
    children: dict[int | None, list] = {}
    for n in sorted(notes, key=lambda n: n.id):
        parent = n.parent_id if n.parent_id in ids else None
        children.setdefault(parent, []).append(n)
    out: list[tuple[int, object]] = []

    def walk(parent, depth):
        for n in children.get(parent, ()):
            out.append((depth, n))
            walk(n.id, depth + 1)

    walk(None, 0)
    return out


def add_note(db: Database, actor: Actor | None, issue_date, body: str, *, district: str | None = None,
             target_date=None, revises_id: int | None = None, kind: str = "note",
             client_token: str | None = None, parent_id: int | None = None) -> NoteView:
    """Add a note (any forecaster) or the conclusion (``kind="conclusion"``: duty chief or deputy).

    A correction names the note it corrects in ``revises_id`` (only its author may correct it).
    Managers and admins read only. ``parent_id`` makes the note a reply (a note of the same
    consultation); ``@district`` mentions in the body are recorded (:func:`parse_mentions`).
    """
    issue_date = parse_day(issue_date)
    body = (body or "").strip()
    if not body:
        raise ValidationError("the note is empty", key="consult.note_empty")
    if len(body) > MAX_NOTE_CHARS:
        raise ValidationError(f"the note has {len(body)} characters; at most {MAX_NOTE_CHARS}",
                              key="consult.note_too_long", limit=MAX_NOTE_CHARS)
    if kind not in ("note", "conclusion"):
        raise ValidationError(f"note kind {kind!r}: expected note or conclusion", key="consult.bad_note_kind")
    day = parse_day(target_date) if target_date not in (None, "") else None
    with db.transaction() as s:
        actor = current_actor(s, actor, "write consultation notes")
        require_role(actor, "forecaster", action="write consultation notes")
        session = session_for(s, issue_date, lock=True)
        if client_token:
            existing = s.scalar(select(ConsultationNote).where(ConsultationNote.session_id == session.id,
                                                               ConsultationNote.client_token == client_token))
            if existing is not None:
                return note_view_of(existing)  # the same form sent twice
        require_writable(session, "the notes")
        if kind == "conclusion":
            require_duty(s, actor, issue_date, "write the consultation conclusion")
        if district and s.get(District, district) is None:
            raise ValidationError(f"unknown district {district!r}", key="consult.bad_district", district=district)
        if day is not None and not (1 <= (day - issue_date).days <= session.days):
            raise ValidationError(f"{day} is not a target day of this consultation", key="consult.not_a_target_day",
                                  day=day.isoformat())
        if revises_id is not None:
            old = s.get(ConsultationNote, revises_id)
            if old is None or old.session_id != session.id:
                raise ValidationError(f"note #{revises_id} is not in this consultation", key="consult.no_note")
            if old.author_id != actor.user_id:
                raise PermissionDenied("only the author corrects a note", key="consult.not_your_note")
            kind = old.kind if old.kind != "acknowledgement" else "note"
        if parent_id is not None:
            parent = s.get(ConsultationNote, int(parent_id))
            if parent is None or parent.session_id != session.id:
                raise ValidationError(f"note #{parent_id} is not in this consultation", key="note14.bad_parent")
        mentions = list(parse_mentions(body)) or None
        note = ConsultationNote(session_id=session.id, kind=kind, district=district or None, target_date=day,
                                body=body, author_id=actor.user_id, author_name=actor.display_name or actor.username,
                                created_at=utcnow(), revises_id=revises_id, client_token=client_token or None,
                                parent_id=int(parent_id) if parent_id is not None else None, mentions=mentions)
        s.add(note)
        s.flush()
        audit.record(s, actor, "consult.note.revise" if revises_id else f"consult.{kind}.add",
                     object_type="consultation_note", object_id=note.id,
                     details={"session": session.id, "district": district, "target_date": day and day.isoformat(),
                              "revises": revises_id, "parent": parent_id, "mentions": mentions})
        return note_view_of(note)


def list_notes(db: Database, issue_date, *, since_id: int = 0) -> list[NoteView]:
    """The notes of the consultation of ``issue_date``, oldest first (``since_id``: only newer ones)."""
    with db.read() as s:
        session = session_for(s, parse_day(issue_date))
        rows = list(s.scalars(select(ConsultationNote).where(ConsultationNote.session_id == session.id,
                                                             ConsultationNote.id > since_id)
                              .order_by(ConsultationNote.id)))
        revised: dict[int, list[int]] = {}
        for n in rows:
            if n.revises_id:
                revised.setdefault(n.revises_id, []).append(n.id)
        return [note_view_of(n, tuple(revised.get(n.id, ()))) for n in rows]
