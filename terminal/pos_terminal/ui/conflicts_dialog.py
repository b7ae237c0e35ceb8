"""The manager's conflict inbox: orders the server held, one decision per conflict
(honour the till's value, accept the server's, or void the line) with a reason, approved
with the manager's PIN and queued for the server through `services.conflicts`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_terminal.services import ApproverPin, Services

from .approval import ApprovalDialog
from .errors import describe
from pos_terminal.services.formatting import money
from .widgets import BigButton


@dataclass
class ConflictInbox:
    """The dialog's view of `services.conflicts`; `wake` sends the decision at once."""

    services: Services
    wake: Callable[[], None] = lambda: None

    def held(self) -> list[Any]:
        from pos_terminal.services import conflicts

        return conflicts.held_orders(self.services)

    def resolve(self, order_id: str, decisions: Sequence[Any], approver: ApproverPin) -> str:
        from pos_terminal.services import conflicts

        key = conflicts.resolve(self.services, order_id, decisions, approver)
        self.wake()
        return key


class ConflictsDialog(QDialog):
    def __init__(self, inbox: ConflictInbox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.currency = inbox.services.config.currency
        self.setWindowTitle(self.tr("Conflict inbox"))
        self.setModal(True)
        self.resize(1000, 600)
        self.approval: ApprovalDialog | None = None
        self.orders = QListWidget()
        self.orders.setStyleSheet("font-size:15px;")
        self.orders.currentItemChanged.connect(lambda *_: self._show_order())
        self.detail = QGridLayout()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.resolve_button = BigButton(self.tr("Resolve (manager PIN)"))
        self.resolve_button.clicked.connect(self.resolve)
        close = BigButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        self._rows: list[tuple[Any, QComboBox, QLineEdit]] = []

        right = QVBoxLayout()
        right.addLayout(self.detail)
        right.addStretch(1)
        right.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(close)
        buttons.addWidget(self.resolve_button)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.orders, 1)
        layout.addLayout(right, 2)
        self.reload()

    def reload(self) -> None:
        self.orders.clear()
        try:
            held = self.inbox.held()
        except Exception as exc:  # noqa: BLE001 - shown, the inbox stays as it was
            self.error.setText(describe(exc))
            held = []
        for order in held:
            text = self.tr("Receipt {receipt} · {when} · {gross}").format(
                receipt=order.receipt_no, when=f"{order.created_at:%Y-%m-%d %H:%M}",
                gross=money(order.gross, self.currency))
            if order.resolution_pending:
                text += " · " + self.tr("decision sent")
            if order.last_refusal:
                text += " · " + self.tr("refused: {why}").format(why=order.last_refusal)
            row = QListWidgetItem(text)
            row.setData(Qt.ItemDataRole.UserRole, order)
            self.orders.addItem(row)
        if not held:
            self.error.setText(self.tr("No held orders."))
        self.orders.setCurrentRow(0)
        self._show_order()

    def _show_order(self) -> None:
        while self.detail.count():
            widget = self.detail.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._rows = []
        row = self.orders.currentItem()
        order = row.data(Qt.ItemDataRole.UserRole) if row else None
        self.resolve_button.setEnabled(order is not None and not order.resolution_pending)
        if order is None:
            return
        for i, conflict in enumerate(order.conflicts):
            where = self.tr("Line {n}").format(n=conflict.line_no) if conflict.line_no else self.tr("Order")
            text = self.tr("{where}: {message}\ntill: {till} · server: {server}").format(
                where=where, message=conflict.message, till=conflict.terminal_value or "-",
                server=conflict.server_value or "-")
            action = QComboBox()
            action.setMinimumHeight(44)
            action.addItem(self.tr("Honour the till's value"), "honor_terminal")
            action.addItem(self.tr("Accept the server's value"), "accept_server")
            if conflict.line_no is not None:
                action.addItem(self.tr("Void the line"), "void_line")
            reason = QLineEdit()
            reason.setPlaceholderText(self.tr("Reason"))
            self.detail.addWidget(QLabel(text), i, 0)
            self.detail.addWidget(action, i, 1)
            self.detail.addWidget(reason, i, 2)
            self._rows.append((conflict, action, reason))

    def decisions(self) -> list[Any]:
        from pos_terminal.services.conflicts import Decision
        from pos_protocol.wire import ResolutionAction

        return [Decision(c.line_no, c.code, ResolutionAction(action.currentData()), reason.text())
                for c, action, reason in self._rows]

    def resolve(self) -> None:
        row = self.orders.currentItem()
        if row is None:
            return
        order = row.data(Qt.ItemDataRole.UserRole)
        decisions = self.decisions()
        self.approval = ApprovalDialog(self.tr("Resolve receipt {receipt}").format(receipt=order.receipt_no),
                                       lambda a: self.inbox.resolve(order.order_id, decisions, a), self)
        self.approval.accepted.connect(self.reload)
        self.approval.open()
