"""HTTP API v1 (Starlette route functions; ``server.py`` mounts :func:`routes`). See ``docs/api.md``.

- ``GET /api/v1/forecasts/latest`` and ``GET /api/v1/forecasts/{issue_date}``: the issued report's
  JSON, exactly the bytes stored at issue time (headers ``X-Report-SHA256`` = the report's hash, i.e.
  the SHA-256 of its PDF, and ``X-Content-SHA256`` = the SHA-256 of this body). Public unless
  ``FORECASTING_API_PUBLIC=0``, then a valid personal token is required.
- ``POST /api/v1/sessions/{issue_date}/submissions/{adcode}``: a district forecast submitted by a
  program with its owner's personal token (``Authorization: Bearer ...``). The very service the
  page calls decides (own district only, session open, validation).

Errors are JSON ``{"error": {"status", "code", "message", "message_zh", "key"}}`` with 400
(validation), 401 (missing or bad token), 403 (not allowed), 404 (not found), 409 (state or
concurrent change). The synchronous services run in a worker thread (``anyio.to_thread``).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forecasting import tokens
from forecasting.errors import (
    AuthenticationFailed,
    Conflict,
    ForecastingError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

__all__ = ["routes", "api_is_public", "forecast_latest", "forecast_of_day", "submit_forecast", "PREFIX",
           "session_of_day", "session_guidance", "api_not_found", "session_routes", "not_found_routes"]

PREFIX = "/api/v1"


def api_is_public() -> bool:
    """``FORECASTING_API_PUBLIC`` (default ``1``): whether reading issued forecasts needs no token."""
    return os.environ.get("FORECASTING_API_PUBLIC", "1").strip() not in ("0", "false", "no")


def _db():
    from forecasting.store.db import get_database

    return get_database()


def _status_of(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, AuthenticationFailed):
        return 401, "unauthorized"
    if isinstance(exc, PermissionDenied):
        return 403, "forbidden"
    if isinstance(exc, NotFound):
        return 404, "not_found"
    if isinstance(exc, ValidationError):
        return 400, "invalid"
    if isinstance(exc, Conflict):
        return 409, "conflict"
    return 400, "invalid"


def _error(exc: ForecastingError) -> JSONResponse:
    status, code = _status_of(exc)
    body = {"error": {"status": status, "code": code, "message": exc.localized("en"),
                      "message_zh": exc.localized("zh"), "key": exc.key, "detail": " ".join(str(exc).split())}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def _actor(request: Request):
    token = _bearer(request)
    if token is None:
        raise AuthenticationFailed("missing API token: send Authorization: Bearer <token>", key="api.bad_token")
    return await to_thread.run_sync(
        lambda: tokens.authenticate_token(_db(), token, method=request.method, path=request.url.path))


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"invalid date {value!r}: expected YYYY-MM-DD", key="api.bad_date", value=value)


async def _report_response(request: Request, issue_date: date | None) -> Response:
    from forecasting.reports import report_json

    if not api_is_public():
        await _actor(request)
    body, summary = await to_thread.run_sync(lambda: report_json(_db(), issue_date))
    headers = {"X-Report-SHA256": summary.sha256, "X-Content-SHA256": hashlib.sha256(body).hexdigest(),
               "X-Report-Revision": str(summary.revision), "ETag": f'"{hashlib.sha256(body).hexdigest()}"',
               "Cache-Control": "no-cache"}
    return Response(body, media_type="application/json", headers=headers)


async def forecast_latest(request: Request) -> Response:
    """``GET /api/v1/forecasts/latest``: the newest issued report (current revision) as stored JSON."""
    try:
        return await _report_response(request, None)
    except ForecastingError as exc:
        return _error(exc)


async def forecast_of_day(request: Request) -> Response:
    """``GET /api/v1/forecasts/{issue_date}``: the current revision of that issue date."""
    try:
        return await _report_response(request, _day(request.path_params["issue_date"]))
    except ForecastingError as exc:
        return _error(exc)


def _entries(payload) -> tuple[list, bool]:
    from forecasting.consultation import SubmissionInput

    if not isinstance(payload, dict):
        raise ValidationError("the body must be a JSON object", key="api.bad_field", field="body",
                              detail="expected an object")
    items = payload.get("entries")
    if items is None:
        items = [payload]
    if not isinstance(items, list) or not items:
        raise ValidationError("entries must be a non-empty list", key="api.bad_field", field="entries",
                              detail="expected a non-empty list")
    out = []
    for i, e in enumerate(items):
        if not isinstance(e, dict):
            raise ValidationError(f"entries[{i}] must be an object", key="api.bad_field", field=f"entries[{i}]",
                                  detail="expected an object")
        try:
            primary = e.get("primary") or []
            if isinstance(primary, str):
                primary = [primary]
            out.append(SubmissionInput(
                target_date=_day(str(e["target_date"])), aqi_lo=int(e["aqi_lo"]), aqi_hi=int(e["aqi_hi"]),
                primary=tuple(str(p) for p in primary), concentrations=dict(e.get("concentrations") or {}),
                analysis=str(e.get("analysis") or ""), expected_version=int(e.get("expected_version") or 0)))
        except KeyError as exc:
            raise ValidationError(f"entries[{i}] misses {exc.args[0]}", key="api.bad_field",
                                  field=f"entries[{i}].{exc.args[0]}", detail="required")
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(f"entries[{i}]: {exc}", key="api.bad_field", field=f"entries[{i}]",
                                  detail=str(exc))
    return out, bool(payload.get("submit", True))


async def submit_forecast(request: Request) -> Response:
    """``POST /api/v1/sessions/{issue_date}/submissions/{adcode}``: body ``{"submit": true, "entries":
    [{"target_date", "aqi_lo", "aqi_hi", "primary", "concentrations", "analysis", "expected_version"}]}``
    (or one entry object). Saved as the token's owner by :func:`forecasting.consultation.save_submissions`."""
    from forecasting.consultation import save_submissions

    try:
        actor = await _actor(request)
        issue_date = _day(request.path_params["issue_date"])
        adcode = request.path_params["adcode"]
        raw = await request.body()
        try:
            payload = json.loads(raw or b"null")
        except ValueError as exc:
            raise ValidationError(f"the body is not JSON: {exc}", key="api.bad_json", detail=str(exc))
        entries, submit = _entries(payload)
        views = await to_thread.run_sync(
            lambda: save_submissions(_db(), actor, issue_date, adcode, entries, submit=submit))
    except ForecastingError as exc:
        return _error(exc)
    return JSONResponse({"issue_date": issue_date.isoformat(), "district": adcode, "submissions": [
        {"id": v.id, "target_date": v.target_date.isoformat(), "status": v.status, "aqi_lo": v.aqi_lo,
         "aqi_hi": v.aqi_hi, "level_lo": v.level_lo, "level_hi": v.level_hi, "primary": list(v.primary),
         "version": v.version, "author": v.author_name} for v in views]})


# -- the session API for clients and bots (issue #14) ---------------------------------------------------


async def session_of_day(request: Request) -> Response:
    """``GET /api/v1/sessions/{issue_date}``: the consultation's state, deadlines, duty, districts'
    entries and flag groups (token required; any role)."""
    from forecasting.consultation import session_document

    try:
        actor = await _actor(request)
        issue_date = _day(request.path_params["issue_date"])
        doc = await to_thread.run_sync(lambda: session_document(_db(), actor, issue_date))
    except ForecastingError as exc:
        return _error(exc)
    return JSONResponse(doc, headers={"Cache-Control": "no-store"})


async def session_guidance(request: Request) -> Response:
    """``GET /api/v1/sessions/{issue_date}/guidance``: each district's prefill per target day, in the
    submission's field names (post ``entries`` back unchanged)."""
    from forecasting.consultation import guidance_document

    try:
        actor = await _actor(request)
        issue_date = _day(request.path_params["issue_date"])
        doc = await to_thread.run_sync(lambda: guidance_document(_db(), actor, issue_date))
    except ForecastingError as exc:
        return _error(exc)
    return JSONResponse(doc, headers={"Cache-Control": "no-store"})


async def api_not_found(request: Request) -> Response:
    """Any other ``/api/…`` path: a JSON 404 (not the app's HTML page with 200)."""
    path = request.url.path[:200]
    return _error(NotFound(f"no such API path: {request.method} {path}", key="api14.not_found", path=path))


def session_routes() -> list[Route]:
    """The session API's routes (issue #14)."""
    return [
        Route(f"{PREFIX}/sessions/{{issue_date}}", session_of_day, methods=["GET"]),
        Route(f"{PREFIX}/sessions/{{issue_date}}/guidance", session_guidance, methods=["GET"]),
    ]


def not_found_routes() -> list[Route]:
    """Last in the list: every other ``/api`` path answers a JSON 404."""
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return [Route("/api", api_not_found, methods=methods), Route("/api/{rest:path}", api_not_found, methods=methods)]


def routes() -> list[Route]:
    """The API's routes, for ``server.routes()``."""
    return [
        Route(f"{PREFIX}/forecasts/latest", forecast_latest, methods=["GET"]),
        Route(f"{PREFIX}/forecasts/{{issue_date}}", forecast_of_day, methods=["GET"]),
        Route(f"{PREFIX}/sessions/{{issue_date}}/submissions/{{adcode}}", submit_forecast, methods=["POST"]),
        *session_routes(),
        *not_found_routes(),  # keep last
    ]
