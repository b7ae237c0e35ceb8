"""Committing a finished sale: the one durable transaction of ARCHITECTURE.md."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_terminal.config import TerminalConfig
from pos_terminal.core.sale import FinishedSale
from pos_terminal.store import parked, payments, sales
from pos_terminal.store.db import Database
from .order_body import order_body


@dataclass(frozen=True)
class CompletedOrder:
    order_id: str
    receipt_no: str
    created_at: datetime
    sale: FinishedSale
    original_receipt_no: str | None = None
    """A refund's original receipt (printed on the refund receipt)."""


def commit_sale(db: Database, config: TerminalConfig, sale: FinishedSale,
                now: datetime, parked_id: str | None = None,
                card_intents: Sequence[tuple[str, Decimal]] = ()) -> CompletedOrder:
    """Write order, lines, tenders, receipt number, audit and outbox entry: all or nothing.

    The order id is minted here, once; every later resend uses it as the idempotency key.
    A sale of a resumed parked ticket (`parked_id`) removes it from the parked list in the
    same transaction: sold and still parked is a state no crash can leave.
    `card_intents` (intent id, amount) are the terminal's approvals behind the card
    tenders: captured in this same transaction, so an approval is in exactly one sale.
    """
    with db.write() as conn:  # Core, no ORM session: this runs once per customer
        catalog_version, drawer_session_id = sales.sale_context(conn, config.terminal_id)
        header = sales.SaleHeader(
            order_id=str(uuid.uuid4()), store_id=config.store_id,
            terminal_id=config.terminal_id, created_at=now, catalog_version=catalog_version,
        )
        receipt_no = sales.record_sale(conn, sale, header, order_body, drawer_session_id)
        if parked_id is not None:
            parked.discard(conn, parked_id)
        for intent_id, amount in card_intents:
            payments.capture(conn, intent_id, amount, header.order_id, now)
        original = sales.receipt_no_of(conn, sale.original_order_id) if sale.original_order_id else None
        return CompletedOrder(header.order_id, receipt_no, now, sale, original)


AfterCommit = Callable[[CompletedOrder], None]


CRASH_AT = "POS_TERMINAL_CRASH_AT"


def crash_point(name: str) -> None:
    """Tests only: with POS_TERMINAL_CRASH_AT=<name> the till kills itself here, as a power
    cut would (tests/pos_terminal/test_receipt_crash.py). Unset, this costs one lookup."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
