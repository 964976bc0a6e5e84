"""Consistency flags on hand-made forecasts (pure function) and their acknowledgement."""

from __future__ import annotations

import re

import pytest

from consultation_data import ISSUE, JS, QP, TARGETS, WJ, entry
from forecasting.consultation import compute_flags


def _kinds(flags):
    return sorted((f.kind, f.severity, f.district_a, f.district_b) for f in flags)


def test_identical_forecasts_raise_no_flag():
    assert compute_flags([entry(QP, 60, 80), entry(WJ, 60, 80), entry(JS, 60, 80)]) == []


def test_levels_two_and_four_are_red():
    # 60-80 is level 2 (良); 155-175 is level 4 (中度污染): two levels apart → red, and disjoint → amber
    flags = compute_flags([entry(QP, 60, 80), entry(WJ, 155, 175)])
    assert _kinds(flags) == [("level_gap", "red", QP, WJ), ("range_disjoint", "amber", QP, WJ)]
    assert flags[0].severity == "red"  # red first


def test_adjacent_levels_are_not_red():
    # 80-100 (level 2) and 105-125 (level 3): one level apart → no red, but disjoint → amber
    assert _kinds(compute_flags([entry(QP, 80, 100), entry(WJ, 105, 125)])) == [("range_disjoint", "amber", QP, WJ)]


def test_ranges_60_80_and_85_105_do_not_overlap():
    flags = compute_flags([entry(QP, 60, 80), entry(JS, 85, 105)])
    assert _kinds(flags) == [("range_disjoint", "amber", QP, JS)]
    assert flags[0].detail == {"ranges": [[60, 80], [85, 105]]}
    # both sides' values travel with the flag (shown to the chief): (lo, hi, level_lo, level_hi, primary)
    assert flags[0].sides == ((60, 80, 2, 2, ("pm25",)), (85, 105, 2, 3, ("pm25",)))


def test_touching_ranges_overlap():
    assert compute_flags([entry(QP, 60, 80), entry(WJ, 80, 100)]) == []


def test_different_primary_pollutants_are_info_on_clean_days_and_amber_above_100():
    """Regression (#14): six "首要污染物不同" on clean D+2..D+7 days had to be acknowledged one by one."""
    info = compute_flags([entry(QP, 60, 80, ("pm25",)), entry(WJ, 60, 80, ("o3",))])
    assert _kinds(info) == [("primary_differs", "info", QP, WJ)]
    assert not info[0].needs_ack
    # 101 is above 100 (HJ 633-2026 Table 1: level 3 starts at 101): the pollutant now matters
    amber = compute_flags([entry(QP, 81, 101, ("pm25",)), entry(WJ, 85, 100, ("o3",))])
    assert _kinds(amber) == [("primary_differs", "amber", QP, WJ)] and amber[0].needs_ack
    # exactly 100 on both sides is still level 2 at most: info
    assert _kinds(compute_flags([entry(QP, 80, 100, ("pm25",)), entry(WJ, 80, 100, ("o3",))])) == [
        ("primary_differs", "info", QP, WJ)]
    # none (AQI ≤ 50) against a named pollutant is not a disagreement about the pollutant
    assert compute_flags([entry(QP, 30, 50, ()), entry(WJ, 40, 60, ("o3",))]) == []


def test_far_from_guidance_is_amber_with_threshold():
    guidance = {(QP, TARGETS[0]): 110.0}
    # centre 70 vs 110: 40 > 25
    assert _kinds(compute_flags([entry(QP, 60, 80)], guidance)) == [("guidance_far", "amber", QP, "")]
    assert compute_flags([entry(QP, 60, 80)], guidance, threshold=50) == []
    assert compute_flags([entry(QP, 90, 110)], guidance) == []


def test_flags_are_per_day_and_fingerprint_follows_the_conflict():
    day2 = TARGETS[1]
    a = compute_flags([entry(QP, 60, 80), entry(WJ, 85, 105), entry(QP, 60, 80, day=day2), entry(WJ, 60, 80, day=day2)])
    assert [f.target_date for f in a] == [TARGETS[0]]
    # 85-105 → 105-125: Wujiang's span moves from 良..轻度 (2-3) to 轻度 (3): the conflict changed
    b = compute_flags([entry(QP, 60, 80), entry(WJ, 105, 125)])
    range_b = [f for f in b if f.kind == "range_disjoint"][0]
    assert a[0].key == range_b.key and a[0].fingerprint != range_b.fingerprint
    # 85-105 → 90-110 keeps both level spans (2, 2-3): the same conflict (#14: no re-opening)
    c = compute_flags([entry(QP, 60, 80), entry(WJ, 90, 110)])
    assert a[0].fingerprint == c[0].fingerprint
    # a changed primary pollutant does not touch a range conflict
    d = compute_flags([entry(QP, 60, 80, ("o3",)), entry(WJ, 85, 105, ("o3",))])
    assert a[0].fingerprint == d[0].fingerprint


def test_group_flags_spans_consecutive_days_per_pair_and_kind():
    from forecasting.consultation import group_flags

    d1, d2, d3 = TARGETS
    # Qingpu 60-80 (良) vs Wujiang 160-190 (中度) on D+1 and D+2, agreeing on D+3
    es = [entry(QP, 60, 80, day=d1), entry(WJ, 160, 190, day=d1), entry(QP, 60, 80, day=d2),
          entry(WJ, 160, 190, day=d2), entry(QP, 60, 80, day=d3), entry(WJ, 60, 80, day=d3)]
    flags = compute_flags(es)
    assert len(flags) == 4  # level_gap and range_disjoint on two days
    groups = group_flags(flags, order=(QP, WJ, JS))
    assert [(g.kind, g.severity, g.first, g.last, len(g.members)) for g in groups] == [
        ("level_gap", "red", d1, d2, 2), ("range_disjoint", "amber", d1, d2, 2)]
    # a gap in the days splits the run
    es2 = [entry(QP, 60, 80, day=d1), entry(WJ, 160, 190, day=d1), entry(QP, 60, 80, day=d3),
           entry(WJ, 160, 190, day=d3)]
    assert [(g.first, g.last) for g in group_flags(compute_flags(es2)) if g.kind == "level_gap"] == [
        (d1, d1), (d3, d3)]


# -- acknowledgement (service) -------------------------------------------------------------------


@pytest.fixture
def room(db, users):
    from consultation_data import add_forecaster, make_rota, open_consulting

    deputy = add_forecaster(db, "fc_qp2", QP)
    make_rota(db)
    open_consulting(db, users["fc_qp"])
    return users, deputy


def test_chief_acknowledges_a_flag_and_a_changed_forecast_needs_a_new_look(db, room):
    from consultation_data import submit_all
    from forecasting.consultation import acknowledge_flag, list_notes, session_flags
    from forecasting.errors import PermissionDenied, ValidationError

    users, _ = room
    submit_all(db, users["fc_qp"], 60, 80)
    submit_all(db, users["fc_wj"], 85, 105)
    flags = session_flags(db, ISSUE)
    assert len(flags) == 3 and all(f.flag.kind == "range_disjoint" and not f.acknowledged for f in flags)
    key = flags[0].flag.key
    with pytest.raises(PermissionDenied):
        acknowledge_flag(db, users["fc_wj"], ISSUE, key, note="ok")  # not on duty
    with pytest.raises(ValidationError):
        acknowledge_flag(db, users["fc_qp"], ISSUE, key, note=" ")
    acknowledge_flag(db, users["fc_qp"], ISSUE, key, note="湖风影响，吴江偏高可接受")
    acknowledge_flag(db, users["fc_qp"], ISSUE, key, note="double click")  # nothing twice
    states = {f.flag.key: f for f in session_flags(db, ISSUE)}
    assert states[key].acknowledged and states[key].note == "湖风影响，吴江偏高可接受"
    [ack] = list_notes(db, ISSUE)
    assert ack.kind == "acknowledgement"
    # the flag's kind by its name in each language, never its code (a reader read "[range_disjoint]")
    assert ack.body_in("zh") == "[AQI 范围不重叠] 湖风影响，吴江偏高可接受"
    assert ack.body_in("en") == "[AQI ranges do not overlap] 湖风影响，吴江偏高可接受"
    # Wujiang changes its forecast for that day: still disjoint, but now wholly 轻度污染 (the conflict changed)
    from forecasting.consultation import save_submission

    sub = [s for s in __import__("forecasting.consultation", fromlist=["x"]).list_submissions(db, ISSUE)
           if s.district == WJ and s.target_date == states[key].flag.target_date][0]
    save_submission(db, users["fc_wj"], ISSUE, WJ, sub.target_date, aqi_lo=105, aqi_hi=125, primary=["pm25"],
                    expected_version=sub.version, submit=True)
    assert not {f.flag.key: f for f in session_flags(db, ISSUE)}[key].acknowledged
    # resolved by a changed forecast: the flag disappears
    save_submission(db, users["fc_wj"], ISSUE, WJ, sub.target_date, aqi_lo=70, aqi_hi=90, primary=["pm25"],
                    expected_version=sub.version + 1, submit=True)
    assert key not in {f.flag.key for f in session_flags(db, ISSUE)}


def test_the_issue_snapshot_lists_only_the_acknowledgements_of_conflicts_still_there(db, room):
    """A tour's report said the chief had acknowledged 10 flags, two of them for a range that was changed
    before the issue (and so the same pair and day twice): only what the issued forecast still has counts."""
    from consultation_data import submit_all
    from forecasting.consultation import acknowledge_flag, list_submissions, save_submission, session_flags
    from forecasting.consultation.common import session_for
    from forecasting.consultation.issue import build_snapshot
    from forecasting.store.types import utcnow

    users, _ = room
    submit_all(db, users["fc_qp"], 60, 80)
    submit_all(db, users["fc_wj"], 85, 105)
    first = session_flags(db, ISSUE)[0].flag
    acknowledge_flag(db, users["fc_qp"], ISSUE, first.key, note="湖风影响，吴江偏高可接受")
    sub = next(x for x in list_submissions(db, ISSUE) if x.district == WJ and x.target_date == first.target_date)
    save_submission(db, users["fc_wj"], ISSUE, WJ, sub.target_date, aqi_lo=105, aqi_hi=125, primary=["pm25"],
                    expected_version=sub.version, submit=True)  # still disjoint, a different conflict
    acknowledge_flag(db, users["fc_qp"], ISSUE, first.key, note="吴江改为轻度污染，保留")

    def acknowledged(centres):
        with db.read() as s:
            snap = build_snapshot(s, session_for(s, ISSUE), utcnow(), "chief", centres)
        return [(a["flag"], a["reason"]) for a in snap["acknowledgements"]]

    assert acknowledged(None) == [(first.key, "湖风影响，吴江偏高可接受"), (first.key, "吴江改为轻度污染，保留")]
    assert acknowledged({}) == [(first.key, "吴江改为轻度污染，保留")]


def test_guidance_far_flag_uses_the_guidance_source(db, room):
    from consultation_data import submit_all
    from forecasting.consultation import GuidanceRow, session_flags

    users, _ = room
    submit_all(db, users["fc_qp"], 60, 80)
    rows = [GuidanceRow(QP, TARGETS[0], "best", 110, 130, 3, 3, ["pm25"], 120.0),
            GuidanceRow(QP, TARGETS[0], "raw:cmaq", 60, 80, 2, 2, ["pm25"], 70.0)]
    flags = session_flags(db, ISSUE, guidance_source=lambda _db, _d: rows)
    assert [(f.flag.kind, f.flag.target_date) for f in flags] == [("guidance_far", TARGETS[0])]


def test_flags_are_acknowledged_only_once_the_consultation_has_started(db, users):
    """A tour acknowledged every flag group while the session was still open for submissions (the desk
    showed the buttons): the chief acknowledges in the consultation. Both services refuse before it starts,
    write nothing, and say so in the user's language."""
    from consultation_data import make_rota, submit_all
    from forecasting.consultation import acknowledge_flag, acknowledge_groups, open_session, session_flags
    from forecasting.consultation import start_consultation
    from forecasting.errors import ValidationError

    make_rota(db)
    view = open_session(db, users["fc_qp"], ISSUE, days=3)
    submit_all(db, users["fc_qp"], 60, 80)
    submit_all(db, users["fc_wj"], 160, 190)
    flags = session_flags(db, ISSUE, guidance_source=lambda *_: [])
    assert flags and not any(f.acknowledged for f in flags)
    with pytest.raises(ValidationError, match="has not started") as refused:
        acknowledge_groups(db, users["fc_qp"], ISSUE, kind="*", note="先确认", guidance_source=lambda *_: [])
    assert refused.value.localized("zh") == "会商尚未开始：请先开始会商，再确认分歧。"
    with pytest.raises(ValidationError, match="has not started"):
        acknowledge_flag(db, users["fc_qp"], ISSUE, flags[0].flag.key, note="先确认", guidance_source=lambda *_: [])
    assert not any(f.acknowledged for f in session_flags(db, ISSUE, guidance_source=lambda *_: []))
    start_consultation(db, users["fc_qp"], ISSUE, expected_version=view.version)
    assert acknowledge_groups(db, users["fc_qp"], ISSUE, kind="*", note="开始后确认", guidance_source=lambda *_: [])


def test_chief_acknowledges_a_kind_in_one_action_with_a_human_sentence(db, room):
    """#14: 23 one-by-one acknowledgements became one action per kind (or one for all)."""
    from consultation_data import submit_all
    from sqlalchemy import select

    from forecasting.consultation import acknowledge_groups, list_notes, session_flag_groups, session_flags
    from forecasting.consultation.acknowledgements import snapshot_acknowledgements
    from forecasting.consultation.common import session_for
    from forecasting.errors import PermissionDenied
    from forecasting.store.models import AuditEntry

    users, _ = room
    submit_all(db, users["fc_qp"], 60, 80)
    submit_all(db, users["fc_wj"], 160, 190)
    groups = session_flag_groups(db, ISSUE, guidance_source=lambda *_: [])
    # three days × (level_gap, range_disjoint) = 6 flags in 2 groups spanning D+1..D+3
    assert [(g.kind, g.first, g.last) for g in groups] == [("level_gap", TARGETS[0], TARGETS[2]),
                                                           ("range_disjoint", TARGETS[0], TARGETS[2])]
    with pytest.raises(PermissionDenied):
        acknowledge_groups(db, users["fc_wj"], ISSUE, kind="*", note="x", guidance_source=lambda *_: [])
    done = acknowledge_groups(db, users["fc_qp"], ISSUE, kind="*", note="吴江受输送影响", guidance_source=lambda *_: [])
    assert len(done) == 2
    assert all(f.acknowledged for f in session_flags(db, ISSUE, guidance_source=lambda *_: []))
    # a double click acknowledges nothing more and writes no second note
    assert acknowledge_groups(db, users["fc_qp"], ISSUE, kind="*", note="again", guidance_source=lambda *_: []) == []
    notes = [n for n in list_notes(db, ISSUE) if n.kind == "acknowledgement"]
    assert len(notes) == 1
    body = notes[0].body
    assert "[" not in body and "range_disjoint" not in body
    assert "青浦区与吴江区" in body and "60–80" in body and "160–190" in body and "吴江受输送影响" in body
    # an English reader reads the app's sentence in English, the chief's reason as typed (a tour read the
    # Chinese chief's sentence in the English room)
    english = notes[0].body_in("en")
    assert "Qingpu" in english and "Wujiang" in english and "60–80" in english and "160–190" in english
    assert "吴江受输送影响" in english
    assert not re.search(r"[\u4e00-\u9fff]", english.replace("吴江受输送影响", "")), english
    assert notes[0].body_in("zh") == body
    with db.read() as s:
        audits = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "consult.flag.acknowledge_groups")))
        assert len(audits) == 1
        acks = snapshot_acknowledgements(s, session_for(s, ISSUE))
    assert len(acks) == 6 and {a["reason"] for a in acks} == {"吴江受输送影响"}
    assert {a["kind"] for a in acks} == {"level_gap", "range_disjoint"}


def test_a_group_joining_an_information_day_to_an_amber_day_is_shown_by_the_amber_day():
    """A tour found "已确认（）" with no name and no reason, and the information-only day's values, for a
    group of 首要污染物不同 on 12-02 (info) and 12-03 (amber, acknowledged by the chief)."""
    from datetime import timedelta

    from forecasting.consultation.acknowledgements import group_sentence
    from forecasting.consultation.flags import Flag, group_flags
    from forecasting.consultation.signoff import FlagState
    from ui.consultation import flag_groups_frame

    day = ISSUE + timedelta(days=2)
    info = Flag(f"primary_differs:{day}:{QP}:{JS}", "primary_differs", "info", day, QP, JS, {}, "x",
                ((55, 75, 2, 2, ("pm25",)), (50, 70, 2, 2, ("pm10",))))
    amber_day = day + timedelta(days=1)
    amber = Flag(f"primary_differs:{amber_day}:{QP}:{JS}", "primary_differs", "amber", amber_day, QP, JS, {}, "y",
                 ((85, 120, 2, 3, ("pm25",)), (40, 60, 1, 2, ("no2",))))
    group, = group_flags([FlagState(info, False), FlagState(amber, True, note="本地排放差异", by="陈静")])
    assert group.severity == "amber" and group.acknowledged and group.lead.flag is amber
    row = flag_groups_frame([group]).iloc[0].to_dict()
    assert "陈静" in " ".join(map(str, row.values())) and "本地排放差异" in row.values()
    assert any("85–120" in str(v) and "40–60" in str(v) for v in row.values())
    assert "85–120" in group_sentence(group) and "55–75" not in group_sentence(group)


def test_a_group_over_days_with_different_values_shows_each_days_values():
    """A tour acknowledged "青浦区与嘉善县 12-03–12-05 AQI 范围不重叠 · 50–70 PM2.5 对 75–95 PM2.5": the values of
    12-03 only, while 12-04 was 60–80 against 90–125. The chief's table and the acknowledgement's note now
    give every day's values when they differ."""
    from datetime import timedelta

    from forecasting.consultation.acknowledgements import group_sentence
    from forecasting.consultation.flags import Flag, group_flags
    from forecasting.consultation.signoff import FlagState
    from ui.consultation import flag_groups_frame

    days = [ISSUE + timedelta(days=k) for k in (2, 3, 4)]
    sides = [((50, 70, 2, 2, ("pm25",)), (75, 95, 2, 2, ("pm25",))),
             ((60, 80, 2, 2, ("pm25",)), (90, 125, 2, 3, ("pm25",))),
             ((50, 70, 2, 2, ("pm25",)), (90, 125, 2, 3, ("pm25",)))]
    flags = [FlagState(Flag(f"range_disjoint:{d}:{QP}:{JS}", "range_disjoint", "amber", d, QP, JS, {}, "x", s),
                       False) for d, s in zip(days, sides)]
    group, = group_flags(flags)
    sentence = group_sentence(group)
    for day, text in zip(days, ("50–70 PM2.5 对 75–95 PM2.5", "60–80 PM2.5 对 90–125 PM2.5",
                                "50–70 PM2.5 对 90–125 PM2.5")):
        assert f"{day:%m-%d} {text}" in sentence, sentence
    row = flag_groups_frame([group]).iloc[0].to_dict()
    assert any("60–80 PM2.5 对 90–125 PM2.5" in str(v) for v in row.values()), row


def test_a_weeks_guidance_group_writes_the_forecast_once():
    """A district's 110–145 on all seven days against a guidance centre of 100, 92, 98, 74, 89, 89, 89: the table
    repeated "110–145 PM2.5，指导中心" seven times, more than the eight lines a row held (a 1366 px tour read the
    first and last days cut off). The forecast is written once, then each day's centre."""
    from datetime import timedelta

    from forecasting.consultation.flags import Flag, group_flags
    from forecasting.consultation.signoff import FlagState
    from ui.consultation import flag_groups_frame

    centres = (100, 92, 98, 74, 89, 89, 89)
    days = [ISSUE + timedelta(days=k) for k in range(1, 8)]
    flags = [FlagState(Flag(f"guidance_deviation:{d}:{WJ}", "guidance_deviation", "amber", d, WJ, None,
                            {"guidance": c}, "x", ((110, 145, 3, 3, ("pm25",)),)), False)
             for d, c in zip(days, centres)]
    group, = group_flags(flags)
    row = flag_groups_frame([group]).iloc[0].to_dict()
    values = row["双方数值"]
    assert values == "110–145 PM2.5，指导中心 100、92、98、74、89、89、89", values  # the days: the days column's
