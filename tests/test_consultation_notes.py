"""Notes (会商记录): attributed, never edited in place, text only; the chief's conclusion."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from consultation_data import ISSUE, TARGETS, WJ, make_rota, open_consulting
from forecasting import consultation as c
from forecasting.errors import PermissionDenied, ValidationError


@pytest.fixture
def room(db, users):
    make_rota(db)
    open_consulting(db, users["fc_qp"])
    return users


def test_notes_are_attributed_tied_and_revised_not_edited(db, room):
    n1 = c.add_note(db, room["fc_wj"], ISSUE, "**偏南风**，<script>alert(1)</script>", district=WJ,
                    target_date=TARGETS[0])
    assert (n1.author_name, n1.district, n1.target_date, n1.kind) == ("fc_wj", WJ, TARGETS[0], "note")
    assert n1.body == "**偏南风**，<script>alert(1)</script>"  # stored as typed; pages show it as text
    with pytest.raises(PermissionDenied):
        c.add_note(db, room["fc_js"], ISSUE, "not mine to fix", revises_id=n1.id)
    n2 = c.add_note(db, room["fc_wj"], ISSUE, "更正：偏东风", revises_id=n1.id)
    notes = c.list_notes(db, ISSUE)
    assert [(n.id, n.revises_id, n.revised_by) for n in notes] == [(n1.id, None, (n2.id,)), (n2.id, n1.id, ())]
    assert c.list_notes(db, ISSUE, since_id=n1.id)[0].id == n2.id
    with pytest.raises(Exception, match="append-only"):
        with db.transaction() as s:
            s.execute(text("UPDATE consultation_notes SET body = 'rewritten'"))


def test_conclusion_only_by_the_duty_chief_and_nobody_else_writes_as_manager(db, room):
    with pytest.raises(PermissionDenied):
        c.add_note(db, room["fc_wj"], ISSUE, "结论", kind="conclusion")
    with pytest.raises(PermissionDenied):
        c.add_note(db, room["mgr1"], ISSUE, "hi")
    with pytest.raises(PermissionDenied):
        c.add_note(db, room["admin1"], ISSUE, "hi")
    assert c.add_note(db, room["fc_qp"], ISSUE, "以良为主", kind="conclusion").kind == "conclusion"


def test_a_double_click_adds_one_note(db, room):
    a = c.add_note(db, room["fc_qp"], ISSUE, "一次", client_token="tok-1")
    b = c.add_note(db, room["fc_qp"], ISSUE, "一次", client_token="tok-1")
    assert a.id == b.id and len(c.list_notes(db, ISSUE)) == 1


@pytest.mark.parametrize("body, kw, message", [
    ("", {}, "empty"),
    ("x" * 10_001, {}, "at most"),
    ("ok", {"target_date": ISSUE}, "not a target day"),
    ("ok", {"district": "999999"}, "unknown district"),
])
def test_note_rules(db, room, body, kw, message):
    with pytest.raises(ValidationError, match=message):
        c.add_note(db, room["fc_qp"], ISSUE, body, **kw)
