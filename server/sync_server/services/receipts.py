"""Receipt lookup for returns across tills: a sale of the caller's store by receipt number,
with what every till has returned of it so far (the same count `return_conflicts` makes)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Connection, select

from pos_protocol.codes import ErrorCode
from pos_protocol.wire import EarlierReturn, Order, ReceiptOut

from ..core.errors import DomainError
from ..db.models import ORDER_LINES, ORDERS


def find_sale(conn: Connection, store_id: str, receipt_no: str) -> ReceiptOut:
    """RECEIPT_NOT_FOUND unless a sale of this store has the receipt number (another store's
    is not found either: receipt numbers name the terminal, and stores do not see each other)."""
    sale = conn.execute(
        select(ORDERS.c.server_seq, ORDERS.c.order_id, ORDERS.c.status, ORDERS.c.body)
        .where(ORDERS.c.store_id == store_id, ORDERS.c.receipt_no == receipt_no, ORDERS.c.kind == "sale")
        .order_by(ORDERS.c.server_seq).limit(1)
    ).first()
    if sale is None:
        raise DomainError(ErrorCode.RECEIPT_NOT_FOUND, f"no sale with receipt number {receipt_no} in this store")
    voided = conn.execute(select(ORDER_LINES.c.line_no).where(
        ORDER_LINES.c.server_seq == sale.server_seq, ORDER_LINES.c.voided.is_(True)).order_by(ORDER_LINES.c.line_no))
    return ReceiptOut(order=Order.model_validate_json(sale.body), status=sale.status,
                      voided_lines=list(voided.scalars()), returns=_returns_of(conn, store_id, sale.order_id))


def _returns_of(conn: Connection, store_id: str, order_id: str) -> list[EarlierReturn]:
    lines: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in conn.execute(
        select(ORDERS.c.order_id, ORDER_LINES.c.line_no, ORDER_LINES.c.qty)
        .join(ORDER_LINES, ORDER_LINES.c.server_seq == ORDERS.c.server_seq)
        .where(ORDERS.c.original_order_id == order_id, ORDERS.c.store_id == store_id, ORDER_LINES.c.voided.is_(False))
        .order_by(ORDERS.c.server_seq, ORDER_LINES.c.line_no)
    ):
        lines[row.order_id][row.line_no] += row.qty
    return [EarlierReturn(order_id=oid, lines=dict(qty)) for oid, qty in lines.items()]
