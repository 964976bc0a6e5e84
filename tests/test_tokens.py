"""Personal API tokens: created and revoked by their owner or an admin, stored hashed, every use audited;
the ``tokens`` command line."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from forecasting import tokens
from forecasting.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, ValidationError
from forecasting.permissions import Actor


def test_owner_creates_a_token_that_is_stored_only_hashed(db, users):
    from forecasting.store.reports import ApiToken

    view, secret = tokens.create_token(db, users["fc_wj"], name="wrf post-processor")
    assert view.username == "fc_wj" and view.active and len(secret) >= 43  # token_urlsafe(32)
    with db.read() as s:
        row = s.get(ApiToken, view.id)
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (row.token_hash, row.prefix, row.name) and row.prefix == secret[:8]
    actor = tokens.authenticate_token(db, secret, method="POST", path="/api/v1/x")
    assert (actor.username, actor.district) == ("fc_wj", "320509")


def test_every_use_and_refusal_is_audited(db, users):
    from forecasting.audit import recent

    _view, secret = tokens.create_token(db, users["fc_qp"])
    tokens.authenticate_token(db, secret, method="GET", path="/api/v1/forecasts/latest")
    with pytest.raises(AuthenticationFailed):
        tokens.authenticate_token(db, "not-a-token", method="POST", path="/p")
    with pytest.raises(AuthenticationFailed):
        tokens.authenticate_token(db, "", method="POST", path="/p")
    with db.read() as s:
        actions = [(a.action, a.actor_username, a.details.get("path")) for a in recent(s, action_prefix="token.")]
    assert actions[:3] == [("token.refused", "system", "/p"), ("token.use", "fc_qp", "/api/v1/forecasts/latest"),
                           ("token.create", "fc_qp", None)]


def test_only_owner_or_admin_manage_tokens(db, users):
    view, _secret = tokens.create_token(db, users["fc_wj"])
    with pytest.raises(PermissionDenied, match="may not create an API token for fc_wj"):
        tokens.create_token(db, users["fc_qp"], "fc_wj")
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(db, users["mgr1"], view.id)
    # an administrator may not hold a secret that acts as someone else (a tour made one for js_zhou and
    # could have submitted in her name); the operator at the command line still provisions
    with pytest.raises(PermissionDenied, match="may not create an API token for fc_wj") as refused:
        tokens.create_token(db, users["admin1"], "fc_wj", name="for wujiang")
    assert refused.value.key == "tokens.only_own"
    admin_view, _ = tokens.create_token(db, Actor.system("cli"), "fc_wj", name="for wujiang")
    assert admin_view.created_by == "cli" and admin_view.username == "fc_wj"
    assert [t.id for t in tokens.list_tokens(db, users["fc_wj"])] == [view.id, admin_view.id]
    assert tokens.list_tokens(db, users["fc_qp"]) == []
    assert len(tokens.list_tokens(db, users["admin1"])) == 2  # the administrator sees and may revoke them all
    tokens.revoke_token(db, users["admin1"], admin_view.id)
    with pytest.raises(NotFound):
        tokens.revoke_token(db, users["admin1"], 9999)
    with pytest.raises(ValidationError):
        tokens.create_token(db, users["fc_wj"], name="x" * 200)


def test_revoked_token_and_disabled_owner_are_refused(db, users):
    from forecasting import accounts

    view, secret = tokens.create_token(db, users["fc_js"])
    other, secret2 = tokens.create_token(db, users["fc_js"])
    tokens.revoke_token(db, users["fc_js"], view.id)
    with pytest.raises(Conflict, match="already revoked"):
        tokens.revoke_token(db, users["admin1"], view.id)
    with pytest.raises(AuthenticationFailed):
        tokens.authenticate_token(db, secret)
    assert tokens.authenticate_token(db, secret2).username == "fc_js"
    accounts.disable_user(db, Actor.system("t"), "fc_js")
    with pytest.raises(AuthenticationFailed):
        tokens.authenticate_token(db, secret2)


def test_cli_create_prints_the_token_once_then_list_and_revoke(sqlite_db, sqlite_url, monkeypatch, capsys):
    from forecasting import accounts
    from forecasting.cli import main
    from forecasting.store.reports import ApiToken

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    accounts.create_user(sqlite_db, Actor.system("t"), username="fc_wj", password="correct-horse-9",
                         role="forecaster", district="320509")
    assert main(["tokens", "create", "fc_wj", "--name", "cron"]) == 0
    out = capsys.readouterr().out.splitlines()
    secret = out[1]
    assert out[0].startswith("created API token #1 for fc_wj")
    assert tokens.authenticate_token(sqlite_db, secret).username == "fc_wj"
    assert main(["tokens", "list"]) == 0
    listed = capsys.readouterr().out
    assert "fc_wj" in listed and "active" in listed and secret not in listed
    assert main(["tokens", "revoke", "1"]) == 0
    assert "revoked API token #1" in capsys.readouterr().out
    assert main(["tokens", "revoke", "1"]) == 2
    assert "already revoked" in capsys.readouterr().err
    assert main(["tokens", "create", "nobody"]) == 2
    with sqlite_db.read() as s:
        assert s.scalar(select(ApiToken.revoked_by)) == "cli"
