"""Issue #15 items 10 and 12: /healthz answers 503 JSON on a dead database; /auth/bind refuses
cross-origin posts (login CSRF)."""

from __future__ import annotations

import json

import anyio
import pytest
from starlette.requests import Request


def _request(headers: dict) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/auth/bind",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})


@pytest.fixture(scope="module")
def server():
    import server as module

    return module


@pytest.mark.parametrize("headers, ok", [
    ({"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"}, True),
    ({"host": "127.0.0.1:8501", "referer": "http://127.0.0.1:8501/?page=home"}, True),
    ({"host": "127.0.0.1:8501", "origin": "https://evil.example"}, False),
    ({"host": "127.0.0.1:8501", "referer": "https://evil.example/x"}, False),
    ({"host": "127.0.0.1:8501", "origin": "null"}, False),
    ({"host": "127.0.0.1:8501"}, False),
])
def test_bind_accepts_only_its_own_origin(server, headers, ok):
    """Regression: /auth/bind accepted cross-origin posts."""
    assert server.same_origin(_request(headers)) is ok
    if not ok:
        response = anyio.run(server.bind, _request(headers))
        assert response.status_code == 403


def test_healthz_is_503_json_naming_the_database(server, monkeypatch):
    """Regression: a dead database gave a plain-text 500."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    response = anyio.run(server.healthz, _request({"host": "h"}))
    assert response.status_code == 503
    assert json.loads(response.body)["failing"] == "database"


def test_verification_csv_escapes_formula_cells():
    """Regression (#15 item 9): a cell starting with = + - @ ran as a spreadsheet formula."""
    import pandas as pd

    from forecasting.verification import to_csv

    data = to_csv(pd.DataFrame({"duty_chief": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@A1", "张三"],
                                "rmse": [-1.5, 2.0, 3.0, 4.0, 5.0]})).decode("utf-8")
    lines = data.splitlines()
    assert lines[1].startswith("\"'=HYPERLINK(") and lines[2].startswith("'+1") and lines[3].startswith("'-2")
    assert lines[4].startswith("'@A1") and lines[5].startswith("张三,5.0")
    assert lines[1].endswith(",-1.5")  # numbers are numbers, never escaped
