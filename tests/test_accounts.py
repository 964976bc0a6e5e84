"""Accounts service: Argon2id, password policy, permissions in the service, lock-out, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forecasting import accounts
from forecasting.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, ValidationError
from forecasting.permissions import Actor
from forecasting.store.models import AuditEntry, AuthSession, User
from forecasting.store.types import utcnow

from db_support import PASSWORD


def _audit(db, action):
    with db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_password_is_stored_as_argon2id(db, users):
    with db.read() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "fc_qp"))
    assert stored.startswith("$argon2id$"), stored
    assert PASSWORD not in stored
    assert accounts.verify_password(stored, PASSWORD)
    assert not accounts.verify_password(stored, PASSWORD + "x")


@pytest.mark.parametrize(
    "password, match",
    [
        ("short-1", "too short"),  # 7 < 10 characters
        ("xx-newuser-xx", "username"),  # contains the user name
        ("aaaaaaaaaaaa", "too simple"),  # one repeated character
        ("ababababab12", "too easy to guess"),  # a repeated pattern: zxcvbn score below 3 (#15)
        ("violet-kettle-92", None),  # acceptable: 10+ characters, unrelated words, zxcvbn score ≥ 3
    ],
)
def test_password_policy(password, match):
    if match is None:
        accounts.validate_password(password, "newuser", min_length=10)
    else:
        with pytest.raises(ValidationError, match=match):
            accounts.validate_password(password, "newuser", min_length=10)


FORBIDDEN_ACTIONS = {
    "create": lambda db, a: accounts.create_user(db, a, username="intruder", password="long-enough-pw", role="admin"),
    "disable": lambda db, a: accounts.disable_user(db, a, "fc_wj"),
    "enable": lambda db, a: accounts.enable_user(db, a, "fc_wj"),
    "reset": lambda db, a: accounts.reset_password(db, a, "fc_wj", "brand-new-pass-1"),
    "update": lambda db, a: accounts.update_user(db, a, "fc_wj", expected_version=1, role="admin"),
    "list": lambda db, a: accounts.list_users(db, a),
}


@pytest.mark.parametrize("who", ["fc_qp", "mgr1"])
@pytest.mark.parametrize("action", sorted(FORBIDDEN_ACTIONS))
def test_user_management_is_refused_to_non_admins(db, users, who, action):
    with pytest.raises(PermissionDenied, match="needs role admin"):
        FORBIDDEN_ACTIONS[action](db, users[who])
    # nothing changed
    with db.read() as s:
        target = s.scalar(select(User).where(User.username == "fc_wj"))
        assert target.is_active and target.role == "forecaster" and target.version == 1
        assert s.scalar(select(User).where(User.username == "intruder")) is None


def test_user_management_refused_when_signed_out(db, users):
    with pytest.raises(PermissionDenied, match="sign in"):
        accounts.list_users(db, None)


def test_display_names_for_any_signed_in_user_and_nobody_else(db, users):
    """Pages name colleagues by their display names (the data desk's "stored by"); a forecaster may read
    them, as the consultation room shows them; signed out, nothing."""
    accounts.create_user(db, users["admin1"], username="wj_wang", password=PASSWORD, role="forecaster",
                         district="320509", display_name="王磊")
    assert accounts.display_names(db, users["fc_qp"], ["wj_wang", "nobody", "", None]) == {"wj_wang": "王磊"}
    with pytest.raises(PermissionDenied, match="sign in"):
        accounts.display_names(db, None, ["wj_wang"])


def test_a_forged_actor_with_admin_role_is_reloaded_from_the_database(db, users):
    """Regression: the service must not trust the role the page passes in."""
    forged = Actor(users["fc_qp"].user_id, "fc_qp", "admin", None)
    with pytest.raises(PermissionDenied):
        accounts.disable_user(db, forged, "fc_wj")


def test_admin_manages_users_and_each_change_is_audited(db, users):
    admin = users["admin1"]
    created = accounts.create_user(db, admin, username="New.User", password="a-good-password", role="forecaster",
                                   district="320509", display_name="新人")
    assert created.username == "new.user" and created.district == "320509"
    accounts.update_user(db, admin, "new.user", expected_version=created.version, district="330421")
    accounts.reset_password(db, admin, "new.user", "another-good-pw")
    accounts.disable_user(db, admin, "new.user")
    accounts.enable_user(db, admin, "new.user")
    actions = [e.action for e in _audit(db, "user.create") + _audit(db, "user.update") + _audit(db, "user.reset_password")
               + _audit(db, "user.disable") + _audit(db, "user.enable") if e.object_id == str(created.id)]
    assert sorted(actions) == sorted(["user.create", "user.update", "user.reset_password", "user.disable", "user.enable"])
    update_row = [e for e in _audit(db, "user.update") if e.object_id == str(created.id)][0]
    assert update_row.details == {"username": "new.user", "district": ["320509", "330421"]}
    assert update_row.actor_username == "admin1"


def test_forecaster_needs_a_known_district(db, users):
    with pytest.raises(ValidationError, match="belongs to one district"):
        accounts.create_user(db, users["admin1"], username="nodistrict", password="a-good-password", role="forecaster")
    with pytest.raises(ValidationError, match="unknown district '999999'"):
        accounts.create_user(db, users["admin1"], username="baddistrict", password="a-good-password",
                             role="forecaster", district="999999")


def test_only_a_forecaster_belongs_to_a_district(db, users):
    """A tour gave a manager a district: accepted, and shown beside the name though it means nothing
    (only a forecaster's district decides what they may submit). Refused now, in the user's language;
    a forecaster made manager leaves their district."""
    admin = users["admin1"]
    for role in ("manager", "admin"):
        with pytest.raises(ValidationError, match="only a forecaster belongs to a district") as refused:
            accounts.create_user(db, admin, username=f"new_{role}", password="a-good-password", role=role,
                                 district="320509")
    assert refused.value.localized("zh") == "只有预报员隶属区县，系统管理员不设区县：请将区县选为“无”。"
    assert refused.value.localized("en").startswith("Only forecasters belong to a district; the role Administrator")
    manager = [u for u in accounts.list_users(db, admin) if u.role == "manager"][0]
    with pytest.raises(ValidationError, match="only a forecaster"):
        accounts.update_user(db, admin, manager.username, expected_version=manager.version, district="320509")
    assert [u.username for u in accounts.list_users(db, admin) if u.username.startswith("new_")] == []
    fc = [u for u in accounts.list_users(db, admin) if u.username == "fc_wj"][0]
    moved = accounts.update_user(db, admin, "fc_wj", expected_version=fc.version, role="manager")
    assert (moved.role, moved.district) == ("manager", None)
    row = [e for e in _audit(db, "user.update") if e.object_id == str(fc.id)][-1]
    assert row.details == {"username": "fc_wj", "role": ["forecaster", "manager"], "district": [fc.district, None]}


def test_duplicate_username_is_refused(db, users):
    with pytest.raises(ValidationError, match="taken"):
        accounts.create_user(db, users["admin1"], username="FC_QP", password="a-good-password", role="manager")


def test_the_names_of_system_jobs_are_reserved(db, users):
    """An account named "daily-job" would make its audit rows read as the daily job's."""
    from forecasting.i18n import t

    for name in ("daily-job", "Demo-Seed", "cli"):
        with pytest.raises(ValidationError, match="name of a system job") as err:
            accounts.create_user(db, users["admin1"], username=name, password="a-good-password", role="manager")
        assert err.value.localized("zh") == t("accounts.reserved_username", "zh", username=name.lower())
    assert not [u for u in accounts.list_users(db, users["admin1"]) if u.username in ("daily-job", "demo-seed", "cli")]


def test_stale_update_is_refused(db, users):
    admin = users["admin1"]
    view = [u for u in accounts.list_users(db, admin) if u.username == "fc_wj"][0]
    accounts.update_user(db, admin, "fc_wj", expected_version=view.version, display_name="First edit")
    with pytest.raises(Conflict, match="changed by someone else"):
        accounts.update_user(db, admin, "fc_wj", expected_version=view.version, display_name="Second edit")


def test_admin_cannot_disable_themself(db, users):
    with pytest.raises(ValidationError, match="own account"):
        accounts.disable_user(db, users["admin1"], "admin1")


def test_an_admin_cannot_change_their_own_role(db, users):
    """A tour's administrator set their own role to forecaster: accepted, and the demo was left with
    nobody who could manage users or tokens (only the command line could repair it)."""
    admin = users["admin1"]
    me = [u for u in accounts.list_users(db, admin) if u.username == "admin1"][0]
    with pytest.raises(ValidationError, match="own role") as refused:
        accounts.update_user(db, admin, "admin1", expected_version=me.version, role="forecaster", district="310118")
    assert "另一位系统管理员" in refused.value.localized("zh")
    with db.read() as s:
        assert s.scalar(select(User.role).where(User.username == "admin1")) == "admin"
    assert _audit(db, "user.update") == []
    # their own display name they may change; another admin may change their role
    assert accounts.update_user(db, admin, "admin1", expected_version=me.version, role="admin",
                                display_name="管理员甲").display_name == "管理员甲"


def test_an_admin_unlocks_a_locked_out_user_and_it_is_audited(db, users):
    """A tour found a locked user with no way to unlock them but to disable and enable the account
    or to reset the password."""
    admin = users["admin1"]
    with pytest.raises(ValidationError, match="not locked"):
        accounts.unlock_user(db, admin, "fc_js")
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, "fc_js", "wrong-password")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "fc_js", PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.unlock_user(db, users["mgr1"], "fc_js")
    view = accounts.unlock_user(db, admin, "fc_js")
    assert view.locked_until is None
    assert accounts.authenticate(db, "fc_js", PASSWORD).actor.username == "fc_js"
    [entry] = _audit(db, "user.unlock")
    assert entry.details["username"] == "fc_js" and entry.actor_username == "admin1"


def test_the_changes_made_to_an_account_are_found_by_its_user_name(db, users):
    """A tour searched the audit log for qp_chen's renames and found none: their object reads "用户 1"."""
    from forecasting import audit_view

    admin = users["admin1"]
    view = [u for u in accounts.list_users(db, admin) if u.username == "fc_wj"][0]
    accounts.update_user(db, admin, "fc_wj", expected_version=view.version, display_name="Wang Lei")
    found = audit_view.search_entries(db, admin, object_text="FC_WJ")
    assert [r.action for r in found] == ["user.update", "user.create"]
    assert audit_view.search_entries(db, admin, object_text="wang lei")[0].action == "user.update"


def test_a_change_is_found_by_the_chinese_text_of_its_details(db, users):
    """A tour searched the audit log for 王磊 (a new display name) and found nothing on SQLite, which
    keeps the details' Chinese as JSON escapes; both databases find it now, and a text not in any row
    (or a pattern character typed as text) finds nothing."""
    from forecasting import audit_view

    admin = users["admin1"]
    view = [u for u in accounts.list_users(db, admin) if u.username == "fc_wj"][0]
    renamed = accounts.update_user(db, admin, "fc_wj", expected_version=view.version, display_name="王磊（吴江）")
    accounts.update_user(db, admin, "fc_wj", expected_version=renamed.version, display_name="Wang Lei")
    # nobody is called 王磊 any more: only the two renames' details hold the name
    assert [r.action for r in audit_view.search_entries(db, admin, object_text="王磊")] == ["user.update"] * 2
    assert [r.action for r in audit_view.search_entries(db, admin, object_text="（吴江")] == ["user.update"] * 2
    assert audit_view.search_entries(db, admin, object_text="李明") == []
    assert audit_view.search_entries(db, admin, object_text="王%磊") == []
    # a person's and a district's name find the rows that name their login or adcode (陈静 → fc_qp's account,
    # 青浦区 → "310118"): the details keep codes, the table shows names
    qp = [u for u in accounts.list_users(db, admin) if u.username == "fc_qp"][0]
    accounts.update_user(db, admin, "fc_qp", expected_version=qp.version, display_name="陈静")
    found = audit_view.search_entries(db, admin, object_text="陈静")
    assert {(r.action, r.object_id) for r in found} == {("user.create", str(qp.id)), ("user.update", str(qp.id))}
    assert {r.details.get("username") for r in audit_view.search_entries(db, admin, object_text="青浦")} >= {"fc_qp"}
    assert "fc_wj" not in {r.details.get("username") for r in audit_view.search_entries(db, admin, object_text="青浦区")}


def test_a_long_bad_username_is_not_repeated_whole(db, users):
    with pytest.raises(ValidationError) as refused:
        accounts.create_user(db, users["admin1"], username="u" * 5000, password="a-Good-pass-2026!",
                             role="manager")
    text = refused.value.localized("zh")
    assert len(text) < 120 and "(5000)" in text, text


def test_unknown_user_in_management(db, users):
    with pytest.raises(NotFound, match="nobody"):
        accounts.disable_user(db, users["admin1"], "nobody")


# -- sign-in, lock-out, sessions -------------------------------------------------------------


def test_sign_in_opens_a_session_and_audits(db, users):
    result = accounts.authenticate(db, "FC_QP ", PASSWORD)
    assert result.actor.username == "fc_qp" and result.actor.district == "310118"
    assert accounts.resolve_session(db, result.session_id).username == "fc_qp"
    assert [e.object_id for e in _audit(db, "login.success")] == [str(result.session_id)]


def test_a_user_name_typed_in_full_width_letters_is_the_same_name(db, users):
    """A Chinese input method in full-width mode types "ｆｃ＿ｑｐ": the password was read in its NFKC form, the user
    name was not, so the sign-in failed as a wrong password; an administrator's new account was refused."""
    result = accounts.authenticate(db, "ｆｃ＿ｑｐ", PASSWORD)
    assert result.actor.username == "fc_qp"
    made = accounts.create_user(db, users["admin1"], username="ＦＣ＿ＷＪ２", password="Tidal-Harbour-Lantern-42",
                                role="forecaster", district="320509")
    assert made.username == "fc_wj2"


def test_failure_message_does_not_reveal_whether_the_user_exists(db, users):
    with pytest.raises(AuthenticationFailed) as wrong_pw:
        accounts.authenticate(db, "fc_qp", "wrong-password")
    with pytest.raises(AuthenticationFailed) as no_user:
        accounts.authenticate(db, "no_such_user", "wrong-password")
    assert str(wrong_pw.value) == str(no_user.value)
    assert wrong_pw.value.localized("zh") == no_user.value.localized("zh")
    reasons = [e.details["reason"] for e in _audit(db, "login.failed")]
    assert reasons == ["wrong password", "unknown user"]


def test_five_failures_lock_the_account_for_fifteen_minutes(db, users):
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, "fc_js", "wrong-password")
    accounts.authenticate(db, "fc_js", PASSWORD)  # 4 failures: not locked, and the counter resets
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, "fc_js", "wrong-password")
    with pytest.raises(AuthenticationFailed):  # now even the right password is refused
        accounts.authenticate(db, "fc_js", PASSWORD)
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "fc_js"))
        lock = user.locked_until - utcnow()
    assert timedelta(minutes=14) < lock <= timedelta(minutes=15)
    assert len(_audit(db, "login.locked")) == 1
    # after the lock has run out the right password works again
    with db.transaction() as s:
        s.execute(update(User).where(User.username == "fc_js").values(locked_until=utcnow() - timedelta(seconds=1)))
    assert accounts.authenticate(db, "fc_js", PASSWORD).actor.username == "fc_js"


def test_lockout_threshold_is_configurable(db, users, monkeypatch):
    monkeypatch.setenv("FORECASTING_LOCKOUT_ATTEMPTS", "2")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, "fc_wj", "wrong-password")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "fc_wj", PASSWORD)


def test_disabled_user_cannot_sign_in_and_loses_open_sessions(db, users):
    open_session = accounts.authenticate(db, "fc_wj", PASSWORD)
    accounts.disable_user(db, users["admin1"], "fc_wj")
    assert accounts.resolve_session(db, open_session.session_id) is None
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "fc_wj", PASSWORD)


def test_cookie_ticket_is_single_use_and_sign_out_kills_the_cookie(db, users):
    result = accounts.authenticate(db, "fc_qp", PASSWORD)
    token = accounts.redeem_bind_ticket(db, result.bind_ticket)
    assert token and token != result.bind_ticket
    assert accounts.redeem_bind_ticket(db, result.bind_ticket) is None  # second use
    session_id, actor = accounts.resolve_token(db, token)
    assert session_id == result.session_id and actor.username == "fc_qp"
    with db.read() as s:  # only the hash is stored
        assert token not in {row.token_hash for row in s.scalars(select(AuthSession))}
    accounts.sign_out(db, result.session_id)
    assert accounts.resolve_token(db, token) is None
    assert accounts.resolve_session(db, result.session_id) is None
    assert len(_audit(db, "logout")) == 1


def test_expired_ticket_is_refused(db, users):
    result = accounts.authenticate(db, "fc_qp", PASSWORD)
    with db.transaction() as s:
        s.execute(update(AuthSession).values(bind_ticket_expires_at=utcnow() - timedelta(seconds=1)))
    assert accounts.redeem_bind_ticket(db, result.bind_ticket) is None


def test_session_expires_after_inactivity(db, users, monkeypatch):
    monkeypatch.setenv("FORECASTING_SESSION_TIMEOUT_MINUTES", "30")
    result = accounts.authenticate(db, "fc_qp", PASSWORD)
    with db.transaction() as s:
        s.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    assert accounts.resolve_session(db, result.session_id) is not None  # 29 min idle: still open (and touched)
    with db.transaction() as s:
        s.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert accounts.resolve_session(db, result.session_id) is None
    assert len(_audit(db, "session.expired")) == 1


def test_change_own_password_needs_the_old_one(db, users):
    with pytest.raises(AuthenticationFailed):
        accounts.change_password(db, users["mgr1"], "not-the-password", "a-new-password-1")
    accounts.change_password(db, users["mgr1"], PASSWORD, "a-new-password-1")
    assert accounts.authenticate(db, "mgr1", "a-new-password-1")


@pytest.mark.real_argon2
def test_same_password_two_users_two_salts_with_rfc9106_parameters(sqlite_db):
    """Without the suite's per-worker cached hash: every user gets a fresh salt, and the parameters
    are RFC 9106's second recommended option (Argon2id, 64 MiB, 3 passes, 4 lanes)."""
    op = accounts.Actor.system("test")
    for name in ("salt_a", "salt_b"):
        accounts.create_user(sqlite_db, op, username=name, password=PASSWORD, role="manager", district=None)
    with sqlite_db.read() as s:
        a, b = (s.scalar(select(User.password_hash).where(User.username == n)) for n in ("salt_a", "salt_b"))
    assert a != b
    assert a.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and b.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.verify_password(a, PASSWORD) and accounts.verify_password(b, PASSWORD)
