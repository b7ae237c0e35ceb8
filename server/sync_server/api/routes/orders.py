"""Orders: single and batch intake, status, resolution."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...core.errors import validation_failed
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
from ..openapi import json_body, problems
from ..responses import outcome_response

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post(
    "/orders",
    status_code=201,
    response_model=None,
    openapi_extra=json_body(Order, idempotent=True),
    responses={201: {"model": OrderAccepted}, 202: {"model": OrderHeld}, **problems(400, 401, 403, 409, 413, 422, 503)},
)
def post_order(
    caller: TerminalDep, store: StoreDep, key: IdempotencyKeyDep, body: RawBody, engine: EngineDep
) -> JSONResponse:
    """Store one order (Idempotency-Key = order_id): 201 accepted, 202 held with conflicts."""
    return outcome_response(orders.submit_order(engine, caller, store, parse_json(body), key))


@router.post(
    "/orders:batch",
    response_model=BatchResponse,
    openapi_extra=json_body(BatchRequest),
    responses=problems(401, 403, 413, 422, 503),
)
def post_orders_batch(caller: TerminalDep, store: StoreDep, body: RawBody, engine: EngineDep) -> BatchResponse:
    """Each order processed as if posted alone, idempotent by its order_id."""
    raw = parse_json(body)
    if not isinstance(raw, dict) or set(raw) != {"orders"} or not isinstance(raw["orders"], list):
        raise validation_failed('body must be {"orders": [Order, ...]}')
    if not 1 <= len(raw["orders"]) <= MAX_ORDERS_PER_BATCH:
        raise validation_failed(f"a batch holds 1 to {MAX_ORDERS_PER_BATCH} orders")
    results = orders.submit_batch(engine, caller, store, raw["orders"])
    return BatchResponse(
        results=[
            BatchItemResult(order_id=oid, http_status=o.status_code, body=o.body, replayed=o.replayed)
            for oid, o in results
        ]
    )


@router.get("/orders/{order_id}", response_model=OrderStatusOut, responses=problems(401, 403, 404, 422, 503))
def get_order(caller: TerminalDep, order_id: UUID, engine: EngineDep) -> OrderStatusOut:
    return orders.get_order(engine, caller, order_id)


@router.post(
    "/orders/{order_id}/resolution",
    status_code=201,
    response_model=None,
    openapi_extra=json_body(ResolutionRequest, idempotent=True),
    responses={201: {"model": OrderResolved}, **problems(400, 401, 403, 404, 409, 413, 422, 503)},
)
def post_resolution(
    caller: TerminalDep, key: IdempotencyKeyDep, order_id: UUID, body: RawBody, engine: EngineDep
) -> JSONResponse:
    """Resolve every conflict of a held order; approvers need `conflict.resolve`."""
    outcome = resolution.resolve(engine, caller, order_id, parse_json(body), key)
    return outcome_response(outcome)
