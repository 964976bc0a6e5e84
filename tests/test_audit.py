"""The audit trail is append-only: the database itself refuses UPDATE and DELETE."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from forecasting import accounts
from forecasting.store.models import AuditEntry

from db_support import PASSWORD


def test_audit_rows_cannot_be_changed_or_deleted(db, users):
    accounts.authenticate(db, "fc_qp", PASSWORD)
    with db.read() as s:
        before = [(e.id, e.action, e.actor_username, e.details) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert before, "sign-in and user creation wrote audit rows"
    with pytest.raises(DBAPIError, match="append-only"):
        with db.transaction() as s:
            s.execute(update(AuditEntry).values(action="tampered"))
    with pytest.raises(DBAPIError, match="append-only"):
        with db.transaction() as s:
            s.execute(delete(AuditEntry))
    if not db.is_sqlite:
        with pytest.raises(DBAPIError, match="append-only"):
            with db.transaction() as s:
                s.execute(text("TRUNCATE audit_log"))
    with db.read() as s:
        after = [(e.id, e.action, e.actor_username, e.details) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert after == before


def test_a_failed_action_writes_no_audit_row(db, users):
    """One transaction per unit of work: a refused create leaves neither user nor audit row."""
    with db.read() as s:
        n = len(s.scalars(select(AuditEntry.id)).all())
    with pytest.raises(Exception):
        accounts.create_user(db, users["admin1"], username="x!", password="a-good-password", role="manager")
    with db.read() as s:
        assert len(s.scalars(select(AuditEntry.id)).all()) == n


def test_the_audit_page_says_reasons_kinds_pollutants_and_people_in_words():
    """A tour read 原因: wrong password, 类型: model_run；途径: upload, 首要污染物=pm25/pm10/no2, an English
    CSV refusal, "（吴江区、，2026-12-01）" and login names where people were meant."""
    from forecasting.audit_view import details_text
    from ui.i18n import who

    names = {"320509": "吴江区"}
    assert details_text({"reason": "wrong password"}, lang="zh") == "原因：密码错误"
    assert details_text({"reason": "吴江数据更正"}, lang="zh") == "原因：吴江数据更正"  # typed text stays
    assert details_text({"kind": "model_run", "via": "upload", "status": "refused"}, lang="zh") == \
        "类型：模式数据；途径：网页上传；状态：被拒绝"
    assert details_text({"primary": ["pm25", "o3"]}, lang="zh") == "首要污染物：PM2.5、O₃"
    text = details_text({"flag": "guidance_far:2026-12-01:320509:"}, names=names, lang="zh")
    assert "吴江区，2026-12-01" in text and "、，" not in text
    refused = {"reason": "a.csv line 4, column 'pm25': expected a number, got abc",
               "reason_key": "correction.csv_bad_value",
               "reason_params": {"file": "a.csv", "line": 4, "column": "pm25", "expected": "a number",
                                 "expected_zh": "数值", "got": "abc"}}
    assert details_text(refused, lang="zh") == "原因：a.csv 第 4 行 pm25 列：应为数值，实际为 abc"
    assert "reason_key" in details_text(refused)  # the CSV export keeps what was stored
    # a training's chosen methods: each method once, in words, with its districts' pollutants (a tour read
    # "选定方法: 青浦区/co=ensemble_mix、青浦区/no2=ensemble…"); the CSV export keeps the codes
    chosen = {"chosen": {"320509/pm25": "kalman_log", "320509/o3": "mos_ridge", "320509/co": "kalman_log"}}
    assert details_text(chosen, names=names, lang="zh") == \
        "选定方法：对数比卡尔曼滤波（乘性偏差）【吴江区 PM2.5、吴江区 CO】、MOS 岭回归【吴江区 O₃】"
    assert details_text(chosen, names=names) == "chosen: 吴江区/pm25=kalman_log, 吴江区/o3=mos_ridge, 吴江区/co=kalman_log"
    assert who("qp_chen", {"qp_chen": "陈静 (青浦)"}) == "陈静 (青浦)（qp_chen）"
    assert who("someone", {}) == "someone"


def _package_calls(owner: str, attr: str):
    """Every call ``owner.attr(...)`` written in the package's source (``Actor.system``, ``audit.record``)."""
    import ast
    from pathlib import Path

    for path in (Path(__file__).resolve().parent.parent / "forecasting").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attr
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == owner):
                yield node


def test_every_system_job_is_reserved_and_named_in_words():
    """A report rendered on demand was written to the audit log by a job named "reports", which was none of
    the reserved system names: the log showed "reports" bare where the others read 命令行, 每日定时任务 …, and an
    account could have been called "reports". Every job the code names is reserved and has its words."""
    import ast

    from forecasting.i18n import table
    from forecasting.permissions import SYSTEM_ACTORS
    from ui.i18n import who

    named = {node.args[0].value for node in _package_calls("Actor", "system")
             if node.args and isinstance(node.args[0], ast.Constant)}
    assert "reports" in named and named <= set(SYSTEM_ACTORS), named - set(SYSTEM_ACTORS)
    words = table()
    assert all(f"actor.{name}" in words for name in SYSTEM_ACTORS), [n for n in SYSTEM_ACTORS if f"actor.{n}" not in words]
    assert who("reports") == "报告文件生成任务"


def test_every_detail_the_package_records_is_named_in_words():
    """The audit page read "formats：html、pdf、txt" (a report rendered on demand) and "reflagged：0" (an
    observation import) among fields in Chinese: every field an ``audit.record(..., details={...})`` of the
    package writes has its words (``audit18.key.<field>``); the CSV export keeps the codes."""
    import ast

    from forecasting.audit_view import details_text
    from forecasting.i18n import has_key

    fields = {k.value for node in _package_calls("audit", "record") for kw in node.keywords
              if kw.arg == "details" and isinstance(kw.value, ast.Dict)
              for k in kw.value.keys if isinstance(k, ast.Constant)}
    fields -= {"reason_key", "reason_params"}  # a refusal's message key: shown as its message
    assert {"formats", "reflagged", "stations"} <= fields, fields
    assert sorted(f for f in fields if not has_key(f"audit18.key.{f}")) == []
    assert details_text({"formats": ["html", "pdf"], "reflagged": 0}, lang="zh") == "格式：html、pdf；质控标记变更：0"


def test_a_consultation_in_the_audit_log_is_named_by_its_day_and_revision(db, users):
    """A tour read "会商 61" and "发布预报 61" in the audit log (database ids) beside a refused signature's
    "会商 2026-12-01": a consultation is named by its issue date and revision, and typing that name into
    the object filter finds its rows."""
    from consultation_data import ISSUE, make_rota, open_consulting
    from forecasting import audit_view

    make_rota(db)
    open_consulting(db, users["fc_qp"])
    admin = users["admin1"]
    rows = [r for r in audit_view.search_entries(db, admin) if r.object_type == "consultation"]
    assert {r.action for r in rows} == {"consult.session.open", "consult.session.start"}
    assert {(r.object_day, r.object_revision) for r in rows} == {(ISSUE.isoformat(), 1)}
    shown = audit_view.object_label(rows[0].object_type, rows[0].object_id, "zh", day=rows[0].object_day,
                                    revision=rows[0].object_revision)
    assert shown == f"会商 {ISSUE.isoformat()}（第 1 版）"
    found = audit_view.search_entries(db, admin, object_text=shown)
    assert {r.id for r in found} == {r.id for r in rows}
    # the day alone: the consultation's rows, and any other object whose id holds the day (a rota turn)
    by_day = audit_view.search_entries(db, admin, object_text=ISSUE.isoformat())
    assert {r.id for r in rows} <= {r.id for r in by_day}
    assert all(r.object_type == "consultation" or ISSUE.isoformat() in r.object_id for r in by_day)
    assert audit_view.search_entries(db, admin, object_text="会商 2026-13-45") == []  # no such day: nothing
    # the name as the table writes it without the revision finds the day's consultation too (a tour: 0 rows)
    assert {r.id for r in audit_view.search_entries(db, admin, object_text=f"会商 {ISSUE.isoformat()}")} >= {r.id for r in rows}
    csv_text = audit_view.entries_csv(rows, "en").decode("utf-8-sig")
    assert f"Consultation {ISSUE.isoformat()} (revision 1)" in csv_text
    # the details in words (districts by name, as on screen) beside the details as recorded (the codes)
    import csv
    import io

    table = list(csv.reader(io.StringIO(audit_view.entries_csv(audit_view.search_entries(db, admin), "zh")
                                        .decode("utf-8-sig"))))
    assert table[0][-2:] == ["详情", "详情（原始记录）"]
    worded = [row for row in table[1:] if "310118" in row[-1]]
    assert worded and all("310118" not in row[-2] and "青浦区" in row[-2] for row in worded)


def _named_accounts(db, users):
    """fc_qp renamed 陈静, fc_wj renamed Wang Lei, a wrong password for fc_qp (a login.failed row about her
    account whose details do not name her login), and a row about an account that no longer exists."""
    from forecasting import audit

    admin = users["admin1"]
    for login, name in (("fc_qp", "陈静"), ("fc_wj", "Wang Lei")):
        view = next(u for u in accounts.list_users(db, admin) if u.username == login)
        accounts.update_user(db, admin, login, expected_version=view.version, display_name=name)
    with pytest.raises(Exception):
        accounts.authenticate(db, "fc_qp", "not-her-password")
    with db.transaction() as s:
        audit.record(s, admin, "user.update", object_type="user", object_id=99999, details={})
    return str(users["fc_qp"].user_id), str(users["fc_wj"].user_id)


def _stored(db):
    with db.read() as s:
        return [(e.id, e.at, e.actor_username, e.action, e.object_type, e.object_id, e.details)
                for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_an_account_in_the_audit_log_is_named_by_its_holder(db, users):
    """A tour read "用户 7" in the object column: an account reads "用户 陈静（qingpu_fc）" / "User Chen Jing
    (qingpu_fc)", by its id only when the account is gone, in the CSV export too (formula-escaped). What is
    stored does not change."""
    import csv
    import io

    from forecasting import audit_view

    admin = users["admin1"]
    qp, wj = _named_accounts(db, users)
    stored = _stored(db)
    rows = audit_view.search_entries(db, admin)
    labels = {(r.object_id, lang): audit_view.row_object_label(r, lang)
              for r in rows if r.object_type == "user" for lang in ("zh", "en")}
    assert labels[(qp, "zh")] == "用户 陈静（fc_qp）"
    assert labels[(qp, "en")] == "User 陈静 (fc_qp)"
    assert labels[(wj, "zh")] == "用户 Wang Lei（fc_wj）"
    assert labels[(wj, "en")] == "User Wang Lei (fc_wj)"
    assert labels[(str(users["admin1"].user_id), "zh")] == "用户 admin1"  # no display name of its own: the login once
    assert labels[("99999", "zh")] == "用户 99999" and labels[("99999", "en")] == "User 99999"
    # the CSV export reads the same names, every cell formula-escaped
    table = list(csv.reader(io.StringIO(audit_view.entries_csv(rows, "zh").decode("utf-8-sig"))))
    objects = [row[4] for row in table[1:]]
    assert "用户 陈静（fc_qp）" in objects and "用户 Wang Lei（fc_wj）" in objects and "用户 99999" in objects
    assert not any(c[:1] in ("=", "+", "-", "@") for row in table[1:] for c in row)
    assert _stored(db) == stored


def test_the_object_filter_finds_an_account_by_its_holders_name_or_login(db, users):
    """A tour typed a person's name and login into the object box and did not find the rows about their
    account: a part of the name or the login finds them whatever the case, and so does the account as the
    object column writes it ("用户 陈静（fc_qp）", "User Wang Lei (fc_wj)"); an id still finds the account."""
    from forecasting import audit_view
    from forecasting.errors import ValidationError

    admin = users["admin1"]
    qp, wj = _named_accounts(db, users)

    def about(text):
        return {(r.object_type, r.object_id, r.action) for r in audit_view.search_entries(db, admin, object_text=text)}

    hers = {("user", qp, "user.create"), ("user", qp, "user.update"), ("user", qp, "login.failed")}
    for typed in ("FC_QP", "fc_q", "陈静", "用户 陈静（fc_qp）", "User 陈静 (fc_qp)", "user 陈静"):
        assert about(typed) == hers, typed
    his = {("user", wj, "user.create"), ("user", wj, "user.update")}
    for typed in ("wang lei", "WANG", "User Wang Lei (fc_wj)", "用户 Wang Lei（fc_wj）", "user wang"):
        assert about(typed) == his, typed
    assert about("用户 99999") == {("user", "99999", "user.update")}  # by id, as before
    with pytest.raises(ValidationError, match="at most"):
        audit_view.search_entries(db, admin, object_text="用户 " + "陈" * 64)


def test_the_accounts_names_are_read_in_one_query_whatever_the_number_of_rows(db, users):
    """The names of the accounts the rows are about are looked up together, not row by row."""
    from sqlalchemy import event

    from forecasting import audit_view

    admin = users["admin1"]
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        one = audit_view.search_entries(db, admin, action="user.create", limit=1)
        n_one, seen[:] = len(seen), []
        every = audit_view.search_entries(db, admin, action="user.create")
        n_every = len(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(one) == 1 and len({r.object_id for r in every}) == len(users) == 5
    assert all(r.object_login for r in every)
    assert n_every == n_one
