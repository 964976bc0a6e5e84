"""The demo world's observations: a past that does not depend on the hour the world is built, and PM2.5
that stays part of PM10 (the shapes come from the real Dongsi record, ``data/samples/beijing_prsa/``)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest

from forecasting.demo.observations import (
    DEMO_STATIONS,
    DISTRICT_STYLE,
    PRSA_FILE,
    ZONE_SCALE,
    demo_district_series,
    demo_station_observations,
    known_station_observations,
)
from forecasting.vocab import DISTRICT_ORDER

QP, WJ, JS = DISTRICT_ORDER


@pytest.fixture(scope="module")
def series():
    """Twelve days ending 2026-12-06 (Beijing), as the test suite's demo template on that day."""
    obs, _met = demo_district_series(date(2026, 11, 22), date(2026, 12, 6), seed=2026)
    return obs


def test_a_world_built_at_0723_and_one_built_at_0802_share_every_hour_both_know(series):
    """A CI run built the world at 07:23 Beijing and another at 08:02: drawn over the known hours only,
    every station after the first took other random numbers, and Wujiang's PM2.5 of the day before lost
    one hour more to quality control (no daily AQI in the report)."""
    early = known_station_observations(series, datetime(2026, 12, 5, 23, 23, tzinfo=timezone.utc), seed=2027)
    late = known_station_observations(series, datetime(2026, 12, 6, 0, 2, tzinfo=timezone.utc), seed=2027)
    key = ["station", "time", "pollutant"]
    # hour-ending labels: 23:00 UTC has ended at 23:23, 00:00 at 00:02 and nothing later
    assert early["time"].max() == pd.Timestamp("2026-12-05 23:00", tz="UTC")
    assert late["time"].max() == pd.Timestamp("2026-12-06 00:00", tz="UTC")
    both = early.merge(late, on=key, suffixes=("_early", "_late"), validate="one_to_one")
    assert len(both) == len(early) and len(late) - len(early) == 6 * 6  # one more hour: 6 stations × 6 pollutants
    np.testing.assert_array_equal(both["value_early"].to_numpy(), both["value_late"].to_numpy())


def test_a_stations_pm25_exceeds_its_pm10_only_where_its_districts_does(series):
    """One inlet, one air sample: the station's departure from its district is shared by both sizes."""
    stations = demo_station_observations(series, seed=2027)
    wide = stations.pivot_table(index=["station", "time"], columns="pollutant", values="value")
    district = series.pivot_table(index=["district", "time"], columns="pollutant", values="value")
    assert len(wide) == 6 * len(district) // 3
    station_district = {sid: district for sid, _name, _lon, _lat, district in DEMO_STATIONS}
    d = district.reindex(pd.MultiIndex.from_arrays([wide.index.get_level_values(0).map(station_district),
                                                    wide.index.get_level_values(1)]))
    above = (wide["pm25"] > wide["pm10"]).to_numpy()
    assert not (above & (d["pm25"] <= d["pm10"]).to_numpy()).any()
    # the factor is shared, not the value: the stations still scatter around their district (±4 %)
    ratio = (wide["pm25"] / d["pm25"].to_numpy()).to_numpy()
    ok = np.isfinite(ratio) & (d["pm25"].to_numpy() > 50)
    assert 0.02 < np.std(np.log(ratio[ok])) < 0.06


def test_a_districts_pm25_to_pm10_ratio_is_the_records_ratio(series):
    """Qingpu (no lag) over twelve days: PM2.5/PM10 of each hour is the Dongsi record's of the same hour ten
    years before (both scaled by the same factor, ZONE_SCALE); a separate random factor per size made PM2.5
    exceed PM10 in a fifth of the hours, which the record (read here from its CSV) never does in these days."""
    assert DISTRICT_STYLE[QP][0] == 0 and ZONE_SCALE["pm25"] == ZONE_SCALE["pm10"]
    raw = pd.read_csv(PRSA_FILE, usecols=["year", "month", "day", "hour", "PM2.5", "PM10"])
    # the record's hour h (Beijing) is the hour ending h+1 (read_prsa, docs/observations.md)
    begin = pd.to_datetime(raw[["year", "month", "day", "hour"]]).dt.tz_localize("Asia/Shanghai")
    ending = (begin + pd.Timedelta(hours=1)).dt.tz_convert("UTC") + pd.DateOffset(years=10)
    record = pd.Series((raw["PM2.5"] / raw["PM10"]).to_numpy(), index=pd.DatetimeIndex(ending))
    record = record[~record.index.duplicated()]  # 29 February 2016 and 28 February ten years on
    qp = series[series["district"] == QP].pivot_table(index="time", columns="pollutant", values="value")
    expected = record.reindex(qp.index)
    ok = np.isfinite(expected.to_numpy()) & np.isfinite(qp["pm10"].to_numpy())
    assert ok.sum() > 0.9 * len(qp)
    np.testing.assert_allclose((qp["pm25"] / qp["pm10"]).to_numpy()[ok], expected.to_numpy()[ok], rtol=1e-9)
    assert not (expected.to_numpy()[ok] > 1).any()


def test_the_demo_models_never_give_what_the_ingest_refuses(sqlite_url):
    """The world of 2027-01-17 (60 days): the record's 772 µg/m³ O3 hour of 2027-01-06 became CAMS O3 of
    2,374 µg/m³ and CMAQ-YRD O3 of 2,187, which the ingest refuses (plausible 0..2000), so the build stopped.
    Every value now stays at or below the ceiling the ingest checks, and the run with the largest O3 is stored."""
    from datetime import timedelta

    from forecasting import datastore
    from forecasting.demo.science import CYCLE_HOUR, demo_model_runs
    from forecasting.permissions import Actor
    from forecasting.plausibility import PLAUSIBLE_MAX
    from forecasting.store.db import Database

    today, days = date(2027, 1, 17), 60
    obs, _met = demo_district_series(today - timedelta(days=days + 2), today, seed=2026)
    assert obs.loc[obs["pollutant"] == "o3", "value"].max() > 700  # the record's hour that made the trouble
    last = pd.Timestamp(today - timedelta(days=1), tz="UTC") + pd.Timedelta(hours=CYCLE_HOUR)
    sim = demo_model_runs(obs, first_cycle=last - pd.Timedelta(days=days - 1), last_cycle=last, seed=2028)
    top = sim["variable"].map(PLAUSIBLE_MAX).to_numpy()
    assert (sim["value"].to_numpy() <= top).all()
    o3 = sim[sim["variable"] == "o3"]
    assert o3["value"].max() == PLAUSIBLE_MAX["o3"]  # the ceiling is reached: this is the case it is for
    worst = o3.loc[o3["value"].idxmax()]
    run = sim[(sim["model"] == worst["model"]) & (sim["cycle"] == worst["cycle"])]
    long = run[["district", "valid_time", "variable", "value"]].rename(columns={"valid_time": "time"})
    long["lead_hours"] = (long["time"] - worst["cycle"]) / pd.Timedelta(hours=1)
    db = Database(sqlite_url)
    try:
        datastore.store_long_district_series(db, Actor.system("test"), long, model=worst["model"],
                                             cycle=pd.Timestamp(worst["cycle"]).to_pydatetime(), format="simulated",
                                             level="surface", synthetic=True)
    finally:
        db.dispose()
