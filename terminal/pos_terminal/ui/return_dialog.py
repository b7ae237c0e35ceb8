"""Returns: look up the receipt (a manager approves the refund), list what can still be
returned, choose quantities. The return becomes the open ticket and is paid out with Pay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.money import to_decimal
from pos_terminal.core.sale import SaleLine
from pos_terminal.services import Services
from pos_terminal.services.returns import FoundReceipt, ReceiptLookupOffline, receipt_example

from .approval import ApprovalDialog
from .errors import describe
from .operations import Operation
from pos_terminal.services.formatting import date_time, money, quantity
from .widgets import BigButton, Keypad


class ReturnDialog(QDialog):
    ticket_changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr("Return"))
        self.setModal(True)
        self.approval: ApprovalDialog | None = None
        self.operation: Operation[Any] | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._lookup_page())
        self.pages.addWidget(self._lines_page())
        QVBoxLayout(self).addWidget(self.pages)

    def _lookup_page(self) -> QWidget:
        page = QWidget()
        prompt = QLabel(self.tr("Scan the QR code on the receipt, or type the receipt number"))
        prompt.setWordWrap(True)
        prompt.setStyleSheet("font-size:17px; font-weight:bold;")
        self.receipt = QLineEdit()
        self.receipt.setObjectName("receipt_lookup")
        self.receipt.setMinimumHeight(52)
        font = self.receipt.font()
        font.setPointSize(18)
        self.receipt.setFont(font)
        self.receipt.setPlaceholderText(self.tr("Receipt number, e.g. 42"))
        self.receipt.returnPressed.connect(self.look_up)
        hint = QLabel(self.tr("The short number is the part after the dash: 42 for {example}.").format(
            example=receipt_example(self.services.config.terminal_id)))
        hint.setWordWrap(True)
        self.found = QLabel()
        self.found.setObjectName("receipt_found")
        self.found.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.keypad = Keypad(self.receipt, page)
        self.keypad.setFixedWidth(300)
        self.look_up_button = _button(self.tr("Look up"))
        blind, cancel = _button(self.tr("Return without receipt")), _button(self.tr("Cancel"))
        self.blind_button = blind  # the default once a lookup finds the server away
        self.look_up_button.clicked.connect(self.look_up)
        blind.clicked.connect(self.blind)
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        for b in (cancel, blind, self.look_up_button):
            row.addWidget(b)
        layout = QVBoxLayout(page)
        for w in (prompt, self.receipt, hint, self.found, self.error):
            layout.addWidget(w)
        layout.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(row)
        return page

    def _lines_page(self) -> QWidget:
        page = QWidget()
        self.lines = QListWidget()
        self.lines.setStyleSheet("font-size:16px;")
        self.qty = QLineEdit()
        self.qty.setPlaceholderText(self.tr("Quantity (empty: all that is left)"))
        self.line_error = QLabel()
        self.line_error.setWordWrap(True)
        self.line_error.setStyleSheet("color:#8a1010; font-weight:bold;")
        add, done = _button(self.tr("Return selected line")), _button(self.tr("Done"))
        add.clicked.connect(self.add_selected)
        done.clicked.connect(self.accept)
        right = QVBoxLayout()
        keypad = Keypad(self.qty, page, decimal_point=True)
        keypad.setFixedWidth(300)
        for w in (self.qty, keypad, self.line_error, add, done):
            right.addWidget(w)
        right.addStretch(1)
        layout = QHBoxLayout(page)
        layout.addWidget(self.lines, 2)
        layout.addLayout(right, 1)
        return page

    # -- starting ---------------------------------------------------------------------

    def take_scan(self, code: str) -> bool:
        """A scanner's code while this dialog is open: a receipt's QR code is looked up."""
        if self.pages.currentIndex() != 0:
            return False
        self.receipt.setText(code)
        self.look_up()
        return True

    def look_up(self) -> None:
        """Find the receipt first (off the GUI thread); only a receipt that exists goes to
        a manager for the refund's approval."""
        text = self.receipt.text().strip()
        if not text:
            self.error.setText(self.tr("Enter the receipt number."))
            return
        if len(self.services.till.ticket):
            self.error.setText(self.tr("Finish or cancel the open ticket before a return."))
            return
        self.error.clear()
        self.found.setText(self.tr("Looking for receipt {receipt}…").format(receipt=text))
        self.look_up_button.setEnabled(False)
        self.operation = Operation(lambda: self.services.returns.find(text)) \
            .success(self._found).failure(self._not_found) \
            .finally_(lambda: self.look_up_button.setEnabled(True)).run_in_background()

    def _found(self, receipt: FoundReceipt) -> None:
        currency = self.services.config.currency
        sold = date_time(receipt.created_at, ZoneInfo(self.services.config.time_zone))
        self.found.setText(self.tr("Receipt {receipt}: sold {when}, total {total}, lines on it: {lines}").format(
            receipt=receipt.receipt_no, when=sold, lines=receipt.line_count, total=money(receipt.gross, currency)))
        details = [(self.tr("Receipt"), receipt.receipt_no), (self.tr("Sold"), sold),
                   (self.tr("Total of the sale"), money(receipt.gross, currency))]
        self._approve(self.tr("Refund against receipt {receipt}").format(receipt=receipt.receipt_no),
                      lambda a: self.services.returns.start(receipt.receipt_no, a), show_lines=True,
                      details=details)

    def _not_found(self, exc: BaseException) -> None:
        self.found.clear()
        self.error.setText(describe(exc))
        if isinstance(exc, ReceiptLookupOffline):  # another till's receipt, server away: offer the blind return
            self.blind_button.setDefault(True)
        self.receipt.selectAll()
        self.receipt.setFocus()

    def blind(self) -> None:
        self._approve(self.tr("Return without a receipt"),
                      lambda a: self.services.returns.start_blind(a), show_lines=False)

    def _approve(self, purpose: str, action, *, show_lines: bool,  # type: ignore[no-untyped-def]
                 details: list[tuple[str, str]] | None = None) -> None:
        if len(self.services.till.ticket):
            self.error.setText(self.tr("Finish or cancel the open ticket before a return."))
            return
        self.approval = ApprovalDialog(purpose, action, self, details=details or (),
                                       signed_in=self.services.till.cashier)
        self.approval.accepted.connect(lambda: self._started(show_lines))
        self.approval.open()

    def _started(self, show_lines: bool) -> None:
        self.ticket_changed.emit()
        if not show_lines:
            self.accept()  # a blind return is rung up like a sale
            return
        self._fill_lines()
        self.pages.setCurrentIndex(1)

    # -- lines ------------------------------------------------------------------------

    def _fill_lines(self) -> None:
        self.lines.clear()
        sold = {line.line_no: line for line in self._original_lines()}
        currency = self.services.config.currency
        for line_no, left in sorted(self.services.returns.returnable().items()):
            line = sold.get(line_no)
            text = (f"{line_no}. {line.description}  " + self.tr("{left} of {sold} left, {amount}").format(
                left=quantity(left, line.unit), sold=quantity(line.qty, line.unit),
                amount=money(line.line_total, currency))) if line else str(line_no)
            row = QListWidgetItem(text)
            row.setData(Qt.ItemDataRole.UserRole, line_no)
            self.lines.addItem(row)

    def _original_lines(self) -> tuple[SaleLine, ...]:
        try:
            return self.services.returns.original_lines()
        except LookupError:  # a blind return has no receipt
            return ()

    def add_selected(self) -> None:
        row = self.lines.currentItem()
        if row is None:
            self.line_error.setText(self.tr("Choose a line first."))
            return
        try:
            qty: Decimal | None = to_decimal(self.qty.text(), "quantity") if self.qty.text().strip() else None
            self.services.returns.add(row.data(Qt.ItemDataRole.UserRole), qty)
        except Exception as exc:  # noqa: BLE001 - shown; the return ticket is unchanged
            self.line_error.setText(describe(exc))
            return
        self.qty.clear()
        self.line_error.clear()
        self.ticket_changed.emit()
        self._fill_lines()


def _button(text: str) -> BigButton:
    """A touch button that keeps its height: the dialog fits its content, nothing stretches."""
    button = BigButton(text)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button
