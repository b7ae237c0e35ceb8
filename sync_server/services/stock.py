"""Stock movements: every statement that changes on_hand is here (README, "Returns and stock").

Stock moves only for what is final, and on_hand stays between 0 and MAX_ON_HAND:
- a sale takes each line that has enough, with a conditional decrement (two terminals never
  both take the last unit), also when the sale is held for another reason: the goods left;
- an accepted return puts its lines back; a held return puts nothing back;
- a put-back stops at MAX_ON_HAND, the largest Quantity the wire carries, so on_hand always
  reads back; honouring a short sale stops at zero.
Statements run in the order's (or resolution's) transaction, skus in sorted order so two
transactions lock stock rows in the same order and cannot deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, and_, case, select, update

from ..db.models import STOCK
from ..wire import MAX_QUANTITY, Conflict, ConflictCode, OrderLine
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
