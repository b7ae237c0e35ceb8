"""RFC 9457 rendering of every error, including FastAPI's own 404/405/422 and database trouble."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..core.errors import ApiError, error_lines, problem_body, validation_failed
from ..db.session import is_lock_wait
from ..services.idempotency import request_in_progress

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem_response(error: ApiError) -> ProblemResponse:
    return ProblemResponse(error.problem(), status_code=error.status, headers=error.headers)


async def _api_error(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, ApiError)
    return problem_response(exc)


async def _http_error(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES.get(exc.status_code, f"http_{exc.status_code}")
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
    body = problem_body(503, "database_unavailable", "the database is busy or unreachable; retry later")
    return ProblemResponse(body, status_code=503, headers={"Retry-After": "1"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_error)
