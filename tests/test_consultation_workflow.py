"""Sessions, submissions, sign-off and issue: every permission rule and every state transition."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from consultation_data import ISSUE, JS, QP, TARGETS, WJ, add_forecaster, make_rota, open_consulting, submit_all
from db_support import PASSWORD
from forecasting import consultation as c
from forecasting.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, ValidationError
from forecasting.permissions import Actor


@pytest.fixture
def cast(db, users):
    """The users fixture plus a second Qingpu forecaster; Qingpu holds the chief seat (fc_qp chief,
    fc_qp2 deputy) for the week of ISSUE."""
    users = dict(users)
    users["fc_qp2"] = add_forecaster(db, "fc_qp2", QP)
    make_rota(db)
    return users


def _agree(db, cast):
    """Open, start, and all three districts submit identical ranges (no flags)."""
    open_consulting(db, cast["fc_qp"])
    for u in ("fc_qp", "fc_wj", "fc_js"):
        submit_all(db, cast[u], 60, 80)


def _sign(db, actor, **kw):
    return c.sign_session(db, actor, ISSUE, password=PASSWORD, expected_version=c.get_session(db, ISSUE).version, **kw)


# -- sessions ---------------------------------------------------------------------------------------


def test_open_is_idempotent_and_needs_three_days(db, cast):
    a = c.open_session(db, Actor.system("cron"), ISSUE, days=3)
    b = c.open_session(db, Actor.system("cron"), ISSUE, days=7)
    assert a.id == b.id and b.days == 3 and b.state == "open"
    assert b.target_dates == tuple(TARGETS)
    with pytest.raises(ValidationError, match="at least 3"):
        c.open_session(db, Actor.system("cron"), ISSUE + timedelta(days=1), days=2)
    # the default: D+1..D+7, deadlines 15:00 and 20:00 Beijing (07:00 and 12:00 UTC)
    d = c.open_session(db, Actor.system("cron"), ISSUE + timedelta(days=1))
    assert d.days == 7
    assert (d.consult_deadline.hour, d.issue_deadline.hour) == (7, 12)


def test_who_may_open_a_session(db, cast):
    with pytest.raises(PermissionDenied):
        c.open_session(db, cast["mgr1"], ISSUE)
    with pytest.raises(PermissionDenied):
        c.open_session(db, cast["fc_wj"], ISSUE)  # not on duty that day
    assert c.open_session(db, cast["fc_qp"], ISSUE).opened_by == "fc_qp"


@pytest.mark.parametrize("state", ["open", "consulting", "signed", "issued", "superseded"])
def test_every_illegal_transition_is_refused(db, cast, state):
    chief = cast["fc_qp"]
    c.open_session(db, chief, ISSUE, days=3)
    if state != "open":
        c.start_consultation(db, chief, ISSUE, expected_version=1)
        for u in ("fc_qp", "fc_wj", "fc_js"):
            submit_all(db, cast[u], 60, 80)
    if state in ("signed", "issued", "superseded"):
        _sign(db, chief)
    if state in ("issued", "superseded"):
        c.issue_session(db, chief, ISSUE)
    if state == "superseded":
        c.amend_session(db, chief, ISSUE, reason="typo")
        assert [v.state for v in c.session_history(db, ISSUE)] == ["superseded", "consulting"]
        return  # the current revision is the amendment; the old one is only history
    moves = {
        "start": lambda: c.start_consultation(db, chief, ISSUE, expected_version=c.get_session(db, ISSUE).version),
        "sign": lambda: _sign(db, chief),
        "issue": lambda: c.issue_session(db, chief, ISSUE),
        "amend": lambda: c.amend_session(db, chief, ISSUE, reason="x"),
    }
    legal = {"open": "start", "consulting": "sign", "signed": "issue", "issued": "amend"}[state]
    for name, move in moves.items():
        if name == legal:
            continue
        with pytest.raises(Conflict, match="cannot go from"):
            move()
    assert c.get_session(db, ISSUE).state == state


def test_state_changes_need_the_duty_chief(db, cast):
    c.open_session(db, cast["fc_qp"], ISSUE, days=3)
    for who in ("fc_wj", "mgr1", "admin1"):
        with pytest.raises(PermissionDenied):
            c.start_consultation(db, cast[who], ISSUE, expected_version=1)


# -- submissions ------------------------------------------------------------------------------------


def test_a_forecaster_writes_only_for_their_own_district(db, cast):
    open_consulting(db, cast["fc_qp"])
    with pytest.raises(PermissionDenied, match="not for 320509"):
        c.save_submission(db, cast["fc_qp"], ISSUE, WJ, TARGETS[0], aqi_lo=60, aqi_hi=80, primary=["pm25"])
    for who in ("mgr1", "admin1"):
        with pytest.raises(PermissionDenied):
            c.save_submission(db, cast[who], ISSUE, QP, TARGETS[0], aqi_lo=60, aqi_hi=80, primary=["pm25"])
    assert c.list_submissions(db, ISSUE) == []


@pytest.mark.parametrize("lo, hi, primary, message", [
    (80, 60, ["pm25"], "low < high"),
    (60, 60, ["pm25"], "low < high"),
    (60, 85, ["pm25"], "at most 20"),      # centre 72.5 ≤ 100: width ≤ 20
    (120, 160, ["pm25"], "at most 35"),    # centre 140 > 100: width ≤ 35
    (30, 50, ["pm25"], "no primary"),      # AQI ≤ 50
    (60, 80, [], "name the primary"),
    (60, 80, ["pm2.5"], "unknown pollutant"),
])
def test_submission_rules(db, cast, lo, hi, primary, message):
    open_consulting(db, cast["fc_qp"])
    with pytest.raises(ValidationError, match=message):
        c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=lo, aqi_hi=hi, primary=primary)


def test_a_refused_concentration_names_the_pollutant_its_value_and_the_limit():
    """A tour typed 1e9 µg/m³ of ozone and read "o3 浓度应为不小于 0 的数值" (the code, a rule it did not
    break). The limit is ``forecasting.plausibility.PLAUSIBLE_MAX`` (O₃ 2,000 µg/m³, CO 150 mg/m³)."""
    from forecasting.consultation import consultation_config
    from forecasting.consultation.rules import check_forecast

    cfg = consultation_config()
    with pytest.raises(ValidationError) as o3:
        check_forecast(60, 80, ("pm25",), {"o3": 1e9}, config=cfg)
    assert o3.value.localized("zh") == "O₃ 浓度 1000000000 无效：应为 0 至 2000 µg/m³ 之间的数值。"
    with pytest.raises(ValidationError) as co:
        check_forecast(60, 80, ("pm25",), {"co": -0.5}, config=cfg)
    assert co.value.localized("en") == "The CO concentration -0.5 is not valid: expected a number from 0 to 150 mg/m³."


def test_width_rules_are_configurable(db, cast):
    open_consulting(db, cast["fc_qp"])
    cfg = c.ConsultationConfig(widths=((100.0, 30), (float("inf"), 50)))
    v = c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=60, aqi_hi=85, primary=["pm25"],
                          config=cfg)
    assert (v.level_lo, v.level_hi) == (2, 2)


def test_submission_levels_versions_and_visibility(db, cast):
    open_consulting(db, cast["fc_qp"])
    v1 = c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=90, aqi_hi=110, primary=["pm25", "o3"],
                           concentrations={"pm25": 75}, analysis="静稳")
    assert (v1.status, v1.version, v1.level_lo, v1.level_hi, v1.primary) == ("draft", 1, 2, 3, ("pm25", "o3"))
    v2 = c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=90, aqi_hi=110, primary=["pm25", "o3"],
                           concentrations={"pm25": 75}, analysis="静稳", expected_version=1, submit=True)
    assert (v2.status, v2.version) == ("submitted", 2)
    v3 = c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=95, aqi_hi=115, primary=["pm25"],
                           expected_version=2)
    assert (v3.status, v3.version) == ("submitted", 3)  # an edit after submission is a new submitted version
    history = c.submission_history(db, v3.id)
    assert [(h["version"], h["status"], h["aqi_lo"]) for h in history] == [(1, "draft", 90), (2, "submitted", 90),
                                                                            (3, "submitted", 95)]
    # neighbours see it with author and time
    room = c.room_view(db, cast["fc_wj"], ISSUE)
    assert room.submission(QP, TARGETS[0]).author_name == "fc_qp" and room.submission(QP, TARGETS[0]).version == 3


def test_second_save_is_refused_naming_who_and_a_double_click_saves_once(db, cast):
    open_consulting(db, cast["fc_qp"])
    other = add_forecaster(db, "fc_qp3", QP, name="李明")
    c.save_submission(db, other, ISSUE, QP, TARGETS[0], aqi_lo=60, aqi_hi=80, primary=["pm25"])
    with pytest.raises(Conflict, match="changed by 李明 at 20") as exc:
        c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=65, aqi_hi=85, primary=["pm25"],
                          expected_version=0)
    assert exc.value.key == "consult.changed_meanwhile" and exc.value.params["who"] == "李明"
    # the page names the district, never its code (a tour read "「320509 2026-12-01」已被 王磊 …修改")
    said = exc.value.localized("zh")
    assert said.startswith(f"「青浦区 {TARGETS[0]}」已被 李明 于 ") and QP not in said
    assert exc.value.localized("en").startswith(f"“Qingpu {TARGETS[0]}” was changed by 李明")
    # the same form sent twice (double click): the second is a no-op, not a conflict, not a new version
    a = c.save_submission(db, other, ISSUE, QP, TARGETS[0], aqi_lo=70, aqi_hi=90, primary=["pm25"], expected_version=1)
    b = c.save_submission(db, other, ISSUE, QP, TARGETS[0], aqi_lo=70, aqi_hi=90, primary=["pm25"], expected_version=1)
    assert a.version == b.version == 2
    assert len(c.submission_history(db, a.id)) == 2


def test_target_day_must_belong_to_the_session(db, cast):
    open_consulting(db, cast["fc_qp"])
    with pytest.raises(ValidationError, match="not a target day"):
        c.save_submission(db, cast["fc_qp"], ISSUE, QP, ISSUE, aqi_lo=60, aqi_hi=80, primary=["pm25"])
    with pytest.raises(NotFound):
        c.save_submission(db, cast["fc_qp"], ISSUE + timedelta(days=30), QP, TARGETS[0], aqi_lo=60, aqi_hi=80,
                          primary=["pm25"])


# -- combined forecast, sign-off, issue ------------------------------------------------------------


def test_only_the_duty_chief_signs_with_the_right_password(db, cast):
    _agree(db, cast)
    for who in ("fc_wj", "fc_js", "admin1", "mgr1"):
        with pytest.raises(PermissionDenied):
            _sign(db, cast[who])
    with pytest.raises(AuthenticationFailed):
        c.sign_session(db, cast["fc_qp"], ISSUE, password="wrong-password", expected_version=2)
    with pytest.raises(ValidationError, match="deputy signs only when the chief is absent"):
        _sign(db, cast["fc_qp2"])
    assert c.get_session(db, ISSUE).state == "consulting"
    signed = _sign(db, cast["fc_qp"])
    assert (signed.state, signed.signed_seat, signed.signed_by_id) == ("signed", "chief", cast["fc_qp"].user_id)
    from sqlalchemy import select

    from forecasting.store.models import AuditEntry

    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("consult.%"))
                                 .order_by(AuditEntry.id)))
    assert "consult.sign.failed" in actions and actions[-1] == "consult.session.sign"


def test_deputy_signs_when_the_chief_is_absent_and_it_is_recorded(db, cast):
    _agree(db, cast)
    signed = _sign(db, cast["fc_qp2"], chief_absent_reason="主班出差")
    assert (signed.signed_seat, signed.chief_absent_reason) == ("deputy", "主班出差")


def test_the_deputy_acknowledging_flags_is_recorded_as_the_deputy(db, cast):
    """The discussion's note of a group acknowledgement said "首席确认 2 组分歧" over the deputy's name, in the
    record the report's annex reads: it says who accepted, the deputy or the chief."""
    open_consulting(db, cast["fc_qp"])
    submit_all(db, cast["fc_qp"], 60, 80)
    submit_all(db, cast["fc_wj"], 160, 190)
    acked = c.acknowledge_groups(db, cast["fc_qp2"], ISSUE, kind="*", note="吴江受输送影响", lang="zh",
                                 guidance_source=lambda *_: [])
    [note] = [n for n in c.list_notes(db, ISSUE) if n.kind == "acknowledgement"]
    assert note.body_in("zh").startswith(f"副班确认 {len(acked)} 组分歧") and note.body_in("zh").endswith("理由：吴江受输送影响")
    assert note.body_in("en").startswith(f"The deputy accepted flag groups ({len(acked)})")


def test_sign_needs_every_district_and_every_flag_handled(db, cast):
    open_consulting(db, cast["fc_qp"])
    submit_all(db, cast["fc_qp"], 60, 80)
    submit_all(db, cast["fc_wj"], 60, 80)
    submit_all(db, cast["fc_js"], 60, 80, submit=False)  # drafts do not count
    with pytest.raises(Conflict, match="no submitted or combined forecast for: 330421"):
        _sign(db, cast["fc_qp"])
    with pytest.raises(Conflict, match="changed by fc_js"):
        submit_all(db, cast["fc_js"], 85, 105)  # expected_version 0 while the drafts exist: refused
    # the chief composes Jiashan instead
    entries = [c.FinalInput(JS, d, 85, 105, ("pm25",)) for d in TARGETS]
    c.save_final(db, cast["fc_qp"], ISSUE, entries, zone_summary="以良为主")
    with pytest.raises(Conflict, match="flag"):
        _sign(db, cast["fc_qp"])
    for f in c.session_flags(db, ISSUE):
        c.acknowledge_flag(db, cast["fc_qp"], ISSUE, f.flag.key, note="嘉善受输送影响")
    assert _sign(db, cast["fc_qp"]).state == "signed"


def test_the_chief_giving_a_district_day_twice_is_refused_and_nothing_is_composed(db, cast):
    """Two combined entries for one district and day: which is meant? Refused naming them (it read as the
    chief's own change "meanwhile"), and the other entries of the request are not saved either."""
    open_consulting(db, cast["fc_qp"])
    entries = [c.FinalInput(WJ, TARGETS[1], 60, 80, ("pm25",)), c.FinalInput(JS, TARGETS[0], 60, 80, ("pm25",)),
               c.FinalInput(JS, TARGETS[0], 70, 90, ("pm25",))]
    with pytest.raises(ValidationError, match=f"330421 {TARGETS[0]} is given twice") as refused:
        c.save_final(db, cast["fc_qp"], ISSUE, entries, zone_summary="以良为主")
    assert refused.value.localized("zh") == f"嘉善县 {TARGETS[0]} 出现了两次：每个区县的每一天只能给一次。"
    assert c.effective_entries(db, ISSUE) == [] and not c.get_session(db, ISSUE).zone_summary


def test_a_district_change_after_the_chief_composed_is_a_red_flag_until_looked_at(db, cast):
    """A tour: in an amendment Jiashan resubmitted D+2 as 150–180 after the chief had composed 50–70. The
    combined entry hid the submission from every flag, the desk said "ready to sign" and 50–70 was issued."""
    from forecasting.consultation import list_submissions
    from forecasting.store.types import clock_at, utcnow

    open_consulting(db, cast["fc_qp"])
    for who in ("fc_qp", "fc_wj", "fc_js"):
        submit_all(db, cast[who], 60, 80)
    day = TARGETS[1]
    start = utcnow()
    with clock_at(start + timedelta(minutes=1)):
        c.save_final(db, cast["fc_qp"], ISSUE, [c.FinalInput(JS, day, 60, 80, ("pm25",))], zone_summary="以良为主")
    assert not c.session_flags(db, ISSUE)
    sub = next(x for x in list_submissions(db, ISSUE) if x.district == JS and x.target_date == day)
    with clock_at(start + timedelta(minutes=2)):
        c.save_submission(db, cast["fc_js"], ISSUE, JS, day, aqi_lo=150, aqi_hi=180, primary=["pm25"],
                          expected_version=sub.version, submit=True)
    [stale] = [f for f in c.session_flags(db, ISSUE) if f.flag.kind == "final_stale"]
    assert (stale.flag.severity, stale.flag.district_a, stale.flag.target_date) == ("red", JS, day)
    assert stale.flag.detail == {"submitted": [150, 180], "final": [60, 80]} and not stale.acknowledged
    with pytest.raises(Conflict, match="flag"):
        _sign(db, cast["fc_qp"])
    # the chief takes the district's new value: the flag is resolved (and no other flag hides behind it)
    final = next(f for f in c.room_view(db, cast["fc_qp"], ISSUE).finals if f.district == JS and f.target_date == day)
    with clock_at(start + timedelta(minutes=3)):
        c.save_final(db, cast["fc_qp"], ISSUE, [c.FinalInput(JS, day, 150, 180, ("pm25",), final.version)])
    assert "final_stale" not in {f.flag.kind for f in c.session_flags(db, ISSUE)}


def test_nothing_changes_after_sign_off(db, cast):
    _agree(db, cast)
    _sign(db, cast["fc_qp"])
    sub = c.list_submissions(db, ISSUE)[0]
    with pytest.raises(Conflict, match="signed"):
        c.save_submission(db, cast["fc_qp"], ISSUE, QP, TARGETS[0], aqi_lo=70, aqi_hi=90, primary=["pm25"],
                          expected_version=sub.version)
    with pytest.raises(Conflict, match="signed"):
        c.add_note(db, cast["fc_wj"], ISSUE, "late note")
    with pytest.raises(Conflict, match="signed"):
        c.save_final(db, cast["fc_qp"], ISSUE, [c.FinalInput(QP, TARGETS[0], 70, 90, ("pm25",), 1)])


def test_issue_stores_an_immutable_hashed_snapshot(db, cast):
    _agree(db, cast)
    c.add_note(db, cast["fc_qp"], ISSUE, "三地一致，以良为主", kind="conclusion")
    _sign(db, cast["fc_qp"])
    with pytest.raises(PermissionDenied):
        c.issue_session(db, cast["fc_wj"], ISSUE)
    issued = c.issue_session(db, cast["fc_qp"], ISSUE)
    assert issued.sha256 == hashlib.sha256(issued.snapshot.encode()).hexdigest() and c.verify_issued(issued)
    snap = json.loads(issued.snapshot)
    assert snap["conclusion"] == "三地一致，以良为主" and snap["signed_seat"] == "chief"
    qp = [d for d in snap["districts"] if d["adcode"] == QP][0]
    assert qp["days"][0] == {"target_date": TARGETS[0].isoformat(), "lead_day": 1, "aqi_lo": 60, "aqi_hi": 80,
                             "level_lo": 2, "level_hi": 2, "category_zh": "良", "category_en": "Good",
                             "colors": ["#FFFF00"], "primary": ["pm25"], "edition": "HJ 633-2026"}
    assert c.get_session(db, ISSUE).state == "issued"
    with pytest.raises(Conflict):  # a double click on "issue" issues once
        c.issue_session(db, cast["fc_qp"], ISSUE)
    assert len(c.issued_forecasts(db, ISSUE)) == 1


def test_render_hook_gives_the_hash(db, cast):
    _agree(db, cast)
    _sign(db, cast["fc_qp"])
    seen = {}

    def render(snapshot):
        seen["snapshot"] = snapshot
        return {"html": b"<p>x</p>", "pdf": b"%PDF"}, "ab" * 32

    issued = c.issue_session(db, cast["fc_qp"], ISSUE, render=render)
    assert issued.sha256 == "ab" * 32 and issued.formats == ("html", "pdf")
    assert seen["snapshot"]["issue_date"] == ISSUE.isoformat()


def test_issued_forecast_is_refused_by_service_and_by_the_database(db, cast):
    from sqlalchemy import select

    from forecasting.store.consultation import IssuedForecast

    _agree(db, cast)
    _sign(db, cast["fc_qp"])
    c.issue_session(db, cast["fc_qp"], ISSUE)
    with pytest.raises(Conflict, match="never changes"):  # the ORM/service guard
        with db.transaction() as s:
            row = s.scalar(select(IssuedForecast))
            row.sha256 = "0" * 64
    with pytest.raises(Exception, match="append-only"):  # the database trigger
        with db.transaction() as s:
            s.execute(text("UPDATE issued_forecasts SET sha256 = 'x'"))
    with pytest.raises(Exception, match="append-only"):
        with db.transaction() as s:
            s.execute(text("DELETE FROM issued_forecasts"))
    assert c.verify_issued(c.issued_forecasts(db, ISSUE)[0])


def test_amendment_keeps_the_old_version_superseded(db, cast):
    _agree(db, cast)
    _sign(db, cast["fc_qp"])
    first = c.issue_session(db, cast["fc_qp"], ISSUE)
    with pytest.raises(ValidationError, match="reason"):
        c.amend_session(db, cast["fc_qp"], ISSUE, reason="")
    with pytest.raises(PermissionDenied):
        c.amend_session(db, cast["fc_wj"], ISSUE, reason="x")
    with pytest.raises(PermissionDenied):
        c.amend_session(db, cast["mgr1"], ISSUE, reason="x")
    # the desk offers the amendment form exactly to those the service lets amend (a tour saw it offered to
    # a forecaster off duty, then refused)
    assert [c.may_amend(db, cast[k], ISSUE) for k in ("fc_qp", "fc_wj", "mgr1")] == [True, False, False]
    amended = c.amend_session(db, cast["fc_qp"], ISSUE, reason="吴江数据更正")
    assert (amended.revision, amended.state, amended.amendment_of_id) == (2, "consulting", first.id and amended.amendment_of_id)
    assert [s.state for s in c.session_history(db, ISSUE)] == ["superseded", "consulting"]
    # the amendment starts from the issued forecast
    assert {(f.district, f.aqi_lo) for f in c.room_view(db, cast["fc_qp"], ISSUE).finals} == {(QP, 60), (WJ, 60), (JS, 60)}
    c.save_final(db, cast["fc_qp"], ISSUE, [c.FinalInput(WJ, TARGETS[0], 65, 85, ("pm25",), 1)])
    _sign(db, cast["fc_qp"])
    second = c.issue_session(db, cast["fc_qp"], ISSUE)
    history = c.issued_forecasts(db, ISSUE)
    assert [(h.revision, h.superseded) for h in history] == [(1, True), (2, False)]
    assert history[0].sha256 == first.sha256 and history[0].snapshot == first.snapshot
    assert second.supersedes_id == first.id and second.reason == "吴江数据更正"
    # the forecast that stands for the days after ISSUE (the home page's map before the next day's entries): the
    # newest revision; none stands before ISSUE, and ISSUE's own does not count for ISSUE itself
    standing = c.latest_issued_before(db, ISSUE + timedelta(days=1))
    assert (standing.id, standing.revision, standing.superseded) == (second.id, 2, False)
    assert c.latest_issued_before(db, ISSUE) is None


def test_an_amendment_keeps_the_acknowledgements_of_unchanged_conflicts(db, cast):
    """A tour opened an amendment and had to acknowledge five groups again whose values had not changed."""
    open_consulting(db, cast["fc_qp"])
    submit_all(db, cast["fc_qp"], 60, 80)
    submit_all(db, cast["fc_wj"], 60, 80)
    submit_all(db, cast["fc_js"], 85, 105)  # disjoint from both neighbours on every day
    flags = c.session_flags(db, ISSUE)
    assert flags and not any(f.acknowledged for f in flags)
    for f in flags:
        c.acknowledge_flag(db, cast["fc_qp"], ISSUE, f.flag.key, note="嘉善受输送影响")
    _sign(db, cast["fc_qp"])
    c.issue_session(db, cast["fc_qp"], ISSUE)
    c.amend_session(db, cast["fc_qp"], ISSUE, reason="青浦数据更正")
    carried = c.session_flags(db, ISSUE)
    assert {f.flag.key for f in carried} == {f.flag.key for f in flags}
    assert all(f.acknowledged and f.note == "嘉善受输送影响" for f in carried)
    # a conflict the amendment changes needs a new look: Jiashan's first day moves up a level
    final = next(f for f in c.room_view(db, cast["fc_qp"], ISSUE).finals if f.district == JS and f.target_date == TARGETS[0])
    c.save_final(db, cast["fc_qp"], ISSUE, [c.FinalInput(JS, TARGETS[0], 110, 130, ("pm25",), final.version)])
    reopened = [f for f in c.session_flags(db, ISSUE) if not f.acknowledged]
    assert reopened and {f.flag.target_date for f in reopened} == {TARGETS[0]}


def test_manager_reads_but_writes_nothing(db, cast):
    _agree(db, cast)
    room = c.room_view(db, cast["mgr1"], ISSUE)
    assert room.session.state == "consulting" and len(room.submissions) == 9
    assert not (room.can_submit or room.can_chair or room.can_note)
    with pytest.raises(PermissionDenied):
        c.add_note(db, cast["mgr1"], ISSUE, "hello")
    with pytest.raises(PermissionDenied):
        c.save_final(db, cast["mgr1"], ISSUE, [])
    with pytest.raises(PermissionDenied):
        c.acknowledge_flag(db, cast["mgr1"], ISSUE, "x", note="y")
    with pytest.raises(PermissionDenied):
        c.generate_rota(db, cast["mgr1"], ISSUE, ISSUE)
