"""Personal API tokens: a program acts as its owner through the HTTP API.

A token is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when created; only its
SHA-256 is stored (``api_tokens.token_hash``) with a short prefix to recognise it. Owners manage
their own tokens; admins (and the operator at the command line) manage anyone's. Creating,
revoking and every use of a token leave an audit row.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from forecasting import audit
from forecasting.accounts import actor_of, current_actor, normalise_username, user_by_name
from forecasting.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, ValidationError
from forecasting.permissions import Actor
from forecasting.store.db import Database
from forecasting.store.models import User
from forecasting.store.reports import ApiToken
from forecasting.store.types import utcnow

__all__ = ["TokenView", "create_token", "revoke_token", "list_tokens", "authenticate_token", "token_hash",
           "MAX_NAME", "TooManyRequests", "refusals_per_minute"]

MAX_NAME = 128
PREFIX_CHARS = 8


@dataclass(frozen=True)
class TokenView:
    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a token as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _view(t: ApiToken, username: str) -> TokenView:
    return TokenView(t.id, t.user_id, username, t.name, t.prefix, t.created_at, t.created_by, t.last_used_at,
                     t.revoked_at)


def _may_manage(actor: Actor, owner_id: int) -> None:
    if actor.is_admin or actor.user_id == owner_id:
        return
    raise PermissionDenied(f"{actor.username} may not manage another user's API tokens", key="tokens.not_yours")


def create_token(db: Database, actor: Actor | None, username: str | None = None, *, name: str = ""
                 ) -> tuple[TokenView, str]:
    """Create a token for ``username`` (default: the actor). Returns the view and the secret, which
    is never shown again. Only the owner may, or the operator at the command line (who has the server's
    shell already): a token acts as its owner, so an administrator holding another person's secret could
    submit and sign in that person's name (a tour did). Administrators list and revoke anyone's."""
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise ValidationError(f"a token name has at most {MAX_NAME} characters", key="tokens.name_too_long",
                              n=MAX_NAME)
    with db.transaction() as s:
        actor = current_actor(s, actor, "create an API token")
        owner = user_by_name(s, username) if username else s.get(User, actor.user_id)
        if owner is None:
            raise NotFound("the operator has no user: name one", key="accounts.no_such_user", username="")
        if actor.role != "system" and actor.user_id != owner.id:
            raise PermissionDenied(f"{actor.username} may not create an API token for {owner.username}",
                                   key="tokens.only_own", username=owner.username)
        secret = secrets.token_urlsafe(32)
        row = ApiToken(user_id=owner.id, name=name, token_hash=token_hash(secret), prefix=secret[:PREFIX_CHARS],
                       created_at=utcnow(), created_by=actor.username)
        s.add(row)
        s.flush()
        audit.record(s, actor, "token.create", object_type="api_token", object_id=row.id,
                     details={"owner": owner.username, "name": name, "prefix": row.prefix})
        return _view(row, owner.username), secret


def revoke_token(db: Database, actor: Actor | None, token_id: int) -> TokenView:
    """Revoke a token (its owner or an admin). Revoking twice is refused with a clear message."""
    with db.transaction() as s:
        actor = current_actor(s, actor, "revoke an API token")
        row = s.get(ApiToken, int(token_id))
        if row is None:
            raise NotFound(f"no API token #{token_id}", key="tokens.no_such", id=token_id)
        _may_manage(actor, row.user_id)
        if row.revoked_at is not None:
            raise Conflict(f"API token #{token_id} is already revoked", key="tokens.already_revoked", id=token_id)
        row.revoked_at, row.revoked_by = utcnow(), actor.username
        owner = s.get(User, row.user_id)
        audit.record(s, actor, "token.revoke", object_type="api_token", object_id=row.id,
                     details={"owner": owner.username, "prefix": row.prefix})
        return _view(row, owner.username)


def list_tokens(db: Database, actor: Actor | None, *, username: str | None = None) -> list[TokenView]:
    """The actor's tokens; an admin sees everyone's (or ``username``'s)."""
    with db.read() as s:
        actor = current_actor(s, actor, "list API tokens")
        q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if not actor.is_admin:
            q = q.where(ApiToken.user_id == actor.user_id)
        elif username:
            q = q.where(User.username == normalise_username(username))
        return [_view(t, u) for t, u in s.execute(q)]


class TooManyRequests(AuthenticationFailed):
    """Too many refused tokens from one client address this minute (answered 429 with ``Retry-After``)."""

    def __init__(self, message: str, *, retry_after: int, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


def refusals_per_minute() -> int:
    """``FORECASTING_TOKEN_REFUSALS_PER_MINUTE`` (default 10): refused tokens one client address may
    send in a UTC minute before every request from it answers 429 until the minute ends."""
    try:
        return max(1, int(os.environ.get("FORECASTING_TOKEN_REFUSALS_PER_MINUTE", "10")))
    except ValueError:
        return 10


def authenticate_token(db: Database, token: str | None, *, method: str = "", path: str = "",
                       client: str = "") -> Actor:
    """The active owner of an active token, or :class:`AuthenticationFailed`. The use is audited
    (``token.use``, with method and path) and ``last_used_at`` updated, in one unit of work.

    Refusals are counted per client address and UTC minute (``token_refusals``): past
    :func:`refusals_per_minute` the address gets :class:`TooManyRequests` until the minute ends, and
    the audit trail gets one ``token.refused`` row per address and minute (the first refusal), then
    one ``token.refused.minute`` row with the minute's count once that minute is over.
    """
    from forecasting.store.reports import TokenRefusal

    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    address = (client or "")[:64]
    if address:
        with db.read() as s:
            n = s.scalar(select(TokenRefusal.count).where(TokenRefusal.address == address,
                                                          TokenRefusal.minute == minute)) or 0
        if n >= refusals_per_minute():
            raise TooManyRequests(f"too many refused API tokens from {address}: wait {60 - now.second} s",
                                  key="hard15.too_many_refusals", retry_after=60 - now.second,
                                  seconds=60 - now.second)
    if not token:
        raise AuthenticationFailed("missing API token", key="api.bad_token")
    with db.transaction() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
        user = s.get(User, row.user_id) if row is not None else None
        if row is None or row.revoked_at is not None or user is None or not user.is_active:
            details = {"method": method, "path": path[:200], "address": address,
                       "reason": "unknown" if row is None else "revoked or user disabled"}
            _count_refusal(s, address, minute, details, row.id if row else "")
            refused = True
        else:
            refused = False
            row.last_used_at = now
            actor = actor_of(user)
            audit.record(s, actor, "token.use", object_type="api_token", object_id=row.id,
                         details={"method": method, "path": path[:200]})
    if refused:
        raise AuthenticationFailed("invalid or revoked API token", key="api.bad_token")
    return actor


def _count_refusal(s, address: str, minute: datetime, details: dict, object_id) -> None:
    from forecasting.store.reports import TokenRefusal

    rec = s.scalar(select(TokenRefusal).where(TokenRefusal.address == address, TokenRefusal.minute == minute)
                   .with_for_update())
    if rec is not None:
        rec.count += 1  # aggregated: no audit row per refusal
        return
    for old in s.scalars(select(TokenRefusal).where(TokenRefusal.address == address, TokenRefusal.minute < minute,
                                                    TokenRefusal.audited.is_(False)).with_for_update()):
        audit.record(s, None, "token.refused.minute", object_type="client", object_id=address,
                     details={"address": address, "minute": old.minute.isoformat(), "count": old.count})
        old.audited = True
    s.add(TokenRefusal(address=address, minute=minute, count=1, audited=False))
    audit.record(s, None, "token.refused", object_type="api_token", object_id=object_id, details=details)
