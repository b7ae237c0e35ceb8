"""The till's main window: sign-in and sale screens, manager menu, status bar.

It wires the bridges: device events reach the status bar and the sale screen, sync events
update the status bar and, after a catalog page is committed, what the screens list, all
on the GUI thread.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from devices.events import PowerEvent
from pos_terminal.core.denominations import denominations
from pos_terminal.services import Services
from pos_terminal.services.drawer import DrawerService

from .bridge import DeviceBridge, SyncBridge
from .cash_office import CashMovementDialog, DenominationCount
from .conflict_watch import ConflictWatch
from .idle_lock import IdleLock
from .card_payment import card_check_text
from .day_dialogs import ReportDialog, parse_amount
from .entry_dialog import EntryDialog
from pos_terminal.services.formatting import money
from .operations import Operation
from .lock_screen import LockScreen
from .sale_screen import SaleScreen
from .sign_in import SignInScreen
from .status_bar import TillStatusBar
from pos_terminal.services.till_devices import TillDevices
from .widgets import Level


class MainWindow(QMainWindow):
    def __init__(self, services: Services, *, devices: TillDevices | None = None,
                 sync: Any = None, sync_error: str | None = None, conflicts: Any = None,
                 drawer: DrawerService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.devices, self.sync, self.conflicts = services, devices, sync, conflicts
        self.drawer = drawer
        self.setWindowTitle(self.tr("{store} · till {terminal}").format(
            store=services.config.store_name, terminal=services.config.terminal_id))
        # No fixed size: the layout fills anything from 1024x768 to 1920x1080; `run_app`
        # shows it full screen (kiosk) unless asked for a window.
        self.resize(1280, 800)

        self.device_bridge = DeviceBridge(self)
        self.sync_bridge = SyncBridge(self)
        self.status = TillStatusBar(self)
        self.setStatusBar(self.status)

        self.sign_in = SignInScreen(services.till, self)
        self.sale = SaleScreen(services, devices, self.device_bridge, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.sign_in)
        self.stack.addWidget(self.sale)
        self.lock_screen = LockScreen(services.till, self)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)
        self.sign_in.signed_in.connect(self._signed_in)
        self.lock_screen.signed_in.connect(self._signed_in)

        self.conflict_watch = ConflictWatch(conflicts, lambda: services.till.cashier, self.sale.banner,
                                            self.sale.open_dialog, self)
        self.idle_lock = IdleLock(services.config.idle_lock_minutes, self._selling, self.lock_idle, self)
        self._menus()
        self._wire_devices(devices)
        self._wire_sync(sync, sync_error)
        self.show_sign_in()

    # -- screens ----------------------------------------------------------------------

    def show_sign_in(self) -> None:
        self.sign_in.reset()
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_out_action.setEnabled(False)

    def _signed_in(self, _user: object) -> None:
        Operation(self.services.till.quick_keys).success(self.sale.show_quick_keys) \
            .failure(self.sale.show_error).run_in_background()
        self.sale.refresh()
        self.stack.setCurrentWidget(self.sale)
        self.sign_out_action.setEnabled(True)
        self.sale.focus_entry()
        self.conflict_watch.open_if_a_manager_is_here()

    def sign_out(self) -> None:
        # The open ticket stays on the till for whoever signs in next: nothing is lost.
        self.services.till.sign_out()
        self.show_sign_in()

    def _selling(self) -> bool:
        """Someone is signed in and the sale screen shows. Not while a PIN is checked: the
        till is signed in a moment before the sign-in screen hears of it."""
        return self.services.till.cashier is not None and self.stack.currentWidget() is self.sale

    def lock_idle(self) -> None:
        """Idle for too long: the lock screen; the open ticket waits for its cashier (or a
        manager who takes it over), not for whoever walks up next (`Till.lock`)."""
        till = self.services.till
        cashier = till.cashier
        till.lock()
        self.lock_screen.show_locked(cashier, till.ticket, self.services.config.idle_lock_minutes)
        self.stack.setCurrentWidget(self.lock_screen)
        self.sign_out_action.setEnabled(False)

    def _menus(self) -> None:
        till_menu = self.menuBar().addMenu(self.tr("&Till"))
        self.sign_out_action = QAction(self.tr("Sign out"), self)
        self.sign_out_action.triggered.connect(self.sign_out)
        till_menu.addAction(self.sign_out_action)
        self.reprint_action = QAction(self.tr("Reprint a receipt…"), self)
        self.reprint_action.triggered.connect(self.open_reprint)
        till_menu.addAction(self.reprint_action)

        manager = self.menuBar().addMenu(self.tr("&Manager"))
        self.conflicts_action = QAction(self.tr("Conflict inbox…"), self)
        self.conflicts_action.triggered.connect(self.open_conflicts)
        if self.conflicts is None:
            self.conflicts_action.setEnabled(False)
            self.conflicts_action.setToolTip(self.tr("The conflict inbox needs the sync service."))
        manager.addAction(self.conflicts_action)
        self.staff_action = QAction(self.tr("Staff…"), self)
        self.staff_action.triggered.connect(self.open_staff)
        manager.addAction(self.staff_action)
        self.quick_keys_action = QAction(self.tr("Arrange quick keys…"), self)
        self.quick_keys_action.triggered.connect(self.arrange_quick_keys)
        manager.addAction(self.quick_keys_action)
        manager.setToolTipsVisible(True)

        drawer = self.menuBar().addMenu(self.tr("&Drawer"))
        self.drawer_actions = {
            "open": QAction(self.tr("Open the drawer session (float)…"), self),
            "no_sale": QAction(self.tr("No sale (open the cash drawer)"), self),
            "cash_office": QAction(self.tr("Paid in / paid out…"), self),
            "x_report": QAction(self.tr("X report"), self),
            "z_report": QAction(self.tr("Close the day (Z report)…"), self),
        }
        slots = {"open": self.open_session, "no_sale": self.no_sale, "cash_office": self.cash_office,
                 "x_report": self.x_report,
                 "z_report": self.close_day}
        for key, action in self.drawer_actions.items():
            action.triggered.connect(slots[key])
            action.setEnabled(self.drawer is not None)
            if self.drawer is None:
                action.setToolTip(self.tr("Drawer sessions are not available on this till."))
            drawer.addAction(action)
        drawer.setToolTipsVisible(True)

    def open_staff(self) -> None:
        """Staff changes need `users.manage`: an admin approves on their PIN first."""
        from pos_protocol.permissions import Permission

        from .approval import ApprovalDialog
        from .staff_dialog import StaffDialog

        def approve(a):  # type: ignore[no-untyped-def]
            return self.services.staff.approve(a.user_id, a.pin, Permission.USERS_MANAGE, "staff").approver

        approval = ApprovalDialog(self.tr("Manage staff (needs users.manage)"), approve, self,
                                  signed_in=self.services.till.cashier)
        approval.accepted.connect(lambda: self.sale.open_dialog(
            StaffDialog(self.services, approval.result_value, self)))
        self.sale.open_dialog(approval)

    def open_reprint(self) -> None:
        from .reprint_dialog import ReprintDialog

        self.sale.open_dialog(ReprintDialog(self.services, self.devices, self))

    def open_conflicts(self) -> None:
        self.conflict_watch.open()

    def arrange_quick_keys(self) -> None:
        """The current keys are read, and the new layout saved, off the GUI thread."""
        Operation(self.services.till.quick_keys).success(self._open_quick_keys) \
            .failure(self.sale.show_error).run_in_background()

    def _open_quick_keys(self, keys: list[Any]) -> None:
        from .quick_keys_dialog import QuickKeysDialog

        till = self.services.till
        dialog = QuickKeysDialog(self.services.catalog, keys, till.arrange_quick_keys, self,
                                 signed_in=till.cashier)
        dialog.saved.connect(lambda: Operation(till.quick_keys).success(self.sale.show_quick_keys)
                             .failure(self.sale.show_error).run_in_background())
        self.sale.open_dialog(dialog)

    # -- drawer and end of day ------------------------------------------------------------

    def open_session(self) -> None:
        assert self.drawer is not None
        drawer, currency = self.drawer, self.services.config.currency
        self.sale._ask(EntryDialog(self.tr("Open the drawer"), self.tr("Opening float in the drawer"), self),
                       lambda d: self.sale.run_write(lambda: drawer.open(parse_amount(d.text, currency)),
                                                     lambda _session: None))

    def no_sale(self) -> None:
        assert self.drawer is not None
        self.sale.with_approval(self.tr("Open the cash drawer without a sale"), self.drawer.no_sale,
                                background=True)  # a drawer kick and its audit entry

    def x_report(self) -> None:
        assert self.drawer is not None
        self.sale.with_approval(self.tr("X report"), self.drawer.x_report, background=True,
                                then=lambda result: self._show_report(*result))

    def close_day(self) -> None:
        """Count the drawer (by denomination where the currency has them), then a manager
        closes the day with that count."""
        assert self.drawer is not None
        drawer, currency = self.drawer, self.services.config.currency
        # With a card terminal, its End-of-Day runs once the manager approved (services.drawer).
        end_of_day = self.services.cards.end_of_day_for_z if self.services.cards is not None else None

        def approve(counted: Decimal) -> None:
            self.sale.with_approval(self.tr("Close the day with {amount} counted").format(
                amount=money(counted, currency)), lambda a: drawer.close_day(counted, a, end_of_day),  # type: ignore[arg-type]
                always=True, then=self._day_closed)

        if denominations(currency):
            count = DenominationCount(currency, self)
            count.accepted.connect(lambda: approve(count.total))
            self.sale.open_dialog(count)
            return

        def typed(entry: EntryDialog) -> None:
            try:
                counted = parse_amount(entry.text, currency)
            except Exception as exc:  # noqa: BLE001
                self.sale.show_error(exc)
                return
            approve(counted)

        self.sale._ask(EntryDialog(self.tr("Close the day"), self.tr("Cash counted in the drawer"), self), typed)

    def cash_office(self) -> None:
        assert self.drawer is not None
        self.sale.open_dialog(CashMovementDialog(self.services, self.drawer, self))

    def _day_closed(self, day: Any) -> None:
        if self.sync is not None:
            self.sync.wake()  # the Z report goes to the office now, not with the next sale
        self._show_report(day.report, day.summary)
        if day.card_terminal is not None:  # the card terminal's End-of-Day beside the Z
            level, text = card_check_text(day.card_terminal, self.services.config.currency)
            self.sale.banner.show_message(text, level)

    def _show_report(self, report: Any, summary: Any) -> None:
        self.sale.open_dialog(ReportDialog(report, summary, self.services.config.currency, self,
                                           devices=self.devices))

    # -- bridges ----------------------------------------------------------------------

    def _wire_devices(self, devices: TillDevices | None) -> None:
        if devices is None:
            self.status.device_unavailable(self.tr("devices"), self.tr("not started"))
            return
        for name, reason in devices.unavailable.items():
            self.status.device_unavailable(name, reason)
        self.device_bridge.power.connect(self.status.on_power)
        self.device_bridge.status.connect(self.status.on_status)
        self.device_bridge.error.connect(self.status.on_error)
        self.device_bridge.error.connect(
            lambda e: self.sale.banner.show_message(self.tr("{device}: {problem}").format(
                device=self.status.device_name(e.device), problem=self.status.problem(e)), Level.WARNING))
        self.device_bridge.attach(devices.bus)
        # Devices that came online before the bridge listened: start from their current state.
        for name, state in devices.power().items():
            self.status.on_power(PowerEvent(name, state))

    def _wire_sync(self, sync: Any, error: str | None) -> None:
        if sync is None:
            self.status.sync_unavailable(error or self.tr("not configured"))
            return
        self.sync_bridge.connection_changed.connect(self.status.on_connection)
        self.sync_bridge.queue_changed.connect(self.status.on_queue)
        self.sync_bridge.connection_changed.connect(self._sync_changed)
        self.sync_bridge.queue_changed.connect(self._sync_changed)
        self.sync_bridge.clock_skewed.connect(self.status.on_clock)
        self.sync_bridge.catalog_updated.connect(self._catalog_updated)
        self.sync_bridge.conflicts_arrived.connect(self._conflicts_arrived)
        self.sync_bridge.resolved_elsewhere.connect(self.conflict_watch.resolved_elsewhere)
        self.sync_bridge.attach(sync)

    def _sync_changed(self, _event: Any) -> None:
        self.sale.offline.show_state(self.status.online, self.status.waiting)

    def _catalog_updated(self, event: Any) -> None:
        # The page is in the database already and the sale path reads it from there
        # (sync.catalog_pull, the one apply path): only what the screens show is refreshed.
        self.sale.catalog_changed(event)

    def _conflicts_arrived(self, event: Any) -> None:
        self.conflict_watch.arrived(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        # A write under way (a park, a sale's commit) finishes before the window goes: its
        # result must reach the screen's callbacks, not a half-torn-down window.
        Operation.wait_for_all()
        self.device_bridge.detach()
        self.sync_bridge.detach()
        super().closeEvent(event)
