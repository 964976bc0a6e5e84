"""AppTest tests of the shell: sign-in, sign-out, navigation per role, language switch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD


@pytest.fixture
def app_env(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    return sqlite_url


@pytest.fixture
def cast(app_env):
    from forecasting import accounts
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    db = get_database(app_env)
    for username, role, district in [("admin1", "admin", None), ("fc_qp", "forecaster", "310118"), ("mgr1", "manager", None)]:
        accounts.create_user(db, Actor.system("t"), username=username, password=PASSWORD, role=role, district=district)
    return db


def _page_titles(at) -> list[str]:
    return [str(el.value) for el in at.title]


def test_signed_out_sees_only_the_sign_in_form(cast):
    at = new_app()
    at.run()
    assert not at.exception
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    assert "登录" in [b.label for b in at.button]


def test_wrong_password_shows_a_clear_message_in_chinese(cast):
    at = sign_in(new_app(), "fc_qp", "not-the-password")
    assert not at.exception
    assert [e.value for e in at.error] == ["登录失败：用户名或密码错误，或账户已被暂时锁定。"]
    assert at.text_input(key="signin_username").value == "fc_qp"  # the form is still there


def test_forecaster_signs_in_and_sees_home(cast):
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    assert not at.exception, at.exception
    assert "您好，fc_qp（青浦区）" in texts(at)  # the district once, beside the name
    assert "当前用户：fc\\_qp（青浦区）" in texts(at) or "当前用户：fc_qp（青浦区）" in texts(at)
    assert "角色：预报员 · 青浦区" in texts(at)


def test_sign_out_returns_to_the_sign_in_page_and_ends_the_session(cast):
    from sqlalchemy import select

    from forecasting.store.models import AuthSession

    at = sign_in(new_app(), "fc_qp", PASSWORD)
    at.button(key="sign_out").click().run()
    assert not at.exception
    assert "您已安全退出。" in texts(at)
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    with cast.read() as s:
        sessions = list(s.scalars(select(AuthSession)))
    assert len(sessions) == 1 and sessions[0].revoked_at is not None


@pytest.mark.parametrize(
    "username, visible, hidden",
    [
        ("admin1", ["home.py", "account.py", "admin_users.py", "audit_log.py"], []),
        ("mgr1", ["home.py", "account.py"], ["admin_users.py", "audit_log.py"]),
        ("fc_qp", ["home.py", "account.py"], ["admin_users.py", "audit_log.py"]),
    ],
)
def test_navigation_per_role(cast, username, visible, hidden):
    from forecasting import accounts

    from ui.navigation import allowed_pages

    actor = accounts.authenticate(cast, username, PASSWORD).actor
    allowed = allowed_pages(actor)
    assert all(p in allowed for p in visible)
    assert not any(p in allowed for p in hidden)


def test_manager_cannot_reach_the_admin_page(cast):
    at = sign_in(new_app(), "mgr1", PASSWORD)
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        goto(at, "admin_users.py")
    known = str(refused.value).split("Known pages:")[1]
    assert "home.py" in known and "admin_users.py" not in known and "audit_log.py" not in known
    assert "全部用户" not in texts(at)


def test_every_page_address_answers_a_role_that_may_not_open_it_in_words(cast, monkeypatch):
    """A manager who typed /chief_desk saw Streamlit's English "Page not found … Running the app's main
    page". Every page of the table now has its address for every role: the allowed ones their script,
    the others a hidden stand-in that says why (never the page's own script); signed out, every address
    leads to the sign-in."""
    from pathlib import Path
    from types import SimpleNamespace

    import streamlit as st

    from forecasting import accounts
    from ui import navigation

    got = {}

    def page(target, **kw):  # st.Page outside a running app does not keep its arguments: record them
        stem = kw.get("url_path") or ("" if kw.get("default") else Path(str(target)).stem)
        return SimpleNamespace(target=target, url_path=stem, visibility=kw.get("visibility", "visible"))

    monkeypatch.setattr(st, "Page", page)
    monkeypatch.setattr(st, "navigation", lambda pages, **kw: got.update(pages=pages, **kw))
    manager = accounts.authenticate(cast, "mgr1", PASSWORD).actor
    navigation.build(manager)
    pages = {p.url_path: p for section in got["pages"].values() for p in section}
    stems = {f[:-3] for f, *_ in navigation.PAGE_TABLE} - {"home"}  # home is the default page ("")
    assert stems <= set(pages)
    for stem in ("chief_desk", "admin_users", "audit_log"):
        assert pages[stem].visibility == "hidden" and callable(pages[stem].target)
    assert pages["reports"].visibility == "visible" and str(pages["reports"].target).endswith("reports.py")
    assert len(got["pages"]) == 3  # no section of hidden pages only (its header would show)
    navigation.build(None)
    signed_out = {p.url_path: p for p in got["pages"]}
    assert stems <= set(signed_out) and all(str(p.target).endswith("sign_in.py") for p in signed_out.values())


def test_admin_page_lists_users_and_creates_one(cast):
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "admin_users.py")
    assert not at.exception, at.exception
    assert _page_titles(at) == ["用户管理"]
    table = at.dataframe[0].value
    assert sorted(table["用户名"]) == ["admin1", "fc_qp", "mgr1"]
    at.text_input(key="new_username").input("js_new")
    at.selectbox(key="new_role").select("forecaster")
    at.selectbox(key="new_district").select("330421")
    at.text_input(key="new_password").input("a-fine-password")
    [b for b in at.button if b.label == "创建"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert "已创建用户 js_new。其首次登录后须先设置自己的密码" in texts(at)
    table = at.dataframe[0].value.set_index("用户名")
    # the administrator typed js_new's password: it is theirs to replace, and the list says so
    assert table.loc["js_new", "状态"] == "启用 · 待设置自己的密码" and table.loc["mgr1", "状态"] == "启用"


def test_admin_page_refuses_a_bad_password_in_the_users_language(cast):
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "admin_users.py")
    at.text_input(key="new_username").input("short_pw")
    at.selectbox(key="new_role").select("manager")
    at.text_input(key="new_password").input("abc")
    [b for b in at.button if b.label == "创建"][0].click()
    at.run()
    assert [e.value for e in at.error] == ["密码太短：至少需要 10 个字符。"]


def test_language_switch_to_english(cast):
    at = sign_in(new_app(), "fc_qp", PASSWORD)
    at.segmented_control(key="lang_switch").set_value("en").run()
    assert not at.exception, at.exception
    assert "Hello, fc_qp" in texts(at)
    assert "Role: Forecaster · Qingpu" in texts(at)
    assert at.button(key="sign_out").label == "Sign out"


def test_demo_banner_only_in_demo_mode(cast):
    from forecasting.demo.world import mark_demo

    at = new_app()
    at.run()
    assert "演示数据" not in texts(at)
    mark_demo(cast)
    at = new_app()
    at.run()
    assert "演示数据：本系统当前运行在演示模式" in texts(at) and "此后" not in texts(at)
    assert "今日轮值首席" not in texts(at)  # no rota: no duty to name


def test_the_demo_sign_in_names_todays_duty_chief_and_deputy(cast):
    """The sign-in page listed eleven demo accounts and not whom to sign in as to try the chief's desk (the
    seat rotates weekly): it names today's chief and deputy, from the rota's turn covering today."""
    from forecasting import accounts
    from forecasting.demo.world import BUILD_KEY, mark_demo
    from forecasting.permissions import Actor
    from forecasting.store.consultation import RotaTurn
    from forecasting.store.models import AppMeta, User
    from forecasting.vocab import beijing_today

    mark_demo(cast)
    accounts.create_user(cast, Actor.system("t"), username="fc_qp2", password=PASSWORD, role="forecaster",
                         district="310118")
    with cast.transaction() as s:
        s.merge(AppMeta(key=BUILD_KEY, value="complete"))  # a finished world (else the page says it is building)
        ids = {u.username: u.id for u in s.query(User)}
        today = beijing_today()
        s.add(RotaTurn(start_date=today - timedelta(days=2), end_date=today + timedelta(days=4), district="310118",
                       chief_id=ids["fc_qp2"], deputy_id=ids["fc_qp"]))
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    assert "今日轮值首席 fc_qp2，副班 fc_qp（首席工作台）" in texts(at)


def test_a_demo_world_of_an_earlier_day_says_so_and_how_to_build_one_for_today(cast):
    """A demo world is built for one day (its ``demo_day``, which the build writes): a newcomer back days later
    met a room of "模式 0/3 已到" and no session, and nothing said why. The banner says since when, and the
    command that builds a world for today; a world of today says nothing more."""
    from forecasting.consultation import beijing_today
    from forecasting.demo.world import DAY_KEY, mark_demo
    from forecasting.store.models import AppMeta

    mark_demo(cast)
    for built_for, stale in ((beijing_today() - timedelta(days=3), True), (beijing_today(), False)):
        with cast.transaction() as s:
            s.merge(AppMeta(key=DAY_KEY, value=built_for.isoformat()))
        at = new_app()
        at.run()
        assert not at.exception, at.exception
        banner = [w.value for w in at.warning if "演示数据" in w.value]
        assert len(banner) == 1, banner
        said = f"演示数据按 {built_for.isoformat()} 生成，此后 3 天没有新的模式、观测与会商" in banner[0]
        assert said == stale and ("make demo-fresh" in banner[0]) == stale, banner


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_address_that_is_no_page_says_so_in_chinese_once(cast, signed_in):
    """server.py sends /room (no such page) to /?missing=room: the home page (or the sign-in) says so, in the
    user's language and as text, and the next run no longer does."""
    at = sign_in(new_app(), "fc_qp", PASSWORD) if signed_in else new_app()
    at.query_params["missing"] = "room*<b>"
    at.run()
    assert not at.exception, at.exception
    # the Markdown source: CommonMark backslash escapes, so that the name shows as typed (room*<b>), never as markup
    assert [w.value for w in at.warning if "页面" in w.value] == [
        "没有名为“room\\*\\<b\\>”的页面，已为您打开首页。请从左侧菜单选择页面。"]
    assert "missing" not in at.query_params
    at.run()
    assert not [w for w in at.warning if "没有名为" in w.value]
