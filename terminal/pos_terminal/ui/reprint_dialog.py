"""Reprint a receipt: the last one in one touch, or any earlier one from the till's list.
The copy is read and queued off the GUI thread (`services.reprint`); it is marked COPY."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSizePolicy, QVBoxLayout, QWidget

from pos_terminal.services import Services, reprint
from pos_terminal.services.formatting import date_time, money
from pos_terminal.services.till_devices import TillDevices

from .errors import describe
from .operations import Operation
from .widgets import BigButton


class ReprintDialog(QDialog):
    def __init__(self, services: Services, devices: TillDevices | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.devices = services, devices
        self.setWindowTitle(self.tr("Reprint a receipt"))
        self.setModal(True)
        self.operation: Operation[Any] | None = None
        self.receipts = QListWidget()
        self.receipts.setObjectName("reprint_list")
        self.receipts.setStyleSheet("QListWidget { font-size:16px; } QListWidget::item { padding:8px; }")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.last_button = _button(self.tr("Reprint the last receipt"))
        self.selected_button = _button(self.tr("Reprint the selected receipt"))
        close = _button(self.tr("Close"))
        self.last_button.clicked.connect(lambda: self._reprint(self._receipt_at(0)))
        self.selected_button.clicked.connect(lambda: self._reprint(self._selected()))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (close, self.selected_button, self.last_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Receipts of this till, newest first")))
        layout.addWidget(self.receipts, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumSize(640, 480)
        self._fill()

    def _fill(self) -> None:
        currency, zone = self.services.config.currency, ZoneInfo(self.services.config.time_zone)
        for r in reprint.recent_receipts(self.services):
            kind = self.tr("refund") if r.kind == "return" else self.tr("sale")
            row = QListWidgetItem(f"{r.receipt_no} · {date_time(r.created_at, zone)} · {kind} · {money(r.gross, currency)}")
            row.setData(Qt.ItemDataRole.UserRole, r.receipt_no)
            self.receipts.addItem(row)
        if not self.receipts.count():
            self.message.setText(self.tr("No receipts on this till yet."))
        self.last_button.setEnabled(self.receipts.count() > 0)
        self.receipts.setCurrentRow(0)

    def _receipt_at(self, row: int) -> str | None:
        item = self.receipts.item(row)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _selected(self) -> str | None:
        item = self.receipts.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _reprint(self, receipt_no: str | None) -> None:
        if receipt_no is None or (self.operation is not None and self.operation.running):
            return
        self.message.setText(self.tr("Printing a copy of {receipt}…").format(receipt=receipt_no))
        self.operation = Operation(lambda: reprint.reprint(self.services, self.devices, receipt_no)) \
            .success(lambda _job: self.message.setText(
                self.tr("A copy of {receipt} is printing.").format(receipt=receipt_no))) \
            .failure(lambda exc: self.message.setText(describe(exc))).run_in_background()


def _button(text: str) -> BigButton:
    button = BigButton(text)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button
