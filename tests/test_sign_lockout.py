"""A wrong password at the signature counts like a failed sign-in (a tour signed with 8 wrong passwords in a
row, then the right one: the account never locked, so an open session could guess the chief's password
without limit). An empty box is asked for, not called a wrong password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consultation_data import ISSUE, agreed_session
from db_support import PASSWORD
from forecasting import accounts
from forecasting import consultation as c
from forecasting.config import settings
from forecasting.errors import AuthenticationFailed, ValidationError
from forecasting.store.models import AuditEntry, User


@pytest.fixture
def agreed(db, users):
    """Qingpu's forecaster is the duty chief of ISSUE; all three districts submitted the same ranges."""
    return agreed_session(db, users)


def _sign(db, actor, password):
    return c.sign_session(db, actor, ISSUE, password=password, expected_version=c.get_session(db, ISSUE).version)


def _user(db, actor) -> User:
    with db.read() as s:
        user = s.get(User, actor.user_id)
        s.expunge(user)
        return user


def _actions(db, action) -> int:
    with db.read() as s:
        return len(s.scalars(select(AuditEntry.id).where(AuditEntry.action == action)).all())


def test_wrong_signatures_lock_the_account_as_failed_sign_ins_do(db, agreed):
    chief = agreed["fc_qp"]
    attempts = settings().lockout_attempts
    assert attempts == 5  # the default (docs/security.md)
    for n in range(1, attempts):
        with pytest.raises(AuthenticationFailed) as wrong:
            _sign(db, chief, f"wrong-password-{n}")
        assert wrong.value.key == "consult.signature_failed"
        assert _user(db, chief).failed_attempts == n
    with pytest.raises(AuthenticationFailed) as locked:
        _sign(db, chief, "wrong-password-last")
    assert locked.value.key == "consult.signature_locked"
    assert _user(db, chief).locked_until is not None and _actions(db, "login.locked") == 1
    # locked: the right password signs nothing, and signing in is refused too
    with pytest.raises(AuthenticationFailed) as still:
        _sign(db, chief, PASSWORD)
    assert still.value.key == "consult.signature_locked"
    assert c.get_session(db, ISSUE).state == "consulting"
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, chief.username, PASSWORD)
    assert _actions(db, "consult.sign.failed") == attempts + 1


def test_the_right_password_ends_a_run_of_wrong_ones(db, agreed):
    chief = agreed["fc_qp"]
    for n in range(settings().lockout_attempts - 1):
        with pytest.raises(AuthenticationFailed):
            _sign(db, chief, f"wrong-password-{n}")
    assert _sign(db, chief, PASSWORD).state == "signed"
    assert _user(db, chief).failed_attempts == 0 and _user(db, chief).locked_until is None


def test_an_empty_password_is_asked_for_and_not_counted(db, agreed):
    chief = agreed["fc_qp"]
    for typed in ("", "   "):
        with pytest.raises(ValidationError) as empty:
            _sign(db, chief, typed)
        assert empty.value.key == "consult.password_required"
    assert _user(db, chief).failed_attempts == 0 and _actions(db, "consult.sign.failed") == 0
    assert c.get_session(db, ISSUE).state == "consulting"


def test_a_wrong_password_to_confirm_counts_too(db, agreed):
    chief = agreed["fc_qp"]
    with pytest.raises(AuthenticationFailed):
        accounts.reauthenticate(db, chief, "wrong-password-1")
    assert _user(db, chief).failed_attempts == 1 and _actions(db, "user.reauthenticate.failed") == 1
