"""Issue #18: admin pages for people. The audit log in words with filters and a formula-escaped CSV;
the users page with last sign-in, sessions and tokens; the manage-user panel starts empty."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from apptest_support import goto, new_app, sign_in
from db_support import PASSWORD


@pytest.fixture
def cast(sqlite_url, monkeypatch):
    from forecasting import accounts
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    db = get_database(sqlite_url)
    for username, role, district in [("admin1", "admin", None), ("fc_qp", "forecaster", "310118"),
                                     ("mgr1", "manager", None)]:
        accounts.create_user(db, Actor.system("t"), username=username, password=PASSWORD, role=role,
                             district=district, display_name="=cmd|' /C calc'!A0" if username == "mgr1" else None)
    return db


def _admin(db):
    from forecasting import accounts
    from forecasting.permissions import Actor

    return next(accounts.Actor(u.id, u.username, u.role, u.district, u.display_name)
                for u in accounts.list_users(db, Actor.system("t")) if u.username == "admin1")


def test_action_labels_filters_and_formula_escaped_csv(cast):
    from forecasting import audit_view
    from forecasting.errors import ValidationError

    at = sign_in(new_app(), "admin1", PASSWORD)  # writes login.success for admin1
    admin = _admin(cast)
    assert audit_view.action_label("login.success") == "登录成功"
    assert audit_view.action_label("user.create", "en") == "Created a user"
    rows = audit_view.search_entries(cast, admin, username="admin1", action="login")
    assert rows and all(r.action.startswith("login.") and r.actor_username == "admin1" for r in rows)
    created = audit_view.search_entries(cast, admin, action="user.create", object_text="USER")
    assert len(created) == 3
    # the object as the table writes it finds exactly that object (a tour typed "User 12" and got nothing)
    one = created[0]
    for shown in (audit_view.object_label(one.object_type, one.object_id, "en"),
                  audit_view.object_label(one.object_type, one.object_id, "zh")):
        found = audit_view.search_entries(cast, admin, object_text=shown)
        assert found and {(r.object_type, r.object_id) for r in found} == {(one.object_type, one.object_id)}
    # the actor by the name the table shows (a tour typed 陈静 and got "共 0 条记录"; qp_chen gave 21)
    from forecasting import accounts
    me = next(u for u in accounts.list_users(cast, admin) if u.username == "admin1")
    accounts.update_user(cast, admin, "admin1", expected_version=me.version, display_name="陈静")
    by_login = audit_view.search_entries(cast, admin, username="admin1")
    assert by_login and {r.actor_username for r in by_login} == {"admin1"}
    for typed in ("陈静", "陈静（admin1）", "陈静 (admin1)"):
        assert [r.id for r in audit_view.search_entries(cast, admin, username=typed)] == [r.id for r in by_login], typed
    assert audit_view.search_entries(cast, admin, username="陈") == []  # a name, not a fragment of one
    # the changes made to an account, found by its user name (their object reads "用户 1"), and read
    # old → new in the CSV export too
    about = audit_view.search_entries(cast, admin, object_text="admin1")
    assert [r.action for r in about] == ["user.update", "user.create"], [r.action for r in about]
    assert audit_view.details_text(about[0].details).endswith("display_name: admin1 → 陈静"), about[0].details
    assert audit_view.search_entries(cast, admin, object_text="1")  # digits: the object id only, as before
    assert audit_view.search_entries(cast, admin, first=date(2000, 1, 1), last=date(2000, 1, 2)) == []
    with pytest.raises(ValidationError, match="at most"):
        audit_view.search_entries(cast, admin, username="x" * 100)
    with pytest.raises(ValidationError, match="before"):
        audit_view.search_entries(cast, admin, first=date(2026, 2, 2), last=date(2026, 2, 1))
    # the CSV: a details value starting with "=" (a display name) is escaped, words and codes both present
    data = audit_view.entries_csv(audit_view.search_entries(cast, admin), "zh").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(data)))
    assert "操作代码" in table[0]
    cells = [c for row in table[1:] for c in row]
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    assert "创建用户" in cells and "user.create" in cells
    # a manager may not read the trail
    from forecasting import accounts
    from forecasting.errors import ForecastingError

    mgr = next(accounts.Actor(u.id, u.username, u.role, u.district, u.display_name)
               for u in accounts.list_users(cast, admin) if u.username == "mgr1")
    with pytest.raises(ForecastingError):
        audit_view.search_entries(cast, mgr)
    # the page
    goto(at, "audit_log.py")
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert "登录成功" in set(shown["操作"]) and "{" not in "".join(shown["详情"].astype(str))
    at.text_input(key="audit_user").input("nobody").run()
    # no table (an empty one read "empty", in English), a sentence instead
    assert not at.dataframe and [i.value for i in at.info] == ["没有符合筛选条件的记录。"]


def test_users_page_shows_last_sign_in_sessions_tokens_and_no_default_user(cast):
    from forecasting import audit_view

    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "admin_users.py")
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("用户名")
    assert table.loc["fc_qp", "最近登录"] == "从未登录"
    assert table.loc["admin1", "最近登录"] != "从未登录"
    assert table.loc["admin1", "在线会话"] >= 1 and table.loc["fc_qp", "API 令牌"] == 0
    assert at.selectbox(key="manage_user").value is None  # nobody picked: no admin account by default
    assert not [b for b in at.button if b.label in ("停用", "Disable")]
    activity = audit_view.user_activity(cast, _admin(cast))
    assert activity[_admin(cast).user_id].last_sign_in is not None


def test_a_locked_user_is_unlocked_from_the_users_page_and_the_change_reads_old_to_new(cast):
    """A tour found no way to unlock a locked-out user, and read a role change in the audit log as
    "角色: 预报员、管理人员；display_name: …" (a list and a code, not a change)."""
    from forecasting import accounts
    from forecasting.errors import AuthenticationFailed

    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(cast, "fc_qp", "wrong-password")
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "admin_users.py")
    assert at.dataframe[0].value.set_index("用户名").loc["fc_qp", "状态"].startswith("已锁定至")
    at.selectbox(key="manage_user").set_value("fc_qp").run()
    at.button(key="unlock_user").click().run()
    assert not at.exception, at.exception
    assert any("已解锁 fc_qp" in str(m.value) for m in at.success), [m.value for m in at.success]
    assert at.dataframe[0].value.set_index("用户名").loc["fc_qp", "状态"] == "启用"
    assert not [b for b in at.button if b.key == "unlock_user"]
    assert accounts.authenticate(cast, "fc_qp", PASSWORD).actor.username == "fc_qp"
    # a change in the audit log: old → new, the field in words
    view = next(u for u in accounts.list_users(cast, _admin(cast)) if u.username == "mgr1")
    accounts.update_user(cast, _admin(cast), "mgr1", expected_version=view.version, role="forecaster",
                         district="310118", display_name="孙经理")
    goto(at, "audit_log.py")
    details = " ".join(str(v) for v in at.dataframe[0].value["详情"])
    assert "角色：管理人员 → 预报员" in details and "显示名：" in details and "display_name" not in details, details


def _audit_codes() -> tuple[set[str], set[str]]:
    """Every action code and object type the code writes into the audit trail (read from the source:
    ``audit.record(s, actor, "<action>", object_type="<type>")``, ``action="<code>"`` keywords and
    defaults, and the note kinds of ``consult.<kind>.add``)."""
    import ast
    from pathlib import Path

    import forecasting

    actions, objects = {"consult.note.add", "consult.conclusion.add"}, set()
    for path in Path(forecasting.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                if (isinstance(f, ast.Attribute) and f.attr == "record" and getattr(f.value, "id", "") == "audit"
                        and len(node.args) >= 3):
                    actions |= {c.value for c in ast.walk(node.args[2]) if isinstance(c, ast.Constant)
                                and isinstance(c.value, str) and "." in c.value.strip(".") and not c.value.endswith(".")
                                and not c.value.startswith(".")}
                    if isinstance(node.args[2], ast.Constant) and isinstance(node.args[2].value, str):
                        actions.add(node.args[2].value)  # single words such as "logout"
                for kw in node.keywords:
                    if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        if kw.arg == "action" and "." in kw.value.value:
                            actions.add(kw.value.value)
                        if kw.arg == "object_type":
                            objects.add(kw.value.value)
            if isinstance(node, ast.arguments):
                pairs = list(zip(node.args[len(node.args) - len(node.defaults):], node.defaults))
                pairs += list(zip(node.kwonlyargs, node.kw_defaults))
                actions |= {d.value for a, d in pairs if a.arg == "action" and isinstance(d, ast.Constant)
                            and isinstance(d.value, str) and "." in d.value}
    return actions, objects


def test_every_audit_action_and_object_has_words_in_both_languages():
    """The audit log shows actions and objects in words: a code the app writes without a label showed
    as itself (``consult.flag.acknowledge_groups``) in the Chinese page."""
    from forecasting import audit_view

    actions, objects = _audit_codes()
    assert {"consult.flag.acknowledge_groups", "datadesk.upload", "logout"} <= actions  # the scan finds them
    for lang in ("zh", "en"):
        assert [a for a in sorted(actions) if audit_view.action_label(a, lang) == a] == [], lang
        assert [o for o in sorted(objects) if audit_view.object_label(o, "1", lang) == f"{o} 1"] == [], lang


def test_the_audit_log_is_newest_first_by_time(demo_url):
    """The demo world writes some rows after later-dated ones (it issues a day's report after the next
    days' consultations); the page promises newest first, so it orders by the action's time."""
    from forecasting import audit_view
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    db = get_database(demo_url)
    rows = audit_view.search_entries(db, Actor.system("test"))
    assert len(rows) > 100
    times = [r.at for r in rows]
    assert times == sorted(times, reverse=True)
    assert any(a.id < b.id for a, b in zip(rows, rows[1:]))  # not the write order: that is what was shown before


def test_the_audit_page_says_flags_and_fields_in_words_with_district_names(demo_url, monkeypatch):
    """The demo's chiefs acknowledge every flag group each day; the page showed those rows as
    ``groups: range_disjoint:310118:330421:…`` (codes and adcodes in the Chinese UI). It now names the
    flag, the districts and the days, and the fields in Chinese; the CSV keeps the codes."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    at = sign_in(new_app(), "admin", "demo-2026-yrd")
    goto(at, "audit_log.py")
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    acks = [d for d, code in zip(shown["详情"], shown["操作代码"]) if code == "consult.flag.acknowledge_groups"]
    assert acks, "the demo world's chiefs acknowledged flags"
    text = "".join(acks)
    assert "提示组：" in text and "类型：全部" in text and "groups:" not in text
    assert any(label in text for label in ("AQI 范围不重叠（", "首要污染物不同（", "相邻区县级别相差超过一级（"))
    assert "青浦区" in text or "吴江区" in text or "嘉善县" in text
    every = "".join(str(d) for d in shown["详情"])
    for adcode in ("310118", "320509", "330421"):
        assert adcode not in every, adcode
    signs = [d for d, code in zip(shown["详情"], shown["操作代码"]) if code == "consult.session.sign"]
    assert signs and all("席位：轮值首席" in d or "席位：副班" in d for d in signs), signs[:2]
    assert "用户名：admin；角色：系统管理员" in every  # a user name stays as it is; the role is in words
    # a system job is named in words (演示数据生成, 每日定时任务), a person by their user name
    actors = set(shown["操作人"])
    assert {"演示数据生成", "每日定时任务"} <= actors and not {"demo-seed", "daily-job"} & actors, actors
    # the action filter's families in words too ("会商：全部（consult.*）"; two brackets side by side read badly), never a bare "consult.*"
    labels = list(at.selectbox(key="audit_action").options)
    assert "会商：全部（consult.*）" in labels and "consult.*" not in labels
    # the CSV export keeps the codes (it is the record, for machines as much as for people)
    from forecasting import audit_view
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    exported = audit_view.entries_csv(audit_view.search_entries(get_database(demo_url), Actor.system("t"))).decode()
    assert "range_disjoint:" in exported or "primary_differs:" in exported


def test_a_persons_name_in_the_object_box_points_to_the_user_box(cast):
    """A tour typed 陈静 into the object box and read "共 0 条记录": the rows about her account were older than
    the period, and what she did is found by the user box. The page says so."""
    from apptest_support import texts

    from forecasting import accounts

    admin = _admin(cast)
    fc = next(u for u in accounts.list_users(cast, admin) if u.username == "fc_qp")
    accounts.update_user(cast, admin, "fc_qp", expected_version=fc.version, display_name="陈静")
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "audit_log.py")
    hint = "“陈静”是用户的名字：对象框查找与其账户有关的记录；查找其本人的操作，请在“用户”框输入。"
    assert hint not in texts(at)
    at.text_input(key="audit_object").input("陈静").run()
    assert not at.exception, at.exception
    assert hint in texts(at)


def test_the_audit_page_names_an_account_by_its_holder_and_finds_it_by_that_name(cast):
    """A tour read "用户 2" in the object column: the page names the account as a manager names the person
    ("用户 陈静（fc_qp）"), and that text typed into the object box finds the rows about it."""
    from forecasting import accounts

    admin = _admin(cast)
    fc = next(u for u in accounts.list_users(cast, admin) if u.username == "fc_qp")
    accounts.update_user(cast, admin, "fc_qp", expected_version=fc.version, display_name="陈静")
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "audit_log.py")
    assert not at.exception, at.exception
    objects = list(at.dataframe[0].value["对象"])
    assert "用户 陈静（fc_qp）" in objects and f"用户 {fc.id}" not in objects
    at.text_input(key="audit_object").input("用户 陈静（fc_qp）").run()
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert set(shown["对象"]) == {"用户 陈静（fc_qp）"} and set(shown["操作"]) >= {"创建用户"}


def test_the_users_table_shows_a_long_name_whole(cast):
    """A tour at 1280 px read "何处长（生态" in the names column: Streamlit sized it for the short names. The
    column is as wide as the longest name: 13 Chinese characters at the app's 14 px font (14 px each) and
    the cell's padding (8.5 px each side, read in a screenshot) need 199 px."""
    import json

    from forecasting import accounts

    admin = _admin(cast)
    view = next(u for u in accounts.list_users(cast, admin) if u.username == "mgr1")
    accounts.update_user(cast, admin, "mgr1", expected_version=view.version, display_name="何处长（青浦区生态环境局）")
    at = sign_in(new_app(), "admin1", PASSWORD)
    goto(at, "admin_users.py")
    assert not at.exception, at.exception
    table = at.dataframe[0]
    assert table.value.set_index("用户名").loc["mgr1", "姓名"] == "何处长（青浦区生态环境局）"
    columns = json.loads(table.proto.columns)
    assert columns["姓名"]["width"] >= 13 * 14 + 2 * 8.5, columns.get("姓名")
