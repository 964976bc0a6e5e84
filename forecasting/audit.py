"""The audit trail: who did what, when. Append-only.

Every state-changing service writes one row in the same transaction as the change, so a
change without its audit row (or the reverse) cannot be committed. Nothing in the app
updates or deletes these rows, and database triggers refuse it (``store.guards``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forecasting.store.models import AuditEntry

__all__ = ["record", "recent", "latest_id", "ACTIONS"]

#: Known actions (later issues add theirs); the UI translates ``audit.<action>``.
ACTIONS = (
    "login.success",
    "login.failed",
    "login.locked",
    "logout",
    "session.expired",
    "user.create",
    "user.disable",
    "user.enable",
    "user.unlock",
    "user.reset_password",
    "user.change_password",
    "user.update",
    "district.sync",
    "demo.seed",
)


def record(
    session: Session,
    actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one audit row to ``session``'s transaction.

    Parameters
    ----------
    actor : Actor or None
        Who acted (``None`` or a system actor for the command line and anonymous sign-in attempts).
    action : str
        A dotted verb such as ``"user.create"``.
    details : dict, optional
        JSON-serialisable facts (never a password or a token).
    """
    entry = AuditEntry(
        actor_id=getattr(actor, "user_id", None),
        actor_username=getattr(actor, "username", None) or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry


def latest_id(session: Session) -> int:
    """The id of the newest audit row (0 when there is none): it changes with every committed change the
    services make, since each writes its audit row in the change's transaction. Pages key what they cache
    on it (a result computed from the data stays valid while it is the same)."""
    return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


def recent(session: Session, *, limit: int = 100, action_prefix: str | None = None) -> list[AuditEntry]:
    """The newest audit rows first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return list(session.scalars(query))
