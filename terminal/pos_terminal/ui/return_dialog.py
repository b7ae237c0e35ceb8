"""Returns: look up the receipt (a manager approves the refund), list what can still be
returned, choose quantities. The return becomes the open ticket and is paid out with Pay."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.money import to_decimal
from pos_terminal.core.sale import SaleLine
from pos_terminal.services import Services
from pos_terminal.services.returns import ReceiptLookupOffline

from .approval import ApprovalDialog
from .errors import describe
from pos_terminal.services.formatting import money, quantity
from .widgets import BigButton, Keypad


class ReturnDialog(QDialog):
    ticket_changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr("Return"))
        self.setModal(True)
        self.approval: ApprovalDialog | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._lookup_page())
        self.pages.addWidget(self._lines_page())
        QVBoxLayout(self).addWidget(self.pages)

    def _lookup_page(self) -> QWidget:
        page = QWidget()
        self.receipt = QLineEdit()
        self.receipt.setObjectName("receipt_lookup")
        self.receipt.setPlaceholderText(self.tr("Receipt number"))
        self.receipt.returnPressed.connect(self.look_up)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        look_up, blind, cancel = (BigButton(self.tr("Look up")), BigButton(self.tr("Return without receipt")),
                                  BigButton(self.tr("Cancel")))
        self.blind_button = blind
        look_up.clicked.connect(self.look_up)
        blind.clicked.connect(self.blind)
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        for b in (cancel, blind, look_up):
            row.addWidget(b)
        layout = QVBoxLayout(page)
        for w in (QLabel(self.tr("Scan or type the receipt number")), self.receipt, self.error):
            layout.addWidget(w)
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
        add, done = BigButton(self.tr("Return selected line")), BigButton(self.tr("Done"))
        add.clicked.connect(self.add_selected)
        done.clicked.connect(self.accept)
        right = QVBoxLayout()
        for w in (self.qty, Keypad(self.qty, page, decimal_point=True), self.line_error, add, done):
            right.addWidget(w)
        layout = QHBoxLayout(page)
        layout.addWidget(self.lines, 2)
        layout.addLayout(right, 1)
        return page

    # -- starting ---------------------------------------------------------------------

    def look_up(self) -> None:
        receipt_no = self.receipt.text().strip()
        if not receipt_no:
            self.error.setText(self.tr("Enter the receipt number."))
            return
        self._approve(self.tr("Refund against receipt {receipt}").format(receipt=receipt_no),
                      lambda a: self._start(receipt_no, a), show_lines=True)

    def _start(self, receipt_no: str, approver):  # type: ignore[no-untyped-def]
        try:
            return self.services.returns.start(receipt_no, approver)
        except ReceiptLookupOffline as exc:  # another till's receipt, server away: offer the blind return
            self.error.setText(describe(exc))
            self.blind_button.setDefault(True)
            raise

    def blind(self) -> None:
        self._approve(self.tr("Return without a receipt"),
                      lambda a: self.services.returns.start_blind(a), show_lines=False)

    def _approve(self, purpose: str, action, *, show_lines: bool) -> None:  # type: ignore[no-untyped-def]
        if len(self.services.till.ticket):
            self.error.setText(self.tr("Finish or cancel the open ticket before a return."))
            return
        self.approval = ApprovalDialog(purpose, action, self)
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
