"""Return use cases: against an original receipt (never more than was sold) or blind.

A refund needs a manager's `refund` approval; a blind return also `return.blind`. The
return ticket becomes the till's open ticket and is paid out through `Till.pay`, so it
commits through the same durable transaction as a sale.

Returns across tills (README "Returns across tills"): a receipt this till does not know is
asked of the server (`ReceiptServer`, a signed lookup within the store), and the return is
made against the server's copy with the same limits: what any till has returned of it
counts, with this till's own returns not yet on the server. Offline, `ReceiptLookupOffline`
says so, and a manager may do a blind return instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pos_protocol import wire
from pos_protocol.permissions import Permission
from pos_terminal.core.catalog import Unit
from pos_terminal.core.returns import ReceiptReturn, start_blind_return
from pos_terminal.core.sale import FinishedSale, PriceOverride, SaleLine, Tender, TenderType
from pos_terminal.core.ticket import Ticket, TicketLine
from pos_terminal.store import receipts, sales
from pos_terminal.sync.client import SyncError
from pos_protocol.tax import TaxMode, compute_totals

from .till import ApproverPin, Till


class ReceiptNotFound(LookupError):
    def __str__(self) -> str:
        return f"no sale with receipt number {self.args[0]!r} on this till or on the server"


class ReceiptLookupOffline(LookupError):
    """The receipt is not this till's and the server cannot be asked now."""

    def __init__(self, receipt_no: str, reason: str) -> None:
        super().__init__(receipt_no, reason)
        self.receipt_no = receipt_no

    def __str__(self) -> str:
        return (f"receipt {self.receipt_no!r} is not from this till, and the server cannot be asked "
                f"now ({self.args[1]}): a manager can do a return without receipt instead")


class ReceiptServer(Protocol):
    """Where another till's receipt is looked up (`sync.SyncClient.receipt`)."""

    def receipt(self, receipt_no: str) -> wire.ReceiptOut | None: ...


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
    def __init__(self, till: Till, server: ReceiptServer | None = None) -> None:
        self.till = till
        self.server = server
        self._current: ReceiptReturn | None = None

    def find(self, text: str) -> FoundReceipt:
        """The sale behind a scanned or typed receipt number (full, or the short counter
        part, see `store.receipts.parse_receipt_no`). No PIN: looking is not refunding.
        ReceiptNotFound when neither this till nor the server knows it; ReceiptLookupOffline
        when it is not this till's and the server cannot be asked."""
        receipt_no = receipts.parse_receipt_no(text, self.till.config.terminal_id)
        if receipt_no is None:
            raise ReceiptNotFound(text.strip())
        with self.till.db.reader() as s:
            order = sales.find_by_receipt(s, receipt_no)
            if order is not None:
                if order.kind != "sale":  # a return's receipt: nothing to return against
                    raise ReceiptNotFound(text.strip())
                return FoundReceipt(order.receipt_no, order.created_at, order.gross, order.line_count)
        # Another till's sale (or one this till lost): the server's copy, if it can be asked.
        found = self._ask_server(receipt_no).order
        return FoundReceipt(found.receipt_no, found.created_at, found.totals.gross, len(found.lines))

    def start(self, receipt_no: str, approver: ApproverPin) -> Ticket:
        """Open a return against a receipt; the till's open ticket becomes the return."""
        original, order_id, before = self._find(receipt_no)
        cfg = self.till.config
        manager = self.till.approve(approver, Permission.REFUND, receipt_no)
        self._current = ReceiptReturn(original, order_id, manager, cfg.tax_mode,
                                      cfg.currency, already_returned=before)
        self.till.ticket = self._current.ticket
        return self._current.ticket

    def _find(self, receipt_no: str) -> tuple[FinishedSale, str, dict[int, Decimal]]:
        """The sale, its order id and what is already returned per line: from this till's
        file, or else from the server."""
        cfg = self.till.config
        with self.till.db.reader() as s:
            order = sales.find_by_receipt(s, receipt_no)
            if order is not None and order.kind != "sale":  # a return's receipt: nothing to return against
                raise ReceiptNotFound(receipt_no)
            mine = order and (sales.to_finished_sale(order, cfg.tax_mode, cfg.currency.scale), order.order_id,
                              sales.returned_by_order(s, order.order_id))
        if mine:
            original, order_id, here = mine
            return original, order_id, _returned(self._returns_elsewhere(receipt_no), here)
        found = self._ask_server(receipt_no)
        order_id = str(found.order.order_id)
        with self.till.db.reader() as s:
            here = sales.returned_by_order(s, order_id)
        return _finished_sale(found, cfg.tax_mode, cfg.currency.scale), order_id, _returned(found, here)

    def _ask_server(self, receipt_no: str) -> wire.ReceiptOut:
        if receipts.split_receipt_no(receipt_no) is None:  # no till could have printed it
            raise ReceiptNotFound(receipt_no)
        if self.server is None:
            raise ReceiptLookupOffline(receipt_no, "this till is not connected to a server")
        try:
            found = self.server.receipt(receipt_no)
        except SyncError as exc:
            raise ReceiptLookupOffline(receipt_no, str(exc)) from None
        if found is None or found.order.store_id != self.till.config.store_id:
            raise ReceiptNotFound(receipt_no)
        return found

    def _returns_elsewhere(self, receipt_no: str) -> wire.ReceiptOut | None:
        """This till's own sale as the server has it, for other tills' returns of it; None
        offline or before the sale reached the server (then this till's returns are all
        it knows, and the server holds an over-return as RETURN_EXCEEDS_SALE)."""
        if self.server is None:
            return None
        try:
            return self.server.receipt(receipt_no)
        except SyncError:
            return None

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


def _returned(found: wire.ReceiptOut | None, here: dict[str, dict[int, Decimal]]) -> dict[int, Decimal]:
    """Per original line, what every till has returned: the server's returns, and this
    till's that the server does not have yet (each return counted once, by its id)."""
    by_order = {str(r.order_id): r.lines for r in found.returns} if found else {}
    for order_id, lines in here.items():
        by_order.setdefault(order_id, lines)
    totals: dict[int, Decimal] = {}
    for lines in by_order.values():
        for line_no, qty in lines.items():
            totals[line_no] = totals.get(line_no, Decimal(0)) + qty
    return totals


def _finished_sale(found: wire.ReceiptOut, tax_mode: TaxMode, scale: int) -> FinishedSale:
    """The server's copy of a sale as the domain sees it; lines voided at resolution are
    not on it (nothing of them was sold)."""
    order = found.order
    voided = set(found.voided_lines)
    lines = tuple(
        SaleLine(line_no=l.line_no, sku=l.sku, description=l.description, qty=l.qty, unit=Unit(l.unit),
                 unit_price=l.unit_price, tax_code=l.tax_code, tax_rate=l.tax_rate, discount=l.discount,
                 line_total=l.line_total,
                 override=None if l.override is None else PriceOverride(
                     l.override.approved_by, l.override.reason, l.override.original_price))
        for l in order.lines if l.line_no not in voided
    )
    return FinishedSale(
        kind="sale", original_order_id=None, cashier_id=order.cashier_id, lines=lines,
        tenders=tuple(Tender(TenderType(t.type), t.amount, t.reference) for t in order.tenders),
        change_given=order.change_given,
        totals=compute_totals(((l.tax_code, l.tax_rate, l.line_total) for l in lines), tax_mode, scale),
    )
