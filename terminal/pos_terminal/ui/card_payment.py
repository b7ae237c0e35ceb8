"""Paying (or refunding) by card through the payment terminal, as the pay dialog's Card button.

The amount goes to the terminal in an `Operation` (services.card_payments); the terminal's
status ("Insert or tap card", "PIN") shows as it comes (PaymentStatusEvent through the
device bridge); Cancel asks the terminal to stop. Only an approval becomes a tender, with
the terminal's reference and its payment intent, which the sale's commit captures. A card
tender removed again, or a payment dialog left with one, is reversed on the terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from devices.events import PaymentStatusEvent
from pos_terminal.services import TenderInput
from pos_terminal.services.formatting import money

from .errors import describe
from .operations import Operation
from .widgets import BigButton, Level

log = logging.getLogger(__name__)


class CardPaymentDialog(QDialog):
    """One amount to the terminal and back: status while it runs, then the outcome."""

    approved = Signal(object)  # services.card_payments.CardOutcome

    def __init__(self, cards: Any, amount: Decimal, currency: Any, *, refund: bool = False,
                 original_order_id: str | None = None, bridge: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards, self.amount, self.refund, self.original_order_id = cards, amount, refund, original_order_id
        self.outcome: Any = None
        self.operation: Operation[Any] | None = None
        self.setWindowTitle(self.tr("Card refund") if refund else self.tr("Card payment"))
        self.setModal(True)
        self.setMinimumSize(520, 320)
        self.amount_label = QLabel((self.tr("Refund to card: {amount}") if refund else self.tr("Card: {amount}"))
                                   .format(amount=money(amount, currency)))
        self.amount_label.setStyleSheet("font-size:24px; font-weight:bold;")
        self.status = QLabel(self.tr("Sending the amount to the card terminal..."))
        self.status.setObjectName("card_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size:20px;")
        self.cancel_button = BigButton(self.tr("Cancel card payment"))
        self.cancel_button.setObjectName("card_cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = BigButton(self.tr("Close"))
        self.close_button.setObjectName("card_close")
        self.close_button.clicked.connect(self.reject)
        self.close_button.hide()
        layout = QVBoxLayout(self)
        for w in (self.amount_label, self.status, self.cancel_button, self.close_button):
            layout.addWidget(w)
        self._texts = self._status_texts()
        if bridge is not None:
            bridge.any_event.connect(self._on_device_event)

    def start(self) -> None:
        if self.refund:
            work = lambda: self.cards.refund_for_order(self.amount, self.original_order_id)  # noqa: E731
        else:
            work = lambda: self.cards.pay(self.amount)  # noqa: E731
        self.operation = Operation(work).success(self._finished).failure(self._failed).run_in_background()

    def cancel(self) -> None:
        """Ask the terminal to stop; what it did is what the running call reports."""
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling at the terminal..."))
        Operation(self.cards.cancel).failure(lambda exc: log.warning("cancel failed: %s", exc)).run_in_background()

    def reject(self) -> None:
        if self.operation is None:  # never walk away while the terminal may be taking money
            super().reject()

    # -- outcome ----------------------------------------------------------------------
    def _finished(self, outcome: Any) -> None:
        self.operation, self.outcome = None, outcome
        if outcome.approved:
            self.approved.emit(outcome)
            self.accept()
            return
        self._show_end(self.tr("Not paid: {reason}").format(reason=outcome.message))

    def _failed(self, exc: BaseException) -> None:
        self.operation = None
        self._show_end(describe(exc))

    def _show_end(self, text: str) -> None:
        self.status.setText(text)
        self.cancel_button.hide()
        self.close_button.show()

    def _on_device_event(self, event: object) -> None:
        if isinstance(event, PaymentStatusEvent) and self.operation is not None:
            self.status.setText(self._texts.get(event.code, event.text))

    def _status_texts(self) -> dict[int, str]:
        pin = self.tr("Customer: please enter the PIN")
        wait = self.tr("Please wait...")
        return {0x0A: self.tr("Customer: insert or tap the card"), 0x01: pin, 0x02: pin,
                0x04: self.tr("Waiting for the card issuer..."), 0x0B: self.tr("Customer: please remove the card"),
                0x0E: wait, 0x17: wait, 0x15: self.tr("Wrong PIN"), 0x1D: self.tr("Declined")}


class CardFlow:
    """What the pay dialog's Card button does when a payment terminal is attached."""

    def __init__(self, cards: Any, currency: Any, *, refund: bool = False, original_order_id: str | None = None,
                 bridge: Any = None, parent: QWidget | None = None) -> None:
        self.cards, self.currency, self.refund = cards, currency, refund
        self.original_order_id, self.bridge, self.parent = original_order_id, bridge, parent
        self.dialog: CardPaymentDialog | None = None  # the one open last (tests reach it here)

    def pay(self, amount: Decimal, on_approved: Callable[[TenderInput], None]) -> CardPaymentDialog:
        dialog = CardPaymentDialog(self.cards, amount, self.currency, refund=self.refund,
                                   original_order_id=self.original_order_id, bridge=self.bridge, parent=self.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        dialog.approved.connect(lambda outcome: on_approved(outcome.tender()))
        self.dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

    def release(self, tender: TenderInput) -> None:
        """A card tender taken off again before the sale committed: pay it back."""
        if tender.payment_intent is None or self.refund:
            return
        intent = tender.payment_intent
        Operation(lambda: self.cards.release(intent)) \
            .failure(lambda exc: log.error("card payment %s could not be reversed: %s", intent, exc)) \
            .run_in_background()


def attach_card_flow(pay_dialog: Any, cards: Any, bridge: Any = None) -> CardFlow:
    """Make `pay_dialog`'s Card button go through the terminal."""
    till = pay_dialog.till
    flow = CardFlow(cards, till.config.currency, refund=pay_dialog.refund,
                    original_order_id=till.ticket.original_order_id, bridge=bridge, parent=pay_dialog)
    pay_dialog.card_flow = flow
    return flow


def card_check_text(check: Any, currency: Any) -> tuple[Level, str]:
    """The card terminal's End-of-Day against the Z, in the manager's words."""
    tr = lambda text: QCoreApplication.translate("CardEndOfDay", text)  # noqa: E731
    if check.terminal_total is None:
        return Level.ERROR, tr("Card terminal end of day failed: {reason}").format(reason=check.error or "")
    if check.difference == 0:
        return Level.INFO, tr("Card terminal end of day: {amount}, matches the card payments").format(
            amount=money(check.terminal_total, currency))
    return Level.ERROR, tr("Card terminal end of day: {terminal} but the till has {till} by card "
                           "(difference {difference})").format(
        terminal=money(check.terminal_total, currency), till=money(check.till_total, currency),
        difference=money(check.difference, currency))
