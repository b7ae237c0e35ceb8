"""Stock movements: every statement that changes on_hand is here (README, "Returns and stock").

Stock moves only for what is final, and on_hand stays between 0 and MAX_ON_HAND:
- a sale takes each line that has enough, with a conditional decrement (two terminals never
  both take the last unit), also when the sale is held for another reason: the goods left;
- an accepted return puts its lines back; a held return puts nothing back until it is
  resolved, and then only what the resolution accepts (`resolved_return`);
- a put-back stops at MAX_ON_HAND, the largest Quantity the wire carries, so on_hand always
  reads back; honouring a short sale stops at zero.
Statements run in the order's (or resolution's) transaction, skus in sorted order so two
transactions lock stock rows in the same order and cannot deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Connection, and_, case, select, update

from ..db.models import STOCK
from pos_protocol.codes import ConflictCode
from pos_protocol.wire import MAX_QUANTITY, Conflict, OrderLine, Resolution, ResolutionAction
from .order_checks import _conflict as conflict

MILLI = Decimal(1000)
MAX_ON_HAND = MAX_QUANTITY
MAX_ON_HAND_MILLI = int(MAX_ON_HAND * MILLI)
_ON_HAND = STOCK.c.on_hand_milli


def to_milli(qty: Decimal) -> int:
    return int(qty * MILLI)


def from_milli(milli: int) -> Decimal:
    return (Decimal(milli) / MILLI).quantize(Decimal("0.001"))


def _row(store_id: str, sku: str):
    return and_(STOCK.c.store_id == store_id, STOCK.c.sku == sku)


def take_stock(conn: Connection, store_id: str, lines: list[OrderLine]) -> list[Conflict]:
    """A sale's lines leave the shelf; INSUFFICIENT_STOCK for a line that is short (not taken).

    An item with no stock row is not stock-tracked: nothing to take, nothing to report."""
    conflicts: list[Conflict] = []
    for line in sorted(lines, key=lambda l: (l.sku, l.line_no)):
        milli = to_milli(line.qty)
        where = _row(store_id, line.sku)
        if conn.execute(update(STOCK).where(where, _ON_HAND >= milli).values(on_hand_milli=_ON_HAND - milli)).rowcount:
            continue
        on_hand = conn.execute(select(_ON_HAND).where(where)).scalar_one_or_none()
        if on_hand is not None:
            conflicts.append(conflict(line, ConflictCode.INSUFFICIENT_STOCK, "qty", line.qty, from_milli(on_hand),
                                      f"only {from_milli(on_hand)} of {line.sku} on hand"))
    return conflicts


def take_what_is_there(conn: Connection, store_id: str, sku: str, qty: Decimal) -> None:
    """`honor_terminal` on INSUFFICIENT_STOCK: the goods left, so the count was wrong; never below 0."""
    milli = to_milli(qty)
    conn.execute(
        update(STOCK).where(_row(store_id, sku)).values(on_hand_milli=case((_ON_HAND < milli, 0), else_=_ON_HAND - milli))
    )


def put_back(conn: Connection, store_id: str, quantities: Iterable[tuple[str, Decimal]]) -> None:
    """Goods back on the shelf, per sku; on_hand stops at MAX_ON_HAND rather than passing it.

    Clamped, not refused: the refund is already paid, and a count that large is wrong anyway."""
    per_sku: dict[str, int] = defaultdict(int)
    for sku, qty in quantities:
        per_sku[sku] += to_milli(qty)
    for sku, milli in sorted(per_sku.items()):
        if milli <= 0:
            continue
        full = _ON_HAND > MAX_ON_HAND_MILLI - milli  # never computes past the bound (no overflow)
        conn.execute(
            update(STOCK).where(_row(store_id, sku))
            .values(on_hand_milli=case((full, MAX_ON_HAND_MILLI), else_=_ON_HAND + milli))
        )


class ReturnedLine(NamedTuple):
    line_no: int
    sku: str
    qty: Decimal


# Order-level conflicts whose `accept_server` says no goods came back for this return:
# the sale it names does not exist, it is a copy of another order, or nobody allowed it.
_NOTHING_CAME_BACK = frozenset({
    ConflictCode.ORIGINAL_ORDER_UNKNOWN, ConflictCode.DUPLICATE_CONTENT, ConflictCode.BLIND_RETURN_NOT_APPROVED,
})


def resolved_return(lines: list[ReturnedLine], conflicts: list[Conflict], resolutions: list[Resolution]) -> list[tuple[str, Decimal]]:
    """(sku, qty) a resolved held return puts back: its unvoided lines, less what the
    decisions on their conflicts do not accept (README table). Voided lines are not passed."""
    action = {(r.line_no, r.code): r.action for r in resolutions}
    if any(c.line_no is None and c.code in _NOTHING_CAME_BACK and action[(None, c.code)] is ResolutionAction.ACCEPT_SERVER
           for c in conflicts):
        return []
    back = []
    for line in lines:
        qty = line.qty
        for c in conflicts:
            if c.line_no == line.line_no:
                qty = min(qty, _accepted_back(c, action[(c.line_no, c.code)], line.qty))
        back.append((line.sku, qty))
    return back


def _accepted_back(c: Conflict, action: ResolutionAction, qty: Decimal) -> Decimal:
    """How much of a line one decided conflict lets back on the shelf.

    The conflict's server_value is what this line alone may put back (the checks hand each
    line its own share of what is left, README)."""
    if c.code == ConflictCode.RETURN_EXCEEDS_SALE:
        # Honoured or not: goods beyond what the sale had left to return cannot be from it.
        return Decimal(c.server_value or "0")
    if c.code == ConflictCode.BLIND_RETURN_EXCEEDS_LIMIT and action is ResolutionAction.ACCEPT_SERVER:
        return Decimal(c.server_value or "0")
    return qty  # honoured over the limit (a manager saw the goods), or a price/tax question
