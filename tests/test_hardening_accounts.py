"""Issue #15 items 5 and 13: a password change ends the other sessions and counts wrong old
passwords like sign-ins; every session has an absolute lifetime."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from db_support import PASSWORD
from forecasting import accounts
from forecasting.errors import AuthenticationFailed
from forecasting.store.models import AuditEntry, AuthSession
from forecasting.store.types import utcnow


def _actions(db, action):
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_password_change_ends_every_other_session(db, users):
    """Regression: other sessions stayed signed in after a password change."""
    mine = accounts.authenticate(db, "mgr1", PASSWORD)
    other = accounts.authenticate(db, "mgr1", PASSWORD)
    token = accounts.redeem_bind_ticket(db, other.bind_ticket)
    assert accounts.resolve_token(db, token) is not None
    ended = accounts.change_password(db, users["mgr1"], PASSWORD, "Tq8!vLm#2pZr-new", keep_session_id=mine.session_id)
    assert ended == 1
    assert accounts.resolve_session(db, other.session_id) is None and accounts.resolve_token(db, token) is None
    assert accounts.resolve_session(db, mine.session_id) is not None


def test_wrong_old_passwords_are_counted_audited_and_lock(db, users, monkeypatch):
    """Regression: a stolen session could guess the password without limit or trace."""
    monkeypatch.setenv("FORECASTING_LOCKOUT_ATTEMPTS", "3")
    from forecasting.config import settings

    if hasattr(settings, "cache_clear"):
        settings.cache_clear()
    try:
        for _ in range(3):
            with pytest.raises(AuthenticationFailed):
                accounts.change_password(db, users["mgr1"], "guess", "Tq8!vLm#2pZr-new")
        assert len(_actions(db, "user.change_password.failed")) == 3
        assert len(_actions(db, "login.locked")) == 1
        with pytest.raises(AuthenticationFailed):  # locked: even the right password is refused
            accounts.change_password(db, users["mgr1"], PASSWORD, "Tq8!vLm#2pZr-new")
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, "mgr1", PASSWORD)
    finally:
        if hasattr(settings, "cache_clear"):
            settings.cache_clear()


def test_sessions_have_an_absolute_lifetime(db, users, monkeypatch):
    """Regression: a session kept alive by activity never ended."""
    monkeypatch.setenv("FORECASTING_SESSION_MAX_HOURS", "12")
    result = accounts.authenticate(db, "mgr1", PASSWORD)
    with db.transaction() as s:  # active a minute ago, but signed in 12 h 1 min ago
        s.execute(update(AuthSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1),
                                             last_seen_at=utcnow() - timedelta(minutes=1)))
    assert accounts.resolve_session(db, result.session_id) is None
    assert _actions(db, "session.expired")[0].details == {"reason": "absolute lifetime"}


def test_sign_in_hashes_outside_the_write_transaction(db, users, monkeypatch):
    """Regression: sign-in ran Argon2 inside BEGIN IMMEDIATE, so on SQLite concurrent sign-ins (and
    every other writer) queued behind it and failed with "database is locked"."""
    import sqlite3

    from sqlalchemy.engine import make_url

    if not db.is_sqlite:
        pytest.skip("SQLite's database-wide write lock is what this guards")
    real = accounts.verify_password
    seen = []

    def probing(stored_hash, password):
        other = sqlite3.connect(make_url(db.url).database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if a write transaction is open
            other.execute("ROLLBACK")
            seen.append("free")
        finally:
            other.close()
        return real(stored_hash, password)

    monkeypatch.setattr(accounts, "verify_password", probing)
    accounts.authenticate(db, "mgr1", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "mgr1", "wrong-password")
    accounts.change_password(db, users["mgr1"], PASSWORD, "Tq8!vLm#2pZr-new")
    assert seen == ["free", "free", "free"]


@pytest.mark.parametrize("weak, key", [
    ("1234567890", "hard15.password_weak"),
    ("password12", "hard15.password_weak"),
    (" " * 12 + "abcd", "hard15.password_weak"),
    # a district's name and the year (a tour's new Jiashan forecaster got it through): zxcvbn scored it 4
    ("jiashan2026", "hard15.password_weak"),
    ("qingpu2026", "hard15.password_weak"),
    ("correct\u200bhorse-9x", "hard15.password_invisible"),
    ("correct\u202ehorse-9x", "hard15.password_invisible"),
    ("correct\x07horse-9x", "hard15.password_invisible"),
])
def test_password_policy_refuses_guessable_and_invisible(weak, key):
    """Regression (#15 item 14): these passwords were accepted."""
    from forecasting.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        accounts.validate_password(weak, "someone", min_length=10)
    assert err.value.key == key


def test_passwords_are_nfkc_normalised():
    stored = accounts.hash_password("ｃｏｒｒｅｃｔ-ｈｏｒｓｅ-９")  # full-width, as some input methods type it
    assert accounts.verify_password(stored, "correct-horse-9")
    accounts.validate_password("correct-horse-9", "someone", min_length=10)
