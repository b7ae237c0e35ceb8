"""The sale screen: entry field (scanner in keyboard-wedge mode types here, Enter adds),
ticket table, totals, and the big action buttons. Each button calls one `Till` use case;
a refusal shows in the banner and leaves the ticket as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from pos_terminal.core.ticket import Discount, TicketError
from pos_terminal.services import ApproverPin, CompletedOrder, Services

from .approval import ApprovalDialog
from .bridge import DeviceBridge
from .entry_dialog import EntryDialog
from .errors import describe, needs_approval
from pos_terminal.services.formatting import money, parse_amount, parse_number
from .card_payment import attach_card_flow
from .operations import Operation
from .parked_dialog import ParkedDialog
from .pay_dialog import PayDialog
from .product_panel import ProductPanel
from .sale_keypad import QTY_MARK, SaleKeypad
from .status_bar import OfflineBanner
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
        self.operation: Operation[Any] | None = None  # the database write under way, if any
        self._waiting_scans: list[str] = []  # scans that came while it ran, rung up after
        currency = services.config.currency

        self.entry = QLineEdit()
        self.entry.setObjectName("entry")
        self.entry.setPlaceholderText(self.tr("Scan, or type a name, SKU or barcode"))
        font = QFont(self.entry.font())
        font.setPointSize(18)
        self.entry.setFont(font)
        self.entry.setMinimumHeight(52)
        self.entry.returnPressed.connect(self.enter)
        self.entry.textChanged.connect(self._typed)
        self.cashier = QLabel()
        self.kind = QLabel()
        self.kind.setStyleSheet("color:#8a1010; font-weight:bold; font-size:18px;")
        self.offline = OfflineBanner(self)
        self.banner = MessageBanner(self)
        self.model = TicketModel(currency, self)
        self.table = TicketTable(self.model, self)
        self.totals = TotalsPanel(currency, services.config.tax_mode, self)
        self.products = ProductPanel(services.catalog, currency, self)
        self.products.chosen.connect(self.choose)
        self.keypad = SaleKeypad(self.entry, self)
        self.keypad.enter.connect(self.enter)
        self.buttons = self._buttons()
        self.setLayout(self._layout())

        if device_bridge is not None:
            device_bridge.scanned.connect(self._scanned)
        self.wedge = WedgeInput(self.entry, devices.wedge if devices is not None else None)
        self.wedge.scanned.connect(self._wedge_scanned)
        self.wedge.bad_scan.connect(lambda message: self.banner.show_message(message, Level.ERROR))
        self.products.reload()
        self.refresh()

    def _layout(self) -> QVBoxLayout:
        """Ticket and totals | products | keypad and actions; every column stretches, so the
        screen fills 1024x768 to 1920x1080 without a fixed size."""
        actions = QGridLayout()
        actions.setSpacing(4)
        for i, key in enumerate(k for k in self.buttons if k != "pay"):
            actions.addWidget(self.buttons[key], i // 2, i % 2)
        right = QVBoxLayout()
        right.addWidget(self.keypad)
        right.addLayout(actions, 1)
        right.addWidget(self.buttons["pay"])
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.totals)
        top = QHBoxLayout()
        top.addWidget(self.entry, 1)
        top.addWidget(self.kind)
        top.addWidget(self.cashier)
        body = QHBoxLayout()
        # Widths by the stretch factors alone, not by what the columns hold: a new total or
        # line must not resize the product grid (a relayout of every tile on each scan).
        for column, stretch in ((_column(left, self), 5), (self.products, 4), (_column(right, self), 4)):
            column.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            body.addWidget(column, stretch)
        layout = QVBoxLayout()
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.offline)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        return layout

    def _buttons(self) -> dict[str, BigButton]:
        spec: list[tuple[str, str, Callable[[], None]]] = [
            ("qty", self.tr("Qty"), self.change_quantity),
            ("weigh", self.tr("Weigh"), self.weigh),
            ("line_discount", self.tr("Line discount"), self.line_discount),
            ("ticket_discount", self.tr("Ticket discount"), self.ticket_discount),
            ("override", self.tr("Price override"), self.override_price),
            ("void", self.tr("Void line"), self.void_line),
            ("park", self.tr("Park"), self.park),
            ("parked", self.tr("Parked…"), self.show_parked),
            ("cancel", self.tr("Cancel ticket"), self.cancel_ticket),
            ("return", self.tr("Return"), self.start_return),
            ("pay", self.tr("Pay"), self.pay),
        ]
        buttons = {}
        for key, text, slot in spec:
            button = BigButton(text, self, height=64 if key == "pay" else 48)
            button.setObjectName(f"button_{key}")
            button.clicked.connect(slot)
            if key != "pay":
                small = button.font()
                small.setPointSize(11)
                button.setFont(small)
            buttons[key] = button
        buttons["pay"].setStyleSheet("background:#2e7d32; color:white; font-weight:bold; font-size:22px;")
        buttons["park"].setToolTip(self.tr("Set this ticket aside and serve the next customer"))
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
        busy = self.busy
        for key in ("pay", "qty", "line_discount", "ticket_discount", "override", "void"):
            self.buttons[key].setEnabled(has_lines and not busy)
        self.buttons["park"].setEnabled(has_lines and not refund and not busy)
        self.buttons["parked"].setEnabled(not has_lines and not busy)
        self.buttons["cancel"].setEnabled(not busy)
        cashier = self.till.cashier
        self.cashier.setText(self.tr("Cashier: {name}").format(name=cashier.name) if cashier else "")

    def catalog_changed(self, event: object) -> None:
        """A page of a catalog pull is committed: the grid and an open dialog that lists
        items relist them. The ticket keeps its lines (each line locked its price when it
        was rung up)."""
        self.products.reload()
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
        if not text:
            return
        if self.busy:  # the ticket is being written off the GUI thread: after it
            self._waiting_scans.append(text)
            return
        found = self.products.products.keys() if self.products.query == text else []
        if len(found) == 1 and not text.isdigit():
            self.choose(found[0])  # typed a name and Enter: the one item it found
        else:
            self.ring_up(text)

    def _typed(self, text: str) -> None:
        """Search as you type (a quantity prefix `3*` is left out of the search)."""
        self.products.search(text.rpartition(QTY_MARK)[2])

    def choose(self, sku: str) -> None:
        """A tapped tile or quick key: one piece onto the ticket (onto its line if it has
        one), `3*` keyed first sells three, and in open-price mode the price is asked."""
        if self.busy:  # the ticket is being written off the GUI thread: after it
            self._waiting_scans.append(sku)
            return
        if self.products.open_price.isChecked():
            self.products.open_price.setChecked(False)
            self.open_price(sku)
            return
        qty = self.entry.text().strip().rpartition(QTY_MARK)[0]
        self.entry.clear()
        try:
            if qty:
                self.till.add_sku(sku, parse_number(qty, "quantity"))
            else:
                self.till.add_one(sku)
        except Exception as exc:  # noqa: BLE001 - every refusal is shown; nothing was added
            self.show_error(exc)
        else:
            self.banner.clear_message()
        self.refresh()
        self.focus_entry()

    def open_price(self, sku: str) -> None:
        item = self.services.catalog.by_sku(sku)

        def approve(d: EntryDialog) -> None:
            try:
                price = parse_amount(d.text, self.services.config.currency, "price")
            except Exception as exc:  # noqa: BLE001
                self.show_error(exc)
                return
            reason = d.reason.text()
            self.with_approval(self.tr("Sell {item} at {price}").format(
                item=item.name, price=money(price, self.services.config.currency)),
                lambda a: self.till.add_open_price(sku, price, a, reason), background=True)

        self._ask(EntryDialog(self.tr("Open price"), self.tr("Price of {item}").format(item=item.name),
                              self, with_reason=True), approve)

    def ring_up(self, text: str) -> None:
        """`4006381333931` scans, `SKU00001` adds by SKU, `3*4006381333931` adds three."""
        qty, _, code = text.rpartition("*")
        try:
            if qty:
                self.till.add_sku(self._sku_for(code), parse_number(qty, "quantity"))
            elif code.isdigit():
                self.till.scan(code)  # a plain item scanned again adds to its line
            else:
                self.till.add_one(code)  # a keyed SKU, like a scan: onto its line
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
        if self.busy:
            self._waiting_scans.append(code)  # rung up once the ticket is settled
            return
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
                      then: Callable[[Any], None] | None = None, background: bool = False) -> None:
        """Try `action` as the cashier; if only a manager may do it, ask for one.
        `then` gets the action's result once it went through. `background`: the try
        writes to the database or drives a device, so it runs off the GUI thread (the
        ticket's buttons wait for it); the approved try always does (ApprovalDialog)."""
        if always:
            self._ask_approval(purpose, action, then)
            return
        if background:
            self.run_write(lambda: action(None), lambda result: self._went_through(result, then),
                           failed=lambda exc: self._refused(exc, purpose, action, then))
            return
        try:
            result = action(None)
        except Exception as exc:  # noqa: BLE001
            self._refused(exc, purpose, action, then)
        else:
            self._went_through(result, then)

    def _went_through(self, result: Any, then: Callable[[Any], None] | None) -> None:
        self.refresh()
        if then is not None:
            then(result)

    def _refused(self, exc: BaseException, purpose: str, action: GuardedAction,
                 then: Callable[[Any], None] | None) -> None:
        if not needs_approval(exc):
            self.show_error(exc)
            self.refresh()
            return
        self._ask_approval(f"{purpose}\n{describe(exc)}", action, then)

    def _ask_approval(self, purpose: str, action: GuardedAction, then: Callable[[Any], None] | None) -> None:
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
        # background: cancelling a resumed ticket discards its parked copy (a database write)
        self.with_approval(self.tr("Cancel the whole ticket"), self.till.cancel_ticket, background=True)

    @property
    def busy(self) -> bool:
        return self.operation is not None and self.operation.running

    def run_write(self, work: Callable[[], Any], done: Callable[[Any], None],
                  failed: Callable[[BaseException], None] | None = None) -> None:
        """A database write of the ticket (park) or a device call off the GUI thread; the
        ticket's buttons wait for it and scans that arrive meanwhile are rung up after it.
        One at a time: a menu action while one runs is refused in words, not overlapped."""
        if self.busy:
            self.banner.show_message(self.tr("One moment: the till is still saving. Try again."), Level.WARNING)
            return
        self.operation = Operation(work).success(done).failure(failed or self.show_error).finally_(self._settled)
        self.operation.run_in_background()
        self.refresh()

    def _settled(self) -> None:
        self.refresh()
        waiting, self._waiting_scans = self._waiting_scans, []
        for code in waiting:
            self.ring_up(code)

    def park(self) -> None:
        if not len(self.till.ticket) or self.busy:
            return
        self.run_write(self.till.park, lambda entry: self.banner.show_message(
            self.tr("Ticket parked ({gross}). Tap Parked… to resume it.").format(
                gross=money(entry.gross, self.services.config.currency)), Level.INFO))

    def show_parked(self) -> None:
        dialog = ParkedDialog(self.till, self)
        dialog.resumed.connect(lambda: self.banner.show_message(self.tr("Ticket resumed."), Level.INFO))
        self.open_dialog(dialog)

    def show_quick_keys(self, items: list[Any]) -> None:
        if shiboken6.isValid(self.products):  # read off the GUI thread: the window may be gone
            self.products.show_quick_keys(items)

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


def _column(layout: QVBoxLayout, parent: QWidget) -> QWidget:
    widget = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget


def _free(dialog: QDialog | None) -> None:
    """Delete a closed dialog, unless a background operation still has to report to it
    (a weigh dialog cancelled while the scale is read)."""
    operation = getattr(dialog, "operation", None)
    if dialog is None or dialog.isVisible() or (operation is not None and operation.running):
        return
    dialog.deleteLater()
