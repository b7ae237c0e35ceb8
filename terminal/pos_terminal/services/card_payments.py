"""Card payments through the payment terminal, so that a customer is never charged twice
nor charged for a sale that was not recorded.

Every payment, refund and reversal is a payment intent (store.payments, rules in
core.card_payment), committed before the terminal hears of it. The sale captures its
approvals in its own transaction (services.checkout). Whenever the till does not know
how a terminal transaction ended (a crash, a lost link, a damaged answer) it asks the
terminal for its last transaction (Repeat Receipt, 06 20) before anyone may pay by card
again: an approval that reached no sale is reversed, one whose sale is still on the
screen is handed back to it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from devices.payment import OutcomeUnknown, PaymentError, TerminalRefused, TerminalResult, TerminalUnavailable
from pos_terminal.core.card_payment import (
    IntentKind, IntentState, RefundRoute, TerminalRecord, proves_outcome_of, refund_route, tender_reference,
)
from pos_protocol import wire
from pos_terminal.core.sale import TenderType
from pos_terminal.store import payments
from pos_terminal.store.db import Database
from pos_terminal.store.models import PaymentIntentRow

from .till import TenderInput

log = logging.getLogger(__name__)

RESULT_ALREADY_REVERSED = 0xB4


class CardTerminal(Protocol):
    """What this service asks of the payment terminal (devices.payment.PaymentTerminal)."""

    def authorise(self, amount: Decimal, before_send: Callable[[], None] | None = None) -> TerminalResult: ...
    def refund(self, amount: Decimal, before_send: Callable[[], None] | None = None) -> TerminalResult: ...
    def reverse(self, receipt_no: int, before_send: Callable[[], None] | None = None) -> TerminalResult: ...
    def repeat_receipt(self) -> TerminalResult: ...
    def end_of_day(self) -> TerminalResult: ...
    def abort(self) -> bool: ...


class CardPaymentBlocked(RuntimeError):
    """An earlier card transaction is not settled yet; nobody may pay by card until it is."""


@dataclass(frozen=True)
class CardOutcome:
    intent_id: str
    kind: IntentKind
    state: IntentState
    amount: Decimal
    message: str
    reference: str | None = None
    receipts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.state == IntentState.APPROVED

    def tender(self) -> TenderInput:
        """The card tender the sale (or return) records; its commit captures this approval."""
        if not self.approved:
            raise ValueError(f"card {self.kind.value} of {self.amount} was {self.state.value}, not approved")
        return TenderInput(TenderType.CARD, self.amount, self.reference, self.intent_id)


@dataclass(frozen=True)
class EndOfDayCheck:
    """The terminal's End-of-Day against the card tenders of the drawer session."""

    terminal_total: Decimal
    terminal_count: int
    till_total: Decimal

    @property
    def difference(self) -> Decimal:
        return self.terminal_total - self.till_total

    @property
    def matches(self) -> bool:
        return self.difference == 0


def _record(result: TerminalResult) -> TerminalRecord | None:
    s = result.status
    if s is None:
        return None
    return TerminalRecord(s.approved, s.amount, s.receipt_no, s.trace_no, s.auth_code, s.masked_pan)


def _receipts(result: TerminalResult) -> dict[str, list[str]]:
    return {r.copy: list(r.lines) for r in result.receipts}


class CardPayments:
    def __init__(self, db: Database, terminal_id: str, terminal: CardTerminal,
                 clock: Callable[[], datetime]) -> None:
        self.db, self.terminal_id, self.terminal, self.clock = db, terminal_id, terminal, clock
        # approvals handed to a sale still on the screen (this process): not orphans
        self._on_screen: set[str] = set()
        self._lock = threading.Lock()

    # -- the cashier's use cases ------------------------------------------------------
    def pay(self, amount: Decimal) -> CardOutcome:
        """Take `amount` by card. Raises CardPaymentBlocked while an earlier transaction
        cannot be settled (the terminal is unreachable to ask); otherwise says how it ended."""
        with self._lock:
            self._recover()
            intent = self._create(IntentKind.PAYMENT, amount)
            outcome = self._run(intent, lambda before: self.terminal.authorise(amount, before))
            if outcome.approved:
                self._on_screen.add(outcome.intent_id)
            return outcome

    def cancel(self) -> bool:
        """The cashier's Cancel while the terminal waits for the card (06 B0)."""
        return self.terminal.abort()

    def release(self, intent_id: str) -> CardOutcome:
        """The sale an approval was taken for is abandoned: give the customer's money back."""
        with self._lock:
            self._on_screen.discard(intent_id)
            with self.db.reader() as s:
                row = payments.get(s, intent_id)
            return self._reverse_orphan(row)

    def refund(self, amount: Decimal, original_intent_id: str | None = None) -> CardOutcome:
        """Money back to the card: a Reversal of the whole payment while it is in the
        terminal's open batch, else a Refund (the customer presents the card)."""
        with self._lock:
            self._recover()
            original = self._original(original_intent_id)
            route = refund_route(original is not None and original.amount == amount,
                                 original is not None and self._same_batch(original))
            if route == RefundRoute.REVERSAL:
                intent = self._create(IntentKind.REVERSAL, amount, reverses=original.intent_id)
                receipt_no = original.terminal_receipt_no
                return self._run(intent, lambda before: self.terminal.reverse(receipt_no, before))
            intent = self._create(IntentKind.REFUND, amount, reverses=original_intent_id)
            return self._run(intent, lambda before: self.terminal.refund(amount, before))

    def refund_for_order(self, amount: Decimal, original_order_id: str | None) -> CardOutcome:
        """A return's card refund: back onto the card payment of the original sale, if any."""
        original = None
        if original_order_id is not None:
            with self.db.reader() as s:
                original = next((row.intent_id for row in payments.captured_in(s, original_order_id)
                                 if row.kind == IntentKind.PAYMENT.value), None)
        return self.refund(amount, original)

    def receipt_lines(self, order_id: str, copies: tuple[str, ...]) -> tuple[str, ...]:
        """The terminal's receipt copies (as configured) of the card tenders of an order,
        to print below ours."""
        with self.db.reader() as s:
            rows = payments.captured_in(s, order_id)
        lines: list[str] = []
        for row in rows:
            printed = json.loads(row.receipt_lines) if row.receipt_lines else {}
            for copy in copies:
                if printed.get(copy):
                    lines += ["", *printed[copy]]
        return tuple(lines)

    def end_of_day_for_z(self, till_card_total: Decimal) -> wire.ZCardTerminal:
        """The terminal's End-of-Day for the Z report (services.drawer.close_day): the Z
        closes even when the terminal cannot, and then says why."""
        try:
            check = self.end_of_day(till_card_total)
        except CardPaymentBlocked as exc:
            log.warning("Z without the card terminal's end of day: %s", exc)
            return wire.ZCardTerminal(till_total=till_card_total, error=str(exc)[:200])
        return wire.ZCardTerminal(terminal_total=check.terminal_total, terminal_count=check.terminal_count,
                                  till_total=check.till_total, difference=check.difference)

    def recover(self) -> list[CardOutcome]:
        """Settle every card transaction whose end the till does not know (on start, and
        before each card payment). Raises CardPaymentBlocked if the terminal cannot be asked."""
        with self._lock:
            return self._recover()

    def end_of_day(self, till_card_total: Decimal) -> EndOfDayCheck:
        """The terminal's End-of-Day (06 50), compared with the card tenders of the session."""
        with self._lock:
            self._recover()
            intent = self._create(IntentKind.END_OF_DAY, Decimal("0.00"))
            self._move(intent.intent_id, IntentState.SENT)
            try:
                result = self.terminal.end_of_day()
            except PaymentError as exc:
                self._move(intent.intent_id, IntentState.ABORTED, message=str(exc))
                raise CardPaymentBlocked(f"the card terminal's end of day failed: {exc}") from exc
            totals = result.status.totals if result.status else None
            if not result.approved or totals is None:
                self._move(intent.intent_id, IntentState.DECLINED, message=result.message)
                raise CardPaymentBlocked(f"the card terminal's end of day failed: {result.message}")
            with self.db.transaction() as s:
                row = payments.move(s, intent.intent_id, IntentState.APPROVED, self.clock(),
                                    message=f"till {till_card_total}", receipts=_receipts(result))
                row.amount = totals.total
            return EndOfDayCheck(totals.total, totals.count, till_card_total)

    # -- internals ----------------------------------------------------------------------
    def _create(self, kind: IntentKind, amount: Decimal, reverses: str | None = None) -> PaymentIntentRow:
        with self.db.transaction() as s:  # committed before the terminal hears a byte
            return payments.create(s, self.terminal_id, kind, amount, self.clock(), reverses)

    def _move(self, intent_id: str, state: IntentState, **details: object) -> PaymentIntentRow:
        with self.db.transaction() as s:
            return payments.move(s, intent_id, state, self.clock(), **details)  # type: ignore[arg-type]

    def _run(self, intent: PaymentIntentRow, command: Callable[[Callable[[], None]], TerminalResult]) -> CardOutcome:
        mark_sent = lambda: self._move(intent.intent_id, IntentState.SENT)  # noqa: E731
        try:
            result = command(mark_sent)
        except (TerminalUnavailable, TerminalRefused) as exc:
            self._move(intent.intent_id, IntentState.ABORTED, message=str(exc))
            return self._outcome(intent.intent_id, f"card terminal: {exc}")
        except OutcomeUnknown as exc:
            log.warning("card %s %s: outcome unknown (%s); asking the terminal", intent.kind, intent.intent_id, exc)
            self._recover(current=intent.intent_id)
            return self._outcome(intent.intent_id)
        return self._settle(intent.intent_id, result)

    def _settle(self, intent_id: str, result: TerminalResult) -> CardOutcome:
        record = _record(result)
        if result.approved:
            state, message = IntentState.APPROVED, "approved"
        else:
            state = IntentState.ABORTED if result.outcome.value == "aborted" else IntentState.DECLINED
            message = result.message
        with self.db.transaction() as s:
            row = payments.move(s, intent_id, state, self.clock(), record=record, result_code=result.result_code,
                                message=message, receipts=_receipts(result))
            if state == IntentState.APPROVED and row.kind == IntentKind.REVERSAL.value and row.reverses_intent_id:
                payments.move(s, row.reverses_intent_id, IntentState.REVERSED, self.clock())
        return self._outcome(intent_id)

    def _outcome(self, intent_id: str, message: str | None = None) -> CardOutcome:
        with self.db.reader() as s:
            row = payments.get(s, intent_id)
        reference = None
        if row.intent_state in (IntentState.APPROVED.value, IntentState.CAPTURED.value):
            reference = tender_reference(TerminalRecord(True, row.amount, row.terminal_receipt_no, row.trace_no,
                                                        row.auth_code, row.masked_pan))
        receipts = json.loads(row.receipt_lines) if row.receipt_lines else {}
        return CardOutcome(row.intent_id, IntentKind(row.kind), IntentState(row.intent_state), row.amount,
                           message or row.message or row.intent_state, reference, receipts)

    def _recover(self, current: str | None = None) -> list[CardOutcome]:
        """Settle what is unresolved; returns each intent touched, as it ended."""
        settled: list[str] = []
        # First what may be running on the terminal (at most one: nobody pays meanwhile)...
        for row in self._unresolved():
            if row.intent_state == IntentState.CREATED.value:
                # committed, and the crash came before "sent": no byte reached the terminal
                self._move(row.intent_id, IntentState.ABORTED, message="never sent to the terminal")
                settled.append(row.intent_id)
            elif row.intent_state == IntentState.SENT.value:
                self._ask_terminal(row)
                settled.append(row.intent_id)
        # ...then approvals no sale holds, whose reversal may just have been settled above.
        for row in self._unresolved():
            if (row.intent_state == IntentState.APPROVED.value and row.kind == IntentKind.PAYMENT.value
                    and row.intent_id not in self._on_screen and row.intent_id != current):
                # approved, but the cashier never saw it (a crash, or a pay() that failed):
                # no sale will hold it, so the customer gets the money back
                self._reverse_orphan(row)
                settled.append(row.intent_id)
        return [self._outcome(i) for i in dict.fromkeys(settled)]

    def _unresolved(self) -> list[PaymentIntentRow]:
        with self.db.reader() as s:
            return payments.unresolved(s, self.terminal_id)

    def _ask_terminal(self, row: PaymentIntentRow) -> None:
        """A transaction that may have run: the terminal's last transaction says how it ended."""
        try:
            last = self.terminal.repeat_receipt()
        except PaymentError as exc:
            raise CardPaymentBlocked(
                f"the card {row.kind} of {row.amount} could not be checked with the terminal ({exc}); "
                "no card payment until it can") from exc
        with self.db.reader() as s:
            known = payments.known_terminal_receipts(s, self.terminal_id, besides=row.intent_id)
        record = _record(last)
        if proves_outcome_of(row.amount, record, known):
            self._settle(row.intent_id, last)
        else:
            self._move(row.intent_id, IntentState.ABORTED, message="the terminal has no record of it")

    def _reverse_orphan(self, row: PaymentIntentRow) -> CardOutcome:
        """An approval no sale holds: the customer paid for nothing, so pay it back."""
        if row.terminal_receipt_no is None:
            raise CardPaymentBlocked(f"card payment {row.intent_id} has no terminal receipt number to reverse")
        reversal = self._create(IntentKind.REVERSAL, row.amount, reverses=row.intent_id)
        outcome = self._run(reversal, lambda before: self.terminal.reverse(row.terminal_receipt_no, before))
        if outcome.state == IntentState.DECLINED and self._result_code(reversal.intent_id) == RESULT_ALREADY_REVERSED:
            self._move(row.intent_id, IntentState.REVERSED, message="already reversed on the terminal")
        elif not outcome.approved:
            raise CardPaymentBlocked(
                f"the card payment of {row.amount} (terminal receipt {row.terminal_receipt_no}) reached no sale "
                f"and could not be reversed: {outcome.message}; refund it to the card")
        return outcome

    def _result_code(self, intent_id: str) -> int | None:
        with self.db.reader() as s:
            return payments.get(s, intent_id).result_code

    def _original(self, intent_id: str | None) -> PaymentIntentRow | None:
        if intent_id is None:
            return None
        with self.db.reader() as s:
            return payments.get(s, intent_id)

    def _same_batch(self, original: PaymentIntentRow) -> bool:
        with self.db.reader() as s:
            closed = payments.last_end_of_day(s, self.terminal_id)
        return original.terminal_receipt_no is not None and (closed is None or original.created_at > closed)
