"""Errors as HTTP: the one table from protocol code to status, and RFC 9457 rendering of
every error (domain errors, FastAPI's own 404/405/422, database trouble)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError, error_lines, validation_failed
from ..db.session import is_lock_wait
from ..services.idempotency import request_in_progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpAnswer:
    """How a refusal goes out: its status, and headers it always carries."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)


_E = ErrorCode
# The table: every protocol error code and its HTTP status (PROTOCOL.md, README "Server
# error codes beyond PROTOCOL.md"). Services raise DomainError(code); only this says HTTP.
ANSWERS: Mapping[ErrorCode, HttpAnswer] = {
    _E.BAD_REQUEST: HttpAnswer(400),
    _E.IDEMPOTENCY_KEY_MISSING: HttpAnswer(400),
    _E.IDEMPOTENCY_KEY_INVALID: HttpAnswer(400),
    _E.BAD_SIGNATURE: HttpAnswer(401),
    _E.STALE_TIMESTAMP: HttpAnswer(401),
    _E.UNAUTHORIZED: HttpAnswer(401, {"WWW-Authenticate": "Bearer"}),
    _E.FORBIDDEN: HttpAnswer(403),
    _E.TERMINAL_REVOKED: HttpAnswer(403),
    _E.STORE_MISMATCH: HttpAnswer(403),
    _E.ENROLLMENT_CODE_INVALID: HttpAnswer(403),
    _E.NOT_PERMITTED: HttpAnswer(403),
    _E.ADMIN_DISABLED: HttpAnswer(403),
    _E.METRICS_DISABLED: HttpAnswer(403),
    _E.NOT_FOUND: HttpAnswer(404),
    _E.ORDER_NOT_FOUND: HttpAnswer(404),
    _E.STORE_UNKNOWN: HttpAnswer(404),
    _E.ITEM_UNKNOWN: HttpAnswer(404),
    _E.STOCK_UNKNOWN: HttpAnswer(404),
    _E.TERMINAL_UNKNOWN: HttpAnswer(404),
    _E.USER_UNKNOWN: HttpAnswer(404),
    _E.RECEIPT_NOT_FOUND: HttpAnswer(404),
    _E.METHOD_NOT_ALLOWED: HttpAnswer(405),
    _E.NOT_ACCEPTABLE: HttpAnswer(406),
    _E.REQUEST_IN_PROGRESS: HttpAnswer(409),
    _E.ORDER_NOT_HELD: HttpAnswer(409),
    _E.ORDER_ID_TAKEN: HttpAnswer(409),
    _E.Z_NUMBER_REUSED: HttpAnswer(409),
    _E.AUDIT_GAP: HttpAnswer(409),
    _E.PAYLOAD_TOO_LARGE: HttpAnswer(413),
    _E.RATE_LIMITED: HttpAnswer(429),  # with Retry-After: the error's retry_after_s
    _E.UNSUPPORTED_MEDIA_TYPE: HttpAnswer(415),
    _E.VALIDATION_FAILED: HttpAnswer(422),
    _E.IDEMPOTENCY_KEY_REUSED: HttpAnswer(422),
    _E.RESOLUTION_INCOMPLETE: HttpAnswer(422),
    _E.INTERNAL_ERROR: HttpAnswer(500),
    _E.DATABASE_UNAVAILABLE: HttpAnswer(503, {"Retry-After": "1"}),
    _E.NOT_READY: HttpAnswer(503),
}

# The other direction, for the framework's own errors (no route, wrong method, ...), which
# arrive with a status: the code they are given. Other statuses become `http_<status>`.
FRAMEWORK_CODES: Mapping[int, ErrorCode] = {
    400: _E.BAD_REQUEST,
    401: _E.UNAUTHORIZED,
    403: _E.FORBIDDEN,
    404: _E.NOT_FOUND,
    405: _E.METHOD_NOT_ALLOWED,
    406: _E.NOT_ACCEPTABLE,
    413: _E.PAYLOAD_TOO_LARGE,
    415: _E.UNSUPPORTED_MEDIA_TYPE,
}


def status_of(code: ErrorCode) -> int:
    return ANSWERS[code].status


def headers_of(code: ErrorCode) -> dict[str, str]:
    return dict(ANSWERS[code].headers)


def error_headers(error: DomainError) -> dict[str, str]:
    """The code's headers, and Retry-After when the error says when to come back."""
    headers = headers_of(error.code)
    if error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    return headers


def problem_body(status: int, code: str, detail: str | None = None, **extra: Any) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {
        "type": f"https://pos.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": str(code),
    }
    body.update(extra)
    return body


def problem(error: DomainError) -> tuple[int, dict[str, Any]]:
    """The status and RFC 9457 body of a refusal."""
    status = status_of(error.code)
    return status, problem_body(status, error.code, error.detail, **error.extra)


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem_response(error: DomainError) -> ProblemResponse:
    status, body = problem(error)
    return ProblemResponse(body, status_code=status, headers=error_headers(error))


async def _domain_error(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, DomainError)
    return problem_response(exc)


async def _http_error(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = FRAMEWORK_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else None
    return ProblemResponse(problem_body(exc.status_code, code, detail), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_failed(error_lines(exc.errors())))


async def _database_error(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, OperationalError)
    if is_lock_wait(exc):
        # A row lock held too long: a twin request with the same Idempotency-Key is in flight.
        return problem_response(request_in_progress())
    log.error("database unavailable", extra={"error": str(exc)[:300]})
    return problem_response(DomainError(ErrorCode.DATABASE_UNAVAILABLE, "the database is busy or unreachable; retry later"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_error)
