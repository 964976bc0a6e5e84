"""AppTest of the model guidance page on an ingested (synthetic, IOAPI ACONC) run."""

from __future__ import annotations

import pytest

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD


@pytest.fixture
def app_db(sqlite_url, monkeypatch, tmp_path):
    from forecasting import accounts, datastore
    from forecasting.grids.synthetic import write_cmaq_aconc
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    db = get_database(sqlite_url)
    accounts.create_user(db, Actor.system("t"), username="fc_wj", password=PASSWORD, role="forecaster",
                         district="320509")
    path = write_cmaq_aconc(tmp_path / "aconc.nc", nx=40, ny=30, hours=12, cycle="2026-11-24T00:00Z")
    datastore.ingest_run(db, Actor.system("t"), [path], model="CMAQ-YRD")
    return db


def test_empty_database_says_how_to_ingest(sqlite_url, monkeypatch):
    from forecasting import accounts
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    accounts.create_user(get_database(sqlite_url), Actor.system("t"), username="mgr1", password=PASSWORD,
                         role="manager")
    at = goto(sign_in(new_app(), "mgr1", PASSWORD), "model_guidance.py")
    assert not at.exception
    assert "尚未入库任何模式预报" in texts(at)


def test_map_and_meteograms(app_db):
    at = goto(sign_in(new_app(), "fc_wj", PASSWORD), "model_guidance.py")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["模式预报场"]
    assert at.selectbox(key="guid_model").value == "CMAQ-YRD"
    step = at.select_slider(key="guid_step")
    assert list(step.options)[0] == "+1 h · 11-24 09:00"  # the first hour ends at 00Z + 1 h = 09:00 Beijing
    assert len(step.options) == 12  # 12 hourly steps
    # the map is one PNG image; three district meteograms
    assert len(at.get("image")) == 1
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) == 3
    # a legend entry a row: a meteogram is a third of the page, and a two-column legend's second column ran past
    # its right edge at 1280 px ("订正集合（建议" without its bracket)
    import json

    legends = [layer["encoding"]["color"]["legend"] for chart in charts
               for layer in json.loads(chart.proto.spec)["layer"]
               if (layer.get("encoding", {}).get("color") or {}).get("legend")]
    assert len(legends) == 3 and all(g["columns"] == 1 and g["labelLimit"] == 0 for g in legends), legends
    at.selectbox(key="guid_pollutant").select("o3").run()
    at.select_slider(key="guid_step").set_value(5).run()
    assert not at.exception
    # cycle 00Z, sixth hourly step ends at 06Z = 14:00 Beijing; the heading is the picture's own title,
    # not a line above it repeating the same (a tour read it twice)
    assert "时效 6 小时" not in texts(at) and len(at.get("image")) == 1
    assert at.select_slider(key="guid_step").format_func(5) == "+6 h · 11-24 14:00"


def test_on_the_demo_world(demo_url, monkeypatch):
    """The demo world's newest runs are real IOAPI/CF files: the map and the meteograms of every model."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    at = goto(sign_in(new_app(), "qp_chen", "demo-2026-yrd"), "model_guidance.py")
    assert not at.exception, at.exception
    assert set(at.selectbox(key="guid_model").options) == {"CAMS", "CMAQ-YRD", "NAQPMS-SH"}
    assert "合成演示数据" in texts(at)
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(at.get("image")) == 1 and len(charts) == 3  # the newest cycle has its file: a map image, three meteograms
    assert "格式 CF-NetCDF" in texts(at) and "格式 cf " not in texts(at)  # the format as centres name it
    at.selectbox(key="guid_model").select("CMAQ-YRD").run()
    assert not at.exception and "格式 CMAQ IOAPI" in texts(at)


def test_the_map_opens_at_the_current_hour_of_a_run_that_spans_it(sqlite_url, monkeypatch, tmp_path):
    """A tour opened the model guidance at 06:00 and read the map of 21:00 the evening before (the run's
    first hour): the map opens at the first hour not yet past."""
    from datetime import datetime, timedelta, timezone

    import pandas as pd

    from forecasting import accounts, datastore
    from forecasting.grids.synthetic import write_cmaq_aconc
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    db = get_database(sqlite_url)
    accounts.create_user(db, Actor.system("t"), username="fc_wj", password=PASSWORD, role="forecaster",
                         district="320509")
    cycle = (datetime.now(timezone.utc) - timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
    path = write_cmaq_aconc(tmp_path / "aconc.nc", nx=20, ny=16, hours=24, cycle=cycle.strftime("%Y-%m-%dT%H:%MZ"))
    datastore.ingest_run(db, Actor.system("t"), [path], model="CMAQ-YRD")
    before = pd.Timestamp.now(tz="UTC")
    at = goto(sign_in(new_app(), "fc_wj", PASSWORD), "model_guidance.py")
    assert not at.exception, at.exception
    after = pd.Timestamp.now(tz="UTC")
    step = at.select_slider(key="guid_step").value
    # the hours end at cycle + 1 h, + 2 h ...: the step's hour is not yet past when the page ran, the one
    # before it is (the page ran between ``before`` and ``after``)
    hour = pd.Timestamp(cycle) + pd.Timedelta(hours=step + 1)
    assert step >= 5 and hour >= before and hour - pd.Timedelta(hours=1) < after, (step, hour, before)
