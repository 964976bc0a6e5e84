"""Storing science data: ingest of model runs (idempotent, atomic), observation import (QC, district means)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from forecasting import datastore
from forecasting.errors import FormatError, PermissionDenied, ValidationError
from forecasting.grids.synthetic import write_cmaq_aconc
from forecasting.permissions import Actor
from forecasting.store.models import AuditEntry
from forecasting.store.science import DistrictObservation, DistrictSeries, ModelRun, Observation
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
OP = Actor.system("test")


def _count(db, model):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def aconc(tmp_path):
    return write_cmaq_aconc(tmp_path / "CCTM_ACONC.nc", nx=40, ny=30, hours=6, cycle="2026-11-24T00:00Z", seed=3)


def test_ingest_stores_three_districts_and_is_idempotent(db, aconc):
    first = datastore.ingest_run(db, OP, [aconc], model="cmaq-test")
    assert first.districts == ("310118", "320509", "330421")
    assert first.n_times == 6 and not first.replaced
    assert set(first.variables) >= {"pm25", "pm10", "o3", "no2", "so2", "co"}
    n = _count(db, DistrictSeries)
    assert n == first.n_values == 3 * 6 * len(first.variables)
    again = datastore.ingest_run(db, OP, [aconc], model="cmaq-test")
    assert again.replaced and _count(db, DistrictSeries) == n and _count(db, ModelRun) == 1
    frame = datastore.forecast_frame(db, model="cmaq-test")
    assert len(frame) == n
    assert frame["valid_time"].min() == pd.Timestamp("2026-11-24T01:00Z")  # hour-ending
    assert sorted(frame["lead_hours"].unique()) == [1, 2, 3, 4, 5, 6]


def test_a_model_named_in_another_case_is_stored_under_its_mapping_files_name(db, aconc):
    """``ingest --model cmaq-yrd`` finds data/models/cmaq-yrd.yaml, whose model is CMAQ-YRD: the run was stored as
    "cmaq-yrd", a model of its own beside CMAQ-YRD, with no schedule, no trained correction and its own guidance."""
    result = datastore.ingest_run(db, OP, [aconc], model="cmaq-yrd")
    assert result.model == "CMAQ-YRD"
    assert datastore.model_names(db) == ["CMAQ-YRD"]
    assert datastore.ingest_run(db, OP, [aconc], model="CMAQ-YRD").replaced  # the same run, not a second model


def test_a_three_hourly_run_is_stored_hourly_and_says_so(db, tmp_path):
    """A CAMS-style run written every 3 hours: 8 values a day gave no daily AQI (20 hours needed), so the run served
    no guidance. It is stored hourly, each filled hour on the line between its outputs, and its record says so."""
    import xarray as xr

    from forecasting.grids.synthetic import write_cams_forecast

    full = write_cams_forecast(tmp_path / "full.nc", hours=24, cycle="2026-11-24T00:00Z", seed=5)
    every3 = tmp_path / "every3.nc"
    with xr.open_dataset(full, mask_and_scale=False, decode_times=False) as ds:
        ds.isel(valid_time=slice(2, None, 3)).to_netcdf(every3)  # leads 3, 6, …, 24, packed as written
    hourly = datastore.ingest_run(db, OP, [full], model="cams-hourly")
    result = datastore.ingest_run(db, OP, [every3], model="cams-3h")
    assert result.n_times == 22  # leads 3..24
    with db.read() as s:
        conversions = s.scalar(select(ModelRun.conversions).where(ModelRun.model == "cams-3h"))
    assert "3-hourly output interpolated linearly in time to hourly values" in conversions["applied"]
    got = datastore.forecast_frame(db, model="cams-3h")
    ref = datastore.forecast_frame(db, model="cams-hourly")
    key = ["district", "variable", "valid_time"]
    both = got.merge(ref, on=key, suffixes=("", "_hourly"))
    pm = both[both["variable"] == "pm25"].sort_values(key)
    lead = (pm["valid_time"] - pd.Timestamp("2026-11-24T00:00Z")) / pd.Timedelta(hours=1)
    outputs = pm[lead % 3 == 0]
    assert np.allclose(outputs["value"], outputs["value_hourly"])  # the outputs themselves, unchanged
    one = pm[pm["district"] == "310118"].set_index(lead[pm["district"] == "310118"])["value_hourly"]
    filled = pm[(pm["district"] == "310118") & (lead == 4)]["value"].item()
    assert filled == pytest.approx(one[3] + (one[6] - one[3]) / 3, rel=1e-6)  # a third of the way from 3 to 6
    assert hourly.n_times == 24


def test_stored_values_are_the_extracted_district_means(db, aconc):
    from forecasting.districts import district_series, district_weights
    from forecasting.grids import open_grid

    grid = open_grid([aconc])
    expected = district_series(grid, district_weights(grid))
    datastore.ingest_run(db, OP, [aconc], model="cmaq-test")
    got = datastore.forecast_frame(db, model="cmaq-test")
    pm = got[got["variable"] == "pm25"].set_index(["district", "valid_time"])["value"].sort_index()
    exp = expected.set_index(["district", "time"])["pm25"].sort_index()
    np.testing.assert_allclose(pm.to_numpy(), exp.to_numpy(), rtol=1e-12)


def test_bad_file_writes_nothing(db, tmp_path):
    bad = tmp_path / "broken.nc"
    bad.write_bytes(b"CDF\x01 this is not really netcdf")
    with pytest.raises(FormatError, match="broken.nc"):
        datastore.ingest_run(db, OP, [bad], model="x")
    assert _count(db, ModelRun) == 0 and _count(db, DistrictSeries) == 0


def test_only_admins_ingest(db, users, aconc):
    with pytest.raises(PermissionDenied):
        datastore.ingest_run(db, users["fc_qp"], [aconc], model="x")
    with pytest.raises(PermissionDenied):
        datastore.store_observations(db, users["mgr1"], pd.DataFrame({"station": ["a"]}))


def test_ingest_command_line(tmp_path, sqlite_url, aconc):
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    done = subprocess.run([sys.executable, "-m", "forecasting", "ingest", str(aconc), "--model", "cmaq-test"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)
    assert done.returncode == 0, done.stderr
    assert "stored cmaq-test cycle 2026-11-24T00:00Z: 6 hours × 3 districts" in done.stdout
    missing = subprocess.run([sys.executable, "-m", "forecasting", "ingest", str(tmp_path / "nope.nc")],
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)
    assert missing.returncode == 2 and "nope.nc" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1


STATIONS = """station,name,lon,lat,district
QP1,青浦淀山湖,120.95,31.10,310118
QP2,青浦城区,121.11,31.15,310118
WJ1,吴江开发区,120.65,31.15,320509
"""


def _obs_csv(rows):
    return "station,time,pm25,pm10,o3,no2,so2,co\n" + "\n".join(rows) + "\n"


def test_observation_import_flags_and_district_means(db, tmp_path):
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    rows = []
    for h in range(1, 9):
        t = f"2026-11-20T{h:02d}:00+08:00"
        # every series varies hour to hour (no flat runs); WJ1's PM2.5 exceeds its PM10 at every hour
        rows.append(f"QP1,{t},{40 + h},{70 + h},{60 + 3 * h},{30 + h},{8 + h},{0.8 + 0.05 * h:.2f}")
        rows.append(f"QP2,{t},{50 + h},{80 + h},{62 + 3 * h},{32 + h},{9 + h},{0.9 + 0.05 * h:.2f}")
        rows.append(f"WJ1,{t},{30 + h},{20 + h // 2 * 0},{58 + 3 * h},{28 + h},{7 + h},{0.7 + 0.05 * h:.2f}")
    (tmp_path / "obs.csv").write_text(_obs_csv(rows), encoding="utf-8")
    result = datastore.import_observations(db, OP, tmp_path / "obs.csv", stations=tmp_path / "st.csv")
    assert result.stations == 3 and result.rows == 3 * 8 * 6
    # WJ1: pm25 and pm10 flagged at each of 8 hours (pm25 > pm10), and its PM10 = 20 for 8 h is a flat run
    assert result.flagged == 16
    obs = datastore.observation_frame(db)
    at = pd.Timestamp("2026-11-20T01:00+08:00").tz_convert("UTC")
    qp = obs[(obs["district"] == "310118") & (obs["time"] == at)].set_index("pollutant")["value"]
    assert qp["pm25"] == pytest.approx((41 + 51) / 2)  # the mean of its two valid stations
    assert qp["co"] == pytest.approx((0.85 + 0.95) / 2)
    wj = obs[(obs["district"] == "320509") & (obs["time"] == at)].set_index("pollutant")["value"]
    assert np.isnan(wj.get("pm25", np.nan)) and wj["o3"] == 61  # flagged values do not count
    n_obs, n_dist = _count(db, Observation), _count(db, DistrictObservation)
    again = datastore.import_observations(db, OP, tmp_path / "obs.csv", stations=tmp_path / "st.csv")
    assert again.rows == result.rows and _count(db, Observation) == n_obs and _count(db, DistrictObservation) == n_dist


def test_malformed_row_writes_nothing_and_names_the_line(db, tmp_path):
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    rows = ["QP1,2026-11-20T01:00+08:00,40,70,60,30,8,0.8", "QP1,2026-11-20T02:00+08:00,forty,70,60,30,8,0.8"]
    (tmp_path / "obs.csv").write_text(_obs_csv(rows), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"line 3.*pm25"):
        datastore.import_observations(db, OP, tmp_path / "obs.csv", stations=tmp_path / "st.csv")
    assert _count(db, Observation) == 0


def test_station_without_metadata_is_refused(db, tmp_path):
    (tmp_path / "obs.csv").write_text(_obs_csv(["ZZ9,2026-11-20T01:00+08:00,40,70,60,30,8,0.8"]), encoding="utf-8")
    with pytest.raises(ValidationError, match="ZZ9"):
        datastore.import_observations(db, OP, tmp_path / "obs.csv")
    assert _count(db, Observation) == 0


def _full_import(db, tmp_path):
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    rows = []
    for h in range(1, 9):
        t = f"2026-11-20T{h:02d}:00+08:00"
        rows.append(f"QP1,{t},{40 + h},{70 + h},{60 + 3 * h},{30 + h},{8 + h},{0.8 + 0.05 * h:.2f}")
        rows.append(f"QP2,{t},{50 + h},{80 + h},{62 + 3 * h},{32 + h},{9 + h},{0.9 + 0.05 * h:.2f}")
    (tmp_path / "obs.csv").write_text(_obs_csv(rows), encoding="utf-8")
    datastore.import_observations(db, OP, tmp_path / "obs.csv", stations=tmp_path / "st.csv")


def _stored(db):
    with db.read() as s:
        return {(r.station_id, r.time.isoformat(), r.pollutant): r.value for r in s.scalars(select(Observation))}


def test_sparse_import_replaces_exactly_the_values_in_the_file(db, tmp_path):
    """Regression (#15 High 1): a two-row file with only PM2.5 for QP1 deleted every pollutant of QP1
    between its first and last hour, and the district means of those hours."""
    _full_import(db, tmp_path)
    before = _stored(db)
    n_obs, n_dist = _count(db, Observation), _count(db, DistrictObservation)
    assert n_obs == 2 * 8 * 6
    # hour 2 replaced, hour 7 replaced; hour 3..6 and the other five pollutants untouched
    (tmp_path / "sparse.csv").write_text("station,time,pm25\nQP1,2026-11-20T02:00+08:00,45\n"
                                         "QP1,2026-11-20T07:00+08:00,49\n", encoding="utf-8")
    result = datastore.import_observations(db, OP, tmp_path / "sparse.csv")
    assert (result.replaced, result.added) == (2, 0)
    after = _stored(db)
    assert _count(db, Observation) == n_obs and _count(db, DistrictObservation) == n_dist
    changed = {k for k in before if before[k] != after.get(k)}
    t2 = pd.Timestamp("2026-11-20T02:00+08:00").tz_convert("UTC")
    t7 = pd.Timestamp("2026-11-20T07:00+08:00").tz_convert("UTC")
    assert {(k[0], pd.Timestamp(k[1]).tz_localize("UTC") if pd.Timestamp(k[1]).tzinfo is None
             else pd.Timestamp(k[1]), k[2]) for k in changed} == {("QP1", t2, "pm25"), ("QP1", t7, "pm25")}
    obs = datastore.observation_frame(db)
    qp = obs[(obs["district"] == "310118") & (obs["time"] == t2)].set_index("pollutant")["value"]
    assert qp["pm25"] == pytest.approx((45 + 52) / 2)   # QP2's hour-2 value is 50 + 2
    assert qp["pm10"] == pytest.approx((72 + 82) / 2)   # untouched pollutant keeps its mean
    # a value at a new hour is added, nothing else changes
    (tmp_path / "new.csv").write_text("station,time,pm25\nQP1,2026-11-20T09:00+08:00,45\n", encoding="utf-8")
    added = datastore.import_observations(db, OP, tmp_path / "new.csv")
    assert (added.replaced, added.added) == (0, 1) and _count(db, Observation) == n_obs + 1


def test_an_import_deletes_only_the_stored_values_it_replaces(db, tmp_path):
    """A year of 30 new stations held the write lock for 17.6 s, most of it in 3,380 deletes of values that were
    not there: the import deletes only the keys its read found stored (one statement per station and pollutant
    with any), and the values it replaces are replaced as before."""
    from sqlalchemy import event

    _full_import(db, tmp_path)
    deletes: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("DELETE FROM OBSERVATIONS"):
            deletes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = "".join(f"QP3,2026-11-{d:02d}T{h:02d}:00+08:00,{40 + h},{70 + h}\n" for d in (10, 11) for h in range(1, 24))
        (tmp_path / "st3.csv").write_text("station,name,lon,lat,district\nQP3,青浦三站,121.1,31.1,310118\n", encoding="utf-8")
        (tmp_path / "new.csv").write_text("station,time,pm25,pm10\n" + rows, encoding="utf-8")
        fresh = datastore.import_observations(db, OP, tmp_path / "new.csv", stations=tmp_path / "st3.csv")
        assert (fresh.replaced, fresh.added) == (0, 2 * 23 * 2) and deletes == []
        (tmp_path / "again.csv").write_text("station,time,pm25\nQP3,2026-11-10T05:00+08:00,41\n"
                                            "QP1,2026-11-20T02:00+08:00,45\n", encoding="utf-8")
        again = datastore.import_observations(db, OP, tmp_path / "again.csv")
        assert (again.replaced, again.added) == (2, 0) and len(deletes) == 2  # QP1 pm25, QP3 pm25
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    with db.read() as s:  # 05:00 Beijing = 21:00 UTC the day before
        assert s.scalar(select(Observation.value).where(
            Observation.station_id == "QP3", Observation.pollutant == "pm25",
            Observation.time == pd.Timestamp("2026-11-09T21:00Z").to_pydatetime())) == 41


def _flags(db, station, when, pollutant):
    at = pd.Timestamp(when).tz_convert("UTC").to_pydatetime()
    with db.read() as s:
        return s.scalar(select(Observation.qc_flags).where(Observation.station_id == station,
                                                            Observation.time == at, Observation.pollutant == pollutant))


def test_a_spike_at_a_files_newest_hour_is_flagged_when_the_next_hour_arrives(db, tmp_path):
    """Hourly files: each file's newest hour has no later neighbour, so the spike test (x_t above three
    times both neighbours and by more than 100 µg/m³ for PM2.5, ``qc.py``) cannot judge it at import. The
    next file brings hour t+1: the stored hour t is judged again and leaves the district mean."""
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    t = [f"2026-11-20T{h:02d}:00+08:00" for h in range(1, 6)]
    qp1 = [41, 43, 42, 44, 400]  # hour 5: 400 − 44 = 356 > max(100, 2 × 44)
    rows = [f"QP1,{t[i]},{qp1[i]}" for i in range(5)] + [f"QP2,{t[i]},{50 + i}" for i in range(5)]
    (tmp_path / "a.csv").write_text("station,time,pm25\n" + "\n".join(rows) + "\n", encoding="utf-8")
    first = datastore.import_observations(db, OP, tmp_path / "a.csv", stations=tmp_path / "st.csv")
    assert first.flagged == 0 and first.reflagged == 0  # hour 5's next hour is not known yet
    assert _flags(db, "QP1", t[4], "pm25") == ""
    at5 = pd.Timestamp(t[4]).tz_convert("UTC")
    obs = datastore.observation_frame(db)
    mean5 = obs[(obs["district"] == "310118") & (obs["time"] == at5) & (obs["pollutant"] == "pm25")]["value"]
    assert float(mean5.iloc[0]) == pytest.approx((400 + 54) / 2)  # both stations count, as known then

    t6 = "2026-11-20T06:00+08:00"
    (tmp_path / "b.csv").write_text(f"station,time,pm25\nQP1,{t6},45\nQP2,{t6},55\n", encoding="utf-8")
    second = datastore.import_observations(db, OP, tmp_path / "b.csv")
    assert second.rows == 2 and second.flagged == 0
    assert second.reflagged == 1  # 400 − max(44, 45) = 355 > max(100, 90): a spike
    assert _flags(db, "QP1", t[4], "pm25") == "spike"
    assert _flags(db, "QP1", t[3], "pm25") == ""  # its neighbours are left alone
    obs = datastore.observation_frame(db)
    mean5 = obs[(obs["district"] == "310118") & (obs["time"] == at5) & (obs["pollutant"] == "pm25")]["value"]
    assert float(mean5.iloc[0]) == pytest.approx(54)  # only QP2's valid value now
    with db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "obs.import")
                          .order_by(AuditEntry.id.desc())).first()
    assert entry.details["reflagged"] == 1


def test_guidance_learns_from_an_hour_as_its_consultation_knew_it(db, tmp_path):
    """The same spike at 15:00 Beijing, the consultation's hour: the stored mean of 15:00 drops the spike once
    16:00 arrives, but guidance and trainings (``learning_observation_frame``) read 15:00 as the
    consultation of that day knew it, both stations in its mean; every other hour as stored."""
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    t = [f"2026-11-20T{h:02d}:00+08:00" for h in range(11, 17)]
    qp1 = [41, 43, 42, 44, 400, 45]  # 15:00: 400 − max(44, 45) = 355 > max(100, 2 × 45)
    rows = [f"QP1,{t[i]},{qp1[i]}" for i in range(6)] + [f"QP2,{t[i]},{50 + i}" for i in range(6)]
    (tmp_path / "a.csv").write_text("station,time,pm25\n" + "\n".join(rows) + "\n", encoding="utf-8")
    datastore.import_observations(db, OP, tmp_path / "a.csv", stations=tmp_path / "st.csv")
    assert _flags(db, "QP1", t[4], "pm25") == "spike"
    cut = pd.Timestamp(t[4]).tz_convert("UTC")

    def pm25(frame, when):
        return frame.loc[(frame["district"] == "310118") & (frame["time"] == when)
                         & (frame["pollutant"] == "pm25"), "value"].tolist()

    stored = datastore.observation_frame(db)
    assert pm25(stored, cut) == [54]
    for until in (None, cut.to_pydatetime()):
        learning = datastore.learning_observation_frame(db, until=until)
        assert pm25(learning, cut) == [pytest.approx((400 + 54) / 2)]
        for when in pd.to_datetime(t[:4] + t[5:] if until is None else t[:4]).tz_convert("UTC"):
            assert pm25(learning, when) == pm25(stored, when), when


def _frame(pm25, co=None):
    """Three districts × len(pm25) hours; the same PM2.5 series in each [µg/m³]."""
    times = pd.date_range("2026-11-24T01:00Z", periods=len(pm25), freq="h")
    rows = []
    for d in ("310118", "320509", "330421"):
        for k, t in enumerate(times):
            rows.append({"district": d, "time": t, "lead_hours": k + 1, "pm25": pm25[k],
                         "co": (co[k] if co is not None else 0.8)})
    return pd.DataFrame(rows)


CYCLE = pd.Timestamp("2026-11-24T00:00Z").to_pydatetime()


@pytest.mark.parametrize("bad", [-5.0, 1e39])
def test_ingest_refuses_physically_impossible_values(db, bad):
    """Regression (#15 item 6): negative and 1e39 µg/m³ were stored."""
    with pytest.raises(ValidationError, match="pm25 values outside the plausible 0..3000"):
        datastore.store_district_series(db, OP, _frame([40.0, bad, 42.0]), model="m", cycle=CYCLE)
    assert _count(db, DistrictSeries) == 0


def test_ingest_flags_an_implausible_unit_magnitude(db):
    """1e-8 labelled µg/m³ is a kg/m³ (or mixing-ratio) field."""
    with pytest.raises(ValidationError, match="unit label is probably wrong"):
        datastore.store_district_series(db, OP, _frame([3e-8, 4e-8, 5e-8]), model="m", cycle=CYCLE)
    assert _count(db, DistrictSeries) == 0


def test_empty_or_mostly_empty_run_does_not_replace_a_good_cycle(db):
    """Regression: an all-NaN file "replaced CAMS cycle … (0 values)" and deleted the previous data."""
    good = datastore.store_district_series(db, OP, _frame([40.0, 41.0, 42.0, 43.0]), model="m", cycle=CYCLE)
    assert good.n_values == 3 * 4 * 2 and good.dropped == 0
    nan = float("nan")
    with pytest.raises(ValidationError, match="no values to store"):
        datastore.store_district_series(db, OP, _frame([nan] * 4, co=[nan] * 4), model="m", cycle=CYCLE)
    with pytest.raises(ValidationError, match="mostly-empty"):  # 15 of 24 missing
        datastore.store_district_series(db, OP, _frame([nan, nan, nan, 40.0], co=[nan, nan, 0.8, 0.9]),
                                        model="m", cycle=CYCLE)
    assert _count(db, DistrictSeries) == good.n_values
    forced = datastore.store_district_series(db, OP, _frame([nan, nan, nan, 40.0], co=[nan, nan, 0.8, 0.9]),
                                             model="m", cycle=CYCLE, force=True)
    assert forced.replaced and forced.dropped == 15 and forced.n_values == 9
    assert "15 of 24 values are missing" in forced.warnings[0]


def test_an_import_overtaken_by_another_computes_its_checks_again(db, tmp_path):
    """The quality control runs between the read and the write, outside the write transaction: an import
    whose stored neighbours changed meanwhile must not write flags and means computed from the old ones.

    File A stores QP1's hours 1-5 with 400 µg/m³ at hour 5. File B (hour 6) is checked: beside 400 its
    hour 5 is a spike. Before B writes, file C corrects hour 5 to 46. B's write is refused (nothing
    written) and, computed again, B leaves hour 5 unflagged (46 is within 3× its neighbours 44 and 45),
    so Qingpu's hour-5 mean is (46 + 54) / 2 = 50, as when the three files arrive one after the other."""
    from forecasting.datastore import _ObservationsChanged, _observation_context, _plan_observations, \
        _write_observations
    from forecasting.observations import read_station_csv

    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    t = [f"2026-11-20T{h:02d}:00+08:00" for h in range(1, 7)]
    qp1 = [41, 43, 42, 44, 400]
    rows = [f"QP1,{t[i]},{qp1[i]}" for i in range(5)] + [f"QP2,{t[i]},{50 + i}" for i in range(5)]
    (tmp_path / "a.csv").write_text("station,time,pm25\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"station,time,pm25\nQP1,{t[5]},45\nQP2,{t[5]},55\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text(f"station,time,pm25\nQP1,{t[4]},46\n", encoding="utf-8")
    datastore.import_observations(db, OP, tmp_path / "a.csv", stations=tmp_path / "st.csv")

    b = read_station_csv(tmp_path / "b.csv")
    with db.read() as s:
        seen, meta, window = _observation_context(s, b, None)
    stale = _plan_observations(b, None, meta, window)
    assert len(stale.redone) == 1  # as read: hour 5 (400) is a spike beside hour 6
    datastore.import_observations(db, OP, tmp_path / "c.csv")  # lands between B's read and B's write
    before = _count(db, Observation)
    with pytest.raises(_ObservationsChanged):
        _write_observations(db, OP, stale, seen)
    assert _count(db, Observation) == before  # nothing of B was written

    again = datastore.store_observations(db, OP, b)
    assert again.rows == 2 and again.reflagged == 0
    assert _flags(db, "QP1", t[4], "pm25") == ""
    obs = datastore.observation_frame(db)
    qp = obs[(obs["district"] == "310118") & (obs["pollutant"] == "pm25")].set_index("time")["value"]
    assert float(qp[pd.Timestamp(t[4]).tz_convert("UTC")]) == pytest.approx((46 + 54) / 2)
    assert float(qp[pd.Timestamp(t[5]).tz_convert("UTC")]) == pytest.approx((45 + 55) / 2)


def test_a_long_run_is_stored_as_its_wide_frame_is(db):
    """The demo stores its simulated runs from their long form (``store_long_district_series``) instead of
    pivoting them wide and melting them back: the rows stored, the run's variables, hours and counts are
    those of the wide frame's ``store_district_series`` (the way it stored them before)."""
    rng = np.random.default_rng(4)
    times = pd.date_range("2026-11-24T01:00Z", periods=5, freq="h")
    long = pd.DataFrame([(d, t, v, float(rng.uniform(5, 90))) for t in times for v in ("pm25", "o3", "co")
                         for d in ("330421", "310118", "320509")], columns=["district", "valid_time", "variable", "value"])
    long.loc[7, "value"] = np.nan  # a missing value is dropped and counted both ways
    long = long.sample(frac=1.0, random_state=1, ignore_index=True)  # a simulation's own order
    wide = long.pivot_table(index=["district", "valid_time"], columns="variable", values="value",
                            dropna=False).reset_index().rename(columns={"valid_time": "time"})
    wide.columns.name = None
    wide["lead_hours"] = (wide["time"] - pd.Timestamp(CYCLE)) / pd.Timedelta(hours=1)
    by_long = long.rename(columns={"valid_time": "time"})
    by_long["lead_hours"] = (by_long["time"] - pd.Timestamp(CYCLE)) / pd.Timedelta(hours=1)
    a = datastore.store_district_series(db, OP, wide, model="wide", cycle=CYCLE, format="simulated", synthetic=True)
    b = datastore.store_long_district_series(db, OP, by_long, model="long", cycle=CYCLE, format="simulated",
                                             synthetic=True)
    assert (a.districts, a.variables, a.n_times, a.n_values, a.dropped) == \
        (b.districts, b.variables, b.n_times, b.n_values, b.dropped) == \
        (("310118", "320509", "330421"), ("co", "o3", "pm25"), 5, 44, 1)
    assert b.warnings == ("model long cycle 2026-11-24 00:00Z: 1 of 45 values are missing (NaN) and were dropped",)
    assert a.warnings == tuple(w.replace("model long", "model wide") for w in b.warnings)
    with db.read() as s:
        rows = {run: s.execute(select(DistrictSeries.district, DistrictSeries.valid_time, DistrictSeries.variable,
                                      DistrictSeries.value, DistrictSeries.lead_hours)
                               .where(DistrictSeries.run_id == run)
                               .order_by(DistrictSeries.variable, DistrictSeries.district, DistrictSeries.valid_time)).all()
                for run in (a.run_id, b.run_id)}
        runs = {r.model: (r.variables, r.n_times, r.format, r.synthetic) for r in s.scalars(select(ModelRun))}
    assert rows[a.run_id] == rows[b.run_id] and len(rows[a.run_id]) == 44
    assert runs["wide"] == runs["long"]
