"""HTTP API v1 (Starlette route functions; ``server.py`` mounts :func:`routes`). See ``docs/api.md``.

- ``GET /api/v1/forecasts/latest`` and ``GET /api/v1/forecasts/{issue_date}``: the issued report's
  JSON, exactly the bytes stored at issue time (headers ``X-Report-SHA256`` = the report's hash, i.e.
  the SHA-256 of its PDF, and ``X-Content-SHA256`` = the SHA-256 of this body). Public unless
  ``FORECASTING_API_PUBLIC=0``, then a valid personal token is required.
- ``POST /api/v1/sessions/{issue_date}/submissions/{adcode}``: a district forecast submitted by a
  program with its owner's personal token (``Authorization: Bearer ...``). The very service the
  page calls decides (own district only, session open, validation).

Errors are JSON ``{"error": {"status", "code", "message", "message_zh", "key"}}`` with 400
(validation; numbers and dates are strict and the field is named), 401 (missing or bad token),
403 (not allowed), 404 (not found), 409 (state or concurrent change), 413 (body over 256 KiB),
429 (too many refused tokens from one address, with ``Retry-After``) and 500 ``integrity`` (a stored
report whose bytes no longer match their hash: never served, always audited). See ``docs/security.md``. The synchronous services run in a worker thread (``anyio.to_thread``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from datetime import date

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forecasting import audit, tokens
from forecasting.consultation import SubmissionInput, guidance_document, save_submissions, session_document
from forecasting.errors import (
    AuthenticationFailed,
    Conflict,
    ForecastingError,
    IntegrityFailure,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from forecasting.permissions import Actor
from forecasting.plausibility import PLAUSIBLE_MAX
from forecasting.store.db import get_database

__all__ = ["routes", "api_is_public", "forecast_latest", "forecast_of_day", "submit_forecast", "PREFIX",
           "session_of_day", "session_guidance", "api_not_found", "session_routes", "not_found_routes", "etag_matches"]

PREFIX = "/api/v1"


def api_is_public() -> bool:
    """``FORECASTING_API_PUBLIC`` (default ``1``): whether reading issued forecasts needs no token."""
    return os.environ.get("FORECASTING_API_PUBLIC", "1").strip() not in ("0", "false", "no")


def _db():
    return get_database()


def _status_of(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, BodyTooLarge):
        return 413, "too_large"
    if isinstance(exc, tokens.TooManyRequests):
        return 429, "too_many_requests"
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
    if status == 429:
        headers = {"Retry-After": str(getattr(exc, "retry_after", 60))}
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
        lambda: tokens.authenticate_token(_db(), token, method=request.method, path=request.url.path,
                                          client=request.client.host if request.client else ""))


def _day(value: str) -> date:
    return strict_day(value)

# -- strictness, size and integrity (issue #15) ----------------------------------------------------

#: Largest accepted request body [bytes]; a larger one is answered 413 before it is read whole.
MAX_BODY_BYTES = 256 * 1024
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BodyTooLarge(ValidationError):
    """A request body over :data:`MAX_BODY_BYTES` (answered 413)."""


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with :class:`BodyTooLarge` past ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body has {declared} bytes: at most {limit}", key="hard15.body_too_large",
                           limit=limit // 1024)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body has more than {limit} bytes", key="hard15.body_too_large",
                               limit=limit // 1024)
        chunks.append(chunk)
    return b"".join(chunks)


def bad_field(field: str, reason: str, english: str, **params) -> ValidationError:
    """A 400 naming ``field``, its message in both languages (key ``api.field.<reason>``);
    ``english`` is the ``detail`` line of the error body."""
    return ValidationError(f"{field}: {english}", key=f"api.field.{reason}", field=field, **params)


def _refuse_constant(name: str):
    raise bad_field("body", "not_finite", f"the body contains {name}: numbers must be finite", value=name)


def strict_json(raw: bytes):
    """Parse a request body: no ``NaN``/``Infinity``, no number that overflows to infinity."""
    def finite_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            _refuse_constant(text)
        return value

    try:
        return json.loads(raw or b"null", parse_constant=_refuse_constant, parse_float=finite_float)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"the body is not JSON: {exc}", key="api.bad_json", line=exc.lineno,
                              column=exc.colno)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"the body is not UTF-8 text: {exc}", key="api.bad_encoding")


def strict_int(value, field: str) -> int:
    """A JSON integer (``60`` or ``60.0``), never a bool, a fraction, a string or a non-finite number."""
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or isinstance(value, float) and (not math.isfinite(value) or value != int(value))):
        raise bad_field(field, "whole", f"expected a whole number, got {value!r}")
    return int(value)


def strict_number(value, field: str) -> float:
    """A finite JSON number, never a bool or a string."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise bad_field(field, "number", f"expected a finite number, got {value!r}")
    return float(value)


def strict_bool(value, field: str) -> bool:
    """A JSON ``true`` or ``false``, never the string ``"false"`` (which Python reads as true)."""
    if not isinstance(value, bool):
        raise bad_field(field, "bool", f"expected true or false, got {value!r}")
    return value


def strict_concentration(value, pollutant: str, field: str) -> float:
    """A finite concentration inside the plausible range of ``pollutant`` [µg/m³; CO mg/m³]."""
    v = strict_number(value, field)
    top = PLAUSIBLE_MAX.get(pollutant)
    if v < 0 or (top is not None and v > top):
        raise bad_field(field, "range", f"{v:g} is outside 0..{top:g}", top=f"{top:g}")
    return v


def strict_day(value, field: str = "issue_date") -> date:
    """A calendar date written exactly ``YYYY-MM-DD`` (not ``20261128``, not ``2026-W48-6``)."""
    if not isinstance(value, str) or not _DAY_RE.fullmatch(value):
        raise ValidationError(f"{field}: invalid date {value!r}: expected YYYY-MM-DD", key="api.bad_date",
                              value=str(value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field}: invalid date {value!r}: expected YYYY-MM-DD", key="api.bad_date",
                              value=value)


def _integrity_error(issued_forecast_id: int) -> JSONResponse:
    message = f"issued report {issued_forecast_id} failed its integrity check: stored bytes do not match their hash"
    exc = IntegrityFailure(message, key="hard15.integrity_failed", id=issued_forecast_id)
    body = {"error": {"status": 500, "code": "integrity", "message": exc.localized("en"),
                      "message_zh": exc.localized("zh"), "key": exc.key, "detail": message}}
    return JSONResponse(body, status_code=500)


def _audit_integrity_failure(issued_forecast_id: int, path: str) -> None:
    with _db().transaction() as s:
        audit.record(s, Actor.system("api"), "report.integrity_failed", object_type="issued_forecast",
                     object_id=issued_forecast_id, details={"path": path})


async def _report_response(request: Request, issue_date: date | None) -> Response:
    from forecasting.reports import report_json, verify_report  # lazy: pandas, altair

    if not api_is_public():
        await _actor(request)
    body, summary = await to_thread.run_sync(lambda: report_json(_db(), issue_date))
    if not await to_thread.run_sync(lambda: verify_report(_db(), summary.id)):
        await to_thread.run_sync(lambda: _audit_integrity_failure(summary.id, request.url.path))
        return _integrity_error(summary.id)
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    headers = {"X-Report-SHA256": summary.sha256, "X-Content-SHA256": hashlib.sha256(body).hexdigest(),
               "X-Report-Revision": str(summary.revision), "ETag": etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        # the client holds these bytes already (a bot polling the latest forecast got 60 kB every time)
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (RFC 9110 §13.1.2: a comma-separated list of entity
    tags compared weakly, so ``W/"x"`` matches ``"x"``; ``*`` matches any current representation).

    Examples
    --------
    >>> etag_matches('"a1", W/"b2"', '"b2"'), etag_matches("*", '"b2"'), etag_matches('"a1"', '"b2"')
    (True, True, False)
    >>> etag_matches(None, '"b2"')
    False
    """
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


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
    if not isinstance(payload, dict):
        raise bad_field("body", "object", "the body must be a JSON object")
    items = payload.get("entries")
    if items is None:
        items = [payload]
    if not isinstance(items, list) or not items:
        raise bad_field("entries", "list", "entries must be a non-empty list")
    out = []
    for i, e in enumerate(items):
        at = f"entries[{i}]"
        if not isinstance(e, dict):
            raise bad_field(at, "object", f"{at} must be an object")
        for name in ("target_date", "aqi_lo", "aqi_hi"):
            if name not in e:
                raise bad_field(f"{at}.{name}", "required", f"{at} misses {name}")
        primary = e.get("primary") or []
        if isinstance(primary, str):
            primary = [primary]
        if not isinstance(primary, list) or not all(isinstance(p, str) for p in primary):
            raise bad_field(f"{at}.primary", "texts", "expected a list of pollutant names")
        conc = e.get("concentrations") or {}
        if not isinstance(conc, dict):
            raise bad_field(f"{at}.concentrations", "object", f"{at}.concentrations must be an object")
        analysis = e.get("analysis") or ""
        if not isinstance(analysis, str):
            raise bad_field(f"{at}.analysis", "text", f"{at}.analysis must be text")
        out.append(SubmissionInput(
            target_date=strict_day(e["target_date"], f"{at}.target_date"),
            aqi_lo=strict_int(e["aqi_lo"], f"{at}.aqi_lo"),
            aqi_hi=strict_int(e["aqi_hi"], f"{at}.aqi_hi"),
            primary=tuple(primary),
            concentrations={k: strict_concentration(v, k, f"{at}.concentrations.{k}")
                            for k, v in conc.items() if v is not None},
            analysis=analysis,
            expected_version=strict_int(e.get("expected_version") or 0, f"{at}.expected_version")))
    return out, strict_bool(payload.get("submit", True), "submit")


async def submit_forecast(request: Request) -> Response:
    """``POST /api/v1/sessions/{issue_date}/submissions/{adcode}``: body ``{"submit": true, "entries":
    [{"target_date", "aqi_lo", "aqi_hi", "primary", "concentrations", "analysis", "expected_version"}]}``
    (or one entry object). Saved as the token's owner by :func:`forecasting.consultation.save_submissions`."""
    try:
        actor = await _actor(request)
        issue_date = _day(request.path_params["issue_date"])
        adcode = request.path_params["adcode"]
        payload = strict_json(await read_body(request))
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
