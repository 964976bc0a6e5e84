"""HTTP API v1 against a running app (``streamlit run server.py``) with httpx: every status code,
submissions under the page's rules (own district, session open, validation), the served bytes'
hash; and ``FORECASTING_API_PUBLIC=0`` in-process with Starlette's test client."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import timedelta

import httpx
import pytest

from browser_support import app_server
from reports_data import JS, QP, WJ, chief_of, demo_actor, issue_demo_report
from patience import PATIENCE_S



@pytest.fixture(scope="module")
def world(tmp_path_factory, _demo_template):
    from forecasting import consultation as c
    from forecasting.store.db import Database
    from forecasting.tokens import create_token, revoke_token

    folder = tmp_path_factory.mktemp("api")
    path = folder / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    _chief, issue, issued = issue_demo_report(db)
    open_day = issue + timedelta(days=1)  # a second consultation, open for submissions
    chief = chief_of(db, open_day)
    view = c.open_session(db, chief, open_day, days=3)
    c.start_consultation(db, chief, open_day, expected_version=view.version)
    wj = demo_actor(db, "wj_wang")
    _v, wj_token = create_token(db, wj, name="test")
    old, old_token = create_token(db, wj, name="old")
    revoke_token(db, wj, old.id)
    db.dispose()
    with app_server(url, data_dir=folder) as base:
        with httpx.Client(base_url=base, timeout=PATIENCE_S) as client:
            yield {"client": client, "url": url, "issued": issued, "issue": issue, "open_day": open_day,
                   "wj_token": wj_token, "old_token": old_token}


def _entry(day, lo=90, hi=110, primary=("pm25", "o3")):
    return {"target_date": day.isoformat(), "aqi_lo": lo, "aqi_hi": hi, "primary": list(primary),
            "analysis": "午后臭氧偏高"}


def _path(world, district, day=None):
    return f"/api/v1/sessions/{(day or world['open_day']).isoformat()}/submissions/{district}"


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_latest_forecast_is_the_stored_json_and_its_hash_matches(world):
    from forecasting.reports import report_file
    from forecasting.store.db import Database

    r = world["client"].get("/api/v1/forecasts/latest")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    db = Database(world["url"])
    stored = report_file(db, world["issued"].id, "json")
    pdf = report_file(db, world["issued"].id, "pdf")
    db.dispose()
    assert r.content == stored.content
    assert r.headers["x-content-sha256"] == hashlib.sha256(r.content).hexdigest() == stored.sha256
    assert r.headers["x-report-sha256"] == world["issued"].sha256 == pdf.sha256
    body = r.json()
    assert body["issue_date"] == world["issue"].isoformat() and body["pdf_sha256"] == pdf.sha256
    assert {d["adcode"] for d in body["districts"]} == {QP, WJ, JS}


def test_a_client_that_holds_the_forecast_gets_304_without_the_body(world):
    """A bot polling the newest forecast sent back the ETag it was given (``If-None-Match``) and got the whole
    60 kB again each time; RFC 9110 §13.1.2 (weak comparison, ``*``, a list) gives it 304 and no body, with
    the same ETag and hashes; a changed or unknown tag gets the forecast."""
    client = world["client"]
    for path in ("/api/v1/forecasts/latest", f"/api/v1/forecasts/{world['issue'].isoformat()}"):
        full = client.get(path)
        etag = full.headers["etag"]
        assert full.status_code == 200 and etag == f'"{hashlib.sha256(full.content).hexdigest()}"'
        for header in (etag, f"W/{etag}", f'"0000", {etag}', "*"):
            r = client.get(path, headers={"If-None-Match": header})
            assert r.status_code == 304 and r.content == b"", (path, header, r.status_code)
            assert r.headers["etag"] == etag and r.headers["x-report-sha256"] == full.headers["x-report-sha256"]
        for header in ('"0000"', etag[:-2] + '"', ""):
            r = client.get(path, headers={"If-None-Match": header})
            assert r.status_code == 200 and r.content == full.content, (path, header)


def test_every_response_carries_the_security_headers_and_the_apps_code_arrives_whole(world):
    """The security headers on the page, its JavaScript, the health check and the API; and the chart
    engine's code served byte for byte as shipped, through the headers' middleware."""
    import re
    from pathlib import Path

    import streamlit

    client = world["client"]
    static = Path(streamlit.__file__).parent / "static"
    vega = sorted((static / "static" / "js").glob("embed.*.js"))
    assert vega, "Streamlit ships its Vega embed code as static/js/embed.*.js"
    page = client.get("/")
    scripts = re.findall(r'src="\.?/?(static/js/[^"]+\.js)"', page.text)
    assert page.status_code == 200 and scripts, page.text[:500]
    for path in ["/", "/healthz", "/api/v1/forecasts/latest", "/" + scripts[0], f"/static/js/{vega[0].name}"]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "SAMEORIGIN", path
        assert r.headers["referrer-policy"] == "same-origin", path
        if path.endswith(".js"):
            assert r.content == (static / path.lstrip("/")).read_bytes(), path


def test_forecast_by_date_404_and_400(world):
    client = world["client"]
    assert client.get(f"/api/v1/forecasts/{world['issue'].isoformat()}").json()["revision"] == 1
    r = client.get("/api/v1/forecasts/2020-01-01")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/api/v1/forecasts/yesterday")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["error"]["message"]


def test_submission_with_a_personal_token(world):
    r = world["client"].post(_path(world, WJ), headers=_auth(world["wj_token"]),
                             json={"submit": True, "entries": [_entry(world["open_day"] + timedelta(days=2))]})
    assert r.status_code == 200, r.text
    (sub,) = r.json()["submissions"]
    assert (sub["status"], sub["aqi_lo"], sub["aqi_hi"], sub["level_lo"], sub["level_hi"]) == ("submitted", 90, 110,
                                                                                                2, 3)
    assert sub["author"].startswith("王磊")
    from forecasting.audit import recent
    from forecasting.store.db import Database

    db = Database(world["url"])
    with db.read() as s:
        actions = [(a.action, a.actor_username) for a in recent(s, limit=5)]
    db.dispose()
    assert ("token.use", "wj_wang") in actions and ("consult.submission.submit", "wj_wang") in actions


def test_missing_bad_and_revoked_tokens_get_401(world):
    client = world["client"]
    for headers in ({}, {"Authorization": "Basic abc"}, _auth("nope"), _auth(world["old_token"])):
        r = client.post(_path(world, WJ), headers=headers, json=_entry(world["open_day"] + timedelta(days=1)))
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["error"]["code"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"


def test_another_districts_submission_is_403(world):
    r = world["client"].post(_path(world, QP), headers=_auth(world["wj_token"]),
                             json=_entry(world["open_day"] + timedelta(days=1)))
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["key"] == "consult.not_your_district"
    # the district by name in both languages (data/districts.geojson: 青浦区, Qingpu), never its adcode
    assert error["message_zh"] == "您只能填报本区县的预报，不能填报青浦区的预报。"
    assert error["message"] == "You forecast for your own district, not for Qingpu."


@pytest.mark.parametrize("make, needle", [
    (lambda d: {"entries": [_entry(d + timedelta(days=1), lo=110, hi=90)]}, "low < high"),
    (lambda d: {"entries": [_entry(d + timedelta(days=1), primary=())]}, "primary"),
    (lambda d: {"entries": [{"aqi_lo": 1}]}, "target_date"),
    (lambda d: {"entries": [_entry(d + timedelta(days=30))]}, "not a target day"),
    (lambda d: {"entries": []}, "non-empty"),
    (lambda d: "not an object", "object"),
])
def test_invalid_submissions_are_400(world, make, needle):
    r = world["client"].post(_path(world, WJ), headers=_auth(world["wj_token"]), json=make(world["open_day"]))
    assert r.status_code == 400, r.text
    assert needle in r.json()["error"]["detail"]


def test_body_that_is_not_json_is_400(world):
    r = world["client"].post(_path(world, WJ), headers=_auth(world["wj_token"]), content=b"{nope")
    assert r.status_code == 400 and r.json()["error"]["key"] == "api.bad_json"


def test_no_session_is_404_and_after_sign_off_is_409(world):
    client, token = world["client"], world["wj_token"]
    far = world["open_day"] + timedelta(days=20)
    r = client.post(_path(world, WJ, far), headers=_auth(token), json=_entry(far + timedelta(days=1)))
    assert r.status_code == 404 and r.json()["error"]["key"] == "consult.no_session"
    issue = world["issue"]
    r = client.post(_path(world, WJ, issue), headers=_auth(token), json=_entry(issue + timedelta(days=1)))
    assert r.status_code == 409, r.text
    assert r.json()["error"]["key"] == "consult.locked"


def test_private_api_needs_a_token(sqlite_url, monkeypatch):
    """``FORECASTING_API_PUBLIC=0``: reading needs a valid token (in-process ASGI, same route functions)."""
    import anyio
    from starlette.applications import Starlette

    from forecasting import accounts, api
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database
    from forecasting.tokens import create_token

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    db = get_database(sqlite_url)
    v = accounts.create_user(db, Actor.system("t"), username="mgr1", password="correct-horse-9", role="manager")
    _view, token = create_token(db, Actor(v.id, v.username, v.role))
    app = Starlette(routes=api.routes())

    async def get(headers=None):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            return await client.get("/api/v1/forecasts/latest", headers=headers or {})

    monkeypatch.setenv("FORECASTING_API_PUBLIC", "0")
    assert anyio.run(get).status_code == 401
    r = anyio.run(get, _auth(token))
    assert r.status_code == 404 and json.loads(r.content)["error"]["key"] == "report.none_issued"
    monkeypatch.setenv("FORECASTING_API_PUBLIC", "1")
    assert anyio.run(get).status_code == 404
