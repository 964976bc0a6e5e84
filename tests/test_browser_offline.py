"""The browser tests' offline guard itself: a page's request to another machine is refused and named, a
request to this machine goes through (the guard matches in Chromium, by :data:`browser_support.LEAVING`)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browser_support import LEAVING, browser, is_local_url

pytestmark = pytest.mark.browser

URLS = [
    ("http://127.0.0.1:8501/static/js/main.js", True),
    ("ws://127.0.0.1:8501/_stcore/stream", True),
    ("http://localhost/", True),
    ("HTTP://LOCALHOST:80/x", True),
    ("http://[::1]:8080/a?b", True),
    ("file:///work/report.html", True),
    ("data:image/png;base64,AAAA", True),
    ("blob:http://127.0.0.1:8501/3f1c", True),
    ("https://fonts.googleapis.com/css2?family=Noto", False),
    ("http://127.0.0.1.example.com/x", False),  # a loopback-looking name is another machine
    ("http://localhost@example.com/", False),  # user info before @: the host is example.com
    ("https://a.tile.openstreetmap.org/1/0/0.png", False),
]


@pytest.mark.parametrize(("url", "local"), URLS)
def test_the_pattern_and_the_rule_agree(url, local):
    assert is_local_url(url) is local
    assert (LEAVING.search(url) is None) is local


def test_a_page_request_to_another_machine_is_refused_and_named(tmp_path):
    seen: list[str] = []

    class Here(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Here)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    here = f"http://127.0.0.1:{server.server_address[1]}/here"
    away = ["https://tiles.example.com/1/0/0.png", "http://203.0.113.7/font.woff2"]
    page_file = tmp_path / "page.html"
    page_file.write_text(
        "<script>Promise.allSettled(" + repr([here, *away]) + ".map(u => fetch(u, {mode: 'no-cors'})))"
        ".then(r => { window.outcome = r.map(x => x.status); });</script>", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="would leave the machine") as refused:
            with browser() as b:
                page = b.new_page()
                page.goto(page_file.as_uri())
                page.wait_for_function("() => window.outcome !== undefined")
                assert page.evaluate("window.outcome") == ["fulfilled", "rejected", "rejected"]
    finally:
        server.shutdown()
        server.server_close()
    assert seen == ["/here"]
    assert all(url in str(refused.value) for url in away) and here not in str(refused.value)
