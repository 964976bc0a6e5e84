"""Who may do what. Services call these before changing anything; pages may hide buttons,
but the decision is made here (DESIGN.md: permissions are checked in the services)."""

from __future__ import annotations

from dataclasses import dataclass

from forecasting.errors import PermissionDenied
from forecasting.i18n import t

__all__ = ["Actor", "require_role", "require_signed_in"]


#: Names of the jobs and tools that act without a person (:meth:`Actor.system`). Reserved: no account may
#: take one, so an audit row by ``daily-job`` is the daily job's and a page can say so in words.
SYSTEM_ACTORS = ("system", "api", "cli", "daily-job", "demo-seed", "guidance", "ingest", "obs-import", "reports",
                 "train")


@dataclass(frozen=True)
class Actor:
    """The acting user of a service call: ids and facts, never an ORM object.

    ``role`` is ``forecaster``, ``manager`` or ``admin``; ``system`` is the operator at the
    command line (who already has the server's shell).
    """

    user_id: int | None
    username: str
    role: str
    district: str | None = None
    display_name: str = ""

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        """A job or tool acting without a person (one of :data:`SYSTEM_ACTORS`: audit rows, runs and rota
        changes carry its name, so no account may take one). Tests may name their own; every name the
        package uses is reserved and named in words, ``actor.NAME`` (tests/test_audit.py holds that)."""
        return cls(user_id=None, username=name, role="system", display_name=name)

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")


def require_signed_in(actor: Actor | None, action: str) -> Actor:
    if actor is None:
        raise PermissionDenied(f"{action}: sign in first", key="perm.sign_in_first", action=action)
    return actor


def require_role(actor: Actor | None, *roles: str, action: str) -> Actor:
    """Raise :class:`PermissionDenied` unless ``actor`` has one of ``roles`` (``system`` counts as admin)."""
    actor = require_signed_in(actor, action)
    allowed = set(roles) | ({"system"} if "admin" in roles else set())
    if actor.role not in allowed:
        raise PermissionDenied(
            f"{actor.username} ({actor.role}) may not {action}; needs role {' or '.join(roles)}",
            key="perm.role_required",
            action=action,
            roles="/".join(roles),
            roles_zh="或".join(t(f"role.{r}", "zh") for r in roles),
            roles_en=" or ".join(t(f"role.{r}", "en") for r in roles),
        )
    return actor
