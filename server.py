"""The ASGI server: Streamlit's app (``app.py``) plus a few HTTP routes.

``make run`` starts it with ``streamlit run server.py``. Routes:

- ``POST /auth/bind``: exchange a one-time sign-in ticket for the HttpOnly session cookie;
- ``POST /auth/logout``: end the cookie's server-side session and delete the cookie;
- ``GET /healthz``: liveness (and database reachability).

An address that is no page is sent to the home page, which says so (:class:`UnknownPageRedirect`).

Security headers go on every response.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import streamlit as st
from streamlit import config
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit.runtime.pages_manager import PagesManager

from forecasting import accounts
from forecasting.config import settings
from forecasting.store.db import get_database
from ui.navigation import PAGE_TABLE

# ``pages/`` holds page files for st.navigation, not a v1 multipage folder: without this,
# the first run of a fresh server process could execute a page file without app.py's sign-in.
PagesManager.uses_pages_directory = False

COOKIE_NAME = "aqf_session"
HERE = Path(__file__).resolve().parent


def same_origin(request: Request) -> bool:
    """Whether a state-changing browser request comes from the app's own origin (login CSRF, #15):
    ``Origin`` (else ``Referer``) must name this host; a request with neither is refused too."""
    from urllib.parse import urlsplit

    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    host = request.headers.get("host", "")
    allowed = {o.strip().rstrip("/") for o in os.environ.get("FORECASTING_ALLOWED_ORIGINS", "").split(",") if o.strip()}
    if f"{parts.scheme}://{parts.netloc}" in allowed:  # behind a proxy that rewrites Host
        return True
    return bool(parts.scheme in ("http", "https") and parts.netloc and parts.netloc == host)


async def bind(request: Request) -> Response:
    if not same_origin(request):
        return JSONResponse({"error": "cross-origin sign-in refused"}, status_code=403)
    form = await request.form()
    token = accounts.redeem_bind_ticket(get_database(), str(form.get("ticket") or ""))
    if token is None:
        return JSONResponse({"error": "invalid or used sign-in ticket"}, status_code=400)
    cfg = settings()
    response = JSONResponse({"ok": True})
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=12 * 3600,  # the server ends idle sessions much earlier (session timeout)
        httponly=True,
        samesite="lax",
        secure=cfg.cookie_secure,
        path="/",
    )
    return response


async def logout(request: Request) -> Response:
    accounts.sign_out_token(get_database(), request.cookies.get(COOKIE_NAME))
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


async def healthz(request: Request) -> Response:
    """200 ``{"status": "ok"}``, or 503 JSON naming the failing dependency (the database)."""
    from anyio import to_thread
    from sqlalchemy import text

    def probe() -> None:
        with get_database().read() as s:
            s.execute(text("SELECT 1"))

    try:
        await to_thread.run_sync(probe)
    except Exception as exc:  # noqa: BLE001 -- any failure of the probe means the dependency is down
        return JSONResponse({"status": "unavailable", "failing": "database",
                             "detail": " ".join(str(exc).split())[:200]}, status_code=503)
    return JSONResponse({"status": "ok"})


#: Headers set on every HTTP response that does not set them itself.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN",
                    "Referrer-Policy": "same-origin"}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to each HTTP response's start message and passes its body through
    untouched (a plain ASGI middleware).

    Starlette's ``BaseHTTPMiddleware``, used before, re-streamed every body (the app's JavaScript
    included) through an in-memory pipe, whose reported failure is a truncated file body; this one
    touches only the start message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: Single-segment addresses that are not pages: the server's own routes and Streamlit's folders.
NOT_PAGES = frozenset({"healthz", "auth", "api", "static", "media", "component", "app"})
_ONE_SEGMENT = re.compile(r"^/([A-Za-z0-9_-]+)/?$")


#: Addresses that mean the home page itself: Streamlit serves the default page at "/" only, and "/index" (the
#: home page's reserved name in ``ui.navigation``, and what many sites call their home) opened its English
#: dialog "Page not found"; they are sent to "/" without a note.
HOME_ALIASES = frozenset({"index"})


def page_addresses() -> frozenset[str]:
    """Every page's address (its file's name, as ``ui.navigation`` serves it), for any role: a page a role may
    not open still answers (with a refusal in words), so it is no unknown address."""
    return frozenset(Path(file).stem for file, *_ in PAGE_TABLE)


class UnknownPageRedirect:
    """A browser's GET of an address that is no page (a mistyped or an old bookmark, ``/room``) is sent to the
    home page with ``?missing=<name>``, which says so in the user's language (``app.py``). Without it Streamlit
    opened its own English dialog "Page not found" over the home page. Only one-segment names of letters,
    digits, ``_`` and ``-`` are looked at; files (a dot), Streamlit's ``_stcore`` and folders pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pages = page_addresses()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
            path = scope["path"]
            inner = path[len(base.rstrip("/")):] if path.startswith(base) else None
            found = _ONE_SEGMENT.match(inner or "")
            name = found.group(1) if found else None
            if name and not name.startswith("_") and name not in NOT_PAGES and name not in self.pages:
                home = base.rstrip("/") + "/"
                target = home if name in HOME_ALIASES else f"{home}?missing={quote(name[:60])}"
                response = RedirectResponse(target, status_code=307)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def routes() -> list[Route]:
    from forecasting import api  # HTTP API v1 (docs/api.md)

    return [
        Route("/auth/bind", bind, methods=["POST"]),
        Route("/auth/logout", logout, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        *api.routes(),
    ]


app = st.App(str(HERE / "app.py"), routes=routes(),
             middleware=[Middleware(SecurityHeaders), Middleware(UnknownPageRedirect)])
