"""The one table from protocol error code to HTTP status (api/errors.py), against the
public contract: PROTOCOL.md and the README's "Server error codes beyond PROTOCOL.md".

The expected statuses are written out as literals on purpose: they are the interface other
clients switch on, so a change to the table must be a deliberate change here too."""

from __future__ import annotations

from pos_protocol.codes import ErrorCode
from sync_server.api.errors import ANSWERS, FRAMEWORK_CODES, headers_of, problem, status_of
from sync_server.api.openapi import problems
from sync_server.core.errors import DomainError

CONTRACT = {
    "validation_failed": 422, "idempotency_key_missing": 400, "idempotency_key_invalid": 400,
    "idempotency_key_reused": 422, "request_in_progress": 409, "bad_signature": 401,
    "stale_timestamp": 401, "terminal_revoked": 403, "store_mismatch": 403,
    "enrollment_code_invalid": 403, "order_not_found": 404, "order_not_held": 409,
    "resolution_incomplete": 422, "not_permitted": 403, "z_number_reused": 409, "audit_gap": 409,
    "order_id_taken": 409, "store_unknown": 404, "item_unknown": 404, "stock_unknown": 404,
    "terminal_unknown": 404, "user_unknown": 404, "receipt_not_found": 404, "unauthorized": 401, "admin_disabled": 403, "metrics_disabled": 403,
    "payload_too_large": 413, "rate_limited": 429, "database_unavailable": 503, "not_ready": 503, "internal_error": 500,
    # FastAPI's own refusals (no such route, wrong method, ...)
    "bad_request": 400, "forbidden": 403, "not_found": 404, "method_not_allowed": 405,
    "not_acceptable": 406, "unsupported_media_type": 415,
}


def test_every_code_has_its_documented_status() -> None:
    assert {code.value: answer.status for code, answer in ANSWERS.items()} == CONTRACT
    assert set(ANSWERS) == set(ErrorCode)


def test_headers_that_come_with_a_code() -> None:
    assert headers_of(ErrorCode.UNAUTHORIZED) == {"WWW-Authenticate": "Bearer"}
    assert headers_of(ErrorCode.DATABASE_UNAVAILABLE) == {"Retry-After": "1"}
    assert [code for code in ErrorCode if headers_of(code)] == [ErrorCode.UNAUTHORIZED, ErrorCode.DATABASE_UNAVAILABLE]


def test_the_framework_codes_agree_with_the_table() -> None:
    assert all(status_of(code) == status for status, code in FRAMEWORK_CODES.items())


def test_a_refusal_renders_as_a_problem() -> None:
    status, body = problem(DomainError(ErrorCode.ORDER_NOT_HELD, "order x is accepted, not held"))
    assert status == 409
    assert body == {"type": "https://pos.example/problems/order_not_held", "title": "Conflict", "status": 409,
                    "detail": "order x is accepted, not held", "code": "order_not_held"}
    assert type(body["code"]) is str


def test_openapi_problems_take_their_statuses_from_the_table() -> None:
    declared = problems(ErrorCode.BAD_SIGNATURE, ErrorCode.STALE_TIMESTAMP, ErrorCode.ORDER_NOT_FOUND)
    assert list(declared) == [401, 404]
    assert declared[401]["description"] == "bad_signature, stale_timestamp"
