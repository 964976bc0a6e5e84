"""AppTest of the home page on the (small) demo world: the map of tomorrow's levels."""

from __future__ import annotations

import json
from datetime import timedelta

from apptest_support import new_app, sign_in, texts

from forecasting.store.db import get_database


def _map_levels(at) -> dict[str, str]:
    """District name -> the level text the home page's map colours it by (from the chart's own data)."""
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    spec = next(json.loads(c.proto.spec) for c in charts if "level_text" in c.proto.spec)
    features = []

    def walk(node):  # wherever the chart keeps its GeoJSON (inline data or a named dataset)
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict) and "level_text" in node["properties"]:
                features.append(node)
            else:
                for v in node.values():
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return {f["properties"]["label"]: f["properties"]["level_text"] for f in features}


def test_before_todays_entries_the_map_shows_tomorrow_from_the_last_issued_forecast(demo_url, monkeypatch):
    """At 04:30 a manager's map of tomorrow was grey ("今日尚无预报") although yesterday's issued forecast
    covers tomorrow as its second day; it now shows that forecast, and says which issue it is."""
    from forecasting import consultation as c
    from forecasting.aqi import level_info
    from forecasting.permissions import Actor

    monkeypatch.setenv("DATABASE_URL", demo_url)
    db = get_database(demo_url)
    today = c.beijing_today()
    # the demo world's today: open, nobody has entered anything, nothing issued
    assert not c.issued_forecasts(db, today) and not c.room_view(db, Actor.system("t"), today).entries
    yesterday = c.issued_forecasts(db, today - timedelta(days=1))[-1]
    snap = json.loads(yesterday.snapshot)
    names = {"310118": "青浦区", "320509": "吴江区", "330421": "嘉善县"}
    expected = {names[d["adcode"]]: level_info(level=day["level_hi"]).category("zh")
                for d in snap["districts"] for day in d["days"]
                if day["target_date"] == (today + timedelta(days=1)).isoformat()}
    assert len(expected) == 3

    at = sign_in(new_app(), "mgr_sun", "demo-2026-yrd")
    assert not at.exception, at.exception
    assert f"颜色：{yesterday.issue_date.isoformat()} 发布的预报中明日的 AQI 等级（取上限）；今日预报尚未填报。" in texts(at)
    assert "今日尚无预报" not in texts(at)
    assert _map_levels(at) == expected
