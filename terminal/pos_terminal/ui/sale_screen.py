"""The sale screen: entry field (scanner in keyboard-wedge mode types here, Enter adds),
ticket table, totals, and the big action buttons. Each button calls one `Till` use case;
a refusal shows in the banner and leaves the ticket as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_terminal.core.ticket import Discount, TicketError
from pos_terminal.services import ApproverPin, CompletedOrder, Services

from .approval import ApprovalDialog
from .bridge import DeviceBridge
from .entry_dialog import EntryDialog
from .errors import describe, needs_approval
from pos_terminal.services.formatting import money, parse_number
from .card_payment import attach_card_flow
from .pay_dialog import PayDialog
from .return_dialog import ReturnDialog
from .ticket_view import TicketModel, TicketTable, TotalsPanel
from pos_terminal.services.till_devices import TillDevices
from .wedge_input import WedgeInput, belongs_to, takes_text
from .weigh_dialog import WeighDialog
from .widgets import BigButton, Level, MessageBanner

GuardedAction = Callable[[ApproverPin | None], Any]


class SaleScreen(QWidget):
    def __init__(self, services: Services, devices: TillDevices | None = None,
                 device_bridge: DeviceBridge | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.till = services, services.till
        self.devices, self.device_bridge = devices, device_bridge
        self.dialog: Any = None  # the dialog opened last (tests reach it here)
        currency = services.config.currency

        self.entry = QLineEdit()
        self.entry.setObjectName("entry")
        self.entry.setPlaceholderText(self.tr("Scan or type a barcode or SKU, then Enter"))
        font = QFont(self.entry.font())
        font.setPointSize(20)
        self.entry.setFont(font)
        self.entry.setMinimumHeight(56)
        self.entry.returnPressed.connect(self.enter)
        self.cashier = QLabel()
        self.kind = QLabel()
        self.kind.setStyleSheet("color:#8a1010; font-weight:bold; font-size:18px;")
        self.banner = MessageBanner(self)
        self.model = TicketModel(currency, self)
        self.table = TicketTable(self.model, self)
        self.totals = TotalsPanel(currency, services.config.tax_mode, self)

        self.buttons = self._buttons()
        grid = QGridLayout()
        for i, button in enumerate(self.buttons.values()):
            grid.addWidget(button, i // 3, i % 3)
        side = QVBoxLayout()
        side.addWidget(self.totals)
        side.addStretch(1)
        side.addLayout(grid)
        top = QHBoxLayout()
        top.addWidget(self.entry, 1)
        top.addWidget(self.kind)
        top.addWidget(self.cashier)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)

        if device_bridge is not None:
            device_bridge.scanned.connect(self._scanned)
        self.wedge = WedgeInput(self.entry, devices.wedge if devices is not None else None)
        self.wedge.scanned.connect(self._wedge_scanned)
        self.wedge.bad_scan.connect(lambda message: self.banner.show_message(message, Level.ERROR))
        self.refresh()

    def _buttons(self) -> dict[str, BigButton]:
        spec: list[tuple[str, str, Callable[[], None]]] = [
            ("qty", self.tr("Qty"), self.change_quantity),
            ("weigh", self.tr("Weigh"), self.weigh),
            ("line_discount", self.tr("Line discount"), self.line_discount),
            ("ticket_discount", self.tr("Ticket discount"), self.ticket_discount),
            ("override", self.tr("Price override"), self.override_price),
            ("void", self.tr("Void line"), self.void_line),
            ("cancel", self.tr("Cancel ticket"), self.cancel_ticket),
            ("return", self.tr("Return"), self.start_return),
            ("pay", self.tr("Pay"), self.pay),
        ]
        buttons = {}
        for key, text, slot in spec:
            button = BigButton(text, self, height=72)
            button.setObjectName(f"button_{key}")
            button.clicked.connect(slot)
            buttons[key] = button
        buttons["pay"].setStyleSheet("background:#2e7d32; color:white; font-weight:bold; font-size:22px;")
        return buttons

    # -- display ----------------------------------------------------------------------

    def refresh(self) -> None:
        ticket = self.till.ticket
        self.model.refresh(ticket)
        self.table.scrollToBottom()
        refund = ticket.kind == "return"
        self.totals.show_totals(ticket.totals(), refund=refund)
        self.kind.setText(self.tr("RETURN") if refund else "")
        self.buttons["pay"].setText(self.tr("Refund") if refund else self.tr("Pay"))
        has_lines = len(ticket) > 0
        for key in ("pay", "qty", "line_discount", "ticket_discount", "override", "void"):
            self.buttons[key].setEnabled(has_lines)
        cashier = self.till.cashier
        self.cashier.setText(self.tr("Cashier: {name}").format(name=cashier.name) if cashier else "")

    def catalog_changed(self, event: object) -> None:
        """A page of a catalog pull is committed: an open dialog that lists items relists
        them. The ticket keeps its lines (each line locked its price when it was rung up)."""
        refresh = getattr(self.dialog, "catalog_changed", None)
        if refresh is not None and self.dialog.isVisible():
            refresh(event)

    def focus_entry(self) -> None:
        self.entry.setFocus()

    def show_error(self, exc: BaseException) -> None:
        self.banner.show_message(describe(exc), Level.ERROR)

    # -- ringing up -------------------------------------------------------------------

    def enter(self) -> None:
        text = self.entry.text().strip()
        self.entry.clear()  # ready for the next scan whatever happens; the banner quotes the code
        if text:
            self.ring_up(text)

    def ring_up(self, text: str) -> None:
        """`4006381333931` scans, `SKU00001` adds by SKU, `3*4006381333931` adds three."""
        qty, _, code = text.rpartition("*")
        try:
            if qty:
                self.till.add_sku(self._sku_for(code), parse_number(qty, "quantity"))
            elif code.isdigit():
                self.till.scan(code)
            else:
                self.till.add_sku(code)
        except Exception as exc:  # noqa: BLE001 - every refusal is shown; nothing was added
            self.show_error(exc)
        else:
            self.banner.clear_message()
        self.refresh()

    def _sku_for(self, code: str) -> str:
        if not code.isdigit():
            return code
        scan = self.till.catalog.by_barcode(code)
        if scan.weight is not None or scan.price is not None:
            raise TicketError(self.tr("a scale label already carries its quantity"))
        return scan.item.sku

    def _wedge_scanned(self, code: str, _symbology: str) -> None:
        """A keyboard-wedge scan: whatever the cashier had half-typed stays in the field."""
        self.take_scan(code)

    def _scanned(self, code: str, _symbology: str) -> None:
        """A serial scanner's scan, from a device thread via the Qt bridge."""
        self.take_scan(code)

    def take_scan(self, code: str) -> None:
        """Where a scan goes, whatever has the focus: a menu is closed and the item lands
        on the ticket; a dialog that reads barcodes itself (`take_scan`, e.g. a receipt's
        QR code for a return) gets it; a dialog the cashier is typing into (a PIN, an
        amount) keeps the ticket as it is and the banner says so; any other dialog (a
        report) stays open and the item is rung up behind it."""
        popup = QApplication.activePopupWidget()
        if popup is not None and belongs_to(popup, self.window()):
            popup.close()
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not self.window() and belongs_to(modal, self.window()):
            take = getattr(modal, "take_scan", None)
            if callable(take):
                take(code)
                return
            if any(takes_text(w) and w.isVisible() and w.isEnabled() for w in modal.findChildren(QWidget)):
                self.banner.show_message(self.tr("Scan not added ({code}): finish the open window first.")
                                         .format(code=code), Level.WARNING)
                return
        if not self.isVisible() or self.till.cashier is None:
            return  # the sign-in screen: nothing to sell to yet
        self.ring_up(code)

    # -- line and ticket actions ------------------------------------------------------

    def _line_no(self) -> int | None:
        line_no = self.table.selected_line_no()
        if line_no is None:
            self.banner.show_message(self.tr("The ticket has no lines yet."), Level.WARNING)
        return line_no

    def open_dialog(self, dialog: QDialog) -> None:
        """Open `dialog` (reachable as `self.dialog`); once it closes, refresh the ticket and
        give the entry field the focus back. The dialog before it is freed, or one per sale
        would pile up under the window for the whole day."""
        _free(self.dialog)
        self.dialog = dialog
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _ask(self, dialog: EntryDialog, then: Callable[[EntryDialog], None]) -> None:
        dialog.accepted.connect(lambda: then(dialog))
        self.open_dialog(dialog)

    def _dialog_closed(self) -> None:
        self.refresh()
        self.focus_entry()

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001
            self.show_error(exc)
        self.refresh()

    def with_approval(self, purpose: str, action: GuardedAction, *, always: bool = False,
                      then: Callable[[Any], None] | None = None) -> None:
        """Try `action` as the cashier; if only a manager may do it, ask for one.
        `then` gets the action's result once it went through."""
        if not always:
            try:
                result = action(None)
            except Exception as exc:  # noqa: BLE001
                if not needs_approval(exc):
                    self.show_error(exc)
                    self.refresh()
                    return
                purpose = f"{purpose}\n{describe(exc)}"
            else:
                self.refresh()
                if then is not None:
                    then(result)
                return
        dialog = ApprovalDialog(purpose, action, self, signed_in=self.till.cashier)
        if then is not None:
            dialog.accepted.connect(lambda: then(dialog.result_value))
        self.open_dialog(dialog)

    def change_quantity(self) -> None:
        if (line_no := self._line_no()) is None:
            return
        self._ask(EntryDialog(self.tr("Quantity"), self.tr("New quantity for line {n}").format(n=line_no), self),
                  lambda d: self._run(lambda: self.till.set_quantity(line_no, parse_number(d.text, "quantity"))))

    def weigh(self) -> None:
        self.open_dialog(WeighDialog(self.till, self.services.catalog, self.devices, self.device_bridge, self))

    def line_discount(self) -> None:
        if (line_no := self._line_no()) is None:
            return
        self._ask(EntryDialog(self.tr("Line discount"), self.tr("Discount on line {n}").format(n=line_no), self,
                              with_kind=True),
                  lambda d: self._discount(self.tr("Discount on line {n}").format(n=line_no), d,
                                           lambda disc, a: self.till.discount_line(line_no, disc, a)))

    def ticket_discount(self) -> None:
        self._ask(EntryDialog(self.tr("Ticket discount"), self.tr("Discount on the whole ticket"), self,
                              with_kind=True),
                  lambda d: self._discount(self.tr("Ticket discount"), d, self.till.discount_ticket))

    def _discount(self, purpose: str, dialog: EntryDialog,
                  apply: Callable[[Discount, ApproverPin | None], None]) -> None:
        try:
            discount = Discount(dialog.kind, dialog.text)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001
            self.show_error(exc)
            return
        self.with_approval(purpose, lambda a: apply(discount, a))

    def override_price(self) -> None:
        if (line_no := self._line_no()) is None:
            return

        def approve(d: EntryDialog) -> None:
            price, reason = d.text, d.reason.text()
            self.with_approval(self.tr("Price override on line {n}: {price}").format(n=line_no, price=price),
                               lambda a: self.till.override_price(line_no, price, a, reason),  # type: ignore[arg-type]
                               always=True)

        self._ask(EntryDialog(self.tr("Price override"), self.tr("New unit price for line {n}").format(n=line_no),
                              self, with_reason=True), approve)

    def void_line(self) -> None:
        if (line_no := self._line_no()) is not None:
            line = next(ln for ln in self.till.ticket.ticket_lines() if ln.line_no == line_no)
            amount = money(self.services.config.currency.round(line.qty * line.unit_price),
                           self.services.config.currency)
            self.with_approval(self.tr("Void line {n}: {item}, {amount}").format(
                n=line_no, item=line.item.name, amount=amount), lambda a: self.till.void_line(line_no, a))

    def cancel_ticket(self) -> None:
        self.with_approval(self.tr("Cancel the whole ticket"), self.till.cancel_ticket)

    def start_return(self) -> None:
        dialog = ReturnDialog(self.services, self)
        dialog.ticket_changed.connect(self.refresh)
        self.open_dialog(dialog)

    # -- paying -----------------------------------------------------------------------

    def pay(self) -> None:
        if not len(self.till.ticket):
            return
        dialog = PayDialog(self.till, self)
        if self.services.cards is not None:
            attach_card_flow(dialog, self.services.cards, self.device_bridge)
        dialog.committed.connect(self._committed)
        self.open_dialog(dialog)

    def _committed(self, order: CompletedOrder) -> None:
        self.refresh()  # the till has a fresh ticket now
        change = money(order.sale.change_given, self.services.config.currency)
        self.banner.show_message(self.tr("Receipt {receipt} done. Change: {change}").format(
            receipt=order.receipt_no, change=change), Level.INFO)


def _free(dialog: QDialog | None) -> None:
    """Delete a closed dialog, unless a background operation still has to report to it
    (a weigh dialog cancelled while the scale is read)."""
    operation = getattr(dialog, "operation", None)
    if dialog is None or dialog.isVisible() or (operation is not None and operation.running):
        return
    dialog.deleteLater()
