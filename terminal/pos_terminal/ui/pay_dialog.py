"""Paying the ticket: split tenders, what remains, change, cash rounding, quick cash.

A local `TenderSet` (the core's own) previews every tender as it is added, so the screen
shows exactly what the till will compute; the sale itself commits through `Till.pay` in
an `Operation` off the GUI thread. While it is in flight every button is disabled and the
dialog cannot be closed, so a double tap can't sell twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.money import MoneyError
from pos_terminal.core.sale import TenderType
from pos_terminal.core.tenders import TenderError, TenderSet
from pos_terminal.services import CompletedOrder, TenderInput, Till

from .errors import describe
from pos_terminal.services.formatting import money, parse_amount
from .operations import Operation
from .widgets import BigButton, Keypad

NOTES = (Decimal(5), Decimal(10), Decimal(20), Decimal(50), Decimal(100), Decimal(200))


class PayDialog(QDialog):
    committed = Signal(object)  # CompletedOrder, on the GUI thread

    def __init__(self, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.till = till
        self.currency = till.config.currency
        self.refund = till.ticket.kind == "return"
        self.setWindowTitle(self.tr("Refund") if self.refund else self.tr("Payment"))
        self.setModal(True)
        self.setMinimumSize(900, 640)
        self.tenders: list[TenderInput] = []
        self.operation: Operation[CompletedOrder] | None = None
        self.order: CompletedOrder | None = None
        self._preview = self._new_preview()
        self.card_flow: Any = None  # ui.card_payment.CardFlow: the Card button drives the terminal

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_tender_page())
        self.pages.addWidget(self._build_done_page())
        QVBoxLayout(self).addWidget(self.pages)
        self._refresh()

    # -- building ---------------------------------------------------------------------

    def _build_tender_page(self) -> QWidget:
        page = QWidget()
        self.total_label = QLabel()
        self.remaining_label = QLabel()
        self.remaining_label.setObjectName("remaining")
        self.cash_due_label = QLabel()
        self.change_label = QLabel()
        for label in (self.total_label, self.remaining_label, self.change_label):
            label.setStyleSheet("font-size:20px; font-weight:bold;")
        self.error = QLabel()
        self.error.setObjectName("pay_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.tender_list = QListWidget()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("Amount (empty: what is due)"))
        self.amount.setMinimumHeight(48)
        self.amount.setStyleSheet("font-size:20px;")
        self.tender_list.setStyleSheet("font-size:16px;")

        self.tender_buttons = {
            TenderType.CASH: BigButton(self.tr("Cash")),
            TenderType.CARD: BigButton(self.tr("Card")),
            TenderType.VOUCHER: BigButton(self.tr("Voucher")),
            TenderType.OTHER: BigButton(self.tr("Other")),
        }
        for kind, button in self.tender_buttons.items():
            button.setObjectName(f"tender_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.add_tender(k))
        self.quick_row = QHBoxLayout()
        self.remove_button = BigButton(self.tr("Remove last tender"))
        self.remove_button.clicked.connect(self.remove_last)
        self.complete_button = BigButton(self.tr("Complete refund") if self.refund else self.tr("Complete sale"))
        self.complete_button.setObjectName("complete")
        self.complete_button.setStyleSheet("background:#2e7d32; color:white; font-weight:bold;")
        self.complete_button.clicked.connect(self.complete)
        self.cancel_button = BigButton(self.tr("Back to ticket"))
        self.cancel_button.clicked.connect(self.reject)

        tender_grid = QGridLayout()
        for i, button in enumerate(self.tender_buttons.values()):
            tender_grid.addWidget(button, i // 2, i % 2)
        left = QVBoxLayout()
        for w in (self.total_label, self.remaining_label, self.cash_due_label, self.change_label,
                  self.tender_list, self.error):
            left.addWidget(w)
        right = QVBoxLayout()
        right.addWidget(self.amount)
        right.addWidget(Keypad(self.amount, page, decimal_point=True))
        right.addLayout(self.quick_row)
        right.addLayout(tender_grid)
        bottom = QHBoxLayout()
        for w in (self.cancel_button, self.remove_button, self.complete_button):
            bottom.addWidget(w)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(columns)
        layout.addLayout(bottom)
        return page

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        self.receipt_label = QLabel()
        self.receipt_label.setObjectName("receipt_no")
        self.done_change_label = QLabel()
        self.done_change_label.setObjectName("done_change")
        for label in (self.receipt_label, self.done_change_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("font-size:28px; font-weight:bold;")
        self.next_button = BigButton(self.tr("Next customer"))
        self.next_button.setObjectName("next_customer")
        self.next_button.clicked.connect(self.accept)
        layout = QVBoxLayout(page)
        for w in (self.receipt_label, self.done_change_label, self.next_button):
            layout.addWidget(w)
        return page

    # -- tenders ----------------------------------------------------------------------

    def add_tender(self, kind: TenderType, amount_text: str | None = None) -> None:
        text = (self.amount.text() if amount_text is None else amount_text).strip()
        try:
            amount = parse_amount(text, self.currency) if text else self._default_amount(kind)
            self._preview.add(kind, amount)
        except (TenderError, MoneyError) as exc:
            self.error.setText(describe(exc))
            return
        if kind is TenderType.CARD and self.card_flow is not None:
            self._rebuild_preview()  # checked; it becomes a tender only once the terminal approves
            self.card_flow.pay(amount, self._add_approved)
            return
        self._add_approved(TenderInput(kind, amount), previewed=True)

    def _add_approved(self, tender: TenderInput, previewed: bool = False) -> None:
        if not previewed:
            self._preview.add(tender.type, tender.amount, tender.reference)
        self.tenders.append(tender)
        self.amount.clear()
        self.error.clear()
        self._refresh()

    def remove_last(self) -> None:
        if self.tenders:
            removed = self.tenders.pop()
            if removed.payment_intent and self.card_flow is not None:
                self.card_flow.release(removed)  # the terminal pays it back
            self._rebuild_preview()
            self._refresh()

    def _rebuild_preview(self) -> None:
        self._preview = self._new_preview()
        for t in self.tenders:
            self._preview.add(t.type, t.amount, t.reference)

    def _default_amount(self, kind: TenderType) -> Decimal:
        return self._preview.cash_due if kind is TenderType.CASH else self._preview.remaining

    def _new_preview(self) -> TenderSet:
        return self.till.ticket.tender_set(self.till.config.cash_rounding or None)

    # -- committing -------------------------------------------------------------------

    def complete(self) -> None:
        if self.operation is not None or not self._preview.is_complete:
            return  # a second tap while the first commit runs does nothing
        tenders = tuple(self.tenders)
        self._set_busy(True)
        self.operation = Operation(lambda: self.till.pay(tenders)) \
            .success(self._committed).failure(self._failed).run_in_background()

    def _committed(self, order: CompletedOrder) -> None:
        self.order = order
        self.receipt_label.setText(self.tr("Receipt {receipt}").format(receipt=order.receipt_no))
        self.done_change_label.setText(self.tr("Change: {amount}").format(
            amount=money(order.sale.change_given, self.currency)))
        self.pages.setCurrentIndex(1)
        self.committed.emit(order)

    def _failed(self, exc: BaseException) -> None:
        self.operation = None
        self._set_busy(False)
        self.error.setText(describe(exc))

    def _set_busy(self, busy: bool) -> None:
        for button in (*self.tender_buttons.values(), self.remove_button, self.complete_button,
                       self.cancel_button):
            button.setEnabled(not busy)
        if not busy:
            self._refresh()

    def reject(self) -> None:
        if self.operation is None:  # never walk away from a sale that is committing
            if self.order is None and self.card_flow is not None:
                for tender in self.tenders:  # card approvals this sale will never hold
                    self.card_flow.release(tender)
            super().reject()

    # -- display ----------------------------------------------------------------------

    def _refresh(self) -> None:
        p, fmt = self._preview, lambda v: money(v, self.currency)
        self.total_label.setText(self.tr("Total: {amount}").format(amount=fmt(p.amount_due)))
        self.remaining_label.setText(self.tr("Remaining: {amount}").format(amount=fmt(p.remaining)))
        rounding = p.cash_due != p.remaining
        self.cash_due_label.setText(self.tr("Cash due (rounded): {amount}").format(amount=fmt(p.cash_due))
                                    if rounding else "")
        self.change_label.setText(self.tr("Change: {amount}").format(amount=fmt(p.change_due)))
        self.tender_list.clear()
        for t in p.tenders:
            name = self.tr("Cash rounding") if t.is_cash_rounding else self.tender_buttons[t.type].text()
            self.tender_list.addItem(f"{name}  {fmt(t.amount)}")
        self.complete_button.setEnabled(p.is_complete and self.operation is None)
        for button in self.tender_buttons.values():
            button.setEnabled(not p.is_complete and self.operation is None)
        self._quick_cash(p)

    def _quick_cash(self, p: TenderSet) -> None:
        while self.quick_row.count():
            widget = self.quick_row.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # at once: deleteLater only runs when the event loop gets to it
                widget.deleteLater()
        if p.is_complete:
            return
        due = p.cash_due
        amounts = [due] + [n for n in NOTES if n > due][:3]
        for amount in amounts:
            label = self.tr("Exact {amount}").format(amount=money(amount, self.currency)) if amount == due \
                else money(amount, self.currency)
            button = BigButton(label)
            button.setObjectName(f"quick_{self.currency.format(amount)}")
            button.clicked.connect(lambda _=False, a=amount: self.add_tender(
                TenderType.CASH, self.currency.format(a)))
            self.quick_row.addWidget(button)
