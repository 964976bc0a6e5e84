"""Issue #15 in the HTTP API (in-process ASGI, the same route functions): body size 413, strict
numbers and dates 400 naming the field, tampered reports 500 with an audit row."""

from __future__ import annotations

import json
import re

import anyio
import httpx
import pytest
from sqlalchemy import select, text

from consultation_data import ISSUE, TARGETS, signed_session



@pytest.fixture
def api_app(db, monkeypatch):
    from starlette.applications import Starlette

    from forecasting import api

    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("FORECASTING_API_PUBLIC", "1")
    return Starlette(routes=api.routes())


def _call(app, method, path, **kw):
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
            return await client.request(method, path, **kw)

    return anyio.run(go)


@pytest.fixture
def token(db, users):
    from forecasting.tokens import create_token

    _view, secret = create_token(db, users["fc_qp"])
    return {"Authorization": f"Bearer {secret}"}


def _post(app, token, body: bytes):
    return _call(app, "POST", f"/api/v1/sessions/{ISSUE.isoformat()}/submissions/310118", content=body,
                 headers={**token, "Content-Type": "application/json"})


def test_body_over_256_kib_is_413(api_app, token):
    """Regression: nothing limited the body size."""
    body = json.dumps({"target_date": TARGETS[0].isoformat(), "aqi_lo": 60, "aqi_hi": 80, "primary": ["pm25"],
                       "analysis": "x" * (300 * 1024)}).encode()
    r = _post(api_app, token, body)
    assert r.status_code == 413
    assert r.json()["error"]["key"] == "hard15.body_too_large"


@pytest.mark.parametrize("field, raw", [
    ("aqi_lo", '"aqi_lo": Infinity'),
    ("aqi_lo", '"aqi_lo": 1e400'),
    ("aqi_lo", '"aqi_lo": 60.7'),
    ("aqi_lo", '"aqi_lo": true'),
    ("target_date", '"target_date": "20261128"'),
    ("target_date", '"target_date": "2026-W48-6"'),
    ("concentrations.pm25", '"concentrations": {"pm25": 1e308}'),
])
def test_non_strict_numbers_and_dates_are_400_naming_the_field(api_app, token, field, raw):
    """Regression: Infinity/1e400 gave 500, 60.7 became 60, true became 1, 20261128 was a date,
    1e308 µg/m³ was stored."""
    entry = {"target_date": f'"{TARGETS[0].isoformat()}"', "aqi_lo": "60", "aqi_hi": "80", "primary": '["pm25"]'}
    key = raw.split(":")[0].strip('"')
    entry[key] = raw.split(":", 1)[1].strip()
    body = "{" + ", ".join(f'"{k}": {v}' for k, v in entry.items()) + "}"
    r = _post(api_app, token, body.encode())
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert field.split(".")[0] in err["detail"] or field in err["detail"] or "body" in err["detail"], err


def test_issue_date_in_the_path_is_strict(api_app):
    assert _call(api_app, "GET", "/api/v1/forecasts/20270104").status_code == 400


def test_tampered_report_is_500_and_audited(db, users, api_app):
    """Regression: the API served a stored report whose hash no longer matched."""
    from forecasting import consultation as c
    from forecasting.store.models import AuditEntry

    chief = signed_session(db, users)
    c.issue_session(db, chief, ISSUE)
    assert _call(api_app, "GET", f"/api/v1/forecasts/{ISSUE.isoformat()}").status_code == 200
    with db.engine.begin() as conn:  # an operator with owner rights bypasses the triggers
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER issued_forecasts_no_update"))
            conn.execute(text("UPDATE issued_forecasts SET snapshot = replace(snapshot, '60', '20')"))
        else:
            conn.execute(text("ALTER TABLE issued_forecasts DISABLE TRIGGER USER"))
            conn.execute(text("UPDATE issued_forecasts SET snapshot = replace(snapshot, '60', '20')"))
            conn.execute(text("ALTER TABLE issued_forecasts ENABLE TRIGGER USER"))
    r = _call(api_app, "GET", f"/api/v1/forecasts/{ISSUE.isoformat()}")
    assert r.status_code == 500 and r.json()["error"]["code"] == "integrity"
    with db.read() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "report.integrity_failed")) is not None


def test_refused_tokens_are_throttled_and_aggregated(db, api_app, monkeypatch):
    """Regression (#15 item 11): ~10 refused tokens a second, unthrottled, each a permanent audit row."""
    from datetime import datetime, timezone

    from forecasting import tokens
    from forecasting.store.models import AuditEntry

    clock = {"now": datetime(2027, 1, 4, 8, 30, 5, tzinfo=timezone.utc)}
    monkeypatch.setattr(tokens, "utcnow", lambda: clock["now"])
    monkeypatch.setenv("FORECASTING_TOKEN_REFUSALS_PER_MINUTE", "10")
    bad = {"Authorization": "Bearer not-a-token"}
    path = "/api/v1/sessions/2027-01-04/submissions/310118"
    codes = [_call(api_app, "POST", path, headers=bad, content=b"{}").status_code for _ in range(12)]
    assert codes == [401] * 10 + [429] * 2
    r = _call(api_app, "POST", path, headers=bad, content=b"{}")
    assert r.status_code == 429 and r.headers["Retry-After"] == "55"

    def rows(action):
        with db.read() as s:
            return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))

    assert len(rows("token.refused")) == 1 and rows("token.refused.minute") == []
    clock["now"] = datetime(2027, 1, 4, 8, 31, 0, tzinfo=timezone.utc)  # the next minute
    assert _call(api_app, "POST", path, headers=bad, content=b"{}").status_code == 401
    summary = rows("token.refused.minute")
    assert len(summary) == 1 and summary[0].details["count"] == 10
    assert len(rows("token.refused")) == 2


_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize("raw, key", [
    (b'{"target_date": "2027-01-05", "aqi_lo": NaN, "aqi_hi": 80}', "api.field.not_finite"),
    (b'{"target_date": "2027-01-05", "aqi_lo": 60.5, "aqi_hi": 80}', "api.field.whole"),
    (b'{"target_date": "2027-01-05", "aqi_lo": 60, "aqi_hi": 80, "concentrations": {"pm25": -1}}', "api.field.range"),
    (b'{"target_date": "2027-01-05", "aqi_lo": 60, "aqi_hi": 80, "concentrations": {"pm25": "45"}}',
     "api.field.number"),
    (b'{"target_date": "2027-01-05", "aqi_lo": 60, "aqi_hi": 80, "primary": [1]}', "api.field.texts"),
    (b'{"target_date": "2027-01-05", "aqi_lo": 60, "aqi_hi": 80, "analysis": 5}', "api.field.text"),
    (b'{"target_date": "2027-01-05", "aqi_hi": 80}', "api.field.required"),
    (b'{"entries": []}', "api.field.list"),
    (b'[1, 2]', "api.field.object"),
    (b'{"target_date": "2027-01-05",', "api.bad_json"),
    (b'{"analysis": "\xff\xfe\xfa"}', "api.bad_encoding"),
])
def test_a_refused_body_is_explained_in_chinese_without_english_words(api_app, token, raw, key):
    """Regression (a probe with curl): message_zh read "字段 entries[0].aqi_lo 无效：expected a whole number",
    "字段 body 无效：NaN is not a finite number", and Python's English JSON error after "请求体不是有效的 JSON："."""
    r = _post(api_app, token, raw)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["key"] == key
    # field names and JSON's own words are what the body says; nothing else in Latin letters
    words = set(_LATIN_WORD.findall(error["message_zh"])) - {"entries", "aqi", "primary", "analysis", "concentrations",
                                                               "body", "JSON", "UTF", "NaN"}
    assert not words, error["message_zh"]
    assert error["message"] != error["message_zh"] and error["detail"]


def test_submit_must_be_true_or_false_and_the_string_false_saves_nothing(db, users, api_app, token):
    """Regression: ``"submit": "false"`` (a string) submitted the forecast: Python reads any non-empty string as
    true, so a program asking for a draft handed its district's forecast to the chief."""
    from forecasting.store.consultation import Submission

    from consultation_data import make_rota, open_consulting

    make_rota(db)
    open_consulting(db, users["fc_qp"])
    body = {"submit": "false", "entries": [{"target_date": TARGETS[0].isoformat(), "aqi_lo": 60, "aqi_hi": 80,
                                            "primary": ["pm25"]}]}
    r = _post(api_app, token, json.dumps(body).encode())
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["key"] == "api.field.bool" and error["message_zh"] == "字段 submit 无效：应为 true 或 false。"
    with db.read() as s:
        assert s.scalar(select(Submission.id)) is None
    body["submit"] = False  # the JSON false: a draft
    r = _post(api_app, token, json.dumps(body).encode())
    assert r.status_code == 200, r.text
    assert [e["status"] for e in r.json()["submissions"]] == ["draft"]


@pytest.mark.parametrize("code", ["999999", "qingpu", "310118x"])
def test_a_path_with_no_district_of_the_zone_is_404_naming_the_three(db, users, api_app, token, code):
    """Regression (a probe with curl): a typo in the path's adcode was 403 "您只能填报本区县的预报，不能填报999999的
    预报" as if another district's forecaster had tried; a program's author looked for a permission problem."""
    from consultation_data import make_rota, open_consulting

    make_rota(db)
    open_consulting(db, users["fc_qp"])
    body = {"submit": False, "entries": [{"target_date": TARGETS[0].isoformat(), "aqi_lo": 60, "aqi_hi": 80,
                                          "primary": ["pm25"]}]}
    r = _call(api_app, "POST", f"/api/v1/sessions/{ISSUE.isoformat()}/submissions/{code}",
              content=json.dumps(body).encode(), headers={**token, "Content-Type": "application/json"})
    assert r.status_code == 404, r.text
    error = r.json()["error"]
    assert error["key"] == "consult.unknown_district"
    # the zone's districts in its order, by name and code (data/districts.geojson)
    assert error["message_zh"] == (f"没有编码为“{code}”的区县。示范区的区县：青浦区 310118、吴江区 320509、"
                                   "嘉善县 330421。")
    assert error["message"].endswith("The zone's districts: Qingpu 310118, Wujiang 320509, Jiashan 330421.")


def test_an_unknown_pollutant_is_named_with_the_names_a_program_may_send(db, users, api_app, token):
    """Regression (a probe): "PM2.5" as a primary pollutant was refused with "未知污染物：pm2.5" and no word of what
    the API accepts; the names are those of DESIGN's vocabulary (forecasting.vocab.POLLUTANTS)."""
    from consultation_data import make_rota, open_consulting
    from forecasting.vocab import POLLUTANTS

    make_rota(db)
    open_consulting(db, users["fc_qp"])
    body = {"target_date": TARGETS[0].isoformat(), "aqi_lo": 60, "aqi_hi": 80, "primary": ["PM2.5"]}
    r = _post(api_app, token, json.dumps(body).encode())
    error = r.json()["error"]
    assert r.status_code == 400 and error["key"] == "consult.bad_pollutant"
    assert error["message_zh"] == f"未知污染物：pm2.5。可填：{'、'.join(POLLUTANTS)}。"
    assert error["message"] == f"Unknown pollutant: pm2.5. Expected: {', '.join(POLLUTANTS)}."


def test_a_day_given_twice_is_refused_as_such_and_saves_nothing(db, users, api_app, token):
    """Regression (a probe with curl): a request giving D+1 twice was refused as "「青浦区 …」已被 <the sender> 于
    <now> 修改" (changed meanwhile, by the sender, at the time of the request); it names the repeated day now."""
    from forecasting.store.consultation import Submission

    from consultation_data import make_rota, open_consulting

    make_rota(db)
    open_consulting(db, users["fc_qp"])
    day = TARGETS[0].isoformat()
    body = {"entries": [{"target_date": day, "aqi_lo": 60, "aqi_hi": 80, "primary": ["pm25"]},
                        {"target_date": day, "aqi_lo": 70, "aqi_hi": 90, "primary": ["pm25"]}]}
    r = _post(api_app, token, json.dumps(body).encode())
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["key"] == "consult.day_twice"
    assert error["message_zh"] == f"青浦区 {day} 出现了两次：每个区县的每一天只能给一次。"
    assert error["message"] == f"Qingpu {day} is given twice: give each district's day once."
    with db.read() as s:
        assert s.scalar(select(Submission.id)) is None
