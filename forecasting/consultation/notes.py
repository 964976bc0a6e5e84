"""Consultation notes (会商记录) and the chief's conclusion (会商结论).

A note is attributed and time-stamped, optionally tied to a district and a target day. It is
never edited in place (the table is append-only by trigger): a correction is a new note whose
``revises_id`` points at the one it corrects. Markdown is stored as typed and shown as plain
text. A ``client_token`` (one per form) makes a double click create one note, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from forecasting import audit
from forecasting.consultation.common import _current, require_duty, require_writable, session_for
from forecasting.consultation.config import parse_day
from forecasting.errors import PermissionDenied, ValidationError
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import ConsultationNote
from forecasting.store.db import Database
from forecasting.store.models import District
from forecasting.store.types import utcnow

__all__ = ["NoteView", "add_note", "list_notes", "note_view_of", "MAX_NOTE_CHARS"]

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


def note_view_of(n: ConsultationNote, revised_by: tuple[int, ...] = ()) -> NoteView:
    return NoteView(n.id, n.kind, n.district, n.target_date, n.body, n.author_id, n.author_name, n.created_at,
                    n.revises_id, revised_by)


def add_note(db: Database, actor: Actor | None, issue_date, body: str, *, district: str | None = None,
             target_date=None, revises_id: int | None = None, kind: str = "note",
             client_token: str | None = None) -> NoteView:
    """Add a note (any forecaster) or the conclusion (``kind="conclusion"``: duty chief or deputy).

    A correction names the note it corrects in ``revises_id`` (only its author may correct it).
    Managers and admins read only.
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
        actor = _current(s, actor, "write consultation notes")
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
        note = ConsultationNote(session_id=session.id, kind=kind, district=district or None, target_date=day,
                                body=body, author_id=actor.user_id, author_name=actor.display_name or actor.username,
                                created_at=utcnow(), revises_id=revises_id, client_token=client_token or None)
        s.add(note)
        s.flush()
        audit.record(s, actor, "consult.note.revise" if revises_id else f"consult.{kind}.add",
                     object_type="consultation_note", object_id=note.id,
                     details={"session": session.id, "district": district, "target_date": day and day.isoformat(),
                              "revises": revises_id})
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
