"""Verification over stored data: the small demo world with issued consultations (made here through
the consultation services when the demo world has none), guidance and observations."""

from __future__ import annotations

import json
import math
import shutil
from types import SimpleNamespace
from datetime import date, timedelta

import pytest

from forecasting import consultation as c
from forecasting import verification as v
from forecasting.guidance import observed_aqi
from forecasting.store.db import Database
from verification_data import QP, demo_today, has_issued, issue_consultations

# The small demo world is seeded for today T: guidance for issue dates T−10 .. T, observations up to now.
# Verified here: target dates T−9 .. T−1; when the demo world has no issued forecast we issue T−10 .. T−5
# (D+1..D+3) ourselves.
DATES: dict[str, object] = {}


@pytest.fixture(scope="module")
def _issued_template(_demo_template, tmp_path_factory):
    """The demo world plus issued consultations (ours only when the demo world has none)."""
    path = tmp_path_factory.mktemp("verif") / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    db = Database(f"sqlite:///{path}")
    today = demo_today(db)
    DATES.update(today=today, first=today - timedelta(days=9), last=today - timedelta(days=1),
                 issues=[today - timedelta(days=10 - i) for i in range(6)])
    ours = not has_issued(db)
    if ours:
        issue_consultations(db, DATES["issues"])
    db.dispose()
    return path, ours


@pytest.fixture
def world(_issued_template, tmp_path):
    path, ours = _issued_template
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(path, copy)
    db = Database(f"sqlite:///{copy}")
    yield SimpleNamespace(db=db, ours=ours, url=f"sqlite:///{copy}", **DATES)
    db.dispose()


def _newest_issued(db, first, last):
    """Independent path: the consultation package's read function per issue date."""
    out = {}
    for k in range((last - first).days + v.MAX_LEAD_DAYS + 1):
        issue = last - timedelta(days=k + 1)
        views = [x for x in c.issued_forecasts(db, issue) if not x.superseded]
        for view in views:
            for d in json.loads(view.snapshot)["districts"]:
                for e in d["days"]:
                    t = date.fromisoformat(e["target_date"])
                    if first <= t <= last:
                        out[(issue, d["adcode"], t)] = (e["aqi_lo"], e["aqi_hi"])
    return out


def test_every_source_per_lead_day_on_the_same_days(world):
    db, _ours = world.db, world.ours
    rep = v.verify(db, world.first, world.last)
    assert rep.has_issued
    table = rep.table(("lead_day",))
    labels = set(table["label"])
    assert {"issued", "ensemble", "persistence"} <= labels
    assert any(x.startswith("raw:") for x in labels) and any(x.startswith("corrected:") for x in labels)
    for lead, part in table.groupby("lead_day"):
        n = part.set_index("label")["n"]
        # D+1..D+3 are verified on most of the nine days; a longer lead has only the last few, which can all
        # fall in an outage of the record (with the clock at 2027-07-26: 2027-07-23..25, no observed AQI)
        assert n["issued"] > 0 or lead > 3, lead
        if "ensemble" in n:  # the guidance reaches D+4 or so in the small demo world; issued forecasts D+7
            assert n["ensemble"] == n["issued"]  # verified on the same days
            assert all(n[x] == n["issued"] for x in labels if x.startswith("raw:") and x in n)
    assert {1, 2, 3} <= set(table.query("label == 'ensemble'")["lead_day"])
    # every pair belongs to an (issue date, district, target date) the issued forecasts cover
    mine = rep.pairs[rep.pairs["source"] == "issued"]
    keys = set(zip(mine["issue_date"], mine["district"], mine["target_date"]))
    assert set(zip(rep.pairs["issue_date"], rep.pairs["district"], rep.pairs["target_date"])) <= keys


def test_issued_range_hits_match_an_independent_count(world):
    db, _ours = world.db, world.ours
    rep = v.verify(db, world.first, world.last)
    issued = _newest_issued(db, world.first, world.last)
    hits = total = 0
    for (issue, district, day), (lo, hi) in issued.items():
        obs = observed_aqi(db, district, day)
        if obs is None:
            continue
        total += 1
        hits += lo <= obs <= hi
    s = rep.table(()).set_index("label").loc["issued"]
    assert s["n"] == total > 0
    assert s["range_hit_rate"] == pytest.approx(hits / total)


def test_persistence_is_yesterdays_observation(world):
    db, _ours = world.db, world.ours
    p = v.verify(db, world.first, world.last).pairs
    row = p[(p["source"] == "persistence") & p["centre"].notna()].iloc[0]
    assert row["centre"] == observed_aqi(db, row["district"], row["issue_date"] - timedelta(days=1))
    assert row["aqi_lo"] <= row["centre"] <= row["aqi_hi"]
    same = p[(p["source"] == "persistence") & (p["issue_date"] == row["issue_date"])
             & (p["district"] == row["district"])]
    assert same["centre"].nunique() == 1  # the same forecast for every lead


def test_breakdowns_duty_chief_and_rolling(world):
    db, _ours = world.db, world.ours
    rep = v.verify(db, world.first, world.last)
    chiefs = rep.table(("duty_chief",))
    expected = {c.duty_for(db, d).chief_name for d in set(rep.pairs.query("source == 'issued'")["issue_date"])}
    assert set(chiefs.query("label == 'issued'")["duty_chief"]) == expected
    for by in ("district", "month", "season"):
        assert len(rep.table((by,)))
    roll = rep.rolling(30, lead_day=1)
    assert set(roll["label"]) >= {"issued", "ensemble"}
    last = roll[roll["label"] == "issued"].iloc[-1]
    whole = rep.table(("lead_day",)).query("label == 'issued' and lead_day == 1").iloc[0]
    assert last["range_hit_rate"] == pytest.approx(whole["range_hit_rate"])  # 30 days cover the 9-day period


def test_value_added_names_the_best_objective_source(world):
    db, _ours = world.db, world.ours
    va = v.verify(db, world.first, world.last).value_added(("lead_day",))
    assert set(va["score"]) == set(v.VALUE_ADDED_SCORES)
    assert not va["best_label"].isin(["issued"]).any()
    assert (va["best_label"] != "")[va["best"].notna()].all()
    row = va.iloc[0]
    assert row["value_added"] == pytest.approx(row["issued"] - row["best"])


def test_worst_misses_and_their_notes(world):
    db, ours = world.db, world.ours
    rep = v.verify(db, world.first, world.last)
    worst = rep.worst_misses(5)
    assert 0 < len(worst) <= 5
    d = list(worst["level_distance"].fillna(0))
    assert d == sorted(d, reverse=True)
    notes = v.session_notes(db, worst["issue_date"].iloc[0])
    if ours:
        assert any("会商记录" in n.body for n in notes)
    assert v.session_notes(db, date(2020, 1, 1)) == []


def test_without_issued_forecasts_the_objective_sources_are_verified_on_all_their_days(world):
    db = world.db
    rep = v.verify(db, world.first, world.last, sources=("ensemble", "corrected", "raw", "persistence"))
    assert not rep.has_issued
    t = rep.table(("lead_day",))
    assert {"ensemble", "persistence"} <= set(t["label"]) and (t["n"] > 0).all()
    assert rep.value_added()["issued"].isna().all()
    with_issued = v.verify(db, world.first, world.last)
    n_all = t.set_index(["label", "lead_day"]).loc[("ensemble", 1), "n"]
    n_same = with_issued.table(("lead_day",)).set_index(["label", "lead_day"]).loc[("ensemble", 1), "n"]
    assert n_all >= n_same  # same_days keeps only the issued forecasts' days


def test_yesterday_summary_for_the_consultation_room(world):
    db, ours = world.db, world.ours
    issue = world.issues[4]  # yesterday = issues[3]: D+1 of issues[2], D+2 of issues[1], D+3 of issues[0]
    y = v.yesterday_summary(db, issue)
    assert y.day == world.issues[3]
    issued = y.of("issued", lead_day=None)
    assert {1, 2, 3} <= {r.lead_day for r in issued}
    assert {world.issues[2], world.issues[1], world.issues[0]} <= {r.issue_date for r in issued}
    assert all(r.issue_date + timedelta(days=r.lead_day) == y.day for r in issued)
    hits, n = y.hit_count("issued", lead_day=1)
    assert n == sum(r.observed_aqi is not None for r in y.of("issued"))
    for r in issued:
        if r.observed_aqi is not None:
            assert r.range_hit == (r.aqi_lo <= r.observed_aqi <= r.aqi_hi)
            assert r.observed_aqi == observed_aqi(db, r.district, y.day)
    if ours:
        assert next(r for r in y.of("issued") if r.district == QP).range_hit is True
    assert y.of("ensemble") and y.of("persistence")
    empty = v.yesterday_summary(db, date(2020, 1, 2))
    assert empty.rows == () and empty.hit_count() == (0, 0)


def test_bad_period_and_source_are_refused(world):
    from forecasting.errors import ValidationError

    db, _ours = world.db, world.ours
    with pytest.raises(ValidationError, match="before --from"):
        v.verify(db, world.last, world.first)
    with pytest.raises(ValidationError, match="unknown source"):
        v.verify(db, world.first, world.last, sources=("issued", "oracle"))


def test_csv_export_of_the_demo_round_trips(world):
    db, _ours = world.db, world.ours
    rep = v.verify(db, world.first, world.last)
    import pandas as pd

    for frame in (rep.table(("lead_day",)), rep.pairs.drop(columns=["range_hit", "level_hit", "primary_hit"])):
        back = v.from_csv(v.to_csv(frame))
        pd.testing.assert_frame_equal(back, frame.reset_index(drop=True), check_dtype=False)
    assert not math.isnan(rep.table(()).set_index("label").loc["issued", "rmse"])


def test_bad_event_rule_is_refused_before_any_work(world):
    from forecasting.errors import ValidationError

    db, _ours = world.db, world.ours
    with pytest.raises(ValidationError, match="event rule 'max'"):
        v.verify(db, world.first, world.last, event_rule="max")
    assert v.yesterday_summary(db, world.issues[4].isoformat()).day == world.issues[3]  # an ISO string works
