"""Signing with a short-lived in-process re-authentication proof (issue #16: the demo build checks each
chief's password once instead of once per signature). The proof is bound to the user, to the password
(hash) they had when it was made, and to a monotonic expiry; it cannot be made by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from consultation_data import ISSUE, agreed_session
from db_support import PASSWORD
from forecasting import accounts
from forecasting import consultation as c
from forecasting.errors import AuthenticationFailed
from forecasting.store.models import AuditEntry


@pytest.fixture
def agreed(db, users):
    """Qingpu's forecaster is the duty chief of ISSUE; all three districts submitted the same ranges."""
    return agreed_session(db, users)


def _sign(db, actor, proof):
    return c.sign_session(db, actor, ISSUE, reauth=proof, expected_version=c.get_session(db, ISSUE).version)


def _failed_signatures(db) -> int:
    with db.read() as s:
        return len(s.scalars(select(AuditEntry.id).where(AuditEntry.action == "consult.sign.failed")).all())


def test_a_fresh_proof_of_the_chief_signs(db, agreed):
    proof = accounts.reauthenticate(db, agreed["fc_qp"], PASSWORD)
    signed = _sign(db, agreed["fc_qp"], proof)
    assert (signed.state, signed.signed_by_id) == ("signed", agreed["fc_qp"].user_id)


def test_a_wrong_password_gives_no_proof(db, agreed):
    with pytest.raises(AuthenticationFailed):
        accounts.reauthenticate(db, agreed["fc_qp"], "wrong-password-1")


@pytest.mark.parametrize("spoil", ["other_user", "expired", "forged", "password_changed"])
def test_a_proof_that_does_not_hold_is_refused_like_a_wrong_password(db, agreed, spoil):
    chief = agreed["fc_qp"]
    if spoil == "other_user":  # a proof of another forecaster (who typed their own password)
        proof = accounts.reauthenticate(db, agreed["fc_wj"], PASSWORD)
    elif spoil == "expired":  # seconds=0: void at once (the expiry runs on the monotonic clock)
        proof = accounts.reauthenticate(db, chief, PASSWORD, seconds=0)
    elif spoil == "forged":  # a proof made by hand for the chief, or one with a longer life, has no valid MAC
        real = accounts.reauthenticate(db, chief, PASSWORD, seconds=1)
        proof = replace(real, expires=real.expires + 3600)
    else:  # the chief's password changed after the proof was made
        proof = accounts.reauthenticate(db, chief, PASSWORD)
        accounts.change_password(db, chief, PASSWORD, "another-Strong-pass-42")
    with pytest.raises(AuthenticationFailed):
        _sign(db, chief, proof)
    assert c.get_session(db, ISSUE).state == "consulting"
    assert _failed_signatures(db) == 1


def test_a_hand_made_proof_is_refused(db, agreed):
    chief = agreed["fc_qp"]
    with pytest.raises(AuthenticationFailed):
        _sign(db, chief, accounts.Reauthentication(chief.user_id, float("inf"), "0" * 64))
    assert c.get_session(db, ISSUE).state == "consulting"
