"""Rota of the chief seat: generator, duty derivation, edits, swaps and substitutions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultation_data import ISSUE, JS, QP, WJ, add_forecaster, future_monday, make_rota
from forecasting import consultation as c
from forecasting.errors import Conflict, PermissionDenied, ValidationError
from forecasting.permissions import Actor


@pytest.fixture
def cast(db, users):
    users = dict(users)
    users["fc_qp2"] = add_forecaster(db, "fc_qp2", QP)
    return users


def test_generator_rotates_districts_and_forecasters_and_is_idempotent(db, cast):
    turns = c.generate_rota(db, Actor.system("t"), ISSUE, ISSUE + timedelta(days=27))
    assert [(t.start_date - ISSUE).days for t in turns] == [0, 7, 14, 21]
    assert [t.district for t in turns] == [QP, WJ, JS, QP]
    # Qingpu has two forecasters: chief and deputy alternate; Wujiang has one: no deputy
    assert [(t.chief_name, t.deputy_name) for t in turns] == [("fc_qp", "fc_qp2"), ("fc_wj", ""), ("fc_js", ""),
                                                              ("fc_qp2", "fc_qp")]
    assert c.generate_rota(db, Actor.system("t"), ISSUE, ISSUE + timedelta(days=27)) == []
    # extending continues the cycle after the last turn
    more = c.generate_rota(db, Actor.system("t"), ISSUE + timedelta(days=28), ISSUE + timedelta(days=34))
    assert [t.district for t in more] == [WJ]
    assert len(c.list_turns(db, ISSUE, ISSUE + timedelta(days=40))) == 5


def test_generating_more_than_a_year_at_once_is_refused_and_writes_nothing(db, cast):
    """A tour typed 2036 as the end date (a slip of the year): ten years of weekly turns would have been
    written. One call fills at most 366 days (a leap year); the refusal says how many days were asked."""
    with pytest.raises(ValidationError) as refused:
        c.generate_rota(db, Actor.system("t"), ISSUE, ISSUE.replace(year=ISSUE.year + 10))
    assert refused.value.key == "rota.range_too_long" and refused.value.params["max"] == 366
    assert c.list_turns(db, ISSUE, ISSUE.replace(year=ISSUE.year + 10)) == []
    assert len(c.generate_rota(db, Actor.system("t"), ISSUE, ISSUE + timedelta(days=365))) == 53


def test_duty_is_derived_from_the_rota(db, cast):
    make_rota(db)
    duty = c.duty_for(db, ISSUE + timedelta(days=3))
    assert (duty.district, duty.chief_name, duty.deputy_name) == (QP, "fc_qp", "fc_qp2")
    assert c.duty_for(db, ISSUE + timedelta(days=7)).chief_name == "fc_wj"
    assert c.duty_for(db, ISSUE - timedelta(days=1)).chief_id is None


def test_who_may_generate_and_edit(db, cast):
    with pytest.raises(PermissionDenied):
        c.generate_rota(db, cast["fc_qp"], ISSUE, ISSUE)
    turns = make_rota(db, future_monday())  # only turns that have not begun can change
    wj_turn = turns[1]
    for who in ("fc_wj", "mgr1"):  # neither admin nor today's duty chief
        with pytest.raises(PermissionDenied):
            c.update_turn(db, cast[who], wj_turn.id, expected_version=1, chief_id=cast["fc_wj"].user_id,
                          deputy_id=None, reason="x")
    v = c.update_turn(db, cast["admin1"], turns[0].id, expected_version=1, chief_id=cast["fc_qp2"].user_id,
                      deputy_id=cast["fc_qp"].user_id, reason="主班请假")
    assert (v.chief_name, v.deputy_name, v.version) == ("fc_qp2", "fc_qp", 2)
    with pytest.raises(Conflict, match="changed by admin1"):
        c.update_turn(db, cast["admin1"], turns[0].id, expected_version=1, chief_id=cast["fc_qp"].user_id,
                      deputy_id=None, reason="stale")
    with pytest.raises(ValidationError, match="not an active forecaster of district 310118") as refused:
        c.update_turn(db, cast["admin1"], turns[0].id, expected_version=2, chief_id=cast["fc_wj"].user_id,
                      deputy_id=None, reason="wrong district")
    # the page names the district, never its adcode
    assert refused.value.localized("zh") == "所选人员不是青浦区的在岗预报员。"
    assert refused.value.localized("en") == "That person is not an active forecaster of Qingpu."
    with pytest.raises(ValidationError, match="reason"):
        c.update_turn(db, cast["admin1"], turns[0].id, expected_version=2, chief_id=cast["fc_qp"].user_id,
                      deputy_id=None, reason=" ")


def test_todays_chief_edits_future_turns_but_not_started_ones(db, cast):
    today = c.beijing_today()
    turns = c.generate_rota(db, Actor.system("t"), today, today + timedelta(days=20))
    chief = cast["fc_qp"]
    assert c.duty_for(db, today).chief_id == chief.user_id
    v = c.update_turn(db, chief, turns[1].id, expected_version=1, chief_id=cast["fc_wj"].user_id, deputy_id=None,
                      reason="调整")
    assert v.version == 2
    with pytest.raises(ValidationError, match="has begun"):
        c.update_turn(db, cast["admin1"], turns[0].id, expected_version=1, chief_id=cast["fc_qp2"].user_id,
                      deputy_id=None, reason="past")


def test_swap_and_substitution_are_audited(db, cast):
    from sqlalchemy import select

    from forecasting.store.models import AuditEntry

    start = future_monday()  # only turns that have not begun can be swapped
    turns = make_rota(db, start)
    a, b = c.swap_turns(db, cast["admin1"], turns[0].id, turns[1].id, reason="交换值班")
    assert (a.district, a.chief_name, b.district, b.chief_name) == (WJ, "fc_wj", QP, "fc_qp")
    day = start + timedelta(days=8)
    with pytest.raises(PermissionDenied):
        c.substitute(db, cast["fc_js"], day, seat="chief", user_id=cast["fc_js"].user_id, reason="x")
    # the person leaving the seat records the substitution (代班)
    with pytest.raises(ValidationError, match="two people"):  # fc_qp2 is the deputy that day
        c.substitute(db, cast["fc_qp"], day, seat="chief", user_id=cast["fc_qp2"].user_id, reason="病假")
    # the person already in the seat: refused with words (a tour kept the form's first name, today's chief,
    # and read "代班已登记。" although nothing had changed); no name chosen; a reason past its limit
    with pytest.raises(ValidationError, match="already holds the chief seat") as same:
        c.substitute(db, cast["fc_qp"], day, seat="chief", user_id=cast["fc_qp"].user_id, reason="病假")
    assert "已是" in same.value.localized("zh") and "请选择其他人" in same.value.localized("zh")
    with pytest.raises(ValidationError, match="choose the substitute"):  # the person first, then the reason
        c.substitute(db, cast["fc_qp"], day, seat="chief", user_id=None, reason="")
    with pytest.raises(ValidationError, match="500"):
        c.substitute(db, cast["fc_qp"], day, seat="chief", user_id=cast["fc_js"].user_id, reason="病" * 501)
    duty = c.substitute(db, cast["fc_qp"], day, seat="chief", user_id=cast["fc_js"].user_id, reason="病假")
    assert (duty.chief_name, duty.chief_substituted, duty.district) == ("fc_js", True, QP)
    assert c.duty_for(db, day + timedelta(days=1)).chief_name == "fc_qp"
    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("rota.%")).order_by(AuditEntry.id)))
    assert actions == ["rota.generate", "rota.turn.swap", "rota.substitute"]
    with db.read() as s:
        details = s.scalar(select(AuditEntry.details).where(AuditEntry.action == "rota.substitute"))
    assert (details["from"], details["to"]) == ("fc_qp", "fc_js")  # names, never user ids ("自: 2；至: 1")


def test_a_district_without_forecasters_is_named_when_the_rota_cannot_be_made(db, cast):
    """The refusal names the district (not its adcode 330421) in the user's language, and writes no turn."""
    from forecasting import accounts

    accounts.disable_user(db, cast["admin1"], "fc_js")
    with pytest.raises(ValidationError) as refused:
        c.generate_rota(db, Actor.system("t"), ISSUE, ISSUE + timedelta(days=20))
    assert refused.value.localized("zh") == "嘉善县没有在岗预报员。"
    assert refused.value.localized("en") == "Jiashan has no active forecaster."
    assert c.list_turns(db, ISSUE, ISSUE + timedelta(days=20)) == []


def test_the_first_day_nobody_is_on_duty(db, cast):
    """Where the rota ends, and where a turn's people are no longer active forecasters, nobody can sign
    that day's forecast: that day is named; a substitution fills it again."""
    from forecasting import accounts

    start = future_monday()  # substitutions are for days to come
    make_rota(db, start)  # three weekly turns: Qingpu (fc_qp, fc_qp2), Wujiang (fc_wj), Jiashan (fc_js)
    assert c.first_day_without_duty(db, start - timedelta(days=1)) == start - timedelta(days=1)  # before the rota
    assert c.first_day_without_duty(db, start, days=21) is None
    assert c.first_day_without_duty(db, start + timedelta(days=10)) == start + timedelta(days=21)  # it ends
    assert c.ROTA_LOOKAHEAD_DAYS == 14
    assert c.first_day_without_duty(db, start + timedelta(days=6)) is None  # 14 days: the end is not in sight
    # Qingpu's chief leaves: its deputy may still sign. Wujiang's only forecaster leaves: nobody may
    accounts.disable_user(db, cast["admin1"], "fc_qp")
    assert c.first_day_without_duty(db, start) is None
    accounts.disable_user(db, cast["admin1"], "fc_wj")
    assert c.first_day_without_duty(db, start) == start + timedelta(days=7)
    accounts.enable_user(db, cast["admin1"], "fc_wj")
    assert c.first_day_without_duty(db, start) is None
    c.substitute(db, cast["admin1"], start + timedelta(days=8), seat="chief", user_id=cast["fc_js"].user_id,
                 reason="代班")
    accounts.disable_user(db, cast["admin1"], "fc_wj")
    assert c.first_day_without_duty(db, start) == start + timedelta(days=7)
    assert c.first_day_without_duty(db, start + timedelta(days=8), days=1) is None  # the substitute holds it
    assert c.first_day_without_duty(db, start + timedelta(days=8)) == start + timedelta(days=9)
