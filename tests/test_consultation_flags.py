"""Consistency flags on hand-made forecasts (pure function) and their acknowledgement."""

from __future__ import annotations

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


def test_touching_ranges_overlap():
    assert compute_flags([entry(QP, 60, 80), entry(WJ, 80, 100)]) == []


def test_different_primary_pollutants_are_amber():
    assert _kinds(compute_flags([entry(QP, 60, 80, ("pm25",)), entry(WJ, 60, 80, ("o3",))])) == [
        ("primary_differs", "amber", QP, WJ)]
    # none (AQI ≤ 50) against a named pollutant is not a disagreement about the pollutant
    assert compute_flags([entry(QP, 30, 50, ()), entry(WJ, 40, 60, ("o3",))]) == []


def test_far_from_guidance_is_amber_with_threshold():
    guidance = {(QP, TARGETS[0]): 110.0}
    # centre 70 vs 110: 40 > 25
    assert _kinds(compute_flags([entry(QP, 60, 80)], guidance)) == [("guidance_far", "amber", QP, "")]
    assert compute_flags([entry(QP, 60, 80)], guidance, threshold=50) == []
    assert compute_flags([entry(QP, 90, 110)], guidance) == []


def test_flags_are_per_day_and_fingerprint_follows_the_values():
    day2 = TARGETS[1]
    a = compute_flags([entry(QP, 60, 80), entry(WJ, 85, 105), entry(QP, 60, 80, day=day2), entry(WJ, 60, 80, day=day2)])
    assert [f.target_date for f in a] == [TARGETS[0]]
    b = compute_flags([entry(QP, 60, 80), entry(WJ, 90, 110)])
    assert a[0].key == b[0].key and a[0].fingerprint != b[0].fingerprint


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
    assert [n.kind for n in list_notes(db, ISSUE)] == ["acknowledgement"]
    # Wujiang changes its forecast for that day: still disjoint, but the acknowledgement was for other values
    from forecasting.consultation import save_submission

    sub = [s for s in __import__("forecasting.consultation", fromlist=["x"]).list_submissions(db, ISSUE)
           if s.district == WJ and s.target_date == states[key].flag.target_date][0]
    save_submission(db, users["fc_wj"], ISSUE, WJ, sub.target_date, aqi_lo=90, aqi_hi=110, primary=["pm25"],
                    expected_version=sub.version, submit=True)
    assert not {f.flag.key: f for f in session_flags(db, ISSUE)}[key].acknowledged
    # resolved by a changed forecast: the flag disappears
    save_submission(db, users["fc_wj"], ISSUE, WJ, sub.target_date, aqi_lo=70, aqi_hi=90, primary=["pm25"],
                    expected_version=sub.version + 1, submit=True)
    assert key not in {f.flag.key for f in session_flags(db, ISSUE)}


def test_guidance_far_flag_uses_the_guidance_source(db, room):
    from consultation_data import submit_all
    from forecasting.consultation import GuidanceRow, session_flags

    users, _ = room
    submit_all(db, users["fc_qp"], 60, 80)
    rows = [GuidanceRow(QP, TARGETS[0], "best", 110, 130, 3, 3, ["pm25"], 120.0),
            GuidanceRow(QP, TARGETS[0], "raw:cmaq", 60, 80, 2, 2, ["pm25"], 70.0)]
    flags = session_flags(db, ISSUE, guidance_source=lambda _db, _d: rows)
    assert [(f.flag.kind, f.flag.target_date) for f in flags] == [("guidance_far", TARGETS[0])]
