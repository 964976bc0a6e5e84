"""Reading the audit trail (admin only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecasting import audit
from forecasting.accounts import _current
from forecasting.permissions import Actor, require_role
from forecasting.store.db import Database

__all__ = ["AuditRow", "recent_entries"]


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    details: dict


def recent_entries(db: Database, actor: Actor | None, *, limit: int = 200, action_prefix: str | None = None) -> list[AuditRow]:
    with db.read() as s:
        require_role(_current(s, actor, "read the audit trail"), "admin", action="read the audit trail")
        return [
            AuditRow(e.id, e.at, e.actor_username, e.action, e.object_type, e.object_id, dict(e.details or {}))
            for e in audit.recent(s, limit=limit, action_prefix=action_prefix)
        ]
