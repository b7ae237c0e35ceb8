"""Composition root: build services, devices, sync and the window, then run Qt.

Sync and devices are optional at run time: when one cannot start (not enrolled, no
keyring, no device file) the till still sells and the status bar says what is missing.
The database is not: one the till cannot trust (`store.guard`) stops it with a message
box that says why and how to recover, before any window opens.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from pos_terminal.config import TerminalConfig
from pos_terminal.services import Services, open_services
from pos_terminal.services.drawer import DrawerService
from pos_terminal.store.guard import DatabaseUnusable
from pos_terminal.ui.conflicts_dialog import ConflictInbox
from pos_terminal.ui.main_window import MainWindow
from pos_terminal.services.till_devices import ReceiptLabels, TillDevices, open_till_devices

log = logging.getLogger(__name__)
TRANSLATIONS = Path(str(files("pos_terminal.ui") / "translations"))  # package data (.qm)


@dataclass
class Terminal:
    """Everything `run_app` started, so it can all be stopped in reverse order."""

    services: Services
    window: MainWindow
    devices: TillDevices | None = None
    sync: Any = None
    translators: list[QTranslator] = field(default_factory=list)

    def close(self) -> None:
        if self.sync is not None:
            self.sync.stop()
        if self.devices is not None:
            self.devices.close()
        self.services.close()


def run_app(config: TerminalConfig, argv: Sequence[str] | None = None, *, windowed: bool = False) -> int:
    """Run the till: full screen (a kiosk: the till is the only thing on its screen),
    or in an ordinary window with `windowed` (the demo, a developer's desktop)."""
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    translators = install_translations(app)
    try:
        terminal = start_terminal(config)
    except DatabaseUnusable as exc:
        return refuse_to_start(exc)
    terminal.translators = translators
    show_till(terminal.window, windowed=windowed)
    try:
        return app.exec()
    finally:
        terminal.close()


def show_till(window: QWidget, *, windowed: bool) -> None:
    """Full screen, or a window no larger than the screen's free area: on a 1366x768
    screen a 1280x800 window would hide the Pay row and the status bar below the edge."""
    if not windowed:
        window.showFullScreen()
        return
    window.show()  # first: only a shown window knows its frame (title bar, borders)
    free = window.screen().availableGeometry()
    frame_w = window.frameGeometry().width() - window.width()
    frame_h = window.frameGeometry().height() - window.height()
    window.resize(min(window.width(), free.width() - frame_w), min(window.height(), free.height() - frame_h))
    window.move(free.topLeft())


def refuse_to_start(exc: DatabaseUnusable) -> int:
    """Show why the till will not sell on this database and how to recover; exit status 2."""
    print(f"error: {exc}", file=sys.stderr)  # the same words for whoever reads the log
    refusal_box(exc).exec()
    return 2


def refusal_box(exc: DatabaseUnusable) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical,
                      QCoreApplication.translate("StartUp", "The till cannot start"),
                      QCoreApplication.translate("StartUp", "The till's database cannot be used, so "
                                                            "the till will not start. Nothing has "
                                                            "been changed."))
    box.setInformativeText(str(exc))  # the file, what is wrong with it and the recovery steps
    return box


def start_terminal(config: TerminalConfig, *, with_devices: bool = True, with_sync: bool = True) -> Terminal:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    services = open_services(config)
    devices = _start_devices(services) if with_devices else None
    sync, sync_error = _start_sync(services, devices) if with_sync else (None, "sync disabled")
    inbox = ConflictInbox(services, sync.wake if sync is not None else (lambda: None))
    drawer = DrawerService(services.till, devices.kick_drawer if devices is not None else None)
    window = MainWindow(services, devices=devices, sync=sync, sync_error=sync_error, conflicts=inbox,
                        drawer=drawer)
    log.info("till started", extra={"terminal_id": services.config.terminal_id,
                                    "store_id": services.config.store_id, "data_dir": str(config.data_dir)})
    return Terminal(services, window, devices, sync)


def install_translations(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Qt's own strings and ours (`ui/translations/pos_terminal_<lang>.qm`) for the locale."""
    locale = locale or QLocale()
    installed = []
    for name, where in (("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
                        ("pos_terminal", str(TRANSLATIONS))):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", where):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


def _start_devices(services: Services) -> TillDevices:
    devices = open_till_devices(services.config)
    devices.labels = _receipt_labels(services.config.locale)
    if devices.card_terminal is not None:
        _start_card_payments(services, devices)
    devices.attach(services.till)  # prints first what a crash after commit left unprinted
    for name, reason in devices.unavailable.items():
        log.warning("device %s unavailable: %s", name, reason)
    return devices


def _start_card_payments(services: Services, devices: TillDevices) -> None:
    """Card payments through the terminal; first settle what a crash may have left (in the
    background: the terminal may be slow to answer, and nobody pays by card meanwhile)."""
    from pos_terminal.services.card_payments import CardPayments, CardPaymentBlocked

    cards = CardPayments(services.db, services.config.terminal_id, devices.card_terminal,  # type: ignore[arg-type]
                         services.till.clock)
    services.cards = cards
    devices.card_receipts = lambda order_id: cards.receipt_lines(order_id, devices.card_copies)

    def recover() -> None:
        try:
            cards.recover()
        except CardPaymentBlocked as exc:
            log.warning("card payments blocked until the terminal answers: %s", exc)

    threading.Thread(target=recover, name="card-recovery", daemon=True).start()


def _start_sync(services: Services, devices: TillDevices | None) -> tuple[Any, str | None]:
    try:
        from pos_terminal.sync import SyncService

        telemetry = devices.telemetry if devices is not None else None  # the heartbeat's device part
        sync = SyncService(services, device_status=telemetry.status if telemetry else None,
                           device_counters=telemetry.counters if telemetry else None)
        services.connect(sync.client.twin())  # staff changes and other tills' receipts
        sync.start()
    except Exception as exc:  # noqa: BLE001 - not enrolled, no keyring, server config: sell offline
        log.warning("sync unavailable, selling offline: %s", exc)
        return None, f"{type(exc).__name__}: {exc}"
    return sync, None


def _receipt_labels(locale: str | None = None) -> ReceiptLabels:
    """The receipt's words in the store's language (ui.receipt_words)."""
    from pos_terminal.ui.receipt_words import receipt_words

    return receipt_words(locale)
