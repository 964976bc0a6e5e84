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
    assert details_text({"reason": "wrong password"}, lang="zh") == "原因: 密码错误"
    assert details_text({"reason": "吴江数据更正"}, lang="zh") == "原因: 吴江数据更正"  # typed text stays
    assert details_text({"kind": "model_run", "via": "upload", "status": "refused"}, lang="zh") == \
        "类型: 模式数据；途径: 网页上传；状态: 被拒绝"
    assert details_text({"primary": ["pm25", "o3"]}, lang="zh") == "首要污染物: PM2.5、O₃"
    text = details_text({"flag": "guidance_far:2026-12-01:320509:"}, names=names, lang="zh")
    assert "吴江区，2026-12-01" in text and "、，" not in text
    refused = {"reason": "a.csv line 4, column 'pm25': expected a number, got abc",
               "reason_key": "correction.csv_bad_value",
               "reason_params": {"file": "a.csv", "line": 4, "column": "pm25", "expected": "a number",
                                 "expected_zh": "数值", "got": "abc"}}
    assert details_text(refused, lang="zh") == "原因: a.csv 第 4 行 pm25 列：应为数值，实际为 abc"
    assert "reason_key" in details_text(refused)  # the CSV export keeps what was stored
    assert who("qp_chen", {"qp_chen": "陈静 (青浦)"}) == "陈静 (青浦)（qp_chen）"
    assert who("someone", {}) == "someone"


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
