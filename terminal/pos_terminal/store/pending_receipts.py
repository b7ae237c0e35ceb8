"""Receipts committed with their sale and not yet handed to the print queue.

The print queue (devices.print_queue) is durable but lives in its own file, so "commit
the sale, then submit the receipt" is two commits. The sale's transaction adds a row
here (`add`); the row is dropped once the print queue holds the job (`handed_over`).
Whatever a crash left between the two is `waiting` on the next start. The print queue
is idempotent by job id (the order id), so handing a receipt over twice prints it once.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, selectinload

from .db import Database
from .models import Order, PendingReceipt
from .prepared import On, Prepared

_ADD = Prepared(insert(PendingReceipt.__table__), ["order_id"])


def add(conn: On, order_id: str) -> None:
    """Inside the sale's transaction: the receipt is owed from this commit on."""
    _ADD.run(conn, {"order_id": order_id})


def handed_over(db: Database, order_id: str) -> None:
    """The print queue holds the job now (or the till has no receipt printer)."""
    with db.write() as conn:
        conn.execute(delete(PendingReceipt).where(PendingReceipt.order_id == order_id))


def waiting(session: Session) -> list[Order]:
    """Orders whose receipt may not have reached the print queue, oldest first."""
    return list(session.scalars(
        select(Order).join(PendingReceipt, PendingReceipt.order_id == Order.order_id)
        .order_by(Order.created_at, Order.receipt_seq)
        .options(selectinload(Order.lines), selectinload(Order.tenders), selectinload(Order.voids))))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PendingReceipt)) or 0
