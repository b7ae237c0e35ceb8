"""The cash office on the till: paid-in and paid-out with a reason, and the drawer counted
by denomination at the end of the day.

A paid-out takes money out of the drawer, so a supervisor approves it (`services.drawer`);
the movement is written off the GUI thread. The count dialog only adds up what staff
counted; `close_day` takes its total as the counted cash.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.money import Currency
from pos_terminal.core.denominations import counted_total, denominations
from pos_terminal.core.drawer import MovementKind
from pos_terminal.services import ApproverPin, Services
from pos_terminal.services.drawer import DrawerService
from pos_terminal.services.formatting import money, parse_amount

from .approval import ApprovalDialog
from .errors import describe, needs_approval
from .operations import Operation
from .widgets import BigButton, Keypad


def _button(text: str) -> BigButton:
    button = BigButton(text)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


class CashMovementDialog(QDialog):
    """Paid in (change from the safe) or paid out (a delivery paid from the till)."""

    def __init__(self, services: Services, drawer: DrawerService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.drawer = services, drawer
        self.setWindowTitle(self.tr("Paid in / paid out"))
        self.setModal(True)
        self.operation: Operation[Any] | None = None
        self.approval: ApprovalDialog | None = None
        self.paid_in, self.paid_out = QPushButton(self.tr("Paid in")), QPushButton(self.tr("Paid out"))
        kinds = QButtonGroup(self)
        for button in (self.paid_in, self.paid_out):
            button.setCheckable(True)
            button.setMinimumHeight(56)
            button.setStyleSheet("font-size:17px;")
            kinds.addButton(button)
        self.paid_in.setChecked(True)
        self.amount = QLineEdit()
        self.amount.setMinimumHeight(48)
        self.amount.setPlaceholderText(self.tr("Amount"))
        self.reason = QLineEdit()
        self.reason.setMinimumHeight(48)
        self.reason.setPlaceholderText(self.tr("Reason (required), e.g. change from the safe"))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        keypad = Keypad(self.amount, self, decimal_point=True)
        keypad.setFixedWidth(300)
        self.ok_button, cancel = _button(self.tr("Book it")), _button(self.tr("Cancel"))
        self.ok_button.clicked.connect(self.book)
        cancel.clicked.connect(self.reject)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.paid_in)
        kind_row.addWidget(self.paid_out)
        form = QFormLayout()
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.tr("Reason"), self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addLayout(kind_row)
        layout.addLayout(form)
        layout.addWidget(keypad, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)

    @property
    def kind(self) -> MovementKind:
        return MovementKind.PAID_OUT if self.paid_out.isChecked() else MovementKind.PAID_IN

    def book(self) -> None:
        currency = self.services.config.currency
        reason = self.reason.text().strip()
        try:
            amount = parse_amount(self.amount.text().strip(), currency)
        except Exception as exc:  # noqa: BLE001 - shown; nothing booked
            self.error.setText(describe(exc))
            return
        if not reason:
            self.error.setText(self.tr("Enter the reason first."))
            return
        kind = self.kind
        move: Callable[[ApproverPin | None], None] = \
            lambda a: self.drawer.cash_movement(kind, amount, reason, a)  # noqa: E731
        self.ok_button.setEnabled(False)
        self.operation = Operation(lambda: move(None)).success(lambda _r: self.accept()) \
            .failure(lambda exc: self._refused(exc, kind, amount, reason, move)) \
            .finally_(lambda: self.ok_button.setEnabled(True)).run_in_background()

    def _refused(self, exc: BaseException, kind: MovementKind, amount: Decimal, reason: str,
                 move: Callable[[ApproverPin | None], None]) -> None:
        if not needs_approval(exc):
            self.error.setText(describe(exc))
            return
        what = self.tr("Paid out") if kind is MovementKind.PAID_OUT else self.tr("Paid in")
        self.approval = ApprovalDialog(
            self.tr("{what} of {amount} from the drawer").format(
                what=what, amount=money(amount, self.services.config.currency)), move, self,
            details=[(self.tr("Amount"), money(amount, self.services.config.currency)),
                     (self.tr("Reason"), reason)],
            signed_in=self.services.till.cashier, reason=reason)
        self.approval.accepted.connect(self.accept)
        self.approval.open()


class DenominationCount(QDialog):
    """Count the drawer note by note and coin by coin; `total` is the counted cash."""

    def __init__(self, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.setWindowTitle(self.tr("Count the drawer"))
        self.setModal(True)
        self.counts: dict[Decimal, QSpinBox] = {}
        grid = QGridLayout()
        values = denominations(currency)
        half = (len(values) + 1) // 2
        for i, value in enumerate(values):
            box = QSpinBox()
            box.setRange(0, 9999)
            box.setMinimumHeight(44)
            box.setMinimumWidth(110)
            box.valueChanged.connect(lambda *_: self._update())
            self.counts[value] = box
            row, col = i % half, (i // half) * 2
            grid.addWidget(QLabel(money(value, currency)), row, col, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(box, row, col + 1)
        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.total_label = QLabel()
        self.total_label.setObjectName("counted_total")
        self.total_label.setStyleSheet("font-size:20px; font-weight:bold;")
        self.ok_button, cancel = _button(self.tr("Close the day with this count")), _button(self.tr("Cancel"))
        self.ok_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("How many of each note and coin are in the drawer?")))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.total_label)
        layout.addLayout(buttons)
        self.setMinimumSize(560, 600)
        self._update()

    @property
    def total(self) -> Decimal:
        return counted_total({v: box.value() for v, box in self.counts.items()}, self.currency)

    def set_count(self, value: Decimal, count: int) -> None:
        self.counts[value].setValue(count)

    def _update(self) -> None:
        self.total_label.setText(self.tr("Counted: {total}").format(total=money(self.total, self.currency)))
