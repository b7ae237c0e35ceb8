"""The open ticket on screen: a table of lines and a totals panel (per tax rate and gross)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QFormLayout, QHeaderView, QLabel, QTableView, QWidget

from pos_protocol.money import Currency
from pos_terminal.core.sale import SaleLine
from pos_protocol.tax import TaxMode, Totals
from pos_terminal.core.ticket import Ticket

from pos_terminal.services.formatting import money, percent, quantity

AnyIndex = QModelIndex | QPersistentModelIndex


class TicketModel(QAbstractTableModel):
    """Read-only view of `Ticket.lines()` (ticket discount already allocated per line)."""

    COLUMNS = 6

    def __init__(self, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self._lines: list[SaleLine] = []
        self._cells: list[tuple[str, ...]] = []  # formatted once per change, not per paint

    def refresh(self, ticket: Ticket) -> None:
        self.beginResetModel()
        self._lines = ticket.lines()
        self._cells = [tuple(self._cell(line, c) for c in range(self.COLUMNS)) for line in self._lines]
        self.endResetModel()

    def line_at(self, row: int) -> SaleLine | None:
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (self.tr("Line"), self.tr("Description"), self.tr("Qty"), self.tr("Unit price"),
                self.tr("Discount"), self.tr("Total"))[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        line = self.line_at(index.row())
        if line is None:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            left = index.column() == 1
            return int((Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight)
                       | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and line.override is not None:
            return self.tr("Price overridden by {approver}: {reason}").format(
                approver=line.override.approved_by, reason=line.override.reason)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._cells[index.row()][index.column()]

    def _cell(self, line: SaleLine, column: int) -> str:
        if column == 0:
            return str(line.line_no)
        if column == 1:
            return line.description + (" *" if line.override is not None else "")
        if column == 2:
            return quantity(line.qty, line.unit)
        if column == 3:
            return money(line.unit_price, self.currency)
        if column == 4:
            return money(line.discount, self.currency) if line.discount else ""
        return money(line.line_total, self.currency)


class TicketTable(QTableView):
    def __init__(self, model: TicketModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch selects rows; the keyboard stays in the entry
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(44)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        font = self.font()
        font.setPointSize(max(font.pointSize(), 13))
        self.setFont(font)

    def selected_line_no(self) -> int | None:
        """The selected line, else the last line (what a cashier means by "this one")."""
        model: TicketModel = self.model()  # type: ignore[assignment]
        rows = self.selectionModel().selectedRows()
        line = model.line_at(rows[0].row()) if rows else model.line_at(model.rowCount() - 1)
        return line.line_no if line else None


class TotalsPanel(QWidget):
    """Net, tax per rate and the gross total, in the store's tax mode."""

    def __init__(self, currency: Currency, tax_mode: TaxMode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency, self.tax_mode = currency, tax_mode
        self._form = QFormLayout(self)
        self.gross: QLabel | None = None

    def show_totals(self, totals: Totals, *, refund: bool = False) -> None:
        shown = (totals, refund)
        if shown == getattr(self, "_shown", None):
            return  # unchanged: no relayout of the screen
        self._shown = shown
        while self._form.rowCount():
            self._form.removeRow(0)  # deletes the old row's widgets too
        for rate in totals.by_rate:
            label = self.tr("Tax {code} ({rate})").format(code=rate.tax_code, rate=percent(rate.rate))
            amounts = self.tr("{tax} on {net}").format(tax=money(rate.tax, self.currency),
                                                       net=money(rate.net, self.currency))
            self._form.addRow(label, QLabel(amounts))
        self._form.addRow(self.tr("Net"), QLabel(money(totals.net, self.currency)))
        self._form.addRow(self.tr("Tax"), QLabel(money(totals.tax, self.currency)))
        self.gross = self._new_gross(totals.gross)
        self._form.addRow(self.tr("Refund") if refund else self.tr("Total"), self.gross)

    def _new_gross(self, amount: Decimal) -> QLabel:
        label = QLabel(money(amount, self.currency))
        label.setObjectName("gross_total")
        font = QFont(label.font())
        font.setPointSize(26)
        font.setBold(True)
        label.setFont(font)
        return label
