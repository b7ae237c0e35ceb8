"""The sale use cases the till's screen calls: ring up, discount, override, void, pay.

Permissions are checked here (through the core), not only in the UI: a manager's PIN
approval is verified, counted towards lockout and audited by `Staff`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from pos_terminal.config import TerminalConfig
from pos_terminal.core import parked
from pos_terminal.core.catalog import CatalogLookup, Item, UnknownItem
from pos_protocol import wire
from pos_protocol.permissions import Permission
from pos_terminal.core.sale import TenderType
from pos_terminal.core.ticket import Discount, NeedsApproval, Ticket, TicketError, TicketLine
from pos_terminal.core.users import User, require
from pos_terminal.logs import about_sale
from pos_terminal.store import audit
from pos_terminal.store import parked as parked_store
from pos_terminal.core.voids import VoidLimit
from pos_terminal.store import quick_keys as quick_key_store
from pos_terminal.store.db import Database

from .checkout import AfterCommit, CompletedOrder, commit_sale, crash_point
from .staff import Staff


log = logging.getLogger(__name__)

def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ApproverPin:
    """A manager standing at the till: who approves, and their PIN."""

    user_id: str
    pin: str = field(repr=False)  # never in a log line, a traceback's locals or an error report
    reason: str = ""
    """Why the manager approves (journalled with the approval)."""


@dataclass(frozen=True)
class TenderInput:
    type: TenderType
    amount: Decimal
    reference: str | None = None
    # a card tender paid through the payment terminal: its approval (services.card_payments)
    payment_intent: str | None = None


@dataclass(frozen=True)
class ParkedTicket:
    """A ticket set aside on this till, as the parked list shows it."""

    park_id: str
    parked_at: datetime
    parked_by: str
    line_count: int
    gross: Decimal


class TicketStillOpen(TicketError):
    def __init__(self) -> None:
        super().__init__("park or finish the open ticket before resuming another one")


class NotParked(TicketError):
    def __init__(self) -> None:
        super().__init__("that ticket is no longer parked (resumed or paid already)")


class TillLocked(TicketError):
    """Someone else tried to unlock a till locked over another cashier's open ticket."""

    def __init__(self, cashier: str) -> None:
        super().__init__(f"the till is locked with {cashier}'s open ticket: {cashier} unlocks it "
                         "with their PIN, or a manager or supervisor takes the ticket over")


class NotSignedIn(TicketError):
    def __init__(self) -> None:
        super().__init__("no cashier is signed in")


class Till:
    def __init__(self, db: Database, config: TerminalConfig, catalog: CatalogLookup, staff: Staff,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.db, self.config, self.catalog, self.staff, self.clock = db, config, catalog, staff, clock
        self.cashier: User | None = None
        self.locked_by: User | None = None  # the cashier whose open ticket the idle lock keeps
        self.ticket = self._new_ticket()
        self.resumed_from: str | None = None  # the parked ticket now on the till, if any
        self._after_commit: list[AfterCommit] = []

    def on_committed(self, callback: AfterCommit) -> None:
        """Run after a sale is durable (print, drawer kick, wake the sync pump)."""
        self._after_commit.append(callback)

    # -- cashier -------------------------------------------------------------------------

    def sign_in(self, user_id: str, pin: str) -> User:
        """Check the PIN (slow, counted towards lockout) and sign in. A till locked over an
        open ticket (`lock`) opens only for its cashier, or for a user who may cancel a
        ticket (`order.void`: a supervisor or manager), who takes the ticket over."""
        locked = self.locked_by if self.locked_by is not None and len(self.ticket) else None
        if locked is not None and user_id != locked.user_id:
            if not self.staff.get(user_id).can(Permission.ORDER_VOID):
                raise TillLocked(locked.name)  # before the PIN: nothing to count or journal
        user = self.staff.sign_in(user_id, pin)
        if locked is not None and user.user_id != locked.user_id:
            with self.db.transaction() as s:
                audit.append(s, at=self.clock(), actor=user.user_id, action="ticket.take_over",
                             subject=locked.user_id, payload={"lines": len(self.ticket)})
        self.cashier, self.locked_by = user, None
        return user

    def sign_out(self) -> None:
        """The cashier leaves on purpose: the open ticket stays for whoever signs in next."""
        self.cashier, self.locked_by = None, None

    def lock(self) -> None:
        """Idle for too long: nobody is signed in, and the open ticket waits for its own
        cashier (or a manager) rather than for whoever walks up to the till."""
        self.locked_by, self.cashier = self.cashier, None

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
        return self.staff.approve(approver.user_id, approver.pin, permission, subject,
                                  reason=approver.reason).approver

    # -- ringing up ----------------------------------------------------------------------

    def scan(self, code: str) -> TicketLine:
        """A scanned or keyed barcode; bad codes raise BarcodeError/UnknownItem, nothing added."""
        return self.ticket.add_scan(self.catalog.by_barcode(code))

    def add_sku(self, sku: str, qty: Decimal = Decimal(1)) -> TicketLine:
        return self.ticket.add_item(self.catalog.by_sku(sku), qty)

    def add_one(self, sku: str) -> TicketLine:
        """A grid or quick-key tap: like a scan, onto the item's line when it has one."""
        return self.ticket.add_one(self.catalog.by_sku(sku))

    def add_open_price(self, sku: str, price: Decimal, approver: ApproverPin | None, reason: str) -> TicketLine:
        """One piece at a price keyed in; a manager approves it like a price override."""
        item = self.catalog.by_sku(sku)  # UnknownItem before anyone is asked for a PIN
        approved = self._approve(approver, Permission.PRICE_OVERRIDE, f"open price {sku}")
        if approved is None:
            raise NeedsApproval("an open price needs a manager's approval")
        return self.ticket.add_at_price(item, price, approved, reason)

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
        """The cashier voids a line; beyond the ticket's void limit (core.voids) a manager
        approves, as for cancelling the ticket."""
        cashier = self.signed_in()
        approved = self._approve(approver, Permission.ORDER_VOID, f"void line {line_no}")
        self.ticket.void_line(line_no, cashier, approved)

    def cancel_ticket(self, approver: ApproverPin | None = None) -> None:
        """Abandon the open ticket (nothing was paid, nothing is stored)."""
        if len(self.ticket) and not self.signed_in().can(Permission.ORDER_VOID):
            if approver is None:
                raise NeedsApproval("cancelling a ticket with lines needs a manager's approval")
            self._approve(approver, Permission.ORDER_VOID, "ticket")
        if self.resumed_from is not None:  # a resumed parked ticket is abandoned for good
            with self.db.transaction() as s:
                parked_store.discard(s, self.resumed_from)
        self._fresh_ticket()

    # -- parked tickets ------------------------------------------------------------------

    def park(self) -> ParkedTicket:
        """Set the open ticket aside (durably: one transaction with its audit entry) and
        start a fresh one. Not a sale: no receipt number, nothing for the outbox."""
        cashier = self.signed_in()
        body = json.dumps(parked.snapshot(self.ticket))  # CannotPark: empty, or a return
        entry = ParkedTicket(self.resumed_from or str(uuid.uuid4()), self.clock(), cashier.user_id,
                             len(self.ticket), self.ticket.totals().gross)
        with self.db.transaction() as s:
            parked_store.park(s, park_id=entry.park_id, terminal_id=self.config.terminal_id, at=entry.parked_at,
                              by=entry.parked_by, line_count=entry.line_count, gross=entry.gross, body=body)
            audit.append(s, at=entry.parked_at, actor=cashier.user_id, action="ticket.park",
                         subject=entry.park_id, payload={"lines": entry.line_count, "gross": str(entry.gross)})
        self._fresh_ticket()
        return entry

    def parked(self) -> list[ParkedTicket]:
        """The tickets waiting on this till, oldest first."""
        with self.db.reader() as s:
            return [ParkedTicket(r.park_id, r.parked_at, r.parked_by, r.line_count, r.gross)
                    for r in parked_store.waiting(s, self.config.terminal_id)]

    def resume(self, park_id: str) -> Ticket:
        """Bring a parked ticket back as the open ticket, at the prices it was rung up at."""
        cashier = self.signed_in()
        if len(self.ticket):
            raise TicketStillOpen()
        with self.db.transaction() as s:
            body = parked_store.claim(s, park_id, self.clock())
            if body is None:
                raise NotParked()
            ticket = parked.restore(json.loads(body), self.config.tax_mode, self.config.currency,
                                    self.config.discount_limit_pct)
            audit.append(s, at=self.clock(), actor=cashier.user_id, action="ticket.resume", subject=park_id)
        self.ticket, self.resumed_from = ticket, park_id
        return ticket

    # -- quick keys ----------------------------------------------------------------------

    def quick_keys(self) -> list[Item]:
        """The arranged one-tap items still in the catalog, in order."""
        with self.db.reader() as s:
            skus = quick_key_store.arranged(s, self.config.terminal_id)
        items = []
        for sku in skus:
            try:
                item = self.catalog.by_sku(sku)
            except UnknownItem:
                continue  # left the catalog since it was arranged
            if item.active:
                items.append(item)
        return items

    def arrange_quick_keys(self, skus: Sequence[str], approver: ApproverPin | None = None) -> None:
        """A manager's new quick-key layout, kept on this till."""
        by = self.approve(approver, Permission.QUICK_KEYS_ARRANGE, "quick keys")
        for sku in skus:
            self.catalog.by_sku(sku)  # UnknownItem: a key must sell something
        with self.db.transaction() as s:
            quick_key_store.arrange(s, self.config.terminal_id, list(dict.fromkeys(skus)))
            audit.append(s, at=self.clock(), actor=by.user_id, action="quick_keys.arrange",
                         payload={"skus": list(skus)})

    def recover_parked(self) -> int:
        """At start: tickets that were back on the till when it stopped wait again."""
        with self.db.transaction() as s:
            return parked_store.release_all(s, self.config.terminal_id)

    # -- paying --------------------------------------------------------------------------

    def pay(self, tenders: Sequence[TenderInput]) -> CompletedOrder:
        """Take the tenders and commit the sale; on any error nothing is written."""
        cashier = self.signed_in()
        tender_set = self.ticket.tender_set(self.config.cash_rounding or None)
        for t in tenders:
            tender_set.add(t.type, t.amount, _tender_reference(t))
        sale = self.ticket.finish(tender_set, cashier.user_id)
        card_intents = [(t.payment_intent, t.amount) for t in tenders if t.payment_intent]
        completed = commit_sale(self.db, self.config, sale, self.clock(), parked_id=self.resumed_from,
                                card_intents=card_intents)
        crash_point("after_commit")  # durable now; receipt, drawer and sync not yet done
        self._fresh_ticket()
        with about_sale(completed.order_id):  # the receipt's, drawer's, sync's lines name it
            log.info("%s %s committed: %s", sale.kind, completed.receipt_no, sale.totals.gross,
                     extra={"receipt_no": completed.receipt_no, "gross": str(sale.totals.gross),
                            "cashier_id": cashier.user_id})
            for callback in self._after_commit:
                try:
                    callback(completed)
                except Exception:  # the sale is durable: a failed print or wake must not undo it
                    log.exception("after-commit step failed for %s", completed.receipt_no)
        return completed

    # -- internals -----------------------------------------------------------------------

    def _fresh_ticket(self) -> None:
        self.ticket, self.resumed_from = self._new_ticket(), None

    def _new_ticket(self, kind: str = "sale", original_order_id: str | None = None) -> Ticket:
        return Ticket(self.config.tax_mode, self.config.currency, kind=kind,
                      discount_limit_pct=self.config.discount_limit_pct,
                      original_order_id=original_order_id,
                      void_limit=VoidLimit(self.config.void_free_lines, self.config.void_free_amount))

    def _approve(self, approver: ApproverPin | None, permission: Permission,
                 subject: str) -> User | None:
        """As `approve`, but None (not an error) when a cashier acts without the permission:
        the ticket then decides whether the action needs an approval at all."""
        if approver is None and not self.signed_in().can(permission):
            return None
        return self.approve(approver, permission, subject)


def _tender_reference(tender: TenderInput) -> str | None:
    """A card tender without the terminal's data (keyed on a terminal the till does not
    drive) is marked as keyed: the server takes card tenders only with a reference."""
    if tender.type is TenderType.CARD and not tender.reference and not tender.payment_intent:
        return wire.KEYED_CARD_REFERENCE
    return tender.reference
