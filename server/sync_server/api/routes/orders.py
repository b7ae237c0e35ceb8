"""Orders: single and batch intake, status, resolution."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...core.errors import DomainError, validation_failed
from ...services import orders, resolution
from pos_protocol.wire import (
    MAX_ORDERS_PER_BATCH,
    BatchItemResult,
    BatchRequest,
    BatchResponse,
    Order,
    OrderAccepted,
    OrderHeld,
    OrderResolved,
    OrderStatusOut,
    ResolutionRequest,
)
from ..deps import EngineDep, IdempotencyKeyDep, RawBody, StoreDep, TerminalDep, parse_json
from ..errors import problem
from ..openapi import IDEMPOTENT, SIGNED, json_body, problems
from ..responses import outcome_response

router = APIRouter(tags=["orders"])


@router.post(
    paths.ORDERS,
    status_code=201,
    response_model=None,
    openapi_extra=json_body(Order, idempotent=True),
    responses={201: {"model": OrderAccepted}, 202: {"model": OrderHeld},
               **problems(*SIGNED, *IDEMPOTENT, ErrorCode.STORE_MISMATCH, ErrorCode.ORDER_ID_TAKEN,
                          ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE)},
)
def post_order(
    caller: TerminalDep, store: StoreDep, key: IdempotencyKeyDep, body: RawBody, engine: EngineDep
) -> JSONResponse:
    """Store one order (Idempotency-Key = order_id): 201 accepted, 202 held with conflicts."""
    return outcome_response(orders.submit_order(engine, caller, store, parse_json(body), key))


@router.post(
    paths.ORDERS_BATCH,
    response_model=BatchResponse,
    openapi_extra=json_body(BatchRequest),
    responses=problems(*SIGNED, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE),
)
def post_orders_batch(caller: TerminalDep, store: StoreDep, body: RawBody, engine: EngineDep) -> BatchResponse:
    """Each order processed as if posted alone, idempotent by its order_id."""
    raw = parse_json(body)
    if not isinstance(raw, dict) or set(raw) != {"orders"} or not isinstance(raw["orders"], list):
        raise validation_failed('body must be {"orders": [Order, ...]}')
    if not 1 <= len(raw["orders"]) <= MAX_ORDERS_PER_BATCH:
        raise validation_failed(f"a batch holds 1 to {MAX_ORDERS_PER_BATCH} orders")
    results = orders.submit_batch(engine, caller, store, raw["orders"])
    return BatchResponse(results=[_batch_item(order_id, result) for order_id, result in results])


def _batch_item(order_id: str | None, result: orders.Result) -> BatchItemResult:
    """One order's answer inside the batch: what it would have been alone."""
    if isinstance(result, DomainError):
        status, body = problem(result)
        return BatchItemResult(order_id=order_id, http_status=status, body=body)
    return BatchItemResult(order_id=order_id, http_status=result.status_code, body=result.body, replayed=result.replayed)


@router.get(
    paths.ORDER,
    response_model=OrderStatusOut,
    responses=problems(*SIGNED, ErrorCode.ORDER_NOT_FOUND, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE),
)
def get_order(caller: TerminalDep, order_id: UUID, engine: EngineDep) -> OrderStatusOut:
    return orders.get_order(engine, caller, order_id)


@router.post(
    paths.ORDER_RESOLUTION,
    status_code=201,
    response_model=None,
    openapi_extra=json_body(ResolutionRequest, idempotent=True),
    responses={201: {"model": OrderResolved},
               **problems(*SIGNED, *IDEMPOTENT, ErrorCode.NOT_PERMITTED, ErrorCode.ORDER_NOT_FOUND,
                          ErrorCode.ORDER_NOT_HELD, ErrorCode.RESOLUTION_INCOMPLETE, ErrorCode.PAYLOAD_TOO_LARGE,
                          ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE)},
)
def post_resolution(
    caller: TerminalDep, key: IdempotencyKeyDep, order_id: UUID, body: RawBody, engine: EngineDep
) -> JSONResponse:
    """Resolve every conflict of a held order; approvers need `conflict.resolve`."""
    outcome = resolution.resolve(engine, caller, order_id, parse_json(body), key)
    return outcome_response(outcome)
