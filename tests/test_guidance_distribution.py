"""Guidance forecasters can trust (issue #13): submittable ranges, probabilities, no copied days,
no hindsight. One small demo-like world (the demo's science: three simulated models, 12 UTC cycles,
120-h runs, so D+5..D+7 lie past the models' reach) is built once for the module."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from consultation_data import QP, WJ, JS, make_rota
from forecasting import guidance
from forecasting.permissions import Actor

ISSUE = date(2027, 1, 4)  # the consultation tests' issue date (a Monday, rota from that day)
OP = Actor.system("test")


@pytest.fixture(scope="module")
def world(tmp_path_factory, build_once):
    """Observations + model runs of 30 days before ISSUE, weekly trainings, guidance of two issue dates
    (built once per test run, copied per module)."""
    import shutil

    from forecasting.demo.science import seed_science
    from forecasting.store.db import Database
    def build(path, folder):
        from forecasting.training import train_history

        db = Database(f"sqlite:///{path}")
        now = datetime(2027, 1, 4, 7, 0, tzinfo=timezone.utc)  # 15:00 Beijing on ISSUE
        seed_science(db, today=ISSUE, now=now, days=30, files_days=0, folder=folder / "runs", log=lambda *a: None)
        trainings = train_history(db, OP, until=ISSUE - timedelta(days=1), since=ISSUE - timedelta(days=15),
                                  every_days=7, history_days=30, validation_days=14,
                                  methods=("raw", "persistence", "kalman_filter", "mos_ridge"))
        (folder / "trainings.txt").write_text("\n".join(t.until.isoformat() for t in trainings))
        guidance.compute_guidance(db, OP, ISSUE - timedelta(days=8), ISSUE - timedelta(days=8))
        guidance.compute_guidance(db, OP, ISSUE)
        db.dispose()

    template = build_once("guidance-distribution-world", build)
    # what train_history returned when the world was built: the trainings' cut-off dates
    trainings = [SimpleNamespace(until=date.fromisoformat(line))
                 for line in (template.parent / "trainings.txt").read_text().split()]
    path = tmp_path_factory.mktemp("i13") / "world.sqlite"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    yield db, url, trainings
    db.dispose()


def test_every_guidance_range_obeys_the_submission_rules(world):
    """Every stored row (each model raw and corrected, the ensemble, the outlook) passes the rules."""
    from forecasting.consultation.config import ConsultationConfig
    from forecasting.consultation.rules import check_forecast

    db, _, _ = world
    rows = guidance.guidance_for(db, ISSUE) + guidance.guidance_for(db, ISSUE - timedelta(days=8))
    ranged = [r for r in rows if r.aqi_lo is not None]
    assert len(ranged) > 100
    for r in ranged:
        checked = check_forecast(r.aqi_lo, r.aqi_hi, r.primary, config=ConsultationConfig())
        assert (checked.level_lo, checked.level_hi) == (r.level_lo, r.level_hi)


def test_probabilities_and_quantiles_are_consistent(world):
    db, _, _ = world
    rows = [r for r in guidance.guidance_for(db, ISSUE) if r.method in ("ensemble", "outlook")]
    assert rows
    for r in rows:
        assert r.aqi_q10 <= r.aqi_q50 <= r.aqi_q90
        assert 0.0 <= r.p_over_200 <= r.p_over_100 <= 1.0
        # P(AQI > 100) ≥ 0.9 exactly when the 10 % quantile is above 100 (same distribution)
        assert (r.p_over_100 > 0.9) == (r.aqi_q10 > 100) or abs(r.aqi_q10 - 100) < 1
        # a range crosses a level boundary only when the 80 % interval does
        for b in (50, 100, 150, 200, 300):
            if r.aqi_lo <= b < r.aqi_hi:
                assert r.aqi_q10 <= b + 1e-9 and r.aqi_q90 >= b - 1e-9, (r, b)


def test_no_copied_days_past_the_longest_lead(world):
    """120-h runs from 12 UTC the day before reach D+4 (valid to D+5 04:00 Beijing): D+5..D+7 are
    labelled outlook rows, never the D+4 values carried forward, and never more certain than D+4 (on
    log(AQI + 1), each side at least as wide as D+4's)."""
    db, _, _ = world
    rows = guidance.guidance_for(db, ISSUE)
    for district in (QP, WJ, JS):
        mine = [r for r in rows if r.district == district]
        ends = guidance.model_guidance_ends(mine, district)
        assert ends == ISSUE + timedelta(days=4)
        model_days = {r.target_date for r in mine if not r.outlook}
        outlook = {r.target_date: r for r in mine if r.outlook}
        assert set(outlook) == {ISSUE + timedelta(days=k) for k in (5, 6, 7)}
        assert not model_days & set(outlook)
        d4 = next(r for r in mine if r.method == "ensemble" and r.target_date == ISSUE + timedelta(days=4))
        for r in outlook.values():
            assert r.method == "outlook" and r.model == ""
            assert np.log1p(r.aqi_q50) - np.log1p(r.aqi_q10) >= np.log1p(d4.aqi_q50) - np.log1p(d4.aqi_q10) - 1e-9
            assert np.log1p(r.aqi_q90) - np.log1p(r.aqi_q50) >= np.log1p(d4.aqi_q90) - np.log1p(d4.aqi_q50) - 1e-9


def test_a_demo_session_submitted_unchanged_is_accepted(world, db, users):
    """The whole guidance of the session (preferred row per district and day: the ensemble, past the
    models' reach the outlook) submitted unchanged for all three districts is accepted."""
    from forecasting import consultation as c

    wdb, _, _ = world
    rows = guidance.guidance_for(wdb, ISSUE)
    make_rota(db)
    from consultation_data import open_consulting

    open_consulting(db, users["fc_qp"], days=7)
    best = c.best_guidance(c.guidance_rows(wdb, ISSUE))
    for user in ("fc_qp", "fc_wj", "fc_js"):
        actor = users[user]
        entries = []
        for k in range(1, 8):
            day = ISSUE + timedelta(days=k)
            g = best[(actor.district, day)]
            entries.append(c.SubmissionInput(day, g.aqi_lo, g.aqi_hi, tuple(g.primary), {}, "按客观指导", 0))
        c.save_submissions(db, actor, ISSUE, actor.district, entries, submit=True)
    view = c.get_session(db, ISSUE)
    assert view is not None
    assert len(rows) > 0
    # the guidance's one number is the median its range holds: the unchanged guidance is never "far from
    # the guidance" (the point AQI of the central hourly forecast lay outside its own range on 37 % of the
    # demo's rows, "55-75 · ≈76"), and every prefilled median lies in its range
    from forecasting.aqi import level_of
    from forecasting.consultation.prefill import district_prefill

    guidance_rows = c.guidance_rows(wdb, ISSUE)
    entries = [c.ForecastEntry(d, day, g.aqi_lo, g.aqi_hi, level_of(g.aqi_lo), level_of(g.aqi_hi), tuple(g.primary))
               for (d, day), g in best.items()]
    flags = c.compute_flags(entries, c.guidance_centres(guidance_rows))
    assert len(entries) == 21 and not [f for f in flags if f.kind == "guidance_far"]
    for d in (QP, WJ, JS):
        for p in district_prefill(guidance_rows, [ISSUE + timedelta(days=k) for k in range(1, 8)], d,
                                  config=c.consultation_config()):
            assert p.median is None or p.aqi_lo <= p.median <= p.aqi_hi, p


def test_past_guidance_uses_only_trainings_that_had_ended(world):
    """Guidance of ISSUE − 8 uses the training of ISSUE − 15 (window ended by its cut-off), not the
    later ones; asking for a correction trained after the issue time is refused."""
    db, _, trainings = world
    assert [t.until for t in trainings] == [ISSUE - timedelta(days=15), ISSUE - timedelta(days=8),
                                            ISSUE - timedelta(days=1)]
    early = ISSUE - timedelta(days=8)
    chosen = guidance.corrections_for(db, [early, ISSUE])
    assert {t for _, t in chosen[early].values()} == {guidance.issue_cutoff(early).to_pydatetime()}
    assert {t for _, t in chosen[ISSUE].values()} == {guidance.issue_cutoff(ISSUE - timedelta(days=1)).to_pydatetime()}
    for r in guidance.guidance_for(db, early):
        if r.trained_until is not None:
            assert pd.Timestamp(r.trained_until) <= guidance.issue_cutoff(early)
    with pytest.raises(guidance.HindsightError, match="cannot serve the issue date"):
        guidance.check_window(guidance.issue_cutoff(ISSUE).to_pydatetime(), early)


def test_direct_daily_rows_serve_the_issue_date_without_hindsight(world):
    """The direct daily model's rows (daily quantities corrected as days): D+1..D+4 for each district,
    a distribution and a submittable range, trained on days that ended by the issue date's cut-off,
    and the quantities' quantiles kept with the row."""
    from sqlalchemy import select

    from forecasting.store.science import Guidance

    db, _, _ = world
    rows = [r for r in guidance.guidance_for(db, ISSUE) if r.method == guidance.DIRECT_DAILY]
    assert {r.district for r in rows} == {QP, WJ, JS}
    assert {r.lead_day for r in rows} >= {1, 2, 3}
    cut = guidance.issue_cutoff(ISSUE)
    for r in rows:
        assert r.aqi_q10 <= r.aqi_q50 <= r.aqi_q90 and 0 <= r.p_over_200 <= r.p_over_100 <= 1
        assert pd.Timestamp(r.trained_until).tz_localize(None) <= cut.tz_localize(None)
    with db.read() as s:
        ind = s.scalars(select(Guidance.indicators).where(Guidance.issue_date == ISSUE,
                                                          Guidance.method == guidance.DIRECT_DAILY)).first()
    assert {"pm25_24h", "o3_8h"} <= set(ind)
    assert ind["pm25_24h"][0] <= ind["pm25_24h"][1] <= ind["pm25_24h"][2]


def test_trainings_split_between_two_worker_processes_record_the_same(world, tmp_path):
    """The demo build runs the weekly trainings' backtest on its two worker processes (the methods in two
    groups, each ensemble with its base method): the records are those of the pass in one process."""
    import shutil

    from forecasting.demo.spawn import spawn_pool
    from forecasting.store.db import Database
    from forecasting.training import active_corrections, method_groups, train_history

    _, url, _ = world
    # two weekly trainings (each scored on its own cut-off), the ensemble with its base in one group
    kw = dict(until=ISSUE - timedelta(days=1), since=ISSUE - timedelta(days=8), every_days=7, history_days=30,
              validation_days=14, methods=("raw", "kalman_filter", "mos_ridge", "ensemble"))
    assert len(method_groups(kw["methods"])) == 2
    results = []
    for name, split in (("alone", False), ("split", True)):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), path)
        db = Database(f"sqlite:///{path}")
        if split:
            with spawn_pool(2) as pool:
                summaries = train_history(db, OP, pool=pool, **kw)
        else:
            summaries = train_history(db, OP, **kw)
        results.append((summaries, [(c.district, c.pollutant, c.method, c.scores, c.reason, c.train_from, c.train_to)
                                    for c in active_corrections(db)]))
        db.dispose()
    assert len(results[0][0]) == 2 and results[0][1]
    assert results[0] == results[1]
