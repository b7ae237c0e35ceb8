"""The sale use cases the till's screen calls: ring up, discount, override, void, pay.

Permissions are checked here (through the core), not only in the UI: a manager's PIN
approval is verified, counted towards lockout and audited by `Staff`.
"""

from __future__ import annotations

import logging

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from pos_terminal.config import TerminalConfig
from pos_terminal.core.catalog import CatalogLookup
from pos_protocol.permissions import Permission
from pos_terminal.core.sale import TenderType
from pos_terminal.core.ticket import Discount, NeedsApproval, Ticket, TicketError, TicketLine
from pos_terminal.core.users import User, require
from pos_terminal.store.db import Database

from .checkout import AfterCommit, CompletedOrder, commit_sale
from .staff import Staff


log = logging.getLogger(__name__)

def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ApproverPin:
    """A manager standing at the till: who approves, and their PIN."""

    user_id: str
    pin: str


@dataclass(frozen=True)
class TenderInput:
    type: TenderType
    amount: Decimal
    reference: str | None = None
    # a card tender paid through the payment terminal: its approval (services.card_payments)
    payment_intent: str | None = None


class NotSignedIn(TicketError):
    def __init__(self) -> None:
        super().__init__("no cashier is signed in")


class Till:
    def __init__(self, db: Database, config: TerminalConfig, catalog: CatalogLookup, staff: Staff,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.db, self.config, self.catalog, self.staff, self.clock = db, config, catalog, staff, clock
        self.cashier: User | None = None
        self.ticket = self._new_ticket()
        self._after_commit: list[AfterCommit] = []

    def on_committed(self, callback: AfterCommit) -> None:
        """Run after a sale is durable (print, drawer kick, wake the sync pump)."""
        self._after_commit.append(callback)

    # -- cashier -------------------------------------------------------------------------

    def sign_in(self, user_id: str, pin: str) -> User:
        self.cashier = self.staff.sign_in(user_id, pin)
        return self.cashier

    def sign_out(self) -> None:
        self.cashier = None

    def signed_in(self) -> User:
        """The signed-in cashier; NotSignedIn when nobody is."""
        if self.cashier is None:
            raise NotSignedIn()
        return self.cashier

    def approve(self, approver: ApproverPin | None, permission: Permission, subject: str) -> User:
        """Who authorises `permission` now: the approver on their PIN (checked, counted
        towards lockout, journalled), or without one the signed-in user, who must hold it."""
        cashier = self.signed_in()
        if approver is None:
            require(cashier, permission)
            return cashier
        return self.staff.approve(approver.user_id, approver.pin, permission, subject).approver

    # -- ringing up ----------------------------------------------------------------------

    def scan(self, code: str) -> TicketLine:
        """A scanned or keyed barcode; bad codes raise BarcodeError/UnknownItem, nothing added."""
        return self.ticket.add_scan(self.catalog.by_barcode(code))

    def add_sku(self, sku: str, qty: Decimal = Decimal(1)) -> TicketLine:
        return self.ticket.add_item(self.catalog.by_sku(sku), qty)

    def add_weighed(self, sku: str, weight_kg: Decimal) -> TicketLine:
        return self.ticket.add_weighed(self.catalog.by_sku(sku), weight_kg)

    def set_quantity(self, line_no: int, qty: Decimal) -> None:
        self.ticket.set_quantity(line_no, qty)

    def discount_line(self, line_no: int, discount: Discount,
                      approver: ApproverPin | None = None) -> None:
        approved = self._approve(approver, Permission.DISCOUNT_ABOVE_LIMIT, f"line {line_no}")
        self.ticket.discount_line(line_no, discount, approved)

    def discount_ticket(self, discount: Discount, approver: ApproverPin | None = None) -> None:
        approved = self._approve(approver, Permission.DISCOUNT_ABOVE_LIMIT, "ticket")
        self.ticket.discount_ticket(discount, approved)

    def override_price(self, line_no: int, price: Decimal, approver: ApproverPin,
                       reason: str) -> None:
        approved = self._approve(approver, Permission.PRICE_OVERRIDE, f"line {line_no}")
        self.ticket.override_price(line_no, price, approved, reason)

    def void_line(self, line_no: int, approver: ApproverPin | None = None) -> None:
        by = self._approve(approver, Permission.LINE_VOID, f"line {line_no}") or self.signed_in()
        self.ticket.void_line(line_no, by)

    def cancel_ticket(self, approver: ApproverPin | None = None) -> None:
        """Abandon the open ticket (nothing was paid, nothing is stored)."""
        if len(self.ticket) and not self.signed_in().can(Permission.ORDER_VOID):
            if approver is None:
                raise NeedsApproval("cancelling a ticket with lines needs a manager's approval")
            self._approve(approver, Permission.ORDER_VOID, "ticket")
        self.ticket = self._new_ticket()

    # -- paying --------------------------------------------------------------------------

    def pay(self, tenders: Sequence[TenderInput]) -> CompletedOrder:
        """Take the tenders and commit the sale; on any error nothing is written."""
        cashier = self.signed_in()
        tender_set = self.ticket.tender_set(self.config.cash_rounding or None)
        for t in tenders:
            tender_set.add(t.type, t.amount, t.reference)
        sale = self.ticket.finish(tender_set, cashier.user_id)
        card_intents = [(t.payment_intent, t.amount) for t in tenders if t.payment_intent]
        completed = commit_sale(self.db, self.config, sale, self.clock(), card_intents)
        self.ticket = self._new_ticket()
        for callback in self._after_commit:
            try:
                callback(completed)
            except Exception:  # the sale is durable: a failed print or wake must not undo it
                log.exception("after-commit step failed for %s", completed.receipt_no)
        return completed

    # -- internals -----------------------------------------------------------------------

    def _new_ticket(self, kind: str = "sale", original_order_id: str | None = None) -> Ticket:
        return Ticket(self.config.tax_mode, self.config.currency, kind=kind,
                      discount_limit_pct=self.config.discount_limit_pct,
                      original_order_id=original_order_id)

    def _approve(self, approver: ApproverPin | None, permission: Permission,
                 subject: str) -> User | None:
        """As `approve`, but None (not an error) when a cashier acts without the permission:
        the ticket then decides whether the action needs an approval at all."""
        if approver is None and not self.signed_in().can(permission):
            return None
        return self.approve(approver, permission, subject)
