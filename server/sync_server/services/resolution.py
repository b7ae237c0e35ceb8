"""Resolving a held order: every conflict gets exactly one decision by a `conflict.resolve` user.

Resolution records the decisions, voids lines, and moves the stock the decisions make final
(services/stock.py): a held return's goods go back only now.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select, update

from pos_protocol.permissions import Permission, has_permission

from ..core.errors import DomainError, parse_model
from ..db.models import OrderLineRow, OrderRow
from . import staff
from ..db.session import write_transaction
from pos_protocol.codes import ConflictCode, ErrorCode, OrderStatus
from pos_protocol.wire import (Conflict, OrderResolved, Resolution, ResolutionAction,
                               ResolutionRequest, office_approver)
from . import idempotency, stock
from .context import Caller, load_store
from .orders import Outcome


def resolve(engine: Engine, caller: Caller, order_id: UUID, raw: object, key: str) -> Outcome:
    """A till's resolution (idempotent by its key); every approver needs `conflict.resolve`
    as a user of the store."""
    request = parse_model(ResolutionRequest, raw)
    with write_transaction(engine) as conn:
        stored = idempotency.claim(conn, caller.terminal_id, key, f"resolution:{order_id}", idempotency.fingerprint(raw))
        if stored is not None:
            return Outcome(stored.status_code, stored.body, replayed=True)
        body = _resolve_held(conn, caller.store_id, order_id, request.resolutions,
                             lambda: _check_permission(conn, caller.store_id, request.resolutions))
        idempotency.record(conn, caller.terminal_id, key, 201, body)
        return Outcome(201, body)


def resolve_at_office(conn: Connection, store_id: str, order_id: UUID, decisions: dict[tuple[int | None, str], ResolutionAction],
                      office_user: str, may_resolve: bool, reason: str) -> OrderResolved:
    """The back office's resolution: one decision per conflict, by an office user whose role
    holds `conflict.resolve` (`may_resolve`), recorded on the order exactly as a till's
    decisions are (approved_by `office:<user>`, the reason given)."""
    if not may_resolve:
        raise DomainError(ErrorCode.NOT_PERMITTED, f"office user {office_user} lacks {Permission.CONFLICT_RESOLVE.value}")
    try:
        resolutions = [Resolution(line_no=line_no, code=code, action=action, approved_by=office_approver(office_user),
                                  reason=reason) for (line_no, code), action in decisions.items()]
    except ValidationError as exc:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "; ".join(e["msg"] for e in exc.errors())) from None
    if not resolutions:
        raise DomainError(ErrorCode.RESOLUTION_INCOMPLETE, "choose a decision for every conflict")
    return OrderResolved.model_validate(_resolve_held(conn, store_id, order_id, resolutions, lambda: None))


def _resolve_held(conn: Connection, store_id: str, order_id: UUID, resolutions: list[Resolution],
                  check_permission: Callable[[], None]) -> dict:
    """The one place a held order becomes resolved: locked, checked, applied, recorded."""
    row = conn.execute(
        select(OrderRow.server_seq, OrderRow.kind, OrderRow.status, OrderRow.conflicts)
        .where(OrderRow.order_id == str(order_id), OrderRow.store_id == store_id)
        .with_for_update()
    ).first()
    if row is None:
        raise DomainError(ErrorCode.ORDER_NOT_FOUND, f"no order {order_id} in this store")
    if row.status != OrderStatus.HELD:
        raise DomainError(ErrorCode.ORDER_NOT_HELD, f"order {order_id} is {row.status}, not held")
    conflicts = [Conflict.model_validate(c) for c in json.loads(row.conflicts)]
    check_permission()
    _check_complete(conflicts, resolutions)
    _apply(conn, store_id, row.server_seq, conflicts, resolutions)
    if row.kind == "return" and load_store(conn, store_id).track_stock:
        _put_back_return(conn, store_id, row.server_seq, conflicts, resolutions)
    conn.execute(
        update(OrderRow)
        .where(OrderRow.server_seq == row.server_seq)
        .values(status=OrderStatus.RESOLVED.value, resolutions=json.dumps([r.model_dump(mode="json") for r in resolutions]))
    )
    return OrderResolved(order_id=order_id, server_seq=row.server_seq, resolutions=resolutions).model_dump(mode="json")


def _check_permission(conn: Connection, store_id: str, resolutions: list[Resolution]) -> None:
    users = {r.approved_by for r in resolutions}
    roles = staff.approver_roles(conn, store_id, users)
    for user in sorted(users):
        if user not in roles or not has_permission(roles[user], Permission.CONFLICT_RESOLVE):
            raise DomainError(ErrorCode.NOT_PERMITTED, f"user {user} lacks {Permission.CONFLICT_RESOLVE.value}")


def _check_complete(conflicts: list[Conflict], resolutions: list[Resolution]) -> None:
    wanted = {(c.line_no, c.code) for c in conflicts}
    given = [(r.line_no, r.code) for r in resolutions]
    problems = []
    if len(set(given)) != len(given):
        problems.append("a conflict has more than one resolution")
    if missing := wanted - set(given):
        problems.append(f"unresolved conflicts: {sorted(missing, key=str)}")
    if extra := set(given) - wanted:
        problems.append(f"resolutions for conflicts the order does not have: {sorted(extra, key=str)}")
    if any(r.action is ResolutionAction.VOID_LINE and r.line_no is None for r in resolutions):
        problems.append("void_line needs a line_no")
    if problems:
        raise DomainError(ErrorCode.RESOLUTION_INCOMPLETE, "; ".join(problems))


def _apply(conn: Connection, store_id: str, server_seq: int, conflicts: list[Conflict], resolutions: list[Resolution]) -> None:
    by_key = {(c.line_no, c.code): c for c in conflicts}
    for resolution in resolutions:
        conflict = by_key[(resolution.line_no, resolution.code)]
        if resolution.action is ResolutionAction.VOID_LINE:
            conn.execute(
                update(OrderLineRow)
                .where(OrderLineRow.server_seq == server_seq, OrderLineRow.line_no == resolution.line_no)
                .values(voided=True)
            )
        elif resolution.action is ResolutionAction.HONOR_TERMINAL and conflict.code == ConflictCode.INSUFFICIENT_STOCK:
            stock.take_what_is_there(conn, store_id, conflict.sku or "", Decimal(conflict.terminal_value or "0"))


def _put_back_return(conn: Connection, store_id: str, server_seq: int, conflicts: list[Conflict],
                     resolutions: list[Resolution]) -> None:
    """A held return's goods go back now, as far as the decisions accept them (after voids)."""
    lines = [
        stock.ReturnedLine(row.line_no, row.sku, row.qty)
        for row in conn.execute(
            select(OrderLineRow.line_no, OrderLineRow.sku, OrderLineRow.qty)
            .where(OrderLineRow.server_seq == server_seq, OrderLineRow.voided.is_(False))
            .order_by(OrderLineRow.line_no)
        )
    ]
    stock.put_back(conn, store_id, stock.resolved_return(lines, conflicts, resolutions))
