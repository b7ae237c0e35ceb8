"""Reprinting a receipt: the last one or any earlier one of this till, marked as a copy.

A reprint changes no sale: it reads the stored order, builds its receipt with the copy
mark (`receipt_content`) and queues it on the durable print queue under a job id of its
own, after journalling who asked for it (a copy handed out is worth knowing about when a
refund is disputed). A crash at any point leaves the sales exactly as they were.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from devices.escpos.receipt import Receipt
from pos_terminal.store import audit, sales

from . import Services
from .receipt_content import ReceiptWords, receipt_of
from .returns import ReceiptNotFound
from .till_devices import TillDevices


class NoPrinter(RuntimeError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"no receipt printer ({reason})")


@dataclass(frozen=True)
class PastReceipt:
    receipt_no: str
    created_at: datetime
    gross: Decimal
    kind: str  # "sale" | "return"


def recent_receipts(services: Services, limit: int = 50) -> list[PastReceipt]:
    """This till's receipts, newest first."""
    with services.db.reader() as s:
        return [PastReceipt(o.receipt_no, o.created_at, o.gross, o.kind)
                for o in sales.recent(s, services.config.terminal_id, limit)]


def copy_of(services: Services, receipt_no: str, words: ReceiptWords = ReceiptWords()) -> Receipt:
    """The receipt as printed at the sale, marked as a copy."""
    cfg = services.config
    with services.db.reader() as s:
        order = sales.find_by_receipt(s, receipt_no)
        if order is None:
            raise ReceiptNotFound(receipt_no)
        sale = sales.to_finished_sale(order, cfg.tax_mode, cfg.currency.scale)
        original = sales.receipt_no_of(s, order.original_order_id) if order.original_order_id else None
        return receipt_of(sale, order.receipt_no, order.created_at, cfg, words,
                          original_receipt_no=original, copy=True)


def reprint(services: Services, devices: TillDevices | None, receipt_no: str) -> str:
    """Queue a copy of `receipt_no`; returns the print job's id. Blocking (database, print
    queue): call from an Operation."""
    if devices is None or devices.print_queue is None:
        reason = "; ".join(devices.unavailable.values()) or "not configured" if devices else "devices not started"
        raise NoPrinter(reason)
    receipt = copy_of(services, receipt_no, devices.labels)
    job_id = f"copy/{receipt_no}/{uuid.uuid4()}"
    actor = services.till.cashier.user_id if services.till.cashier else "-"
    with services.db.transaction() as s:
        audit.append(s, at=services.till.clock(), actor=actor, action="receipt.reprint",
                     subject=receipt_no, payload={"job_id": job_id})
    devices.print_queue.submit(job_id, receipt)
    return job_id
