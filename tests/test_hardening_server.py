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


#: The page files in pages/ (every one but the sign-in form has an address).
PAGE_NAMES = ["account", "admin_users", "api_tokens", "audit_log", "chief_desk", "consultation_room", "data_desk",
              "district_forecast", "home", "model_guidance", "presentation", "reports", "rota", "verification"]


def _get(server, path: str, method: str = "GET", base: str = "") -> tuple[int, dict, bool]:
    """Send one request through :class:`server.UnknownPageRedirect`: (status, headers, whether it passed on)."""
    from streamlit import config

    passed = []

    async def downstream(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [], "root_path": ""}
    config.set_option("server.baseUrlPath", base)
    try:
        anyio.run(server.UnknownPageRedirect(downstream), scope, receive, send)
    finally:
        config.set_option("server.baseUrlPath", "")
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, bool(passed)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_address_passes_to_streamlit(server, name):
    assert _get(server, f"/{name}")[2]


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/_stcore/stream", "/static/js/index.js", "/favicon.png",
                                  "/healthz", "/api/v1/forecasts/latest", "/auth", "/media/abc.png", "/app/static/x",
                                  "/component/x/index.html"])
def test_files_folders_and_routes_pass_untouched(server, path):
    assert _get(server, path)[2]


@pytest.mark.parametrize("path, name", [("/room", "room"), ("/room/", "room"), ("/Home", "Home"),
                                        ("/consultation-room", "consultation-room")])
def test_an_address_that_is_no_page_is_sent_home_saying_which(server, path, name):
    """Regression: an old bookmark (/room) opened Streamlit's English dialog "Page not found" in the Chinese UI."""
    status, headers, passed = _get(server, path)
    assert (status, headers["location"], passed) == (307, f"/?missing={name}", False)


def test_index_is_the_home_page_without_a_note(server):
    """A tour opened /index (the home page's name in ui.navigation): Streamlit serves its default page at "/"
    only and showed its English dialog "Page not found" over the Chinese home page. It is sent to "/", where
    no "no such page" note is due either."""
    status, headers, passed = _get(server, "/index")
    assert (status, headers["location"], passed) == (307, "/", False)
    status, headers, _ = _get(server, "/aq/index/", base="aq")
    assert (status, headers["location"]) == (307, "/aq/")


def test_only_reads_are_redirected(server):
    assert _get(server, "/room", method="POST")[2]


def test_under_a_base_path_the_home_is_the_base(server):
    assert _get(server, "/aq", base="aq")[2]  # the base itself is the home page
    assert _get(server, "/aq/reports", base="/aq/")[2]
    status, headers, _ = _get(server, "/aq/room", base="aq")
    assert (status, headers["location"]) == (307, "/aq/?missing=room")
