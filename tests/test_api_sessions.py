"""The session API for clients and bots (issue #14), in-process (Starlette + httpx ASGI) on the demo
world: ``GET /api/v1/sessions/{issue_date}`` and ``.../guidance``, posting the guidance back
unchanged, and the JSON 404 of unknown ``/api`` paths."""

from __future__ import annotations

import json
from itertools import combinations

import anyio
import httpx
import pytest

from reports_data import JS, QP, WJ, demo_actor



@pytest.fixture
def api(demo_url, monkeypatch):
    from starlette.applications import Starlette

    from forecasting import api as api_module
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    db = get_database(demo_url)
    app = Starlette(routes=api_module.routes())

    def call(method, path, token=None, body=None):
        async def go():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                return await client.request(method, path, headers=headers, json=body)
        return anyio.run(go)

    return db, call


def _token(db, username):
    from forecasting.tokens import create_token

    return create_token(db, demo_actor(db, username), name="bot")[1]


def _forecaster_of(db, district):
    from sqlalchemy import select

    from forecasting.store.models import User

    with db.read() as s:
        return s.scalar(select(User.username).where(User.role == "forecaster", User.district_adcode == district)
                        .order_by(User.username).limit(1))


def test_unknown_api_paths_answer_json_404(api):
    _db, call = api
    for path in ("/api/v2/anything", "/api/v1/nope", "/api"):
        r = call("GET", path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["error"]["status"] == 404 and r.json()["error"]["message_zh"]


def test_session_needs_a_token_and_any_role_reads_it(api):
    from forecasting.consultation import beijing_today

    db, call = api
    today = beijing_today()
    assert call("GET", f"/api/v1/sessions/{today}").status_code == 401
    r = call("GET", f"/api/v1/sessions/{today}", _token(db, "mgr_sun"))
    assert r.status_code == 200
    doc = r.json()
    assert doc["issue_date"] == today.isoformat() and doc["state"] in ("open", "consulting")
    assert [d["adcode"] for d in doc["districts"]] == [QP, WJ, JS]  # one district order
    # deadlines in Beijing time: 15:00 and 20:00 of the issue date (docs/consultation.md defaults)
    assert doc["deadlines"]["consultation"] == f"{today}T15:00:00+08:00"
    assert doc["deadlines"]["issue"] == f"{today}T20:00:00+08:00"
    assert doc["duty"]["chief"]
    assert call("GET", "/api/v1/sessions/2001-01-01", _token(db, "mgr_sun")).status_code == 404
    assert call("GET", "/api/v1/sessions/not-a-day", _token(db, "mgr_sun")).status_code == 400


def test_the_unchanged_guidance_posts_back_with_200_for_every_district_and_day(api):
    """Done-when of #14: a client posts each district's prefill unchanged and gets 200; where all
    three agree (pairwise overlapping ranges) and every range is ≤ 100, no flag needs acknowledging."""
    from forecasting.consultation import beijing_today

    db, call = api
    today = beijing_today()
    reader = _token(db, "mgr_sun")
    g = call("GET", f"/api/v1/sessions/{today}/guidance", reader)
    assert g.status_code == 200
    doc = g.json()
    session = call("GET", f"/api/v1/sessions/{today}", reader).json()
    posted = {}
    for d in doc["districts"]:
        assert [e["target_date"] for e in d["entries"]] == session["target_dates"], d["adcode"]
        assert d["guidance_ends"] is not None
        for e in d["entries"]:
            assert set(e) <= {"target_date", "aqi_lo", "aqi_hi", "primary", "expected_version"}
        token = _token(db, _forecaster_of(db, d["adcode"]))
        r = call("POST", f"/api/v1/sessions/{today}/submissions/{d['adcode']}", token,
                 {"submit": True, "entries": d["entries"]})
        assert r.status_code == 200, (d["adcode"], r.json())
        posted[d["adcode"]] = {e["target_date"]: (e["aqi_lo"], e["aqi_hi"]) for e in d["entries"]}
    after = call("GET", f"/api/v1/sessions/{today}", reader).json()
    assert all(d["state"] == "submitted" for d in after["districts"])
    # per day, from the flags themselves: a group folds a pair's consecutive days, so an amber group can hold a
    # day whose own flag is info (with the clock at 2027-01-17, Qingpu and Jiashan's primary_differs group of
    # 2027-01-21..24 was amber and held 2027-01-22, where the three ranges agreed and stayed ≤ 100)
    from forecasting import consultation as c

    needing = [fs.flag for fs in c.session_flags(db, today)
               if fs.flag.needs_ack and not fs.acknowledged and fs.flag.kind != "guidance_far"]
    for day in session["target_dates"]:
        ranges = [posted[a][day] for a in (QP, WJ, JS)]
        agree = all(x[0] <= y[1] and y[0] <= x[1] for x, y in combinations(ranges, 2))
        if agree and max(hi for _lo, hi in ranges) <= 100:
            on_day = [f for f in needing if f.target_date.isoformat() == day]
            assert on_day == [], (day, on_day)
    # the prefill itself never raises "far from the guidance"
    assert not [grp for grp in after["flag_groups"] if grp["kind"] == "guidance_far"]
    assert json.dumps(after)  # plain JSON
