"""Order intake: validate, claim the idempotency key, check, store — in one transaction.

`prepare` does everything that needs no database (nothing is stored for a refusal). Then one
path, `_ingest_many`, serves a single POST (a batch of one) and `orders:batch`: claim the
keys, load what the checks read, judge each order (price lock, returns, duplicates, atomic
stock decrement), insert orders and lines, record the responses to replay. A batch is
written in bulk in one transaction; if that trips (an order_id taken in the store, a lock
wait, a deadlock) it is redone with a savepoint per order, then order by order, so one
bad order never fails the others.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..core import metrics
from ..core.errors import DomainError, parse_model, validation_failed
from ..db.models import ORDER_LINES, ORDERS, OfficeUser, StoreUser
from ..db.session import is_lock_wait, is_retryable, read_connection, write_transaction
from pos_protocol.codes import ErrorCode, OrderStatus
from pos_protocol.wire import (
    Conflict,
    Order,
    OrderAccepted,
    OrderHeld,
    OrderStatusOut,
    Resolver,
    arithmetic_errors,
    canonical_json,
    content_hash,
    resolver_of,
    tender_errors,
)
from . import idempotency, order_checks, reconciliation, stock
from .context import Caller, StoreSettings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
_INSERT_ORDERS = insert(ORDERS).returning(ORDERS.c.server_seq, sort_by_parameter_order=True)


def _order_id_taken() -> DomainError:
    """Order ids are unique per store, and the claim row already settled this terminal's own
    keys, so only another terminal of the same store can collide on insert. Practically
    impossible for honest UUIDv4s; the answer names neither that terminal nor its order
    (README: "Order ids per store")."""
    return DomainError(ErrorCode.ORDER_ID_TAKEN, "order_id is already taken in this store; a new sale needs a new order_id")


@dataclass
class Outcome:
    """A request that was carried out: the response to send, stored for replays."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False
    conflicts: list[str] = field(default_factory=list)
    similar_to: str | None = None  # an earlier order of the same content (counted after commit)


Result = Outcome | DomainError
"""What became of one order: carried out, or refused (the API renders the refusal)."""


@dataclass(frozen=True)
class PreparedOrder:
    order: Order
    fingerprint: str


def check_owner(raw: object, caller: Caller) -> None:
    """store_mismatch for another store's or terminal's order, before anything is read."""
    if not isinstance(raw, dict):
        return
    for name, own in (("store_id", caller.store_id), ("terminal_id", caller.terminal_id)):
        value = raw.get(name)
        if isinstance(value, str) and value != own:
            raise DomainError(ErrorCode.STORE_MISMATCH, f"{name} {value!r} is not the caller's ({own!r})")


def prepare(raw: object, caller: Caller, store: StoreSettings) -> PreparedOrder:
    """Everything that needs no database: shape, decimals, arithmetic, content hash."""
    if not isinstance(raw, dict):
        raise validation_failed("an order must be a JSON object")
    check_owner(raw, caller)
    order = parse_model(Order, raw)
    errors = arithmetic_errors(order, store.tax_mode, store.currency_scale) + tender_errors(order)
    if content_hash(order) != order.content_hash:
        errors.append("content_hash does not match the order's content")
    if errors:
        raise validation_failed(errors)
    return PreparedOrder(order, idempotency.fingerprint(raw))


def _ingest_many(conn: Connection, caller: Caller, store: StoreSettings, batch: list[PreparedOrder]) -> list[Result]:
    """Claim, check and store orders with distinct keys in the caller's transaction.

    One order or a whole batch take the same path; a batch just reads and writes in bulk.
    """
    claims = [(str(p.order.order_id), "order", p.fingerprint) for p in batch]
    claimed, existing = idempotency.claim_many(conn, caller.terminal_id, claims)
    fresh = [p.order for p in batch if str(p.order.order_id) in claimed]
    view = order_checks.load_view(conn, store.store_id, caller.terminal_id, fresh)
    clock = order_checks.ClockBounds.of(caller)
    judged: list[tuple[Order, list[Conflict]]] = []
    similar: dict[str, str] = {}
    for order in fresh:
        judged.append((order, order_checks.sorted_conflicts(_check(conn, store, order, view, clock))))
        if (twin := order_checks.similar_order(view, order)) is not None:
            similar[str(order.order_id)] = twin
        view.remember(order)
    stored = {
        str(order.order_id): _outcome(order, conflicts, server_seq, similar.get(str(order.order_id)))
        for (order, conflicts), server_seq in zip(judged, _store_orders(conn, judged), strict=True)
    }
    if stored:
        idempotency.record_many(conn, caller.terminal_id, [(key, o.status_code, o.body) for key, o in stored.items()])
        # A Z report that waited for one of these orders may add up now.
        reconciliation.orders_arrived(conn, store.store_id, caller.terminal_id, list(stored),
                                      store.tax_mode, store.currency_scale)
    return [stored.get(key) or _replay(existing[key], print_) for key, _, print_ in claims]


def _outcome(order: Order, conflicts: list[Conflict], server_seq: int, similar_to: str | None) -> Outcome:
    if conflicts:
        body = OrderHeld(order_id=order.order_id, conflicts=conflicts).model_dump(mode="json")
        return Outcome(202, body, conflicts=[c.code for c in conflicts], similar_to=similar_to)
    body = OrderAccepted(order_id=order.order_id, server_seq=server_seq).model_dump(mode="json")
    return Outcome(201, body, similar_to=similar_to)


def _replay(row, print_: str) -> Result:
    try:
        response = idempotency.stored_response(row, "order", print_)
    except DomainError as error:
        return error
    return Outcome(response.status_code, response.body, replayed=True)


def _check(
    conn: Connection, store: StoreSettings, order: Order, view: order_checks.StoreView, clock: order_checks.ClockBounds
) -> list[Conflict]:
    conflicts = order_checks.duplicate_conflicts(view, order) + order_checks.clock_conflicts(clock, order)
    unknown: set[int] = set()
    if order.kind == "return" and order.original_order_id is not None:
        # Refunds are checked against the sale they return, not today's catalog.
        conflicts += order_checks.return_conflicts(conn, store.store_id, order, view)
    else:
        # Sales, and blind returns (no receipt; README), are checked against the catalog.
        price_conflicts, unknown = order_checks.price_lock_conflicts(view, order)
        conflicts += price_conflicts
    if order.kind == "return" and order.original_order_id is None:
        conflicts += order_checks.blind_return_conflicts(view, order, store.max_blind_return_qty)
    if not store.track_stock:
        return conflicts
    if order.kind == "sale":
        known = [line for line in order.lines if line.line_no not in unknown]
        conflicts += stock.take_stock(conn, store.store_id, known)
    elif not conflicts:
        # Only a final return puts goods back; a held one waits for its resolution.
        stock.put_back(conn, store.store_id, ((line.sku, line.qty) for line in order.lines))
    return conflicts


def _store_orders(conn: Connection, judged: list[tuple[Order, list[Conflict]]]) -> list[int]:
    """Insert the orders (one statement) and their lines (one executemany); their server_seq."""
    if not judged:
        return []
    now = datetime.now(UTC)
    rows = [
        {
            "order_id": str(order.order_id),
            "store_id": order.store_id,
            "terminal_id": order.terminal_id,
            "kind": order.kind,
            "original_order_id": str(order.original_order_id) if order.original_order_id else None,
            "receipt_no": order.receipt_no,
            "content_hash": order.content_hash,
            "created_at": order.created_at,
            "received_at": now,
            "status": (OrderStatus.HELD if conflicts else OrderStatus.ACCEPTED).value,
            "gross": order.totals.gross,
            "body": canonical_json(order).decode("utf-8"),
            "conflicts": json.dumps([c.model_dump(mode="json") for c in conflicts], separators=(",", ":")),
        }
        for order, conflicts in judged
    ]
    seqs = list(conn.execute(_INSERT_ORDERS, rows).scalars())
    lines = [
        {
            "server_seq": seq, "line_no": line.line_no, "sku": line.sku, "qty": line.qty,
            "unit_price": line.unit_price, "tax_rate": line.tax_rate, "line_total": line.line_total, "voided": False,
        }
        for (order, _), seq in zip(judged, seqs, strict=True)
        for line in order.lines
    ]
    conn.execute(insert(ORDER_LINES), lines)
    return seqs


def _ingest_in_savepoint(conn: Connection, caller: Caller, store: StoreSettings, prepared: PreparedOrder) -> Result:
    try:
        with conn.begin_nested():
            return _ingest_many(conn, caller, store, [prepared])[0]
    except IntegrityError:
        return _order_id_taken()


def _single(engine: Engine, caller: Caller, store: StoreSettings, prepared: PreparedOrder) -> Result:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with write_transaction(engine) as conn:
                return _ingest_many(conn, caller, store, [prepared])[0]
        except IntegrityError:
            return _order_id_taken()
        except OperationalError as exc:
            if is_lock_wait(exc):
                return idempotency.request_in_progress()
            if not is_retryable(exc) or attempt == MAX_ATTEMPTS:
                raise
            log.warning("order transaction retried", extra={"attempt": attempt, "sqlstate": exc.orig.sqlstate})
    raise AssertionError("unreachable")


def submit_order(engine: Engine, caller: Caller, store: StoreSettings, raw: object, key: str) -> Outcome:
    """Store one order; a refusal is raised (DomainError)."""
    try:
        prepared = prepare(raw, caller, store)
        if not idempotency.key_is(key, prepared.order.order_id):
            raise validation_failed("Idempotency-Key must be the order_id")
    except DomainError as error:
        _count([error])
        _log_outcome(raw.get("order_id") if isinstance(raw, dict) else None, error)
        raise
    result = _single(engine, caller, store, prepared)
    _count([result])
    _log_outcome(str(prepared.order.order_id), result)
    if isinstance(result, DomainError):
        raise result
    return result


def submit_batch(engine: Engine, caller: Caller, store: StoreSettings, raws: list[object]) -> list[tuple[str | None, Result]]:
    items: list[tuple[str | None, PreparedOrder | Result]] = []
    for raw in raws:
        order_id = raw.get("order_id") if isinstance(raw, dict) and isinstance(raw.get("order_id"), str) else None
        try:
            prepared = prepare(raw, caller, store)
            items.append((str(prepared.order.order_id), prepared))
        except DomainError as error:
            items.append((_uuid_or_none(order_id), error))
    written = iter(_write_batch(engine, caller, store, [item for _, item in items if isinstance(item, PreparedOrder)]))
    results = [(oid, next(written) if isinstance(item, PreparedOrder) else item) for oid, item in items]
    _count([outcome for _, outcome in results])
    for order_id, outcome in results:
        _log_outcome(order_id, outcome)
    return results


def _write_batch(engine: Engine, caller: Caller, store: StoreSettings, batch: list[PreparedOrder]) -> list[Result]:
    """Fast path: the whole batch in bulk, one transaction. If that trips (a taken order_id,
    a lock wait, a deadlock), redo it with a savepoint per order, then order by order."""
    if not batch:
        return []
    for attempt in (_bulk, _savepoint_per_order):
        try:
            with write_transaction(engine) as conn:
                return attempt(conn, caller, store, batch)
        except IntegrityError:
            log.warning("batch redone", extra={"reason": "integrity", "attempt": attempt.__name__})
        except OperationalError as exc:
            if not (is_lock_wait(exc) or is_retryable(exc)):
                raise
            log.warning("batch redone order by order", extra={"sqlstate": getattr(exc.orig, "sqlstate", None)})
            break
    return [_single(engine, caller, store, prepared) for prepared in batch]


def _bulk(conn: Connection, caller: Caller, store: StoreSettings, batch: list[PreparedOrder]) -> list[Result]:
    """First occurrences of each key in bulk; repeats after them (they replay or are refused)."""
    seen: set[str] = set()
    first, repeats = [], []
    for index, prepared in enumerate(batch):
        key = str(prepared.order.order_id)
        (repeats if key in seen else first).append(index)
        seen.add(key)
    outcomes: list[Result | None] = [None] * len(batch)
    for index, outcome in zip(first, _ingest_many(conn, caller, store, [batch[i] for i in first]), strict=True):
        outcomes[index] = outcome
    for index in repeats:
        outcomes[index] = _ingest_many(conn, caller, store, [batch[index]])[0]
    return outcomes  # type: ignore[return-value]


def _savepoint_per_order(conn: Connection, caller: Caller, store: StoreSettings, batch: list[PreparedOrder]) -> list[Result]:
    return [_ingest_in_savepoint(conn, caller, store, prepared) for prepared in batch]


def _uuid_or_none(value: str | None) -> str | None:
    try:
        return str(UUID(value)) if value else None
    except ValueError:
        return None


def _log_outcome(order_id: object, outcome: Result) -> None:
    """One line per order and request, with its order id: with the request's correlation
    id (core.logging) it is what `pos-terminal trace ORDER_ID` finds of the sale here."""
    if isinstance(outcome, DomainError):
        log.info("order refused: %s", outcome.code.value, extra={"order_id": order_id, "code": outcome.code.value})
        return
    verdict = "replayed" if outcome.replayed else "held" if outcome.status_code == 202 else "accepted"
    log.info("order %s", verdict, extra={"order_id": order_id, "status": outcome.status_code})


def _count(results: list[Result]) -> None:
    """Metrics of committed outcomes only: a transaction redone (batch fallback, retry) counts once."""
    for outcome in results:
        if isinstance(outcome, DomainError):
            metrics.ORDERS.labels("rejected").inc()
            continue
        if outcome.similar_to is not None:
            metrics.SIMILAR_ORDERS.inc()
            log.info("order with the same content as an earlier one within 10 minutes",
                     extra={"order_id": outcome.body.get("order_id"), "similar_to": outcome.similar_to})
        if outcome.replayed:
            metrics.REPLAYS.inc()
            metrics.ORDERS.labels("replayed").inc()
        elif outcome.status_code == 201:
            metrics.ORDERS.labels("accepted").inc()
        elif outcome.status_code == 202:
            metrics.ORDERS.labels("held").inc()
            for code in outcome.conflicts:
                metrics.CONFLICTS.labels(code).inc()


def get_order(engine: Engine, caller: Caller, order_id: UUID) -> OrderStatusOut:
    with read_connection(engine) as conn:
        # The store filter is part of the query: another store's order is never read.
        row = conn.execute(
            select(ORDERS).where(ORDERS.c.order_id == str(order_id), ORDERS.c.store_id == caller.store_id)
        ).mappings().first()
        if row is None:
            raise DomainError(ErrorCode.ORDER_NOT_FOUND, f"no order {order_id} in this store")
        resolutions = json.loads(row["resolutions"] or "[]")
        resolver = _resolver(conn, caller.store_id, resolutions[0]["approved_by"]) if resolutions else None
    return OrderStatusOut(
        order_id=row["order_id"],
        status=row["status"],
        server_seq=None if row["status"] == OrderStatus.HELD else row["server_seq"],
        received_at=row["received_at"],
        order=Order.model_validate_json(row["body"]),
        conflicts=json.loads(row["conflicts"]),
        resolutions=resolutions,
        resolved_by=resolver,
    )


def _resolver(conn: Connection, store_id: str, approved_by: str) -> Resolver:
    """Who resolved the order, by name: the office account's, or the store's staff member's
    (a till tells its manager "resolved in the back office by Anna")."""
    found = resolver_of(approved_by)
    if found.in_office:
        name = conn.scalar(select(OfficeUser.name).where(OfficeUser.user_id == found.user_id))
    else:
        name = conn.scalar(select(StoreUser.name).where(StoreUser.store_id == store_id,
                                                        StoreUser.user_id == found.user_id))
    return resolver_of(approved_by, name)
