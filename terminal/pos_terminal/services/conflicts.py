"""The conflict inbox: orders the server held, and a manager's decisions about them.

A held order stays in the outbox in state `held` with the server's answer (its
conflicts). `resolve` checks the approver's PIN and `conflict.resolve` permission,
journals the decision and queues `POST /v1/orders/{id}/resolution` with its own
idempotency key, minted here once; the sync pump sends it (call `SyncService.wake()`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from pos_protocol import paths, wire
from pos_protocol.money import Currency
from pos_protocol.permissions import Permission
from pos_terminal.store import audit, outbox
from pos_terminal.store.models import Order, OrderLine, OutboxEntry
from pos_terminal.store.outbox import OutboxState

from . import Services
from .till import ApproverPin

RESOLUTION = outbox.RESOLUTION


class ConflictError(ValueError):
    """A resolution the till refuses before sending (nothing is written)."""


@dataclass(frozen=True)
class Decision:
    """What the manager chose for one conflict (`line_no` None: an order-level conflict)."""

    line_no: int | None
    code: str
    action: wire.ResolutionAction
    reason: str


@dataclass(frozen=True)
class ConflictDiff:
    """One conflict as the manager compares it: the item as sold, the till's value beside
    the server's, and what taking the server's value would change on this order."""

    conflict: wire.Conflict
    item: str | None
    """The line's description as the customer saw it (None: an order-level conflict)."""
    qty: Decimal | None
    unit: str | None
    difference: Decimal | None
    """Server's order total minus the till's, in the store currency, for a price conflict
    (sold quantity x price difference, before discounts); None where money does not move."""

    line_total: Decimal | None = None
    """The line's total as sold (what voiding it takes off the order)."""

    @property
    def is_money(self) -> bool:
        return self.conflict.field == "unit_price"

    def effect(self, action: wire.ResolutionAction) -> Decimal:
        """What deciding `action` changes on the order's total: taking the server's price
        moves it by the price difference, voiding removes the line, honouring the till's
        value changes nothing."""
        if action is wire.ResolutionAction.ACCEPT_SERVER and self.difference is not None:
            return self.difference
        if action is wire.ResolutionAction.VOID_LINE and self.line_total is not None:
            return -self.line_total
        return Decimal(0)


@dataclass(frozen=True)
class HeldOrder:
    order_id: str
    receipt_no: str
    created_at: datetime
    gross: Decimal
    conflicts: list[wire.Conflict]
    resolution_pending: bool
    """A decision is queued or on its way; the order leaves the inbox once it is accepted."""
    last_refusal: str | None
    """Why the server refused the previous decision (e.g. 422 resolution_incomplete)."""
    diffs: tuple[ConflictDiff, ...] = ()
    """`conflicts`, each beside the line it is about (same order)."""

    @property
    def difference(self) -> Decimal:
        """What the server's values change on the whole order (0 when no price moved)."""
        return sum((d.difference for d in self.diffs if d.difference is not None), Decimal(0))


def held_orders(services: Services) -> list[HeldOrder]:
    """Every order waiting for a manager, oldest first."""
    with services.db.reader() as s:
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == outbox.ORDER,
                                                      OutboxEntry.state == outbox.HELD)
                            .order_by(OutboxEntry.seq)).all()
        return [_held(s, e, services.config.currency) for e in entries]


def resolve(services: Services, order_id: str, decisions: Sequence[Decision],
            approver: ApproverPin) -> str:
    """Queue the manager's decisions; returns the resolution's idempotency key.

    Raises WrongPin/UserLocked/PermissionDenied (from the approval) or ConflictError.
    """
    held = {h.order_id: h for h in held_orders(services)}.get(order_id)
    if held is None:
        # Resolved meanwhile (the back office, sync.held_watch), or never held here.
        raise ConflictError("this order is not waiting in the conflict inbox any more: nothing more to do")
    if held.resolution_pending:
        raise ConflictError(f"a decision about order {order_id} is already on its way")
    _check_complete(held, decisions)
    approval = services.staff.approve(approver.user_id, approver.pin, Permission.CONFLICT_RESOLVE,
                                      order_id)
    request = wire.ResolutionRequest(resolutions=[
        wire.Resolution(line_no=d.line_no, code=d.code, action=d.action,
                        approved_by=approval.approver.user_id, reason=d.reason)
        for d in decisions
    ])
    body = wire.canonical_json(request)
    key = str(uuid.uuid4())
    now = services.till.clock()
    with services.db.transaction() as s:
        audit.append(s, at=now, actor=approval.approver.user_id, action="conflict.resolve",
                     subject=order_id, payload={"idempotency_key": key,
                                                "resolutions": request.model_dump(mode="json")["resolutions"]})
        # depending on the held order's entry, which makes the order `resolving` (store.outbox)
        outbox.enqueue(s, kind=RESOLUTION, key=key, path=paths.order_resolution(order_id), body=body, at=now,
                       depends_on=outbox.seq_of(s, outbox.ORDER, order_id))
    return key


def _check_complete(held: HeldOrder, decisions: Sequence[Decision]) -> None:
    wanted = sorted((c.line_no or 0, c.code) for c in held.conflicts)
    given = sorted((d.line_no or 0, d.code) for d in decisions)
    if wanted != given:
        raise ConflictError(f"each conflict needs exactly one decision: conflicts {wanted}, "
                            f"decisions {given}")
    if any(not d.reason.strip() for d in decisions):
        raise ConflictError("every decision needs a reason")


def _held(session, entry: OutboxEntry, currency: Currency) -> HeldOrder:  # type: ignore[no-untyped-def]
    order = session.get_one(Order, entry.idempotency_key)
    answer = wire.OrderHeld.model_validate_json(entry.response or "{}")
    # A resolution depends on its order's entry (written so, or filled in by migration
    # 0003): found on ix_outbox_depends_on, not among every resolution ever sent.
    resolutions = session.scalars(select(OutboxEntry).where(OutboxEntry.depends_on == entry.seq,
                                                            OutboxEntry.kind == RESOLUTION)
                                  .order_by(OutboxEntry.seq)).all()
    pending = any(r.state == OutboxState.PENDING for r in resolutions)
    refused = [r.last_error for r in resolutions if r.state == OutboxState.PARKED]
    conflicts = list(answer.conflicts)
    return HeldOrder(order.order_id, order.receipt_no, order.created_at, order.gross,
                     conflicts, pending, refused[-1] if refused else None,
                     tuple(diff(order, c, currency) for c in conflicts))


def diff(order: Order, conflict: wire.Conflict, currency: Currency) -> ConflictDiff:
    """`conflict` beside the order line it names."""
    line = next((ln for ln in order.lines if ln.line_no == conflict.line_no), None)
    if line is None:
        return ConflictDiff(conflict, None, None, None, None)
    return ConflictDiff(conflict, line.description, line.qty, line.unit,
                        _price_difference(line, conflict, currency), line.line_total)


def _price_difference(line: OrderLine, conflict: wire.Conflict, currency: Currency) -> Decimal | None:
    if conflict.field != "unit_price" or conflict.server_value is None or conflict.terminal_value is None:
        return None
    change = Decimal(conflict.server_value) - Decimal(conflict.terminal_value)
    return currency.round(change * line.qty)
