"""The manager's conflict inbox: orders the server held, each shown as a side-by-side diff
(item, the till's value, the server's, what it changes in money), one decision per line
(honour the till's value, accept the server's, or void the line), the reason first, then
the manager's PIN on a confirmation that states the result. Decisions are queued for the
server through `services.conflicts` and sent at once (`ConflictInbox.wake`).

An order whose decision is on its way leaves the list at once; `resolved` tells the main
window to clear its banner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.codes import ConflictCode
from pos_protocol.wire import ResolutionAction
from pos_terminal.core.users import User
from pos_terminal.services import ApproverPin, Services
from pos_terminal.services.conflicts import ConflictDiff, Decision, HeldOrder
from pos_terminal.services.formatting import date_time, money, percent, quantity

from .approval import ApprovalDialog
from .errors import describe
from .widgets import BigButton

# Columns of the diff table.
ITEM, TILL, SERVER, DIFFERENCE, DECISION = range(5)


@dataclass
class ConflictInbox:
    """The dialog's view of `services.conflicts`; `wake` sends the decision at once."""

    services: Services
    wake: Callable[[], None] = lambda: None

    def held(self) -> list[HeldOrder]:
        from pos_terminal.services import conflicts

        return conflicts.held_orders(self.services)

    def waiting(self) -> list[HeldOrder]:
        """Held orders that still need a manager's decision."""
        return [order for order in self.held() if not order.resolution_pending]

    def resolve(self, order_id: str, decisions: Sequence[Decision], approver: ApproverPin) -> str:
        from pos_terminal.services import conflicts

        key = conflicts.resolve(self.services, order_id, decisions, approver)
        self.wake()
        return key


class ConflictsDialog(QDialog):
    resolved = Signal(str)  # order id whose decision was queued

    def __init__(self, inbox: ConflictInbox, parent: QWidget | None = None, *,
                 signed_in: User | None = None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.signed_in = signed_in
        self.currency = inbox.services.config.currency
        self.setWindowTitle(self.tr("Conflict inbox"))
        self.setModal(True)
        self.approval: ApprovalDialog | None = None
        self._order: HeldOrder | None = None
        self._decisions: list[QComboBox] = []

        self.orders = QListWidget()
        self.orders.setObjectName("conflict_orders")
        self.orders.setStyleSheet("QListWidget { font-size:15px; } QListWidget::item { padding:10px; }")
        self.orders.setWordWrap(True)
        self.orders.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.orders.setMinimumWidth(250)
        self.orders.currentItemChanged.connect(lambda *_: self._show_order())
        self.heading = QLabel()
        self.heading.setObjectName("conflict_heading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size:18px; font-weight:bold;")
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("conflict_diff")
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("On the till"), self.tr("On the server"),
                                              self.tr("Difference"), self.tr("Decision")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ITEM, QHeaderView.ResizeMode.Stretch)
        for col in (TILL, SERVER, DIFFERENCE, DECISION):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.total = QLabel()
        self.total.setObjectName("conflict_total")
        self.total.setWordWrap(True)
        self.total.setStyleSheet("font-size:16px; font-weight:bold;")
        self.reason = QLineEdit()
        self.reason.setObjectName("conflict_reason")
        self.reason.setMinimumHeight(44)
        self.reason.setPlaceholderText(self.tr("Reason for these decisions (required first)"))
        self.reason.textChanged.connect(lambda *_: self._update_buttons())
        self.message = QLabel()
        self.message.setObjectName("conflict_message")
        self.message.setWordWrap(True)
        self.resolve_button = BigButton(self.tr("Resolve…"))
        self.resolve_button.clicked.connect(self.resolve)
        close = BigButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        self._lay_out(close)
        self.reload()

    def _lay_out(self, close: BigButton) -> None:
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.table, 1)
        right.addWidget(self.total)
        right.addWidget(self.reason)
        right.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(close)
        buttons.addWidget(self.resolve_button)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.orders, 1)
        layout.addLayout(right, 3)
        self.setMinimumSize(900, 560)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """As large as most of the till's window: on a 1920x1080 screen the diff's names and
        amounts get room instead of wrapping in a 900 px box."""
        window = self.parentWidget().window() if self.parentWidget() else None
        if window is not None:
            self.resize(max(self.minimumWidth(), int(window.width() * 0.8)),
                        max(self.minimumHeight(), int(window.height() * 0.75)))
        super().showEvent(event)

    # -- the list ---------------------------------------------------------------------

    def reload(self, message: str = "") -> None:
        # The order the manager is looking at stays selected (another one may have just
        # left the list, resolved in the back office), so a typed reason never lands on
        # a different order.
        shown = self._order.order_id if self._order is not None else None
        self.orders.blockSignals(True)
        self.orders.clear()
        try:
            held = self.inbox.held()
        except Exception as exc:  # noqa: BLE001 - shown, the inbox stays as it was
            self._say(describe(exc), error=True)
            held = []
        waiting = [order for order in held if not order.resolution_pending]
        for order in waiting:
            row = QListWidgetItem(self._summary(order))
            row.setData(Qt.ItemDataRole.UserRole, order)
            self.orders.addItem(row)
        sent = len(held) - len(waiting)
        notes = [message] if message else []
        if sent:
            notes.append(self.tr("Decided, waiting for the server's answer: {n}").format(n=sent))
        if not waiting:
            notes.append(self.tr("No held orders wait for a decision."))
        self._say(" ".join(notes))
        ids = [order.order_id for order in waiting]
        self.orders.setCurrentRow(ids.index(shown) if shown in ids else 0)
        self.orders.blockSignals(False)
        if shown not in ids or waiting[ids.index(shown)] != self._order:
            self._show_order()  # else the same order as it was: its decisions stay as chosen

    def _summary(self, order: HeldOrder) -> str:
        lines = [self.tr("Receipt {receipt}").format(receipt=order.receipt_no),
                 f"{self._when(order)} · {money(order.gross, self.currency)}",
                 self.tr("Conflicts: {n}").format(n=len(order.conflicts))]
        if order.last_refusal:
            lines.append(self.tr("Refused before: {why}").format(why=order.last_refusal))
        return "\n".join(lines)

    def _when(self, order: HeldOrder) -> str:
        """When it was sold, at the store's local time."""
        return date_time(order.created_at, ZoneInfo(self.inbox.services.config.time_zone))

    # -- one order as a diff ----------------------------------------------------------

    def _show_order(self) -> None:
        row = self.orders.currentItem()
        order = row.data(Qt.ItemDataRole.UserRole) if row else None
        self._order = order
        self._decisions = []
        self.table.setRowCount(0)
        if order is None:
            self.heading.setText(self.tr("Nothing to decide"))
            self.total.clear()
            self._update_buttons()
            return
        self.heading.setText(self.tr("Receipt {receipt}, sold {when} for {gross}").format(
            receipt=order.receipt_no, when=self._when(order),
            gross=money(order.gross, self.currency)))
        self.table.setRowCount(len(order.diffs))
        for i, diff in enumerate(order.diffs):
            self._fill_row(i, diff)
        self.table.resizeRowsToContents()
        self._update_total()
        self._update_buttons()

    def _fill_row(self, i: int, diff: ConflictDiff) -> None:
        c = diff.conflict
        item = diff.item or self.tr("Whole order")
        if diff.qty is not None and diff.unit is not None:
            item = self.tr("{item} (line {n}, quantity {qty})").format(item=item, n=c.line_no,
                                                                         qty=quantity(diff.qty, diff.unit))
        item += "\n" + _what(c.code)
        cells = {ITEM: item, TILL: self._value(diff, c.terminal_value), SERVER: self._value(diff, c.server_value),
                 DIFFERENCE: self._signed(diff.difference) if diff.difference is not None else "–"}
        for col, text in cells.items():
            cell = QTableWidgetItem(text)
            if col != ITEM:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(i, col, cell)
        action = QComboBox()
        action.setMinimumHeight(44)
        action.addItem(self.tr("Keep the till's value"), ResolutionAction.HONOR_TERMINAL.value)
        action.addItem(self.tr("Take the server's value"), ResolutionAction.ACCEPT_SERVER.value)
        if c.line_no is not None:
            action.addItem(self.tr("Void the line"), ResolutionAction.VOID_LINE.value)
        action.currentIndexChanged.connect(lambda *_: self._update_total())
        self.table.setCellWidget(i, DECISION, action)
        self._decisions.append(action)

    def _value(self, diff: ConflictDiff, value: str | None) -> str:
        """A conflict's value in the shop's words: prices as money, rates as percent."""
        if value is None:
            return "–"
        try:
            if diff.is_money:
                return money(Decimal(value), self.currency)
            if diff.conflict.field == "tax_rate":
                return percent(Decimal(value))
        except ArithmeticError:
            pass
        return value

    def _signed(self, amount: Decimal) -> str:
        return ("+" if amount > 0 else "") + money(amount, self.currency)

    def result(self) -> Decimal:
        """What the chosen decisions change on the order's total."""
        if self._order is None:
            return Decimal(0)
        return sum((d.effect(ResolutionAction(box.currentData()))
                    for d, box in zip(self._order.diffs, self._decisions, strict=True)), Decimal(0))

    def _update_total(self) -> None:
        if self._order is None:
            return
        self.total.setText(self.tr("If all server values are taken: {all} · with these decisions: {chosen}").format(
            all=self._signed(self._order.difference), chosen=self._signed(self.result())))

    def _update_buttons(self) -> None:
        has_reason = bool(self.reason.text().strip())
        self.resolve_button.setEnabled(self._order is not None and has_reason)
        self.resolve_button.setToolTip("" if has_reason else self.tr("Enter the reason first."))

    # -- deciding ---------------------------------------------------------------------

    def decisions(self) -> list[Decision]:
        assert self._order is not None
        reason = self.reason.text().strip()
        return [Decision(d.conflict.line_no, d.conflict.code, ResolutionAction(box.currentData()), reason)
                for d, box in zip(self._order.diffs, self._decisions, strict=True)]

    def resolve(self) -> None:
        order = self._order
        if order is None:
            return
        if not self.reason.text().strip():
            self._say(self.tr("Enter the reason first."), error=True)
            self.reason.setFocus()
            return
        decisions = self.decisions()
        details = [(self.tr("Line {n}").format(n=d.line_no) if d.line_no else self.tr("Order"),
                    box.currentText()) for d, box in zip(decisions, self._decisions, strict=True)]
        total = order.gross + self.result()
        details += [(self.tr("Reason"), decisions[0].reason if decisions else ""),
                    (self.tr("Result"), self.tr("order total {before} → {after}").format(
                        before=money(order.gross, self.currency), after=money(total, self.currency)))]
        self.approval = ApprovalDialog(self.tr("Resolve receipt {receipt}").format(receipt=order.receipt_no),
                                       lambda a: self.inbox.resolve(order.order_id, decisions, a), self,
                                       details=details, signed_in=self.signed_in,
                                       reason=decisions[0].reason if decisions else "")
        self.approval.accepted.connect(lambda: self._resolved(order))
        self.approval.open()

    def resolved_elsewhere(self, order_id: str, message: str) -> None:
        """The server resolved `order_id` without this till: it leaves the list, a decision
        about it half-made (its PIN dialog open) is dropped, and `message` says why."""
        if self.approval is not None and self.approval.isVisible() and self._order is not None \
                and self._order.order_id == order_id:
            self.approval.reject()
        if self._order is not None and self._order.order_id == order_id:
            self.reason.clear()
        self.reload(message)

    def _resolved(self, order: HeldOrder) -> None:
        self.reason.clear()
        self.reload(self.tr("Receipt {receipt}: decision recorded and sent to the server.").format(
            receipt=order.receipt_no))
        self.resolved.emit(order.order_id)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color:#8a1010; font-weight:bold;" if error else "color:#1b4d1b;")
        self.message.setText(text)


def _what(code: str) -> str:
    """Why the server held the line, in the manager's words."""
    # Spelled-out translate calls with literal context and text: lupdate only extracts those.
    texts = {
        ConflictCode.PRICE_CHANGED: QCoreApplication.translate("Conflicts", "The price changed"),
        ConflictCode.TAX_CHANGED: QCoreApplication.translate("Conflicts", "The tax changed"),
        ConflictCode.ITEM_UNKNOWN: QCoreApplication.translate("Conflicts", "The item is not in the store's catalog"),
        ConflictCode.ITEM_INACTIVE: QCoreApplication.translate("Conflicts", "The item was not on sale"),
        ConflictCode.INSUFFICIENT_STOCK: QCoreApplication.translate("Conflicts", "Not enough stock"),
        ConflictCode.DUPLICATE_CONTENT: QCoreApplication.translate("Conflicts", "Looks like a sale already stored"),
        ConflictCode.RECEIPT_NO_REUSED: QCoreApplication.translate("Conflicts", "The receipt number was used before"),
        ConflictCode.ORIGINAL_ORDER_UNKNOWN: QCoreApplication.translate("Conflicts", "The original sale is unknown"),
        ConflictCode.RETURN_EXCEEDS_SALE: QCoreApplication.translate("Conflicts", "More returned than was sold"),
        ConflictCode.CLOCK_IMPLAUSIBLE: QCoreApplication.translate("Conflicts", "The till's clock was wrong"),
        ConflictCode.BLIND_RETURN_NOT_APPROVED: QCoreApplication.translate("Conflicts", "A return without receipt, not approved"),
        ConflictCode.BLIND_RETURN_EXCEEDS_LIMIT: QCoreApplication.translate("Conflicts", "A return without receipt, above the limit"),
    }
    return texts.get(code, code)  # type: ignore[call-overload]
