"""``insert_rows`` stores exactly what SQLAlchemy's own ``executemany`` stores (its SQLite path converts each
distinct value once and hands the driver the converted rows)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import StatementError

from forecasting.store.db import insert_columns, insert_rows
from forecasting.store.science import (DistrictObservation, DistrictSeries, Guidance, GuidanceSeries, ModelRun,
                                       Observation, Station)

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 28, 12, 30, 15, 250_000, tzinfo=timezone.utc)


def _raw(db, table: str, order: str) -> list[tuple]:
    """The stored values as the database holds them (no type conversion on the way out), with SQLite's
    storage class of each value (a stored NaN as the text "NaN": it equals no other NaN)."""
    with db.read() as s:
        rows = s.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).all()  # noqa: S608 (test names)
        rows = [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in r) for r in rows]
        if s.get_bind().dialect.name != "sqlite":
            return rows
        kinds = s.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).cursor.description
        typed = s.execute(text("SELECT " + ", ".join(f'typeof("{d[0]}")' for d in kinds)
                               + f" FROM {table} ORDER BY {order}")).all()  # noqa: S608
        return [r + tuple(t) for r, t in zip(rows, typed)]


def _both_ways(db, model, rows: list[dict], order: str) -> tuple[list, list]:
    """The table's raw rows after SQLAlchemy's ``executemany`` of ``rows``, and after ``insert_rows``; and
    (when every row has the same keys) after ``insert_columns`` of the same values, which must store the
    same as ``insert_rows``."""
    table = model.__tablename__
    results = []
    writes = [lambda s: s.execute(insert(model.__table__), [dict(r) for r in rows]),
              lambda s: insert_rows(s, model, [dict(r) for r in rows])]
    if len({tuple(r) for r in rows}) == 1:
        writes.append(lambda s: insert_columns(s, model, {k: [r[k] for r in rows] for k in rows[0]}))
    for write in writes:
        with db.transaction() as s:
            s.execute(delete(model.__table__))
            write(s)
        results.append(_raw(db, table, order))
    own_id = model.__table__.c.keys()[0] == "id"  # the table's own numbering: compare everything else

    def values(raw):
        return [r[1:] for r in raw] if own_id else raw

    assert all(values(r) == values(results[1]) for r in results[2:]), "insert_columns stored other values"
    return results[0], results[1]


def _run(db) -> int:
    with db.transaction() as s:
        run = ModelRun(model="CMAQ-YRD", cycle=T0, format="ioapi", level="surface", files=[], conversions={},
                       variables=["pm25"], n_times=3, synthetic=True, ingested_by="test")
        s.add(run)
        s.flush()
        return run.id


def test_district_series_are_stored_as_sqlalchemy_stores_them(db):
    run_id = _run(db)
    rows = [{"run_id": run_id, "district": d, "valid_time": (T0 + timedelta(hours=h)).astimezone(tz),
             "variable": v, "value": x, "lead_hours": lead}
            for d in ("310118", "320509", "330421")
            for h, tz in ((0, timezone.utc), (1, BEIJING), (2, timezone.utc))
            for v, x, lead in (("pm25", 35.5, h), ("o3", 0.1 + 0.2, None), ("co", 1e-7, 0))]
    via_sqlalchemy, via_insert_rows = _both_ways(db, DistrictSeries, rows, "district, valid_time, variable")
    assert len(via_insert_rows) == 27
    assert via_insert_rows == via_sqlalchemy
    with db.read() as s:  # and read back through the model: aware UTC times, the same instants
        times = sorted(set(s.scalars(select(DistrictSeries.valid_time))))
    assert times == [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)


def test_guidance_rows_with_dates_json_and_defaults_are_stored_as_sqlalchemy_stores_them(db):
    base = {"issue_date": date(2026, 11, 29), "district": "320509", "method": "best", "model": "",
            "edition": "2026", "centre": 88.0, "aqi_lo": 75, "aqi_hi": 95, "level_lo": 2, "level_hi": 2,
            "indicators": {"pm25": {"value": 61.2}}, "created_at": T0}
    rows = [{**base, "target_date": date(2026, 11, 29) + timedelta(days=k), "primary": ["pm25"] if k else []}
            for k in range(1, 4)]
    via_sqlalchemy, via_insert_rows = _both_ways(db, Guidance, rows, "target_date")
    # the id is the table's own: compare everything else
    assert [r[1:] for r in via_insert_rows] == [r[1:] for r in via_sqlalchemy]
    series = [{"issue_date": date(2026, 11, 29), "district": "330421", "method": "kalman_filter", "model": "CMAQ-YRD",
               "pollutant": "o3", "valid_time": T0 + timedelta(hours=h), "central": 100.0 + h,
               "lower": None if h == 1 else 80.0, "upper": 130.0} for h in range(4)]
    via_sqlalchemy, via_insert_rows = _both_ways(db, GuidanceSeries, series, "valid_time")
    assert via_insert_rows == via_sqlalchemy


def test_observations_with_missing_values_and_flags_are_stored_as_sqlalchemy_stores_them(db):
    with db.transaction() as s:
        s.add(Station(station_id="QP01", name="青浦淀山湖", lon=121.0, lat=31.1, district="310118"))
    rows = [{"station_id": "QP01", "time": T0 + timedelta(hours=h), "pollutant": p, "value": v, "qc_flags": f}
            for h in range(3) for p, v, f in (("pm25", 42.0, ""), ("o3", None, "missing"), ("co", math.nan, "x"))]
    via_sqlalchemy, via_insert_rows = _both_ways(db, Observation, rows, "time, pollutant")
    assert via_insert_rows == via_sqlalchemy
    means = [{"district": "310118", "time": T0 + timedelta(hours=h), "pollutant": "pm25", "value": 40.0 + h,
              "n_stations": 1} for h in range(3)]
    via_sqlalchemy, via_insert_rows = _both_ways(db, DistrictObservation, means, "time")
    assert via_insert_rows == via_sqlalchemy


def test_a_naive_time_is_refused_as_the_model_refuses_it(db):
    run_id = _run(db)
    with pytest.raises((ValueError, StatementError), match="naive datetime"):
        with db.transaction() as s:
            insert_rows(s, DistrictSeries, [{"run_id": run_id, "district": "310118", "variable": "pm25",
                                             "valid_time": T0.replace(tzinfo=None), "value": 1.0, "lead_hours": 0}])
    with db.read() as s:
        assert s.scalar(select(DistrictSeries.value)) is None


def test_columns_of_different_lengths_are_refused(db):
    run_id = _run(db)
    with db.transaction() as s, pytest.raises(ValueError, match="different lengths"):
        insert_columns(s, DistrictSeries, {"run_id": [run_id, run_id], "district": ["310118"],
                                           "valid_time": [T0, T0], "variable": ["pm25", "o3"], "value": [1.0, 2.0]})
