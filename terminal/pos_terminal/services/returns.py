"""Return use cases: against an original receipt (never more than was sold) or blind.

A refund needs a manager's `refund` approval; a blind return also `return.blind`. The
return ticket becomes the till's open ticket and is paid out through `Till.pay`, so it
commits through the same durable transaction as a sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_protocol.permissions import Permission
from pos_terminal.core.returns import ReceiptReturn, start_blind_return
from pos_terminal.core.sale import SaleLine
from pos_terminal.core.ticket import Ticket, TicketLine
from pos_terminal.store import receipts, sales

from .till import ApproverPin, Till


class ReceiptNotFound(LookupError):
    def __str__(self) -> str:
        return f"no sale with receipt number {self.args[0]!r} on this till"


def receipt_example(terminal_id: str) -> str:
    """Receipt number 42 of this till, in full (the return dialog's hint)."""
    return receipts.receipt_no(terminal_id, 42)


@dataclass(frozen=True)
class FoundReceipt:
    """The sale a receipt number names, as the return dialog shows it before a manager is
    asked to approve the refund."""

    receipt_no: str
    created_at: datetime
    gross: Decimal
    line_count: int


class Returns:
    def __init__(self, till: Till) -> None:
        self.till = till
        self._current: ReceiptReturn | None = None

    def find(self, text: str) -> FoundReceipt:
        """The sale behind a scanned or typed receipt number (full, or the short counter
        part, see `store.receipts.parse_receipt_no`). No PIN: looking is not refunding.
        ReceiptNotFound when this till sold nothing under it."""
        receipt_no = receipts.parse_receipt_no(text, self.till.config.terminal_id)
        with self.till.db.reader() as s:
            order = sales.find_by_receipt(s, receipt_no) if receipt_no else None
            if order is None or order.kind != "sale":
                raise ReceiptNotFound(text.strip())
            return FoundReceipt(order.receipt_no, order.created_at, order.gross, order.line_count)

    def start(self, receipt_no: str, approver: ApproverPin) -> Ticket:
        """Open a return against a receipt; the till's open ticket becomes the return."""
        cfg = self.till.config
        with self.till.db.reader() as s:
            order = sales.find_by_receipt(s, receipt_no)
            if order is None or order.kind != "sale":
                raise ReceiptNotFound(receipt_no)
            original = sales.to_finished_sale(order, cfg.tax_mode, cfg.currency.scale)
            before = sales.returned_quantities(s, order.order_id)
        manager = self.till.approve(approver, Permission.REFUND, receipt_no)
        self._current = ReceiptReturn(original, order.order_id, manager, cfg.tax_mode,
                                      cfg.currency, already_returned=before)
        self.till.ticket = self._current.ticket
        return self._current.ticket

    def start_blind(self, approver: ApproverPin) -> Ticket:
        """A return without a receipt; lines are rung up like a sale."""
        self.till.approve(approver, Permission.REFUND, "blind return")
        manager = self.till.approve(approver, Permission.BLIND_RETURN, "blind return")
        self._current = None
        self.till.ticket = start_blind_return(self.till.config.tax_mode, manager,
                                              self.till.config.currency)
        return self.till.ticket

    def returnable(self) -> dict[int, Decimal]:
        """What can still be returned per original line of the open receipt return."""
        return dict(self._require_current().returnable_lines())

    def original_lines(self) -> tuple[SaleLine, ...]:
        """The lines of the receipt being returned against (for the return dialog)."""
        return self._require_current().original.lines

    def add(self, line_no: int, qty: Decimal | None = None) -> TicketLine:
        return self._require_current().add(line_no, qty)

    def _require_current(self) -> ReceiptReturn:
        if self._current is None or self.till.ticket is not self._current.ticket:
            raise LookupError("no receipt return is open")
        return self._current
