"""A password an administrator set (a new account on the users page, a reset) is known to them: its user chooses
their own before doing anything else, in the services and on the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD
from forecasting.errors import PermissionDenied, ValidationError

GIVEN = "temporary-Pass-4417"
OWN = "qingpu-own-secret-8823"


def _flag(db, username: str) -> bool:
    from forecasting.store.models import User

    with db.read() as s:
        return s.scalar(select(User.password_must_change).where(User.username == username))


def test_an_account_an_administrator_made_does_nothing_before_its_own_password(db, users):
    from forecasting import accounts
    from forecasting.tokens import create_token

    admin = users["admin1"]
    view = accounts.create_user(db, admin, username="fc_new", password=GIVEN, role="forecaster", district="310118")
    me = accounts.Actor(view.id, view.username, view.role, view.district, view.display_name)
    assert _flag(db, "fc_new") is True and accounts.password_must_change(db, me.user_id)
    assert view.password_must_change  # the users page says "启用 · 待设置自己的密码"
    with pytest.raises(PermissionDenied) as refused:  # any service: here a personal API token
        create_token(db, me, name="wrf")
    assert refused.value.key == "accounts.must_change_password"
    assert refused.value.localized("zh") == "您的密码由管理员设置：请先在“我的账户”页设置只有您自己知道的新密码。"
    with pytest.raises(ValidationError) as same:  # the administrator's password again is no password of one's own
        accounts.change_password(db, me, GIVEN, GIVEN)
    assert same.value.key == "accounts.same_as_given" and _flag(db, "fc_new") is True
    accounts.change_password(db, me, GIVEN, OWN)
    assert _flag(db, "fc_new") is False
    create_token(db, me, name="wrf")  # now it may act
    # a reset by an administrator: theirs again to replace
    accounts.reset_password(db, admin, "fc_new", "another-Temp-5521")
    assert _flag(db, "fc_new") is True
    with pytest.raises(PermissionDenied):
        create_token(db, me, name="again")


def test_the_operator_and_an_administrator_for_themselves_set_passwords_as_before(db, users):
    """The command line's operator (the server's shell; the demo world) and an administrator resetting their own
    password set a password its user already knows."""
    from forecasting import accounts
    from forecasting.permissions import Actor

    accounts.create_user(db, Actor.system("cli"), username="fc_cli", password=GIVEN, role="forecaster",
                         district="320509")
    assert _flag(db, "fc_cli") is False
    accounts.reset_password(db, Actor.system("cli"), "fc_qp", GIVEN)
    assert _flag(db, "fc_qp") is False
    accounts.reset_password(db, users["admin1"], "admin1", GIVEN)
    assert _flag(db, "admin1") is False


def test_the_pages_open_only_the_account_page_until_the_password_is_the_users_own(sqlite_url, monkeypatch):
    from forecasting import accounts
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    db = get_database(sqlite_url)
    admin = accounts.create_user(db, Actor.system("t"), username="admin1", password=PASSWORD, role="admin")
    accounts.create_user(db, Actor(admin.id, admin.username, admin.role), username="mgr_new", password=GIVEN,
                         role="manager")
    at = sign_in(new_app(), "mgr_new", GIVEN)
    assert not at.exception, at.exception
    assert "请先设置只有您自己知道的新密码" in texts(at)  # the account page, with why
    assert "我的账户" in texts(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(at, "reports.py")  # no other page's script is served (its address says why: see below)
    boxes = at.text_input
    boxes[0].input(GIVEN)
    boxes[1].input(OWN)
    boxes[2].input(OWN)
    [b for b in at.button if b.label == "保存"][0].click().run()  # the form's save button
    assert not at.exception, at.exception
    assert "密码已修改。" in texts(at)
    assert "请先设置只有您自己知道的新密码" not in texts(at)
    goto(at, "reports.py")
    assert not at.exception, at.exception
    assert "之后才能打开" not in texts(at) and "会商报告" in texts(at)


def test_every_other_address_says_why_and_leads_to_the_account_page(monkeypatch):
    """Every page of the table keeps its address while the password is not the user's own: a hidden stand-in
    that says why (never the page's own script), the account page the only one listed."""
    from pathlib import Path
    from types import SimpleNamespace

    import streamlit as st

    from forecasting.permissions import Actor
    from ui import navigation

    got = {}

    def page(target, **kw):  # st.Page outside a running app does not keep its arguments: record them
        stem = kw.get("url_path") or Path(str(target)).stem
        return SimpleNamespace(target=target, url_path=stem, visibility=kw.get("visibility", "visible"),
                               default=kw.get("default", False))

    monkeypatch.setattr(st, "Page", page)
    monkeypatch.setattr(st, "navigation", lambda pages, **kw: got.update(pages=pages, **kw))
    navigation.build(Actor(7, "mgr_new", "manager"), must_change_password=True)
    pages = {p.url_path: p for p in got["pages"]}
    assert got["position"] == "hidden"
    # every page's address, the home page's both ("/home" was Streamlit's English "Page not found")
    assert {f[:-3] for f, *_ in navigation.PAGE_TABLE} | {"index"} <= set(pages)
    listed = [p for p in pages.values() if p.visibility == "visible"]
    assert [str(p.target).endswith("account.py") and p.default for p in listed] == [True]
    assert all(callable(p.target) for p in pages.values() if p.visibility == "hidden")


def test_the_operator_may_give_a_temporary_password_at_the_command_line(db, users, monkeypatch, capsys):
    """``users add --temporary`` and ``users reset-password --temporary``: the operator (who then knows the
    password) makes its user replace it, as an administrator's page does."""
    import io

    from forecasting.cli import main

    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(GIVEN + "\n"))
    assert main(["users", "add", "mgr_tmp", "--role", "manager", "--temporary"]) == 0
    assert "they choose their own password at their first sign-in" in capsys.readouterr().out
    assert _flag(db, "mgr_tmp") is True
    monkeypatch.setattr("sys.stdin", io.StringIO(GIVEN + "\n"))
    assert main(["users", "reset-password", "fc_js", "--temporary"]) == 0
    assert _flag(db, "fc_js") is True
    monkeypatch.setattr("sys.stdin", io.StringIO(GIVEN + "\n"))
    assert main(["users", "reset-password", "fc_js"]) == 0  # without the flag: as before
    assert _flag(db, "fc_js") is False
