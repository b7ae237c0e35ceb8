"""The parked tickets of this till: when, by whom, how many lines, how much; Resume
brings one back. The list is read, and a ticket resumed, off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from pos_terminal.services import ParkedTicket, Till
from pos_terminal.services.formatting import date_time, money

from .errors import describe
from .operations import Operation
from .widgets import BigButton


class ParkedDialog(QDialog):
    resumed = Signal()

    def __init__(self, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.till = till
        self.operation: Operation | None = None
        self.setWindowTitle(self.tr("Parked tickets"))
        self.list = QListWidget(self)
        self.list.setObjectName("parked_list")
        self.list.setMinimumWidth(460)
        self.list.setStyleSheet("QListWidget::item { min-height: 52px; }")
        self.list.itemDoubleClicked.connect(lambda _item: self.resume())
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.resume_button = BigButton(self.tr("Resume"), self, height=56)
        self.resume_button.setObjectName("resume")
        self.resume_button.clicked.connect(self.resume)
        close = BigButton(self.tr("Close"), self, height=56)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resume_button.setEnabled(False)
        self.load()

    def load(self) -> None:
        self.status.setText(self.tr("Loading…"))
        self.operation = Operation(self.till.parked).success(self._show).failure(self._failed).run_in_background()

    def _show(self, tickets: list[ParkedTicket]) -> None:
        self.list.clear()
        currency = self.till.config.currency
        for t in tickets:
            text = self.tr("{when} · {lines} · {gross} · {who}").format(
                when=date_time(t.parked_at), gross=money(t.gross, currency), who=t.parked_by,
                lines=self.tr("lines: {n}").format(n=t.line_count))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, t.park_id)
            self.list.addItem(item)
        if tickets:
            self.list.setCurrentRow(0)
        self.status.setText("" if tickets else self.tr("No tickets are parked on this till."))
        self.resume_button.setEnabled(bool(tickets))

    def resume(self) -> None:
        item = self.list.currentItem()
        if item is None or (self.operation is not None and self.operation.running):
            return
        park_id = item.data(Qt.ItemDataRole.UserRole)
        self.resume_button.setEnabled(False)
        self.operation = (Operation(lambda: self.till.resume(park_id))
                          .success(lambda _ticket: self._resumed()).failure(self._failed).run_in_background())

    def _resumed(self) -> None:
        self.resumed.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(describe(exc))
        self.resume_button.setEnabled(self.list.count() > 0)
