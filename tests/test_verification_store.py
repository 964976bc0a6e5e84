"""Verification over stored data on SQLite and PostgreSQL: a hand-made world whose every number is
worked out in ``verification_data`` (observed AQI from HJ 633-2026 Table 3, hits, errors, composite)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from db_support import PASSWORD
from forecasting import verification as v
from verification_data import HAND_ISSUE, QP, hand_world

T1, T2, T3 = (HAND_ISSUE + timedelta(days=k) for k in (1, 2, 3))


@pytest.fixture
def hand(db, users):
    hand_world(db, users, PASSWORD)
    return db


def test_observed_aqi_and_pairs_from_the_stored_world(hand):
    p = v.verify(hand, T1, T3).pairs
    obs = p[(p["label"] == "issued") & (p["district"] == QP)].set_index("target_date")
    assert list(obs["obs_aqi"]) == [115.0, 100.0, 50.0]      # 2026 Table 3 (module comment)
    assert list(obs["obs_level"]) == [3, 2, 1]
    assert list(obs["obs_primary"]) == [("pm25",), ("pm25",), ()]
    assert list(obs["range_hit"]) == [True, True, False]
    assert list(obs["level_distance"]) == [0, 0, 1]
    assert list(obs["error"]) == [0.0, 0.0, 15.0]
    assert list(obs["composite"]) == pytest.approx([100.0, 100.0, (0.5 * 50 + 0.3 * 100) / 0.8])
    assert set(p["duty_chief"]) == {"fc_qp"}


def test_issued_vs_ensemble_vs_persistence_per_lead(hand):
    t = v.verify(hand, T1, T3).table(("lead_day",)).set_index(["label", "lead_day"])
    assert [t.loc[("issued", k), "range_hit_rate"] for k in (1, 2, 3)] == [1.0, 1.0, 0.0]
    assert [t.loc[("ensemble", k), "range_hit_rate"] for k in (1, 2, 3)] == [0.0, 1.0, 1.0]
    assert [t.loc[("ensemble", k), "level_hit_rate"] for k in (1, 2, 3)] == [1.0, 1.0, 1.0]
    # persistence: 01-03 observed 80 → 70-90, level 2, pm25, for every lead
    assert [t.loc[("persistence", k), "range_hit_rate"] for k in (1, 2, 3)] == [0.0, 0.0, 0.0]
    assert [t.loc[("persistence", k), "level_hit_rate"] for k in (1, 2, 3)] == [0.0, 1.0, 0.0]
    assert t.loc[("persistence", 1), "mb"] == pytest.approx(80 - 115)
    assert all(t.loc[(x, k), "n"] == 3 for x in ("issued", "ensemble", "persistence") for k in (1, 2, 3))
    # AQI > 100 (upper rule) over the three leads of one district: issued 125 vs 115 hit, 110 vs 100 false alarm
    whole = v.verify(hand, T1, T3).table(()).set_index("label")
    assert (whole.loc["issued", "hits_100"], whole.loc["issued", "false_alarms_100"]) == (3, 3)
    va = v.verify(hand, T1, T3).value_added(("lead_day",)).set_index(["lead_day", "score"])
    assert va.loc[(1, "range_hit_rate"), "value_added"] == 1.0 and va.loc[(3, "range_hit_rate"), "value_added"] == -1.0


def test_yesterday_summary_on_the_stored_world(hand):
    y = v.yesterday_summary(hand, T1 + timedelta(days=1))
    row = next(r for r in y.of("issued") if r.district == QP)
    assert (row.aqi_lo, row.aqi_hi, row.observed_aqi, row.range_hit, row.primary_hit) == (105, 125, 115.0, True, True)
    assert y.hit_count("issued") == (3, 3) and y.hit_count("ensemble") == (0, 3)
    assert date(2027, 1, 5) == y.day


def test_only_the_newest_revision_counts(hand, users):
    """An amendment after issue (revision 2) replaces revision 1 in every score."""
    from forecasting import consultation as c

    chief = users["fc_qp"]
    c.amend_session(hand, chief, HAND_ISSUE, reason="更正 D+3")
    c.save_final(hand, chief, HAND_ISSUE, [c.FinalInput(d, T3, 40, 60, ("pm25",), expected_version=1)
                                           for d in ("310118", "320509", "330421")])
    no_guidance = lambda *_: []  # noqa: E731
    for fs in c.session_flags(hand, HAND_ISSUE, guidance_source=no_guidance):
        c.acknowledge_flag(hand, chief, HAND_ISSUE, fs.flag.key, note="ok", guidance_source=no_guidance)
    c.sign_session(hand, chief, HAND_ISSUE, password=PASSWORD, guidance_source=no_guidance,
                   expected_version=c.get_session(hand, HAND_ISSUE).version)
    c.issue_session(hand, chief, HAND_ISSUE)
    p = v.verify(hand, T1, T3).pairs
    issued = p[p["label"] == "issued"]
    assert set(issued["revision"]) == {2} and len(issued) == 9
    d3 = issued[issued["target_date"] == T3]
    assert set(zip(d3["aqi_lo"], d3["aqi_hi"])) == {(40, 60)} and d3["range_hit"].all()  # observed 50
    assert list(d3["primary_hit"].isna()) == [True] * 3  # AQI 50: primary pollutant not evaluated
