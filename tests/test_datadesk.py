"""The data desk (issue #20): schedules in mapping files, the arrivals board, uploads of model runs
and observations through the command line's path, the permission matrix, nothing written on refusal."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from forecasting import arrivals, datastore, uploads
from forecasting.errors import FormatError, PermissionDenied, ValidationError
from forecasting.grids.synthetic import write_cmaq_aconc
from forecasting.permissions import Actor
from forecasting.store.datadesk import IngestAttempt
from forecasting.store.models import AuditEntry
from forecasting.store.science import DistrictObservation, DistrictSeries, ModelRun, Observation, Station
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
OP = Actor.system("test")
UTC = timezone.utc

STATIONS = """station,name,lon,lat,district
QP1,青浦淀山湖,120.95,31.10,310118
WJ1,吴江开发区,120.65,31.15,320509
"""


def _count(db, model, *where):
    with db.read() as s:
        q = select(func.count()).select_from(model)
        for w in where:
            q = q.where(w)
        return s.scalar(q)


def _science_counts(db):
    return tuple(_count(db, m) for m in (ModelRun, DistrictSeries, Observation, DistrictObservation))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("FORECASTING_DATA_DIR", str(d))
    return d


@pytest.fixture
def run_file(tmp_path):
    path = write_cmaq_aconc(tmp_path / "CCTM_ACONC.nc", nx=40, ny=30, hours=6, cycle="2026-11-24T00:00Z", seed=3)
    return path.name, path.read_bytes()


# -- mapping files: the schedule ------------------------------------------------------------------


def _mapping(tmp_path, text):
    p = tmp_path / "m.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_mapping_reads_cycles_and_arrival_hours(tmp_path):
    from forecasting.grids import load_mapping

    m = load_mapping(_mapping(tmp_path, "model: X\ncycles: [12, 0, 12]\narrival_hours: 7.5\n"))
    assert m.cycles == (0, 12) and m.arrival_hours == 7.5
    plain = load_mapping(_mapping(tmp_path, "model: X\n"))
    assert plain.cycles == () and plain.arrival_hours is None


@pytest.mark.parametrize("text, match", [
    ("cycles: [24]", "cycles"), ("cycles: [1.5]", "cycles"), ("cycles: twelve", "cycles"),
    ("cycles: [true]", "cycles"), ("arrival_hours: 0", "arrival_hours"), ("arrival_hours: 97", "arrival_hours"),
    ("arrival_hours: .nan", "arrival_hours"), ("arrival_hours: soon", "arrival_hours"),
])
def test_mapping_refuses_a_bad_schedule(tmp_path, text, match):
    from forecasting.grids import load_mapping

    with pytest.raises(FormatError, match=match):
        load_mapping(_mapping(tmp_path, f"model: X\n{text}\n"))


def test_demo_models_declare_their_schedule():
    plan = {s.model: s for s in arrivals.schedules()}
    assert {"CMAQ-YRD", "NAQPMS-SH", "CAMS"} <= set(plan)
    assert plan["NAQPMS-SH"].cycles == (12,) and plan["NAQPMS-SH"].arrival_hours == 10


# -- the arrivals board --------------------------------------------------------------------------


def _series(cycle, hours=3):
    times = [cycle + timedelta(hours=h) for h in range(1, hours + 1)]
    return pd.DataFrame([{"district": d, "time": t, "lead_hours": (t - cycle).total_seconds() / 3600, "pm25": 40.0,
                          "o3": 80.0} for d in ("310118", "320509", "330421") for t in times])


def test_arrivals_statuses(db, tmp_path, monkeypatch):
    """Schedule 00Z and 12Z, due 6 h later; now = 29 Nov 04:00Z (window: the 2 days before).

    cycle      due        stored?            expected status at 04:00Z on the 29th
    27 12Z     27 18Z     yes (at 28 01Z)    arrived (late: after its due time)
    28 00Z     28 06Z     no, refused        refused
    28 12Z     28 18Z     no                 late (missing only after 18Z + the 12 h cycle interval = 29 06Z)
    29 00Z     29 06Z     no                 pending (not yet due)
    """
    models = tmp_path / "models"
    models.mkdir()
    (models / "m.yaml").write_text("model: M\ncycles: [0, 12]\narrival_hours: 6\n", encoding="utf-8")
    monkeypatch.setenv("FORECASTING_MODELS_DIR", str(models))
    c27 = datetime(2026, 11, 27, 12, tzinfo=UTC)
    datastore.store_district_series(db, OP, _series(c27), model="M", cycle=c27)
    with db.transaction() as s:
        run = s.scalar(select(ModelRun))
        run.ingested_at = datetime(2026, 11, 28, 1, tzinfo=UTC)
        s.add(IngestAttempt(kind="model_run", status="refused", via="cli", actor_username="ingest", model="M",
                            cycle=datetime(2026, 11, 28, 0, tzinfo=UTC), files=["bad.nc"], reason="bad.nc: corrupt",
                            at=datetime(2026, 11, 28, 7, tzinfo=UTC)))
    now = datetime(2026, 11, 29, 4, tzinfo=UTC)
    got = {(a.cycle.day, a.cycle.hour): a for a in arrivals.model_arrivals(db, now=now)}
    assert {k: a.status for k, a in got.items()} == {
        (27, 12): "arrived", (28, 0): "refused", (28, 12): "late", (29, 0): "pending"}
    assert got[(27, 12)].arrived_late and got[(27, 12)].n_variables == 2 and got[(27, 12)].n_times == 3
    assert got[(28, 0)].reason == "bad.nc: corrupt"
    # the board as it stood on the 28th at 00Z: 27 12Z was due (18Z) but not stored until 01Z, so late
    before = {(a.cycle.day, a.cycle.hour): a.status
              for a in arrivals.model_arrivals(db, now=datetime(2026, 11, 28, 0, 30, tzinfo=UTC))}
    assert before[(27, 12)] == "late"
    # 12 h later 28 12Z is past 18Z + 12 h: missing
    later = {(a.cycle.day, a.cycle.hour): a.status for a in arrivals.model_arrivals(db, now=now + timedelta(hours=3))}
    assert later[(28, 12)] == "missing"
    summary = arrivals.arrival_summary(db, now=now)
    assert [a.label for a in summary.not_in] == ["M 00Z", "M 12Z"]
    assert arrivals.summary_text(summary, "zh").startswith("模式 0/2 已到；M 00Z 被拒收；M 12Z 迟到；")
    # issued at 16:00 Beijing (08Z) on the 29th: the newest cycles due by 15:00 (07Z) are 29 00Z and 28 12Z
    issued = datetime(2026, 11, 29, 8, tzinfo=UTC)
    rows = arrivals.arrivals_for_snapshot(arrivals.model_arrivals(db, now=issued), issue_date=issued.date())
    assert [(r["cycle"], r["used"], r["text_zh"]) for r in rows] == [
        ("2026-11-29T00:00:00+00:00", False, "M 00Z 未到，未参与"), ("2026-11-28T12:00:00+00:00", False, "M 12Z 未到，未参与")]


def test_a_run_no_schedule_expects_is_on_the_board_as_unscheduled(db, tmp_path, monkeypatch):
    """M is delivered at 12Z; an admin uploads an extra 06Z run of M and a run of N, a model whose mapping
    declares no schedule. The board listed the expected cycles only, so both uploads were nowhere on it.
    They are now listed as unscheduled; the summary line and the issued snapshot still count the
    expected cycles only."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "m.yaml").write_text("model: M\ncycles: [12]\narrival_hours: 6\n", encoding="utf-8")
    monkeypatch.setenv("FORECASTING_MODELS_DIR", str(models))
    now = datetime(2026, 11, 29, 4, tzinfo=UTC)
    for model, cycle in (("M", datetime(2026, 11, 28, 12, tzinfo=UTC)), ("M", datetime(2026, 11, 28, 6, tzinfo=UTC)),
                         ("N", datetime(2026, 11, 28, 0, tzinfo=UTC)), ("M", datetime(2026, 11, 26, 6, tzinfo=UTC))):
        datastore.store_district_series(db, OP, _series(cycle), model=model, cycle=cycle)
    with db.transaction() as s:
        for run in s.scalars(select(ModelRun)):
            run.ingested_at = run.cycle + timedelta(hours=5)
    extra = arrivals.unscheduled_runs(db, now=now)
    # M 26 06Z is before the board's 2 days
    assert [(a.model, f"{a.cycle:%d %H}Z", a.status, a.expected_at, a.n_times) for a in extra] == [
        ("M", "28 06Z", "unscheduled", None, 3), ("N", "28 00Z", "unscheduled", None, 3)]
    assert [(a.label, f"{a.cycle:%d}", a.status) for a in arrivals.model_arrivals(db, now=now)] == [
        ("M 12Z", "27", "missing"), ("M 12Z", "28", "arrived")]
    assert arrivals.summary_text(arrivals.arrival_summary(db, now=now), "zh").startswith("模式 1/1 已到")


def test_the_board_lists_a_run_uploaded_outside_the_schedule(sqlite_url, monkeypatch, tmp_path):
    """The page: the demo models' schedule is 12Z; a run of CAMS at another hour, stored by a forecaster,
    is on the board, named by who stored it ("王磊（wj_wang）", as the audit log names people; the login
    alone before)."""
    from apptest_support import goto
    from db_support import PASSWORD
    from forecasting import accounts

    db, at = _desk_as_admin(sqlite_url, monkeypatch, tmp_path)
    accounts.create_user(db, OP, username="wj_wang", password=PASSWORD, role="forecaster", district="320509",
                         display_name="王磊")
    cycle = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    cycle = cycle.replace(hour=cycle.hour // 6 * 6)
    cycle = cycle if cycle.hour != 12 else cycle - timedelta(hours=6)
    datastore.store_district_series(db, OP, _series(cycle), model="CAMS", cycle=cycle)
    with db.transaction() as s:
        s.scalar(select(ModelRun)).ingested_by = "wj_wang"
    goto(at, "data_desk.py")
    assert not at.exception, at.exception
    board = next(d for d in at.dataframe if "起报时间" in d.value.columns).value
    row = board[board["起报时间"] == f"{cycle:%Y-%m-%d %H}Z"]
    assert list(row["模式"]) == ["CAMS"] and list(row["状态"]) == ["计划外"]
    assert list(row["应到时间"]) in ([""], [None])
    assert list(row["操作者/任务"]) == ["王磊（wj_wang）"]


def test_the_demo_world_s_runs_arrived_on_time_and_its_reports_say_what_was_in_at_issue(demo_url):
    """The demo stores each run at its simulated arrival (before its due time, cycle + 10 h in
    data/models), so its board is a working centre's board and every issued report's arrival lines
    name runs that were in by the time it was issued (none stored after it)."""
    import json

    from forecasting.store.consultation import IssuedForecast
    from forecasting.store.db import Database

    db = Database(demo_url)
    with db.read() as s:
        runs = list(s.execute(select(ModelRun.model, ModelRun.cycle, ModelRun.ingested_at)))
        issued = list(s.execute(select(IssuedForecast.snapshot, IssuedForecast.issued_at)))
    board = arrivals.model_arrivals(db)
    db.dispose()
    assert len(runs) >= 30 and len(issued) >= 10
    for model, cycle, at in runs:
        cycle, at = cycle.replace(tzinfo=UTC), at.replace(tzinfo=UTC)
        assert cycle < at <= cycle + timedelta(hours=10), (model, cycle, at)
    stored = [a for a in board if a.status == "arrived"]
    assert stored and not [a for a in stored if a.arrived_late]
    for snapshot, issued_at in issued:
        rows = json.loads(snapshot)["data_arrivals"]
        assert {r["model"] for r in rows} == {"CAMS", "CMAQ-YRD", "NAQPMS-SH"}
        for r in rows:
            assert r["used"] and datetime.fromisoformat(r["arrived_at"]) <= issued_at.replace(tzinfo=UTC), r


def test_observation_arrivals_newest_hour_and_valid_share(db, tmp_path):
    """QP1 pm25 for the 24 h before now: 18 stored values, of which 3 flagged and 1 missing → 14/24 valid."""
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    now = datetime(2026, 11, 29, 6, tzinfo=UTC)
    times = [now - timedelta(hours=h) for h in range(18)]
    obs = pd.DataFrame({"station": "QP1", "time": times, "pollutant": "pm25",
                        "value": [40.0 + (h % 5) for h in range(18)]})
    datastore.store_observations(db, OP, obs, stations=datastore_stations(tmp_path))
    with db.transaction() as s:
        rows = list(s.scalars(select(Observation).order_by(Observation.time)))
        for r in rows[:3]:
            r.qc_flags = "spike"
        rows[3].value = None
    got = arrivals.observation_arrivals(db, now=now)
    assert len(got) == 1 and got[0].newest == now and got[0].valid_hours_24h == 14
    assert got[0].valid_share_24h == pytest.approx(14 / 24)


def datastore_stations(tmp_path):
    from forecasting.observations import read_stations

    return read_stations(tmp_path / "st.csv")


# -- model runs from the browser ------------------------------------------------------------------


def test_the_preview_of_a_three_hourly_run_says_it_is_made_hourly(db, users, data_dir, tmp_path):
    import xarray as xr

    from forecasting.grids.synthetic import write_cams_forecast

    full = write_cams_forecast(tmp_path / "full.nc", hours=12, cycle="2026-11-24T00:00Z", seed=5)
    with xr.open_dataset(full, mask_and_scale=False, decode_times=False) as ds:
        ds.isel(valid_time=slice(2, None, 3)).to_netcdf(tmp_path / "every3.nc")
    preview = uploads.preview_run(db, users["admin1"], [("every3.nc", (tmp_path / "every3.nc").read_bytes())],
                                  model="cams-3h")
    assert preview.description["conversions"][-1] == "3-hourly output interpolated linearly in time to hourly values"
    out = uploads.confirm_run(db, users["admin1"], preview.token, recompute=False)
    assert out.n_times == 10  # leads 3..12


def test_forecaster_uploads_a_run_through_the_ingest_path(db, users, data_dir, run_file):
    from forecasting.districts import district_series, district_weights
    from forecasting.grids import open_grid

    name, data = run_file
    preview = uploads.preview_run(db, users["fc_wj"], [(name, data)], model="cmaq-test")
    assert _science_counts(db) == (0, 0, 0, 0)  # a preview writes nothing
    assert set(preview.description["variables"]) == {"pm25", "pm10", "o3", "no2", "so2", "co"}
    assert preview.description["time"]["steps"] == 6 and preview.cycle.startswith("2026-11-24T00:00")
    assert set(preview.coverage) == {"310118", "320509", "330421"}
    assert preview.field_variable == "pm25" and len(preview.field) == 40 * 30
    out = uploads.confirm_run(db, users["fc_wj"], preview.token, recompute=False)
    assert out.model == "cmaq-test" and not out.replaced and out.n_times == 6
    # the file is kept content-addressed and the run points at it
    digest = hashlib.sha256(data).hexdigest()
    kept = data_dir / "uploads" / digest / name
    assert kept.read_bytes() == data
    with db.read() as s:
        run = s.scalar(select(ModelRun))
        assert run.ingested_by == "fc_wj" and run.files == [str(kept)]
        attempt = s.get(IngestAttempt, out.attempt_id)
        assert (attempt.status, attempt.via, attempt.sha256, attempt.actor_username) == ("stored", "upload", digest,
                                                                                          "fc_wj")
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.actor_username == "fc_wj"))]
    assert "datadesk.upload" in actions and "run.ingest" in actions
    # the stored values are the district means of the file (as the command line stores them)
    grid = open_grid([kept])
    expected = district_series(grid, district_weights(grid)).set_index(["district", "time"])["o3"].sort_index()
    got = datastore.forecast_frame(db, model="cmaq-test")
    got = got[got["variable"] == "o3"].set_index(["district", "valid_time"])["value"].sort_index()
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)
    # re-ingest from the kept file replaces the cycle in one go
    again = uploads.reingest_run(db, users["admin1"], out.attempt_id, recompute=False)
    assert again.replaced and _count(db, ModelRun) == 1 and _count(db, DistrictSeries) == out.n_values
    views = uploads.list_attempts(db, users["mgr1"])
    assert [v.via for v in views] == ["reingest", "upload"] and views[1].can_reingest


@pytest.mark.parametrize("content", [b"CDF\x01 this is not really netcdf", b"\x89HDF\r\n\x1a\n" + b"\0" * 64,
                                     b"station,time,pm25\n"])
def test_corrupt_run_is_refused_and_writes_nothing(db, users, data_dir, run_file, content):
    uploads.confirm_run(db, users["admin1"], uploads.preview_run(db, users["admin1"], [run_file], model="cmaq-test").token,
                        recompute=False)
    before = _science_counts(db)
    with db.read() as s:
        values_before = sorted(s.execute(select(DistrictSeries.value)).scalars())
    with pytest.raises(ValidationError, match="broken.nc") as refused:
        uploads.preview_run(db, users["fc_qp"], [("broken.nc", content)])
    assert "staging" not in str(refused.value)  # the user's file name, not the server's path
    assert _science_counts(db) == before
    with db.read() as s:
        assert sorted(s.execute(select(DistrictSeries.value)).scalars()) == values_before
        refused = s.scalar(select(IngestAttempt).where(IngestAttempt.status == "refused"))
        assert refused.files == ["broken.nc"] and "broken.nc" in refused.reason
        assert refused.sha256 == hashlib.sha256(hashlib.sha256(content).hexdigest().encode()).hexdigest()
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "datadesk.refused")) == 1
    # nothing kept: the store holds only the good file, the staging area is empty
    kept = [p for p in (data_dir / "uploads").iterdir() if p.name != "staging"]
    assert [p.name for p in kept] == [hashlib.sha256(run_file[1]).hexdigest()]
    assert not any((data_dir / "uploads" / "staging").iterdir())


def test_upload_limits(db, users, data_dir, run_file, monkeypatch):
    monkeypatch.setenv("FORECASTING_UPLOAD_MAX_MB", "1")
    with pytest.raises(ValidationError, match="limit"):
        uploads.preview_run(db, users["admin1"], [("big.nc", b"C" * (1024 * 1024 + 1))])
    with pytest.raises(ValidationError, match="at most 8"):
        uploads.preview_run(db, users["admin1"], [(f"f{i}.nc", b"x") for i in range(9)])
    with pytest.raises(ValidationError, match="empty"):
        uploads.preview_run(db, users["admin1"], [("e.nc", b"")])
    assert _science_counts(db) == (0, 0, 0, 0)
    assert _count(db, IngestAttempt, IngestAttempt.status == "refused") == 3


# -- observations from the browser ----------------------------------------------------------------


def _obs_csv():
    rows = ["station,time,pm25,pm10,o3,no2,so2,co"]
    for h in range(1, 7):
        t = f"2026-11-20T{h:02d}:00+08:00"
        # QP1 clean; WJ1's PM2.5 exceeds its PM10 at every hour (HJ-style consistency check flags both)
        rows.append(f"QP1,{t},{40 + h},{70 + h},{60 + 3 * h},{30 + h},{8 + h},{0.8 + 0.05 * h:.2f}")
        rows.append(f"WJ1,{t},{60 + h},{50 + h},{58 + 3 * h},{28 + h},{7 + h},{0.7 + 0.05 * h:.2f}")
    return ("\n".join(rows) + "\n").encode()


def test_admin_previews_and_imports_observations(db, users, data_dir):
    data = _obs_csv()
    p = uploads.preview_observations(db, users["admin1"], data, "obs.csv", stations=("st.csv", STATIONS.encode()))
    assert _science_counts(db) == (0, 0, 0, 0)
    assert p.rows == 2 * 6 * 6 and p.stations == ("QP1", "WJ1") and p.unknown_stations == ()
    assert p.flag_counts == {"pm25_gt_pm10": 12} and p.flagged == 12
    wj = p.table[p.table["station"] == "WJ1"]
    assert set(wj.loc[wj["pollutant"].isin(["pm25", "pm10"]), "qc_flags"]) == {"pm25_gt_pm10"}
    # as the page shows it: Beijing time, each value's unit beside it (CO in mg/m³), the QC code in words
    from ui.datadesk import observation_preview_table

    shown = observation_preview_table(p.table, "zh")
    assert list(shown.columns) == ["站点", "时间", "污染物", "数值", "单位", "质控标记"]
    co = shown[(shown["站点"] == "QP1") & (shown["污染物"] == "CO")].iloc[0]
    assert (co["时间"], co["数值"], co["单位"]) == ("2026-11-20 01:00", 0.85, "mg/m³")
    assert set(shown.loc[shown["污染物"] != "CO", "单位"]) == {"µg/m³"}
    assert set(shown.loc[(shown["站点"] == "WJ1") & shown["污染物"].isin(["PM2.5", "PM10"]), "质控标记"]) == {
        "PM2.5 大于 PM10"}
    result, attempt = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 72 and result.flagged == 12
    assert _count(db, Observation) == 72 and _count(db, Observation, Observation.qc_flags != "") == 12
    assert (data_dir / "uploads" / hashlib.sha256(data).hexdigest() / "obs.csv").read_bytes() == data
    with db.read() as s:
        assert s.get(IngestAttempt, attempt).status == "stored"


def test_the_preview_and_the_import_say_a_stored_spike_is_flagged_by_the_next_hour(db, users, data_dir):
    """The previous file ended on a spike (400 after 44: unjudgeable without hour t+1); the next file's
    hour makes it one (``qc.py``: 400 − max(44, 45) > max(100, 2 × 45)). Preview and import say so."""
    first = ("station,time,pm25\n" + "".join(f"QP1,2026-11-20T{h:02d}:00+08:00,{v}\n"
                                             for h, v in zip(range(1, 6), (41, 43, 42, 44, 400)))).encode()
    p = uploads.preview_observations(db, users["admin1"], first, "a.csv", stations=("st.csv", STATIONS.encode()))
    assert p.flagged == 0 and p.reflagged == 0
    uploads.confirm_observations(db, users["admin1"], p.token)
    nxt = b"station,time,pm25\nQP1,2026-11-20T06:00+08:00,45\n"
    p = uploads.preview_observations(db, users["admin1"], nxt, "b.csv")
    assert p.flagged == 0 and p.reflagged == 1
    assert _count(db, Observation, Observation.qc_flags != "") == 0  # a preview writes nothing
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.reflagged == 1 and _count(db, Observation, Observation.qc_flags == "spike") == 1


def test_observations_without_station_metadata_are_refused_at_confirm(db, users, data_dir):
    p = uploads.preview_observations(db, users["admin1"], _obs_csv(), "obs.csv")
    assert p.unknown_stations == ("QP1", "WJ1")
    with pytest.raises(ValidationError, match="no metadata"):
        uploads.confirm_observations(db, users["admin1"], p.token)
    assert _science_counts(db) == (0, 0, 0, 0)
    assert _count(db, IngestAttempt, IngestAttempt.status == "refused") == 1


def test_an_hour_that_has_not_ended_is_refused_with_its_line(db, users, data_dir):
    """A tour uploaded an hour ending at 18:00 at 17:06 and it was accepted: nobody can have observed it."""
    from forecasting.i18n import t
    from forecasting.store.types import utcnow

    ahead = (pd.Timestamp(utcnow()) + pd.Timedelta(hours=2)).floor("h").tz_convert("Asia/Shanghai")
    data = (f"station,time,pm25\nQP1,2026-11-20T01:00+08:00,40\n"
            f"QP1,{ahead.strftime('%Y-%m-%dT%H:%M')}+08:00,41\n").encode()
    p = uploads.preview_observations(db, users["admin1"], data, "obs.csv", stations=("st.csv", STATIONS.encode()))
    with pytest.raises(ValidationError, match="line 3: the hour ending .* has not ended yet") as refused:
        uploads.confirm_observations(db, users["admin1"], p.token)
    assert "第 3 行" in t(refused.value.key, "zh", **refused.value.params)
    assert _science_counts(db) == (0, 0, 0, 0)
    assert _count(db, IngestAttempt, IngestAttempt.status == "refused") == 1


def test_malformed_observations_are_refused_with_the_line(db, users, data_dir):
    bad = b"station,time,pm25\nQP1,2026-11-20T01:00+08:00,40,99\n"
    with pytest.raises(ValidationError, match="line 2"):
        uploads.preview_observations(db, users["admin1"], bad, "obs.csv")
    assert _science_counts(db) == (0, 0, 0, 0)


# -- the permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("who, run_ok, obs_ok", [
    ("admin1", True, True), ("fc_qp", True, False), ("mgr1", False, False), (None, False, False)])
def test_permission_matrix(db, users, data_dir, run_file, who, run_ok, obs_ok):
    actor = users[who] if who else None
    with db.read() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))

    def attempt(fn, *args, **kwargs):
        try:
            fn(*args, **kwargs)
            return True
        except PermissionDenied:
            return False

    assert attempt(uploads.preview_run, db, actor, [run_file], model="cmaq-test") is run_ok
    token = uploads.preview_run(db, users["admin1"], [run_file], model="cmaq-test").token
    assert attempt(uploads.confirm_run, db, actor, token, recompute=False) is run_ok
    if not run_ok:
        assert _count(db, ModelRun) == 0
        first = uploads.confirm_run(db, users["admin1"], token, recompute=False)
    else:
        first = uploads.list_attempts(db, users["admin1"])[0]
        first = type("A", (), {"attempt_id": first.id})
    assert attempt(uploads.reingest_run, db, actor, first.attempt_id, recompute=False) is run_ok
    assert attempt(uploads.preview_observations, db, actor, _obs_csv(), "o.csv",
                   stations=("s.csv", STATIONS.encode())) is obs_ok
    p = uploads.preview_observations(db, users["admin1"], _obs_csv(), "o.csv", stations=("s.csv", STATIONS.encode()))
    assert attempt(uploads.confirm_observations, db, actor, p.token) is obs_ok
    assert (_count(db, Observation) > 0) is obs_ok
    denied = _count(db, AuditEntry, AuditEntry.action == "datadesk.denied")
    expected_denials = (0 if run_ok else 3) + (0 if obs_ok else 2)
    assert denied == (expected_denials if actor is not None else 0)
    assert audit_before >= 0
    # reading is open to everyone signed in
    if actor is not None:
        assert uploads.list_attempts(db, actor)
        arrivals.model_arrivals(db)


def test_ingest_command_line_records_its_attempts(tmp_path, sqlite_url, run_file):
    from forecasting.store.db import Database

    path = tmp_path / run_file[0]
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    ok = subprocess.run([sys.executable, "-m", "forecasting", "ingest", str(path), "--model", "cmaq-test"],
                        cwd=ROOT, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "forecasting", "ingest", str(tmp_path / "nope.nc")],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "nope.nc" in bad.stderr
    (tmp_path / "obs.csv").write_bytes(_obs_csv())
    obs = subprocess.run([sys.executable, "-m", "forecasting", "obs", "import", str(tmp_path / "obs.csv")],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert obs.returncode == 2 and "no metadata" in obs.stderr
    db = Database(sqlite_url)
    with db.read() as s:
        rows = [(a.status, a.via, a.actor_username, a.sha256) for a in s.scalars(select(IngestAttempt).order_by(IngestAttempt.id))]
    db.dispose()
    assert rows == [("stored", "cli", "ingest", hashlib.sha256(run_file[1]).hexdigest()), ("refused", "cli", "ingest", ""),
                    ("refused", "cli", "obs-import", hashlib.sha256(_obs_csv()).hexdigest())]


# -- the page (AppTest) ---------------------------------------------------------------------------


@pytest.mark.parametrize("username, role, uploads_shown", [
    ("mgr_x", "manager", False), ("fc_x", "forecaster", True), ("adm_x", "admin", True)])
def test_data_desk_page_per_role(sqlite_url, monkeypatch, tmp_path, username, role, uploads_shown):
    """Everyone reads the board (the demo schedules: no run stored, all three models missing or late);
    managers get no upload widget, forecasters the model-run one only, admins both."""
    from apptest_support import goto, new_app, sign_in, texts
    from db_support import PASSWORD
    from forecasting import accounts
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_DATA_DIR", str(tmp_path))
    accounts.create_user(get_database(sqlite_url), OP, username=username, password=PASSWORD, role=role,
                         district="310118" if role == "forecaster" else None)
    at = goto(sign_in(new_app(), username, PASSWORD), "data_desk.py")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "数据台：到达情况与数据上传" in shown and "模式 0/3 已到" in shown
    keys = {w.key for w in at.button}
    assert ("dd20_run_inspect" in keys) is uploads_shown
    assert ("dd20_obs_preview" in keys) is (role == "admin")
    if role == "manager":
        assert "只有预报员和管理员可以上传模式数据。" in shown
    if role == "admin":  # monitoring exports come as workbooks: the file picker offers them (it offered CSV only)
        pickers = {el.proto.label: list(el.proto.type) for el in at.get("file_uploader")}
        obs_pickers = [types for label, types in pickers.items() if label.startswith(("观测", "站点信息"))]
        assert len(obs_pickers) == 2 and all(".xlsx" in types and ".xls" in types for types in obs_pickers), pickers
        assert ".zip" in pickers[next(label for label in pickers if label.startswith("观测"))]  # a week's exports
        assert [el.proto.multiple_files for el in at.get("file_uploader") if el.proto.label.startswith("观测")] == [
            True]  # or the week's files chosen together
    at.segmented_control(key="lang_switch").set_value("en").run()
    assert not at.exception, at.exception
    assert "Data desk: arrivals and uploads" in texts(at) and "Models 0/3 arrived" in texts(at)


# -- the issued snapshot records the arrivals -----------------------------------------------------


def test_issued_snapshot_says_which_runs_took_part(db, users, tmp_path, monkeypatch):
    """Models A and B both deliver 12Z; A's newest 12Z run is stored, B's is not: the snapshot says
    "A 12Z 已到" and "B 12Z 未到，未参与"; runs no schedule expects, which the guidance uses too, are recorded
    as "已到（计划外）" (before, the record left them out). The cycle is the newest 12Z at or before the moment of
    issue (a run issued across 12:00 UTC would see a newer cycle, which this test does not guard against)."""
    import json

    from consultation_data import QP, add_forecaster, future_monday, make_rota, open_consulting, submit_all
    from db_support import PASSWORD
    from forecasting import consultation as c

    models = tmp_path / "models"
    models.mkdir()
    for name in ("A", "B"):
        (models / f"{name.lower()}.yaml").write_text(f"model: {name}\ncycles: [12]\narrival_hours: 2\n",
                                                     encoding="utf-8")
    monkeypatch.setenv("FORECASTING_MODELS_DIR", str(models))
    # an issue date weeks ahead: its 15:00 cut-off is after every cycle, so the newest 12Z at or before now
    # counts (with the fixed ISSUE, 2027-01-04, the test failed once the clock passed that day)
    issue = future_monday()
    before = datetime.now(UTC)
    newest = before.replace(hour=12, minute=0, second=0, microsecond=0)
    if newest > before:
        newest -= timedelta(days=1)
    datastore.store_district_series(db, OP, _series(newest), model="A", cycle=newest)
    # runs no schedule expects: an extra 06Z of A, and C, a model without a schedule (the guidance uses them)
    extra = newest - timedelta(hours=6)
    datastore.store_district_series(db, OP, _series(extra), model="A", cycle=extra)
    datastore.store_district_series(db, OP, _series(newest), model="C", cycle=newest)
    users = dict(users)
    users["fc_qp2"] = add_forecaster(db, "fc_qp2", QP)
    make_rota(db, issue)
    open_consulting(db, users["fc_qp"], issue)
    for u in ("fc_qp", "fc_wj", "fc_js"):
        submit_all(db, users[u], 60, 80, issue=issue)
    c.sign_session(db, users["fc_qp"], issue, password=PASSWORD, expected_version=c.get_session(db, issue).version)
    issued = c.issue_session(db, users["fc_qp"], issue)
    rows = json.loads(issued.snapshot)["data_arrivals"]
    got = {(r["model"], r["cycle"]): (r["used"], r["text_zh"], r["text_en"]) for r in rows}
    assert got == {("A", newest.isoformat()): (True, "A 12Z 已到", "A 12Z arrived"),
                   ("A", extra.isoformat()): (True, "A 06Z 已到（计划外）", "A 06Z arrived (unscheduled)"),
                   ("B", newest.isoformat()): (False, "B 12Z 未到，未参与", "B 12Z not arrived, not used"),
                   ("C", newest.isoformat()): (True, "C 12Z 已到（计划外）", "C 12Z arrived (unscheduled)")}


def test_a_run_without_a_model_name_is_not_stored(db, users, data_dir, tmp_path):
    """A CF file that names no model: without a choice it would be stored under its layout's name."""
    import xarray as xr

    lon, lat = np.arange(120.0, 121.8, 0.1), np.arange(30.5, 31.6, 0.1)
    ds = xr.Dataset({"pm25": (("time", "latitude", "longitude"), np.full((3, lat.size, lon.size), 40.0),
                              {"units": "ug m-3"})},
                    coords={"time": pd.date_range("2026-11-24T01:00", periods=3, freq="h"), "latitude": lat,
                            "longitude": lon})
    ds.to_netcdf(tmp_path / "anon.nc")
    preview = uploads.preview_run(db, users["admin1"], [("anon.nc", (tmp_path / "anon.nc").read_bytes())])
    assert preview.model is None and preview.description["format"] == "cf"
    with pytest.raises(ValidationError, match="choose the model"):
        uploads.confirm_run(db, users["admin1"], preview.token, recompute=False)
    assert _science_counts(db) == (0, 0, 0, 0)


def test_times_without_an_offset_are_read_in_the_zone_the_page_offers(db, users, data_dir):
    """The page's default "UTC（世界时）" refused every time without an offset ("应为带 UTC 偏移的时间"): it
    passed no zone at all. UTC and Beijing time each read 2026-11-20 05:00 as that hour in their zone."""
    data = b"station,time,pm25\nQP1,2026-11-20 05:00,41\n"
    utc = uploads.preview_observations(db, users["admin1"], data, "obs.csv", timezone_name="UTC")
    bj = uploads.preview_observations(db, users["admin1"], data, "obs.csv", timezone_name="Asia/Shanghai")
    assert utc.first == datetime(2026, 11, 20, 5, tzinfo=timezone.utc)
    assert bj.first == datetime(2026, 11, 19, 21, tzinfo=timezone.utc)  # 05:00 Beijing = 21:00 UTC the day before
    with pytest.raises(ValidationError) as refused:  # no zone: an offset is required (the command line's default)
        uploads.preview_observations(db, users["admin1"], data, "obs.csv")
    assert "或先指定无偏移时间的时区（如北京时间）" in refused.value.localized("zh")
    english = refused.value.localized("en")  # the English page names the option too, not a Python argument
    assert "a time zone chosen first for times without one (such as Beijing time" in english
    assert "timezone=" not in english
    assert _science_counts(db) == (0, 0, 0, 0)


def test_the_page_reads_times_without_an_offset_in_beijing_time_unless_told(sqlite_url, monkeypatch, tmp_path):
    """China's monitoring records are kept in Beijing time; the page's first and default choice was UTC, so an
    export's "2026-11-20 10:00" was stored as 18:00 Beijing time unless the admin changed it."""
    from apptest_support import goto

    _db, at = _desk_as_admin(sqlite_url, monkeypatch, tmp_path)
    goto(at, "data_desk.py")
    assert not at.exception, at.exception
    tz = at.radio(key="dd20_obs_tz")
    assert tz.value == "Asia/Shanghai" and list(tz.options) == ["北京时间", "UTC（世界时）"]


def test_a_header_in_chinese_is_read_as_a_monitoring_export_writes_it(db, users, data_dir):
    """A Chinese monitoring export's header ("站点编码,监测时间,PM2.5(μg/m³),…,CO(mg/m³)") was refused: "表头须含
    station（站点编号）和 time（时间）两列（列名用英文）", and the forecaster had to rename its columns in Excel. It is
    read, its units converted as a unit column's are; a header that still lacks a station code names its columns as
    the file writes them."""
    data = ("站点编码,点位名称,监测时间,PM2.5(μg/m3),臭氧（μg/m3）,CO(μg/m3),AQI\n"
            "QP1,青浦淀山湖,2026-11-20T05:00+08:00,41,60,800,57\n").encode("gbk")
    p = uploads.preview_observations(db, users["admin1"], data, "导出.csv", stations=("站点.csv", STATIONS.encode()))
    assert p.rows == 3 and p.ignored_columns == ("点位名称", "AQI")
    uploads.confirm_observations(db, users["admin1"], p.token)
    with db.read() as s:
        stored = dict(s.execute(select(Observation.pollutant, Observation.value)).all())
    assert stored == pytest.approx({"pm25": 41, "o3": 60, "co": 0.8}, rel=1e-12)
    # a file naming its stations only (a provincial export) is read by the station list's names
    p = uploads.preview_observations(db, users["admin1"], "站点名称,时间,PM2.5\n青浦淀山湖,2026-11-20T06:00+08:00,41\n"
                                     .encode(), "obs.csv")
    assert p.stations == ("QP1",) and p.rows == 1
    with pytest.raises(FormatError) as refused:  # neither a code nor a name
        uploads.preview_observations(db, users["admin1"], "时间,PM2.5\n2026-11-20T06:00+08:00,41\n".encode(), "obs.csv")
    assert refused.value.localized("zh") == ("obs.csv：表头须含站点编号（station 或 站点编码；或站点名称）和时间（time 或 监测时间）两列，"
                                               "实际为 时间, PM2.5")


def _admin(db) -> Actor:
    """The administrator :func:`_desk_as_admin` signed in, as a service's actor."""
    from forecasting import accounts

    return next(Actor(u.id, u.username, u.role, u.district, u.display_name)
                for u in accounts.list_users(db, OP) if u.username == "adm_x")


def _desk_as_admin(sqlite_url, monkeypatch, tmp_path):
    from apptest_support import new_app, sign_in
    from db_support import PASSWORD
    from forecasting import accounts
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_DATA_DIR", str(tmp_path))
    db = get_database(sqlite_url)
    accounts.create_user(db, OP, username="adm_x", password=PASSWORD, role="admin")
    return db, sign_in(new_app(), "adm_x", PASSWORD)


def test_the_observations_board_fits_a_desktop_page(sqlite_url, monkeypatch, tmp_path):
    """A tour at 1280 px read "12-0" in the CO column: six pollutant cells of "12-02 02:00 · 96%" are 900 px
    wide and the page has 820 beside the sidebar. The station's newest hour has a column of its own, each
    pollutant's cell holds its valid share over 24 h, and its own newest hour only when that is older."""
    from apptest_support import goto

    db, at = _desk_as_admin(sqlite_url, monkeypatch, tmp_path)
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    newest = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    base = {"pm25": 30.0, "pm10": 60.0, "o3": 50.0, "no2": 20.0, "so2": 5.0, "co": 0.6}  # plausible, varying: no QC flag
    rows = [{"station": st, "time": newest - timedelta(hours=h), "pollutant": p, "value": v + h % 5}
            for st in ("QP1", "WJ1") for p, v in base.items() for h in range(12)
            if not (st == "WJ1" and p == "co" and h < 3)]  # WJ1's CO three hours behind the rest
    datastore.store_observations(db, OP, pd.DataFrame(rows), stations=datastore_stations(tmp_path))
    goto(at, "data_desk.py")
    assert not at.exception, at.exception
    board = next(d for d in at.dataframe if "站名" in d.value.columns).value.set_index("站点")
    pollutants = ["PM2.5", "PM10", "O₃", "NO₂", "SO₂", "CO"]
    assert list(board.columns) == ["区县", "站名", "最新时次", *pollutants]
    bj = newest.astimezone(timezone(timedelta(hours=8)))
    assert list(board["最新时次"]) == [f"{bj:%m-%d %H:%M}"] * 2
    # 12 of the last 24 hours: 50 %; WJ1's CO 9 of 24, newest three hours earlier
    assert list(board.loc["QP1", pollutants]) == ["50%"] * 6
    behind = bj - timedelta(hours=3)
    assert list(board.loc["WJ1", pollutants]) == ["50%"] * 5 + [f"38%（{behind:%m-%d %H:%M}）"]


def test_the_upload_history_shows_why_beside_the_status_and_in_full(sqlite_url, monkeypatch, tmp_path, run_file):
    """At 1280 px the reason column was past the table's right edge (behind a 400 px files column), and a
    long reason was cut in it: the reason follows the status, and every reason is in full under the table."""
    import json

    from apptest_support import goto, texts

    db, at = _desk_as_admin(sqlite_url, monkeypatch, tmp_path)
    from forecasting import accounts

    admin = next(accounts.Actor(u.id, u.username, u.role, u.district, u.display_name)
                 for u in accounts.list_users(db, OP) if u.username == "adm_x")
    name = "CMAQ-YRD_2026113012_surface_hourly_concentrations_v2.nc"
    with pytest.raises(FormatError):
        uploads.preview_run(db, admin, [(name, b"CDF\x01 not really netcdf")])
    reason = f"{name} 不是可读取的 NetCDF 文件（文件损坏或格式不符）"
    goto(at, "data_desk.py")
    assert not at.exception, at.exception
    history = next(d for d in at.dataframe if "途径" in d.value.columns)
    assert list(history.value.columns[:6]) == ["#", "时间", "类型", "状态", "原因", "文件"]
    assert list(history.value["原因"]) == [reason]
    assert json.loads(history.proto.columns)["原因"]["help"]
    assert "#1 · " in texts(at) and f"{name}：{reason}" in texts(at)


# -- a monitoring export as it comes (round forty-three) ---------------------------------------------------


def _export():
    """An hourly export as monitoring software writes it: "PM2.5" and extra columns, saved by Excel on a Chinese
    Windows (GBK), with the station list in GBK too."""
    rows = ["station,time,PM2.5,PM10,O3_8h,AQI"] + [
        f"QP1,2026-11-20T{h:02d}:00+08:00,{40 + h},{70 + h},{90 + h},{55 + h}" for h in range(1, 4)]
    return ("\n".join(rows) + "\n").encode("gbk"), ("站点.csv", STATIONS.encode("gbk"))


def test_an_excel_export_from_a_chinese_windows_is_previewed_with_the_columns_it_leaves(db, users, data_dir):
    data, stations = _export()
    p = uploads.preview_observations(db, users["admin1"], data, "青浦 11月观测.csv", stations=stations)
    assert p.rows == 6 and p.unknown_stations == ()  # PM2.5 and PM10 of 3 hours: PM2.5 was dropped before
    assert p.ignored_columns == ("O3_8h", "AQI")  # as the file writes them
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 6 and result.ignored_columns == ("O3_8h", "AQI")
    # the file keeps its Chinese name (it was stored and listed as "11_.csv"), the space made safe
    assert uploads.list_attempts(db, users["admin1"])[0].files == ("青浦_11月观测.csv",)
    assert (data_dir / "uploads" / hashlib.sha256(data).hexdigest() / "青浦_11月观测.csv").read_bytes() == data
    with db.read() as s:
        assert s.get(Station, "QP1").name == "青浦淀山湖"  # the GBK station list's name, read as written
        assert sorted(s.scalars(select(Observation.value).where(Observation.pollutant == "pm25"))) == [41, 42, 43]


def test_a_station_list_without_its_columns_is_named_by_its_file(db, users, data_dir):
    with pytest.raises(FormatError) as refused:
        uploads.preview_observations(db, users["admin1"], _obs_csv(), "obs.csv", stations=("站点.csv", b"station,name\n"))
    assert refused.value.localized("zh") == ("站点.csv：站点信息缺少列 lon（经度）、lat（纬度）、district（区县）；应有 "
                                               "station（站点编码）、name（站点名称）、lon（经度）、lat（纬度）、district（区县）")
    assert _science_counts(db) == (0, 0, 0, 0)


def test_the_preview_says_which_columns_are_not_imported(sqlite_url, monkeypatch, tmp_path):
    from apptest_support import goto

    db, at = _desk_as_admin(sqlite_url, monkeypatch, tmp_path)
    admin = _admin(db)
    data, stations = _export()
    goto(at, "data_desk.py")
    at.session_state["dd20_obs_preview_data"] = uploads.preview_observations(db, admin, data, "export.csv",
                                                                             stations=stations)
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning if "不会导入" in w.value] == [
        "这些列不会导入：O3_8h、AQI。只读取站点编码、时间与 PM2.5、PM10、O3、NO2、SO2、CO 的小时浓度"
        "（或污染物、浓度、单位三列；列名中文或英文均可，如 站点编码/station、监测时间/time、臭氧/o3）。"]
    # stations without their metadata are listed as a Chinese list ("QP1, WJ1" before)
    at.session_state["dd20_obs_preview_data"] = uploads.preview_observations(db, admin, _obs_csv(), "obs.csv")
    at.run()
    assert [e.value for e in at.error] == ["站点 QP1、WJ1 没有站点信息，请同时上传站点信息 CSV。"]
    assert at.button(key="dd20_obs_confirm").disabled


def test_the_command_line_warns_of_the_columns_it_does_not_import(tmp_path, sqlite_url, monkeypatch, capsys):
    from forecasting.cli import main

    data, stations = _export()
    (tmp_path / "export.csv").write_bytes(data)
    (tmp_path / "st.csv").write_bytes(stations[1])
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["obs", "import", str(tmp_path / "export.csv"), "--stations", str(tmp_path / "st.csv")]) == 0
    done = capsys.readouterr()
    assert done.out.startswith("imported 6 values from 1 station (")  # not "1 stations"
    assert "warning: columns not read: O3_8h, AQI" in done.err


def test_a_role_is_named_in_chinese_when_an_action_is_refused(db, users, data_dir):
    """"权限不足：您的角色不能执行此操作（需要：admin）" said the role as the code spells it."""
    with pytest.raises(PermissionDenied) as refused:
        uploads.preview_observations(db, users["fc_qp"], _obs_csv(), "obs.csv")
    assert refused.value.localized("zh") == "权限不足：您的角色不能执行此操作（需要：系统管理员）。"
    with pytest.raises(PermissionDenied) as refused:
        uploads.preview_run(db, users["mgr1"], [(b"x", b"y")], model="m")
    assert refused.value.localized("zh") == "权限不足：您的角色不能执行此操作（需要：预报员或系统管理员）。"
    assert refused.value.localized("en") == "Not allowed: your role cannot do this (needs: Forecaster or Administrator)."


def test_a_station_outside_the_zone_is_refused_at_the_preview_by_name(db, users, data_dir):
    """A station list placing a station in Songjiang (310117) was previewed as fine and refused at the import
    with "station QP1: district 310117 is not one of 310118, 320509, 330421"."""
    songjiang = STATIONS.replace("310118", "310117").encode()
    with pytest.raises(ValidationError) as refused:
        uploads.preview_observations(db, users["admin1"], _obs_csv(), "obs.csv", stations=("st.csv", songjiang))
    assert refused.value.localized("zh") == ("站点 QP1 的区县代码 310117 不是示范区的区县。"
                                             "示范区的区县：青浦区 310118、吴江区 320509、嘉善县 330421。")
    assert _science_counts(db) == (0, 0, 0, 0)
    assert [a.status for a in uploads.list_attempts(db, users["admin1"])] == ["refused"]
    with pytest.raises(ValidationError) as at_import:  # the command line's path says the same
        datastore.import_observations(db, OP, io.BytesIO(_obs_csv()), stations=io.BytesIO(songjiang))
    assert at_import.value.key == "obs.station_district"
    with pytest.raises(ValidationError) as no_list:
        datastore.import_observations(db, OP, io.BytesIO(_obs_csv()))
    assert no_list.value.localized("zh") == ("站点 QP1、WJ1 没有站点信息（station、name、lon、lat、district）："
                                             "请同时导入站点信息 CSV")


def _cf_run(tmp_path, *, lat0=30.5, cycle=True, start="2026-11-24T00:00"):
    import xarray as xr

    lon, lat = np.linspace(120.0, 121.7, 18), np.linspace(lat0, lat0 + 1.0, 11)  # 0.1° cells
    start = pd.Timestamp(start)
    coords = {"time": pd.date_range(start + pd.Timedelta(hours=1), periods=3, freq="h"), "latitude": lat,
              "longitude": lon}
    if cycle:
        coords["forecast_reference_time"] = start
    ds = xr.Dataset({"pm25": (("time", "latitude", "longitude"), np.full((3, lat.size, lon.size), 40.0),
                              {"units": "ug m-3"})}, coords=coords)
    ds.to_netcdf(tmp_path / "run.nc")
    return [("run.nc", (tmp_path / "run.nc").read_bytes())]


def test_a_run_outside_the_zone_or_without_its_cycle_is_refused_by_what_it_lacks(db, users, data_dir, tmp_path):
    """A grid 10° north of the zone was refused at the confirm step as "没有可存储的数值（全部缺测）…请加 --force";
    a file without its cycle as "…请给出起报时间（命令行 --cycle）" in English."""
    north = uploads.preview_run(db, users["admin1"], _cf_run(tmp_path, lat0=40.5), model="cams-test")
    assert north.coverage == {"310118": 0.0, "320509": 0.0, "330421": 0.0}
    with pytest.raises(ValidationError) as refused:
        uploads.confirm_run(db, users["admin1"], north.token, recompute=False)
    assert refused.value.localized("zh") == ("run.nc 的网格（东经 120.00–121.70°，北纬 40.50–41.50°）没有覆盖示范区的任何区县，"
                                             "未存储任何数据；请确认上传的是本区域的模式输出")
    undated = uploads.preview_run(db, users["admin1"], _cf_run(tmp_path, cycle=False), model="cams-test")
    assert undated.cycle is None
    with pytest.raises(FormatError) as refused:
        uploads.confirm_run(db, users["admin1"], undated.token, recompute=False)
    assert refused.value.localized("zh") == "run.nc 没有写明起报时间：请给出起报时间（命令行 --cycle）"
    assert _science_counts(db) == (0, 0, 0, 0)


def test_a_run_that_cannot_have_started_yet_is_refused(db, users, data_dir, tmp_path):
    """A centre that writes its 08:00 Beijing run as "08Z" gives an initialisation time hours ahead of the clock;
    it was stored, and served nowhere (the board and the guidance look at cycles up to now). It is refused,
    with the likely cause, at the confirm and at the command line; the preview page says so (next test)."""
    ahead = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=3)).floor("h").tz_localize(None)
    preview = uploads.preview_run(db, users["admin1"], _cf_run(tmp_path, start=ahead), model="cams-test")
    with pytest.raises(ValidationError) as refused:
        uploads.confirm_run(db, users["admin1"], preview.token, recompute=False)
    assert refused.value.key == "grids.cycle_future"
    bj = (pd.Timestamp(ahead, tz="UTC").tz_convert("Asia/Shanghai"))
    assert refused.value.localized("zh").startswith(
        f"run.nc 的起报时间 {ahead:%Y-%m-%d %H}Z（世界时，北京时间 {bj:%Y-%m-%d %H:%M}）晚于现在（北京时间 ")
    assert refused.value.localized("zh").endswith("文件中的时间可能有误（如把北京时间当作世界时写入）；未存储任何数据")
    assert _science_counts(db) == (0, 0, 0, 0)
    cli = subprocess.run([sys.executable, "-m", "forecasting", "ingest", "--model", "cams-test", str(tmp_path / "run.nc")],
                         cwd=ROOT, env={**os.environ, "DATABASE_URL": db.url}, capture_output=True, text=True,
                         timeout=PATIENCE_S)
    assert cli.returncode == 2 and "later than now" in cli.stderr, cli.stderr


_AHEAD = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=2)).floor("D").tz_localize(None)  # 00Z, two days ahead


@pytest.mark.parametrize("lat0, cycle, start, says", [
    (40.5, True, "2026-11-24T00:00", "网格没有覆盖示范区的任何区县（三区县覆盖率均为 0 %），无法入库。请确认上传的是本区域的模式输出。"),
    (30.5, False, "2026-11-24T00:00", "文件没有写明起报时间（如 forecast_reference_time 变量，或 IOAPI 的 SDATE/STIME），"
                                      "无法在此入库；请在命令行用 ingest --cycle 指定起报时间后入库。"),
    (30.5, True, _AHEAD, f"起报时间 {_AHEAD:%Y-%m-%d %H}Z（北京时间 {_AHEAD:%Y-%m-%d} 08:00）晚于现在：文件中的时间可能有误"
                         "（如把北京时间当作世界时写入），无法入库。"),
    (30.5, True, "2026-11-24T00:00", None),
])
def test_the_run_preview_says_why_it_cannot_be_stored(sqlite_url, monkeypatch, tmp_path, lat0, cycle, start, says):
    from apptest_support import goto

    db, at = _desk_as_admin(sqlite_url, monkeypatch, tmp_path)
    admin = _admin(db)
    goto(at, "data_desk.py")
    at.session_state["dd20_run_preview"] = uploads.preview_run(
        db, admin, _cf_run(tmp_path, lat0=lat0, cycle=cycle, start=start), model="cams-test")
    at.run()
    assert not at.exception, at.exception
    warned = [w.value for w in at.warning if w.value.startswith(("网格没有覆盖", "文件没有写明起报时间", "起报时间"))]
    assert warned == ([says] if says else [])
    assert at.button(key="dd20_run_confirm").disabled is bool(says)


def test_each_uploaders_label_names_every_kind_of_file_it_accepts():
    """The station picker accepted tab-separated .txt files (as the observations picker does) and its label named
    only CSV, .xlsx and .xls, so nobody knew to choose one. Every uploader of the data desk with a ``type=`` list:
    each extension it accepts is named in its label in both languages ("CSV" for .csv, "ZIP" for .zip)."""
    import re

    from forecasting.i18n import t

    source = (ROOT / "pages" / "data_desk.py").read_text(encoding="utf-8")
    # each uploader's label key and its type list, never reaching into the next uploader (the run's has no list)
    uploaders = re.findall(r'st\.file_uploader\(tr\("([\w.]+)"(?:(?!st\.file_uploader).)*?type=\[([^\]]+)\]', source,
                           flags=re.S)
    assert len(uploaders) >= 2, uploaders
    for key, types in uploaders:
        for ext in re.findall(r'"(\w+)"', types):
            for lang in ("zh", "en"):
                label = t(key, lang, mb=20)
                assert f".{ext}" in label or ext.upper() in label, (key, lang, ext, label)
