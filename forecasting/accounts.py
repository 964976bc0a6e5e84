"""Accounts service: users, passwords, sign-in sessions, lock-out.

Each public function is one unit of work: it takes the acting user, opens one transaction,
checks permissions itself and writes its audit row in the same transaction.

Passwords are hashed with Argon2id (RFC 9106; argon2-cffi defaults: t=3, m=64 MiB, p=4).
Sign-in sessions are server-side rows; the browser holds a random token in an HttpOnly
cookie and the database keeps only its SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forecasting import audit
from forecasting.config import settings
from forecasting.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationError
from forecasting.i18n import t, zone_districts
from forecasting.permissions import SYSTEM_ACTORS, Actor, require_role, require_signed_in
from forecasting.store.db import Database
from forecasting.store.models import ROLES, AuthSession, District, User
from forecasting.store.types import utcnow
from forecasting.textlimits import clean_text
from forecasting.vocab import adcode_of

__all__ = [
    "Actor",
    "current_actor",
    "actor_of",
    "user_by_name",
    "normalise_username",
    "SignIn",
    "UserView",
    "hash_password",
    "NewUser",
    "create_users",
    "verify_password",
    "validate_password",
    "create_user",
    "update_user",
    "disable_user",
    "enable_user",
    "unlock_user",
    "reset_password",
    "password_must_change",
    "change_password",
    "list_users",
    "authenticate",
    "resolve_session",
    "resolve_token",
    "redeem_bind_ticket",
    "sign_out",
    "sign_out_token",
    "count_users",
    "count_wrong_password",
    "is_locked",
    "BIND_TICKET_SECONDS",
    "Reauthentication",
    "reauthenticate",
    "reauthenticated",
    "REAUTH_SECONDS",
]

_hasher = PasswordHasher()  # Argon2id


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account (same Argon2id time as a real one). Made at the
    first password check of a process, not at import (0.15 s that every worker and command paid for
    nothing); every password check asks for it first, known account or not, so that the first check's
    extra time says nothing about the account."""
    return _hasher.hash("not-a-real-password-just-for-timing")


USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
BIND_TICKET_SECONDS = 120
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, the server-side session id (kept in the page's server-side
    state), and a one-time ticket the browser exchanges for its HttpOnly cookie."""

    actor: Actor
    session_id: int
    bind_ticket: str


@dataclass(frozen=True)
class UserView:
    """What the admin page shows of a user (no hash)."""

    id: int
    username: str
    display_name: str
    role: str
    district: str | None
    is_active: bool
    locked_until: datetime | None
    created_at: datetime
    version: int
    #: the password was set by an administrator and the user has not chosen their own yet
    password_must_change: bool = False


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        district=user.district_adcode,
        display_name=user.display_name,
    )


def _view(user: User) -> UserView:
    return UserView(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        district=user.district_adcode,
        is_active=user.is_active,
        locked_until=user.locked_until,
        created_at=user.created_at,
        version=user.version,
        password_must_change=bool(user.password_must_change),
    )


# -- passwords ------------------------------------------------------------------------------


def normalise_username(username: str | None) -> str:
    """A user name as stored: NFKC form (a Chinese input method's full-width letters are the letters), without
    surrounding spaces, lower case.

    Examples
    --------
    >>> normalise_username(" ＱＰ＿Ｃｈｅｎ "), normalise_username("QP_Chen")
    ('qp_chen', 'qp_chen')
    """
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def normalise_password(password: str) -> str:
    """NFKC form of a password, so the same password typed on another keyboard or input method
    (full-width digits, compatibility characters) is the same password.

    Examples
    --------
    >>> normalise_password("ｐａｓｓ１２")
    'pass12'
    """
    return unicodedata.normalize("NFKC", password or "")


def hash_password(password: str) -> str:
    """Argon2id hash of ``password`` (NFKC-normalised; PHC string with salt and parameters)."""
    return _hasher.hash(normalise_password(password))


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, normalise_password(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Minimum zxcvbn score (0-4; Wheeler 2016, USENIX Security): 3 = "safely unguessable" against an
#: online attack with throttling.
PASSWORD_MIN_SCORE = 3
#: Words anyone guessing a password here would try first (zxcvbn's ``user_inputs``): the zone's districts
#: and cities, in pinyin and in Chinese, and the trade's words. "jiashan2026" scored 4 without them, 1 with.
ZONE_WORDS = ("qingpu", "wujiang", "jiashan", "shanghai", "suzhou", "jiaxing", "yrd", "changsanjiao",
              "shifanqu", "yitihua", "aqi", "kongqi", "yubao", "huishang", "forecast", "青浦", "吴江", "嘉善",
              "上海", "苏州", "嘉兴", "长三角", "示范区", "空气", "预报", "会商")


def validate_password(password: str, username: str, *, min_length: int | None = None) -> None:
    """The password policy: at least ``min_length`` characters (default from settings), not the
    username (nor containing it), not one repeated character, no control or invisible characters
    (after NFKC normalisation), and a zxcvbn strength score of at least :data:`PASSWORD_MIN_SCORE`, with the
    zone's names (:data:`ZONE_WORDS`) as words a guesser knows (``1234567890``, ``password12``, 12 spaces +
    ``abcd`` and ``jiashan2026`` are refused). Raises :class:`ValidationError`."""
    min_length = min_length or settings().password_min_length
    if len(password) < min_length:
        raise ValidationError(
            f"password too short: {len(password)} characters, at least {min_length} needed",
            key="accounts.password_too_short",
            min_length=min_length,
        )
    if username and username.lower() in password.lower():
        raise ValidationError("password must not contain the username", key="accounts.password_has_username")
    if len(set(password)) < 4:
        raise ValidationError("password too simple: use at least 4 different characters", key="accounts.password_too_simple")
    password = normalise_password(password)
    hidden = [ch for ch in password if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")]
    if hidden:
        raise ValidationError(f"the password contains {len(hidden)} control or invisible character(s) "
                              f"(e.g. U+{ord(hidden[0]):04X}): type only visible characters",
                              key="hard15.password_invisible", n=len(hidden), code=f"U+{ord(hidden[0]):04X}")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[*([username] if username else []), *ZONE_WORDS])
    if result["score"] < PASSWORD_MIN_SCORE:
        raise ValidationError(f"password too easy to guess (strength {result['score']} of 4, at least "
                              f"{PASSWORD_MIN_SCORE} needed): use a longer phrase of unrelated words",
                              key="hard15.password_weak", score=result["score"], min_score=PASSWORD_MIN_SCORE)


# -- helpers inside a transaction -------------------------------------------------------------


def current_actor(session: Session, actor: Actor | None, action: str, *, own_password: bool = False) -> Actor:
    """Reload a signed-in actor from the database: a disabled user (or a changed role) cannot act
    on the strength of an old page state. Services call it first inside their transaction.

    A user whose password someone else set (``User.password_must_change``: an administrator's new account
    or reset) may do nothing but choose their own (``own_password``): the administrator who knows it
    cannot act in their name meanwhile."""
    actor = require_signed_in(actor, action)
    if actor.role == "system":
        return actor
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("your account is disabled or no longer exists", key="accounts.account_gone")
    if user.password_must_change and not own_password:
        raise PermissionDenied(f"{user.username} must choose their own password before they {action}",
                               key="accounts.must_change_password")
    return actor_of(user)


def password_must_change(db: Database, user_id: int | None) -> bool:
    """Whether this user's password was set by someone else and is still theirs to replace."""
    if user_id is None:
        return False
    with db.read() as s:
        return bool(s.scalar(select(User.password_must_change).where(User.id == user_id)))


def _set_by_someone_else(actor: Actor) -> bool:
    """A password an administrator typed on a page is known to them: its user replaces it first. The
    operator at the command line (the server's shell) and the demo world set passwords as before."""
    return actor.role != "system"


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound(f"no user named {username!r}", key="accounts.no_such_user", username=username)
    return user


def _check_district(session: Session, role: str, district: str | None) -> str | None:
    if role not in ROLES:
        raise ValidationError(
            f"unknown role {role!r}; expected one of {', '.join(ROLES)}", key="accounts.bad_role", role=role
        )
    if district in ("", None):
        district = None
    if role == "forecaster" and district is None:
        raise ValidationError("a forecaster belongs to one district: give --district ADCODE", key="accounts.need_district")
    if role != "forecaster" and district is not None:
        # only forecasters belong to a district (it decides what they may submit); a manager's or an
        # administrator's district would be shown beside the name and mean nothing
        raise ValidationError(f"only a forecaster belongs to a district; a {role} has none",
                              key="accounts.district_only_forecaster",
                              role_zh=t("role." + role, "zh"), role_en=t("role." + role, "en"))
    if district is not None:
        # as an administrator types it: the code, or the name in either language (青浦, 嘉善县, Wujiang)
        code = adcode_of(district)
        if code is None or session.get(District, code) is None:
            names = zone_districts("names")
            raise ValidationError(f"unknown district '{district}': give one of {names['names_en']} "
                                  "(the name or the code)", key="accounts.bad_district", district=district, **names)
        district = code
    return district


def _revoke_all(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, bind_ticket_hash=None)
    )


# -- re-authentication proofs (in-process only) -------------------------------------------------

#: How long a :class:`Reauthentication` holds [s of the process's monotonic clock].
REAUTH_SECONDS = 300.0
#: Key of the proofs' MACs: random per process, never stored, so a proof cannot be made by hand,
#: carried to another process or outlive this one.
_REAUTH_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Reauthentication:
    """Proof, for this process only, that user ``user_id`` typed their password just now.

    Made by :func:`reauthenticate` after a real Argon2id verification; accepted by
    :func:`reauthenticated` (e.g. in :func:`forecasting.consultation.sign_session`) while it is
    unexpired, for the same user, while that user's password is unchanged, and only when its MAC
    (keyed by a per-process secret) is intact. It lets a bulk job such as the demo seed sign several
    consultations of one chief with one password check; pages and the API always ask for the password.
    The expiry runs on :func:`time.monotonic`, never on the context clock that back-dates a demo day.
    """

    user_id: int
    expires: float  #: :func:`time.monotonic` after which the proof is void
    tag: str = ""


def count_wrong_password(s: Session, user: User, actor: Actor | None, now: datetime) -> bool:
    """Count a wrong password typed by a signed-in user (to change it, to sign a consultation, to confirm
    it) like a failed sign-in, inside ``s``'s transaction: after ``FORECASTING_LOCKOUT_ATTEMPTS`` in a row
    the account locks for ``FORECASTING_LOCKOUT_MINUTES`` (audited ``login.locked``), so a session left
    open cannot be used to guess the password without limit. The caller audits the failed action itself.
    Returns whether this attempt locked the account."""
    cfg = settings()
    user.failed_attempts += 1
    if user.failed_attempts < cfg.lockout_attempts:
        return False
    user.locked_until = now + timedelta(minutes=cfg.lockout_minutes)
    user.failed_attempts = 0
    audit.record(s, actor, "login.locked", object_type="user", object_id=user.id,
                 details={"until": user.locked_until.isoformat()})
    return True


def is_locked(user: User | None, now: datetime) -> bool:
    """Whether ``user`` is locked out at ``now`` (too many wrong passwords in a row)."""
    return user is not None and user.locked_until is not None and user.locked_until > now


def _reauth_tag(user_id: int, expires: float, password_hash: str) -> str:
    message = f"{user_id}|{expires!r}|{_sha256(password_hash)}".encode()
    return hmac.new(_REAUTH_KEY, message, hashlib.sha256).hexdigest()


def reauthenticate(db: Database, actor: Actor | None, password: str, *,
                   seconds: float = REAUTH_SECONDS) -> Reauthentication:
    """Check ``actor``'s password again (Argon2id, outside any transaction) and return a short-lived
    :class:`Reauthentication` for it; :class:`AuthenticationFailed` when the password is wrong or the
    account is gone, disabled or locked."""
    dummy = _dummy_hash()  # made whatever the account (see _dummy_hash)
    with db.read() as s:
        actor = current_actor(s, actor, "confirm your password")
        row = s.get(User, actor.user_id)
        usable = row is not None and row.is_active and not is_locked(row, utcnow())
        seen_hash = row.password_hash if usable else dummy
    if not (verify_password(seen_hash, password or "") and usable):
        if usable:  # a wrong password counts towards the lockout, as everywhere else
            with db.transaction() as s:
                user = s.get(User, actor.user_id)
                if user is not None and user.password_hash == seen_hash:
                    audit.record(s, actor, "user.reauthenticate.failed", object_type="user", object_id=user.id,
                                 details={"reason": "wrong password", "attempt": user.failed_attempts + 1})
                    count_wrong_password(s, user, actor, utcnow())
        raise AuthenticationFailed("the password is wrong", key="consult.signature_failed")
    expires = time.monotonic() + float(seconds)
    return Reauthentication(actor.user_id, expires, _reauth_tag(actor.user_id, expires, seen_hash))


def reauthenticated(proof: Reauthentication | None, user_id: int | None, password_hash: str) -> bool:
    """Whether ``proof`` stands for user ``user_id`` whose stored hash is ``password_hash``, now."""
    if not isinstance(proof, Reauthentication) or user_id is None or proof.user_id != user_id or not password_hash:
        return False
    if time.monotonic() >= proof.expires:
        return False
    return hmac.compare_digest(proof.tag, _reauth_tag(user_id, proof.expires, password_hash))


# -- user management (admin) --------------------------------------------------------------------


def count_users(db: Database) -> int:
    with db.read() as s:
        return len(s.scalars(select(User.id)).all())


def create_user(
    db: Database,
    actor: Actor | None,
    *,
    username: str,
    password: str,
    role: str,
    district: str | None = None,
    display_name: str | None = None,
    temporary: bool | None = None,
) -> UserView:
    """Create a user (admin, or the operator at the command line). ``temporary``: see :func:`create_users`."""
    return create_users(db, actor, [NewUser(username, role, district, display_name)], password=password,
                        temporary=temporary)[0]


@dataclass(frozen=True)
class NewUser:
    """One account for :func:`create_users` (the password is given once for all of them)."""

    username: str
    role: str
    district: str | None = None
    display_name: str | None = None


def create_users(db: Database, actor: Actor | None, users: list[NewUser], *, password: str,
                 temporary: bool | None = None) -> list[UserView]:
    """Create accounts that share one password (admin, or the operator): all or none.

    ``temporary``: the users replace the password before anything else (``User.password_must_change``); by
    default when an administrator sets it on a page, not when the operator does (``users add --temporary``).

    The password is checked against every username and hashed once (Argon2id, production parameters),
    outside the write transaction: Argon2 takes a third of a second and would hold SQLite's write
    lock. :func:`create_user` is the one-account case; the demo world creates its eleven accounts,
    which share the password printed by ``make run``, in one call.
    """
    with db.read() as s:  # refuse before the Argon2 work
        require_role(current_actor(s, actor, "create users"), "admin", action="create users")
    names = []
    for u in users:
        username = normalise_username(u.username)
        if not USERNAME_RE.match(username):
            shown = username if len(username) <= 40 else f"{username[:37]}… ({len(username)})"  # not 5000 characters back
            raise ValidationError(
                f"username {shown!r}: 3-32 characters, lower-case letters, digits, '.', '_' or '-'",
                key="accounts.bad_username",
                username=shown,
            )
        if username in SYSTEM_ACTORS:
            raise ValidationError(f"username {username!r} is the name of a system job", key="accounts.reserved_username",
                                  username=username)
        validate_password(password, username)
        names.append(username)
    if len(set(names)) < len(names):
        taken = next(n for n in names if names.count(n) > 1)
        raise ValidationError(f"username {taken!r} is taken", key="accounts.username_taken", username=taken)
    password_hash = hash_password(password)
    views = []
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "create users"), "admin", action="create users")
        for u, username in zip(users, names):
            district = _check_district(s, u.role, u.district)
            if s.scalar(select(User.id).where(User.username == username)) is not None:
                raise ValidationError(f"username {username!r} is taken", key="accounts.username_taken",
                                      username=username)
            user = User(
                username=username,
                display_name=clean_text(u.display_name, field="display_name") or username,
                password_hash=password_hash,
                role=u.role,
                district_adcode=district,
                password_must_change=_set_by_someone_else(actor) if temporary is None else temporary,
            )
            s.add(user)
            s.flush()
            audit.record(s, actor, "user.create", object_type="user", object_id=user.id,
                         details={"username": username, "role": u.role, "district": district})
            views.append(_view(user))
    return views


def update_user(
    db: Database,
    actor: Actor | None,
    username: str,
    *,
    expected_version: int,
    role: str | None = None,
    district: str | None = "__keep__",
    display_name: str | None = None,
) -> UserView:
    """Change role, district or display name (admin). ``expected_version`` is the version the admin
    saw: a user changed meanwhile by someone else is refused (optimistic check)."""
    from forecasting.errors import Conflict

    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "change users"), "admin", action="change users")
        user = user_by_name(s, username)
        if user.version != expected_version:
            raise Conflict(
                f"user {user.username} was changed by someone else (version {user.version}, you saw "
                f"{expected_version}); reload and try again",
                key="accounts.changed_meanwhile",
                username=user.username,
            )
        new_role = role or user.role
        if user.id == actor.user_id and new_role != user.role:
            # the only administrator could demote themselves and leave nobody to manage users or tokens
            raise ValidationError("you cannot change your own role; another administrator can",
                                  key="accounts.not_your_own_role")
        if district == "__keep__":  # a forecaster made manager or admin leaves their district
            district = user.district_adcode if new_role == "forecaster" else None
        new_district = _check_district(s, new_role, district)
        changes = {}
        if new_role != user.role:
            changes["role"] = [user.role, new_role]
            user.role = new_role
        if new_district != user.district_adcode:
            changes["district"] = [user.district_adcode, new_district]
            user.district_adcode = new_district
        display_name = clean_text(display_name, field="display_name") if display_name is not None else None
        if display_name and display_name != user.display_name:
            changes["display_name"] = [user.display_name, display_name]
            user.display_name = display_name
        if changes:
            user.updated_at = utcnow()
            audit.record(s, actor, "user.update", object_type="user", object_id=user.id,
                         details={"username": user.username, **changes})  # the account by name, found by it
        s.flush()
        return _view(user)


def _set_active(db: Database, actor: Actor | None, username: str, active: bool) -> UserView:
    action = "enable users" if active else "disable users"
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, action), "admin", action=action)
        user = user_by_name(s, username)
        if not active and actor.user_id == user.id:
            raise ValidationError("you cannot disable your own account", key="accounts.not_yourself")
        now = utcnow()
        user.is_active = active
        user.updated_at = now
        if active:
            user.failed_attempts = 0
            user.locked_until = None
        else:
            _revoke_all(s, user.id, now)
        audit.record(s, actor, "user.enable" if active else "user.disable", object_type="user", object_id=user.id,
                     details={"username": user.username})
        s.flush()
        return _view(user)


def disable_user(db: Database, actor: Actor | None, username: str) -> UserView:
    """Disable a user (admin): their sessions end at once; the row and its history stay."""
    return _set_active(db, actor, username, False)


def enable_user(db: Database, actor: Actor | None, username: str) -> UserView:
    return _set_active(db, actor, username, True)


def unlock_user(db: Database, actor: Actor | None, username: str) -> UserView:
    """End a lock-out now (admin): the user may sign in again with their password; their failed
    attempts count from zero. Refused, with a message, when the account is not locked."""
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "unlock users"), "admin", action="unlock users")
        user = user_by_name(s, username)
        now = utcnow()
        until = user.locked_until
        if until is None or until <= now:
            raise ValidationError(f"user {user.username} is not locked", key="accounts.not_locked",
                                  username=user.username)
        user.failed_attempts = 0
        user.locked_until = None
        user.updated_at = now
        audit.record(s, actor, "user.unlock", object_type="user", object_id=user.id,
                     details={"username": user.username, "locked_until": until.isoformat()})
        s.flush()
        return _view(user)


def reset_password(db: Database, actor: Actor | None, username: str, new_password: str, *,
                   temporary: bool | None = None) -> UserView:
    """Set a new password for a user (admin); clears a lock-out and ends their sessions. ``temporary``: the
    user replaces it before anything else; by default when an administrator resets another's password on a
    page (see :func:`create_users`)."""
    with db.read() as s:  # refuse, and check the new password, before the Argon2 work
        require_role(current_actor(s, actor, "reset passwords"), "admin", action="reset passwords")
        validate_password(new_password, user_by_name(s, username).username)
    new_hash = hash_password(new_password)  # outside the write transaction (it would hold SQLite's lock)
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "reset passwords"), "admin", action="reset passwords")
        user = user_by_name(s, username)
        now = utcnow()
        user.password_hash = new_hash
        user.password_changed_at = now
        user.updated_at = now
        user.failed_attempts = 0
        user.locked_until = None
        user.password_must_change = ((_set_by_someone_else(actor) and user.id != actor.user_id) if temporary is None
                                     else temporary)
        _revoke_all(s, user.id, now)
        audit.record(s, actor, "user.reset_password", object_type="user", object_id=user.id,
                     details={"username": user.username})
        s.flush()
        return _view(user)


def change_password(db: Database, actor: Actor | None, old_password: str, new_password: str, *,
                    keep_session_id: int | None = None) -> int:
    """A signed-in user changes their own password (the old one is asked again).

    A wrong old password counts like a failed sign-in (audited; after
    ``FORECASTING_LOCKOUT_ATTEMPTS`` the account locks), so a stolen session cannot guess it without
    limit; a locked account cannot change its password. On success every other sign-in session of
    the user ends (``keep_session_id``, the caller's own, stays). Returns how many sessions ended.
    """
    dummy = _dummy_hash()  # made whatever the account (see _dummy_hash)
    with db.read() as s:
        actor = current_actor(s, actor, "change your password", own_password=True)
        row = s.get(User, actor.user_id)
        seen_hash = row.password_hash if row is not None else dummy
        must_change = bool(row is not None and row.password_must_change)
    # the Argon2 work outside any write transaction (it would hold SQLite's write lock)
    good = verify_password(seen_hash, old_password or "")
    new_hash = None
    if good:
        if must_change and new_password == old_password:  # the administrator's password is known to them
            raise ValidationError("choose a password of your own, not the one you were given",
                                  key="accounts.same_as_given")
        with db.read() as s:
            validate_password(new_password, s.get(User, actor.user_id).username)
        new_hash = hash_password(new_password)
    now = utcnow()
    refused = None
    with db.transaction() as s:
        actor = current_actor(s, actor, "change your password", own_password=True)
        user = s.get(User, actor.user_id)
        if user is None:
            raise AuthenticationFailed("your account is disabled or no longer exists", key="accounts.account_gone")
        if user.locked_until is not None and user.locked_until > now:
            audit.record(s, actor, "user.change_password.failed", object_type="user", object_id=user.id,
                         details={"reason": "locked", "locked_until": user.locked_until.isoformat()})
            refused = "locked"
        elif not good or user.password_hash != seen_hash:
            audit.record(s, actor, "user.change_password.failed", object_type="user", object_id=user.id,
                         details={"reason": "wrong old password", "attempt": user.failed_attempts + 1})
            count_wrong_password(s, user, actor, now)
            refused = "wrong"
        else:
            user.password_hash = new_hash
            user.password_changed_at = user.updated_at = now
            user.failed_attempts = 0
            user.password_must_change = False
            others = list(s.scalars(select(AuthSession).where(AuthSession.user_id == user.id,
                                                              AuthSession.revoked_at.is_(None))))
            ended = [a.id for a in others if a.id != keep_session_id]
            for a in others:
                if a.id != keep_session_id:
                    a.revoked_at, a.bind_ticket_hash = now, None
            audit.record(s, actor, "user.change_password", object_type="user", object_id=user.id,
                         details={"sessions_ended": len(ended)})
            return len(ended)
    if refused == "locked":
        raise _FAILED
    raise AuthenticationFailed("the current password is wrong", key="accounts.old_password_wrong")


def session_max_hours() -> float:
    """``FORECASTING_SESSION_MAX_HOURS`` (default 12): a session ends this long after sign-in,
    however active it is."""
    try:
        value = float(os.environ.get("FORECASTING_SESSION_MAX_HOURS", "12"))
    except ValueError:
        value = 12.0
    return value if value > 0 else 12.0


def list_users(db: Database, actor: Actor | None) -> list[UserView]:
    """Every user, for the admin page (admin only)."""
    with db.read() as s:
        require_role(current_actor(s, actor, "list users"), "admin", action="list users")
        return [_view(u) for u in s.scalars(select(User).order_by(User.role, User.district_adcode, User.username))]


def display_names(db: Database, actor: Actor | None, usernames) -> dict[str, str]:
    """``{user name: display name}`` of ``usernames`` (those that exist), for any signed-in user: a page names
    colleagues as the consultation does ("王磊", not "wj_wang"); nothing else of their accounts is read."""
    wanted = sorted({u for u in usernames if u})
    with db.read() as s:
        current_actor(s, actor, "read names")
        if not wanted:
            return {}
        return {u: n for u, n in s.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
                if n}


# -- sign-in sessions ---------------------------------------------------------------------------


_FAILED = AuthenticationFailed(
    "sign-in failed: wrong user name or password, or the account is temporarily locked",
    key="accounts.sign_in_failed",
)


def authenticate(db: Database, username: str, password: str, *, user_agent: str = "") -> SignIn:
    """Check a password and open a server-side session.

    After ``FORECASTING_LOCKOUT_ATTEMPTS`` consecutive failures the account is locked for
    ``FORECASTING_LOCKOUT_MINUTES``. The error is the same whether the user exists, is disabled,
    is locked or typed a wrong password, and an unknown user costs the same Argon2 work.

    The Argon2 work runs outside any write transaction (issue #15: on SQLite a sign-in held the
    database-wide write lock while hashing, so concurrent sign-ins failed with "database is
    locked"); the outcome is then recorded in one short transaction that re-checks the account.
    """
    cfg = settings()
    username = normalise_username(username)
    dummy = _dummy_hash()  # made whatever the account (see _dummy_hash)
    with db.read() as s:
        row = s.scalar(select(User).where(User.username == username)) if username else None
        seen = (row.id, row.password_hash, row.locked_until) if row is not None else None
    now = utcnow()
    if seen is None or (seen[2] is not None and seen[2] > now):
        verify_password(dummy, password or "")
        good, new_hash = False, None
    else:
        good = verify_password(seen[1], password or "")
        new_hash = hash_password(password) if good and _hasher.check_needs_rehash(seen[1]) else None
    outcome: SignIn | None = None
    with db.transaction() as s:
        user = s.get(User, seen[0]) if seen is not None else None
        if user is None:
            audit.record(s, None, "login.failed", object_type="user", object_id="",
                         details={"username": username[:64], "reason": "unknown user"})
        elif user.locked_until is not None and user.locked_until > now:
            audit.record(s, actor_of(user), "login.failed", object_type="user", object_id=user.id,
                         details={"reason": "locked", "locked_until": user.locked_until.isoformat()})
        elif not good or user.password_hash != seen[1] or not user.is_active:
            reason = "disabled" if user.is_active is False else "wrong password"
            user.failed_attempts += 1
            audit.record(s, actor_of(user), "login.failed", object_type="user", object_id=user.id,
                         details={"reason": reason, "attempt": user.failed_attempts})
            if user.failed_attempts >= cfg.lockout_attempts:
                user.locked_until = now + timedelta(minutes=cfg.lockout_minutes)
                user.failed_attempts = 0
                audit.record(s, actor_of(user), "login.locked", object_type="user", object_id=user.id,
                             details={"until": user.locked_until.isoformat()})
        else:
            if new_hash is not None:
                user.password_hash = new_hash
            user.failed_attempts = 0
            user.locked_until = None
            ticket = secrets.token_urlsafe(32)
            auth = AuthSession(
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                bind_ticket_hash=_sha256(ticket),
                bind_ticket_expires_at=now + timedelta(seconds=BIND_TICKET_SECONDS),
                user_agent=(user_agent or "")[:255],
            )
            s.add(auth)
            s.flush()
            audit.record(s, actor_of(user), "login.success", object_type="auth_session", object_id=auth.id)
            outcome = SignIn(actor=actor_of(user), session_id=auth.id, bind_ticket=ticket)
    if outcome is None:
        raise _FAILED
    return outcome


def _live(s: Session, auth: AuthSession | None, now: datetime) -> Actor | None:
    """The actor of a session row if it is open, its user active and not idle too long;
    an idle session is closed (revoked) here."""
    if auth is None or auth.revoked_at is not None:
        return None
    user = s.get(User, auth.user_id)
    if user is None or not user.is_active:
        return None
    timeout = timedelta(minutes=settings().session_timeout_minutes)
    if now - auth.created_at > timedelta(hours=session_max_hours()):  # absolute lifetime (#15)
        auth.revoked_at = now
        auth.bind_ticket_hash = None
        audit.record(s, actor_of(user), "session.expired", object_type="auth_session", object_id=auth.id,
                     details={"reason": "absolute lifetime"})
        return None
    if now - auth.last_seen_at > timeout:
        auth.revoked_at = now
        auth.bind_ticket_hash = None
        audit.record(s, actor_of(user), "session.expired", object_type="auth_session", object_id=auth.id)
        return None
    if now - auth.last_seen_at > TOUCH_EVERY:
        auth.last_seen_at = now
    return actor_of(user)


def resolve_session(db: Database, session_id: int | None) -> Actor | None:
    """The signed-in actor of a server-side session id, or ``None`` when it ended or expired.
    Marks the session as used (at most once a minute)."""
    if not session_id:
        return None
    with db.transaction() as s:
        return _live(s, s.get(AuthSession, session_id), utcnow())


def resolve_token(db: Database, token: str | None) -> tuple[int, Actor] | None:
    """``(session_id, actor)`` for a cookie token, or ``None``."""
    if not token or not isinstance(token, str) or len(token) > 128:
        return None
    with db.transaction() as s:
        auth = s.scalar(select(AuthSession).where(AuthSession.token_hash == _sha256(token)))
        actor = _live(s, auth, utcnow())
        return (auth.id, actor) if actor is not None else None


def redeem_bind_ticket(db: Database, ticket: str | None) -> str | None:
    """Exchange a one-time sign-in ticket for the session's cookie token (once, within
    :data:`BIND_TICKET_SECONDS`). Returns the token, or ``None`` for a bad or used ticket."""
    if not ticket or len(ticket) > 128:
        return None
    now = utcnow()
    with db.transaction() as s:
        auth = s.scalar(select(AuthSession).where(AuthSession.bind_ticket_hash == _sha256(ticket)))
        if auth is None or auth.revoked_at is not None:
            return None
        auth.bind_ticket_hash = None
        if auth.bind_ticket_expires_at is None or auth.bind_ticket_expires_at < now:
            return None
        token = secrets.token_urlsafe(32)
        auth.token_hash = _sha256(token)
        auth.last_seen_at = now
        return token


def sign_out(db: Database, session_id: int | None) -> None:
    """End a server-side session: its cookie no longer signs anyone in."""
    if not session_id:
        return
    with db.transaction() as s:
        auth = s.get(AuthSession, session_id)
        if auth is None or auth.revoked_at is not None:
            return
        auth.revoked_at = utcnow()
        auth.bind_ticket_hash = None
        user = s.get(User, auth.user_id)
        audit.record(s, actor_of(user) if user else None, "logout", object_type="auth_session", object_id=auth.id)


def sign_out_token(db: Database, token: str | None) -> None:
    """End the session a cookie token belongs to (the ``/auth/logout`` route)."""
    if not token:
        return
    with db.read() as s:
        session_id = s.scalar(select(AuthSession.id).where(AuthSession.token_hash == _sha256(token)))
    sign_out(db, session_id)
