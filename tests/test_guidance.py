"""Guidance and training services on hand-made data: a model with a constant bias of +20."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting import datastore, guidance, training
from forecasting.errors import PermissionDenied
from forecasting.permissions import Actor
from patience import PATIENCE_S

OP = Actor.system("test")
ISSUE = date(2026, 11, 20)
POLS = {"pm25": 40.0, "pm10": 70.0, "o3": 80.0, "no2": 30.0, "so2": 8.0, "co": 0.8}
ROOT = Path(__file__).resolve().parent.parent


def _truth(times: pd.DatetimeIndex, pollutant: str) -> np.ndarray:
    hour = times.tz_convert("Asia/Shanghai").hour.to_numpy()
    return POLS[pollutant] * (1 + 0.3 * np.sin(2 * np.pi * hour / 24))


def _store_run(db, cycle: pd.Timestamp, bias: float, districts=("310118", "320509", "330421")):
    """A run of the model "biased" at ``cycle``: the truth + ``bias`` (CO: + bias/100) for 72 hours."""
    valid = pd.date_range(cycle + pd.Timedelta(hours=1), periods=72, freq="h")
    rows = []
    for d in districts:
        frame = pd.DataFrame({"district": d, "time": valid, "lead_hours": np.arange(1, 73)})
        for p in POLS:
            frame[p] = _truth(valid, p) + (bias / 100 if p == "co" else bias)
        rows.append(frame)
    datastore.store_district_series(db, OP, pd.concat(rows, ignore_index=True), model="biased",
                                    cycle=cycle.to_pydatetime())


def _fill(db, *, days=20, bias=20.0):
    """Observations = a diurnal cycle; the model = observations + ``bias`` (CO: + bias/100)."""
    start = pd.Timestamp(ISSUE - timedelta(days=days), tz="Asia/Shanghai").tz_convert("UTC")
    times = pd.date_range(start, start + pd.Timedelta(days=days + 4), freq="h")
    obs = []
    for d in ("310118", "320509", "330421"):
        for p in POLS:
            obs.append(pd.DataFrame({"station": f"S{d}", "time": times, "pollutant": p, "value": _truth(times, p)}))
    obs = pd.concat(obs, ignore_index=True)
    stations = pd.DataFrame({"station": [f"S{d}" for d in ("310118", "320509", "330421")], "name": "s",
                             "lon": [121.1, 120.6, 120.9], "lat": [31.1, 31.0, 30.9],
                             "district": ["310118", "320509", "330421"]})
    # observations only up to the issue date's cut-off: later ones are added by the leak test
    cut = guidance.issue_cutoff(ISSUE)
    datastore.store_observations(db, OP, obs[obs["time"] <= cut], stations=stations)
    for k in range(days + 1):
        _store_run(db, pd.Timestamp(ISSUE - timedelta(days=days - k), tz="UTC") - pd.Timedelta(hours=12), bias)
    return obs


@pytest.fixture(scope="module")
def _filled_template(_sqlite_template, tmp_path_factory):
    """The filled database built once per module (the series are stored through the real services);
    each test gets its own copy (:func:`filled`)."""
    import shutil

    from forecasting.store.db import Database

    path = tmp_path_factory.mktemp("guidance_filled") / "filled.sqlite3"
    shutil.copy(_sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    obs = _fill(db)
    db.dispose()  # checkpoints the WAL into the file
    return path, obs


@pytest.fixture
def filled(sqlite_url, _filled_template):
    """A copy of the filled database at ``sqlite_url`` (the test's own database) and the observations."""
    import shutil

    from forecasting.store.db import Database

    template, obs = _filled_template
    shutil.copy(template, sqlite_url.removeprefix("sqlite:///"))
    db = Database(sqlite_url)
    yield db, obs.copy()
    db.dispose()


def test_training_chooses_a_correction_over_the_biased_raw_model(filled):
    db, _ = filled
    result = training.train(db, OP, until=ISSUE, history_days=20, validation_days=7,
                            methods=["raw", "rolling_bias", "kalman_filter"])
    assert result.records == 18  # 3 districts × 6 pollutants
    assert set(result.chosen.values()) <= {"rolling_bias", "kalman_filter"}
    info = {(c.district, c.pollutant): c for c in training.active_corrections(db)}
    pm = info[("310118", "pm25")]
    # raw errs by exactly +20 at every hour: MB = RMSE = 20 (hand-computed), the bias removal ~0
    assert pm.scores["raw"]["D+1"]["rmse"] == pytest.approx(20.0)
    assert pm.scores["raw"]["D+1"]["mb"] == pytest.approx(20.0)
    assert pm.scores[pm.method]["D+1"]["rmse"] < 1.0
    assert "lowest mean hourly RMSE" in pm.reason
    # training again replaces the active records, keeping the old ones inactive
    training.train(db, OP, until=ISSUE, history_days=20, validation_days=7, methods=["raw", "rolling_bias"])
    assert len(training.active_corrections(db)) == 18


def test_guidance_removes_the_bias_and_gives_ranges(filled):
    db, _ = filled
    n = guidance.compute_guidance(db, OP, ISSUE)
    rows = guidance.guidance_for(db, ISSUE, district="310118")
    assert n > 0 and rows
    raw = {r.target_date: r for r in rows if r.method == "raw"}
    ens = {r.target_date: r for r in rows if r.method == "ensemble"}
    d1 = ISSUE + timedelta(days=1)
    assert d1 in raw and d1 in ens
    # the corrected centre is lower than the biased raw one and its range is ordered
    assert ens[d1].centre < raw[d1].centre
    assert ens[d1].aqi_lo < ens[d1].aqi_hi and ens[d1].level_lo <= ens[d1].level_hi
    series = guidance.guidance_series(db, district="310118", pollutant="pm25", issue_dates=[ISSUE])
    corrected = series[(series["method"] == "ensemble")].set_index("valid_time")["central"]
    truth = pd.Series(_truth(pd.DatetimeIndex(corrected.index), "pm25"), index=corrected.index)
    # after 20 days of a constant +20 bias, the Kalman-corrected forecast is within 1 µg/m³
    assert float((corrected - truth).abs().max()) < 1.0


def test_the_guidance_calibrates_on_a_whole_interval_window():
    """The served correction starts early enough for the conformal step to have, at the cut-off, every
    out-of-sample score of a whole interval window (the window plus the longest lead: an interval issued
    7 days before it verified at its start), and the history loaded holds the correction's first training
    before that (docs/correction.md §9: with 45 days and a one-day start the served intervals covered 0.72)."""
    from forecasting.correction import DEFAULTS, LEAD_DAYS

    since, start, cut = guidance.guidance_window(ISSUE)
    assert cut == guidance.issue_cutoff(ISSUE)
    assert cut - start >= pd.Timedelta(days=DEFAULTS["interval_window_days"] + max(LEAD_DAYS))
    assert start - since >= pd.Timedelta(days=DEFAULTS["min_train_days"])
    # a range of issue dates starts from its first date's cut-off and reads nothing after its last's
    since2, start2, cut2 = guidance.guidance_window(ISSUE - timedelta(days=6), ISSUE)
    assert (since2, start2, cut2) == (since - pd.Timedelta(days=6), start - pd.Timedelta(days=6), cut)


def test_guidance_ignores_observations_after_the_issue_time(filled):
    """Leak test: adding (absurd) observations after the cut-off changes nothing already issued."""
    db, obs = filled
    guidance.compute_guidance(db, OP, ISSUE)
    before = guidance.guidance_for(db, ISSUE)
    cut = guidance.issue_cutoff(ISSUE)
    later = obs[obs["time"] > cut].assign(value=lambda f: f["value"] * 5)
    datastore.store_observations(db, OP, later)
    guidance.compute_guidance(db, OP, ISSUE)
    assert guidance.guidance_for(db, ISSUE) == before


def test_two_runs_of_a_model_on_one_issue_date_the_newer_serves(filled):
    """A model run twice a day (CAMS: 00 and 12 UTC): the 12 UTC run of the day before (in hand at 02:00
    Beijing) and the 00 UTC run of the issue date (14:00) both belong to the issue date. Computing the
    guidance failed on the database's unique key (each valid hour stored twice); now each model's newest
    run in hand serves, as the ensemble already took it."""
    db, _ = filled
    _store_run(db, pd.Timestamp(ISSUE, tz="UTC"), bias=35.0)
    guidance.compute_guidance(db, OP, ISSUE)
    raw = guidance.guidance_series(db, district="320509", pollutant="pm25", issue_dates=[ISSUE])
    raw = raw[raw["method"] == "raw"].set_index("valid_time")["central"]
    assert raw.index.is_unique
    newer = pd.date_range(pd.Timestamp(ISSUE, tz="UTC") + pd.Timedelta(hours=1), periods=72, freq="h")
    np.testing.assert_allclose(raw.reindex(newer).to_numpy(float), _truth(newer, "pm25") + 35.0)


def _flat_through_the_cut(db, obs):
    """Qingpu's PM2.5 stored as 55 µg/m³ for the three hours up to the issue date's cut-off: known at 15:00
    it is no flat run (the QC flags a run of ≥ 6 equal hours, module docstring of
    forecasting.observations.qc). The three hours after, stored later with the same value, make the run six
    hours long and flag all six. Returns the frame of those later hours."""
    cut = guidance.issue_cutoff(ISSUE)
    mine = (obs["station"] == "S310118") & (obs["pollutant"] == "pm25")
    before = mine & (obs["time"] > cut - pd.Timedelta(hours=3)) & (obs["time"] <= cut)
    datastore.store_observations(db, OP, obs[before].assign(value=55.0))
    after = mine & (obs["time"] > cut) & (obs["time"] <= cut + pd.Timedelta(hours=3))
    return obs[after].assign(value=55.0)


@pytest.mark.slow  # two guidance computations: 4-6 s
def test_a_qc_flag_set_by_a_later_hour_changes_no_guidance_already_issued(filled):
    """Time discipline of the QC flags: the three hours before the cut-off are a flat run only once the
    hours after 15:00 are known. Guidance for the issue date uses the values as they were known then;
    before, the stored (hindsight) flags took them out of Qingpu's district mean and the recomputed guidance
    changed."""
    db, obs = filled
    later = _flat_through_the_cut(db, obs)
    # the issue date's 00 UTC run, in hand at 14:00 Beijing: its correction learns from the hours up to then
    _store_run(db, pd.Timestamp(ISSUE, tz="UTC"), bias=20.0)

    def issued():  # the daily rows and Qingpu's hourly PM2.5 series behind them
        series = guidance.guidance_series(db, district="310118", pollutant="pm25", issue_dates=[ISSUE])
        return guidance.guidance_for(db, ISSUE), series.sort_values(["method", "model", "valid_time"],
                                                                   ignore_index=True)

    guidance.compute_guidance(db, OP, ISSUE)
    before, series = issued()
    datastore.store_observations(db, OP, later)
    cut = guidance.issue_cutoff(ISSUE)
    stored = datastore.observation_frame(db, since=(cut - pd.Timedelta(hours=2)).to_pydatetime(),
                                         until=cut.to_pydatetime(), district="310118")
    assert "pm25" not in set(stored["pollutant"])  # the stored flags: no valid Qingpu PM2.5 in those hours
    guidance.compute_guidance(db, OP, ISSUE)
    after, series_after = issued()
    assert after == before
    pd.testing.assert_frame_equal(series_after, series)


def test_a_qc_flag_set_by_a_later_hour_changes_no_training_already_done(filled):
    """The same for a training whose window ends at the issue date's cut-off: its scores and choices."""
    db, obs = filled
    later = _flat_through_the_cut(db, obs)

    def trained():
        summary = training.train(db, OP, until=ISSUE, history_days=20, validation_days=10,
                                 methods=("raw", "persistence", "kalman_filter"))
        return summary.chosen, [(c.district, c.pollutant, c.method, c.scores) for c in training.active_corrections(db)]

    first = trained()
    datastore.store_observations(db, OP, later)
    assert trained() == first


def test_guidance_and_training_are_for_admins(filled, users):
    db, _ = filled
    with pytest.raises(PermissionDenied):
        guidance.compute_guidance(db, users["fc_qp"], ISSUE)
    with pytest.raises(PermissionDenied):
        training.train(db, users["mgr1"], until=ISSUE)


@pytest.fixture
def users(sqlite_db):
    from forecasting import accounts

    cast = {}
    for username, role, district in [("fc_qp", "forecaster", "310118"), ("mgr1", "manager", None)]:
        v = accounts.create_user(sqlite_db, OP, username=username, password="correct-horse-9", role=role,
                                 district=district)
        cast[username] = Actor(v.id, v.username, v.role, v.district)
    return cast


def test_command_line(sqlite_url, filled):
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    done = subprocess.run([sys.executable, "-m", "forecasting", "guidance", "compute", "--from", ISSUE.isoformat()],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)
    assert done.returncode == 0, done.stderr
    assert f"guidance for {ISSUE}..{ISSUE}:" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "forecasting", "guidance", "compute", "--from", "2026-13-01"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)
    assert bad.returncode == 2 and "not a date" in bad.stderr


@pytest.mark.parametrize("older, newer", [("o3", "pm25"), ("pm25", "o3")])
def test_the_outlook_names_the_most_frequent_primary_a_tie_going_to_the_most_recent(older, newer):
    """Ten observed days, five with each primary pollutant: the outlook names the one seen last (a tie
    once went to the order of a set of strings, which changes with each process's hash seed)."""
    days = [ISSUE - timedelta(days=k) for k in range(10, 0, -1)]  # oldest first
    observed = pd.DataFrame({"district": "310118", "date": days, "aqi": 120.0,
                             "primary": [(older,)] * 5 + [(newer,)] * 5})
    rows = guidance._outlook_rows([], observed, {pd.Timestamp(ISSUE)}, widths=((100.0, 20), (math.inf, 35)))
    assert len(rows) == 7 and {tuple(r["primary"]) for r in rows} == {(newer,)}
    observed.loc[observed.index[0], "primary"] = (older,)  # still five each: unchanged
    observed = pd.concat([observed, observed.iloc[[0]].assign(date=ISSUE - timedelta(days=11))])  # six of older
    rows = guidance._outlook_rows([], observed, {pd.Timestamp(ISSUE)}, widths=((100.0, 20), (math.inf, 35)))
    assert {tuple(r["primary"]) for r in rows} == {(older,)}


def test_the_outlook_is_never_more_certain_than_the_last_modelled_day():
    """Past the models' reach the outlook keeps at least the spread of the last day with model guidance
    (on log(AQI + 1), each side); a modelled day without a distribution (no quantiles) sets no floor."""
    days = [ISSUE - timedelta(days=k) for k in range(10, 0, -1)]
    observed = pd.DataFrame({"district": "310118", "date": days, "aqi": [60.0, 70.0, 80.0] * 3 + [70.0],
                             "primary": [("pm25",)] * 10})
    widths = ((100.0, 20), (math.inf, 35))

    def model_day(k, q10, q50, q90):
        return {"issue_date": ISSUE, "district": "310118", "target_date": ISSUE + timedelta(days=k),
                "method": guidance.SUGGESTED, "aqi_lo": 60, "aqi_hi": 80, "aqi_q10": q10, "aqi_q50": q50,
                "aqi_q90": q90}

    alone = guidance._outlook_rows([], observed, {pd.Timestamp(ISSUE)}, widths=widths)
    season = math.log1p(alone[-1]["aqi_q90"]) - math.log1p(alone[-1]["aqi_q50"])  # the season's upper spread
    # D+4 modelled with e² times the median's AQI + 1 as its 90 % quantile: upper spread 2 on log(AQI + 1)
    q50 = 70.0
    rows = [model_day(k, 50.0, q50, q50) for k in (1, 2, 3)] + [model_day(4, 50.0, q50, math.e ** 2 * (q50 + 1) - 1)]
    floored = guidance._outlook_rows(rows, observed, {pd.Timestamp(ISSUE)}, widths=widths)
    assert [r["target_date"] for r in floored] == [ISSUE + timedelta(days=k) for k in (5, 6, 7)]
    assert season < 2.0
    for r in floored:
        assert math.log1p(r["aqi_q90"]) - math.log1p(r["aqi_q50"]) == pytest.approx(2.0)
    # the same D+4 without quantiles: the season's spread
    rows[-1] = model_day(4, None, q50, None)
    plain = guidance._outlook_rows(rows, observed, {pd.Timestamp(ISSUE)}, widths=widths)
    assert [r["aqi_q90"] for r in plain] == [r["aqi_q90"] for r in alone if r["target_date"] in
                                             {ISSUE + timedelta(days=k) for k in (5, 6, 7)}]
