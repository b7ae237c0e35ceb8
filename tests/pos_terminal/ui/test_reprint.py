"""Reprint through the real print queue and the ESC/POS printer simulator over TCP: the
last receipt or an earlier one comes out marked as a copy; no sale is touched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.events import EventBus
from devices.print_queue import PrintQueue
from devices.printer import PrinterConfig, ReceiptPrinter
from devices.simulators.printer import PrinterSimulator
from devices.transports.tcp import TcpTransport
from pos_terminal.core.sale import TenderType
from pos_terminal.services.till_devices import TillDevices
from pos_terminal.ui.reprint_dialog import ReprintDialog

from .conftest import BREAD, order_count, scan

FAST = PrinterConfig(width_mm=80, connect_timeout=1.0, io_timeout=0.5, confirm_timeout=1.0, lock_timeout=5.0)


@pytest.fixture
def devices(tmp_path, services) -> Iterator[TillDevices]:  # type: ignore[no-untyped-def]
    sim = PrinterSimulator(columns=48).start()
    bus = EventBus()
    printer = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), bus, FAST)
    printer.start()
    queue = PrintQueue(tmp_path / "print_queue.sqlite3", printer, retry_min=0.02, retry_max=0.2)
    till = TillDevices(replace_logo(services.config), bus, print_queue=queue)
    till.sim = sim  # type: ignore[attr-defined]
    yield till
    queue.close()
    printer.close()
    sim.stop()


def replace_logo(config):  # type: ignore[no-untyped-def]
    return config.replace(receipt_logo=None)


def _sell(qtbot, screen) -> str:  # type: ignore[no-untyped-def]
    scan(qtbot, screen, BREAD)
    screen.buttons["pay"].click()
    pay = screen.dialog
    pay.tender_buttons[TenderType.CARD].click()
    with qtbot.waitSignal(pay.committed, timeout=10_000):
        pay.complete_button.click()
    pay.accept()
    return pay.order.receipt_no


def test_reprint_the_last_and_an_earlier_receipt_as_copies(qtbot, window, services, devices):
    first, last = _sell(qtbot, window.sale), _sell(qtbot, window.sale)
    sales = order_count(services)
    dialog = ReprintDialog(services, devices, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.receipts.count() == 2 and last in dialog.receipts.item(0).text()

    dialog.last_button.click()
    devices.sim.wait_until(lambda sim: len(sim.receipts) == 1, timeout=15)
    assert "*** COPY ***" in devices.sim.receipts[0] and last in devices.sim.receipts[0]
    dialog.receipts.setCurrentRow(1)
    qtbot.waitUntil(lambda: not dialog.operation.running, timeout=10_000)
    dialog.selected_button.click()
    devices.sim.wait_until(lambda sim: len(sim.receipts) == 2, timeout=15)
    assert first in devices.sim.receipts[1] and "*** COPY ***" in devices.sim.receipts[1]
    qtbot.waitUntil(lambda: "is printing" in dialog.message.text(), timeout=10_000)
    assert order_count(services) == sales  # a copy is no sale


def test_without_a_printer_the_reprint_says_so(qtbot, window, services):
    _sell(qtbot, window.sale)
    dialog = ReprintDialog(services, None, window)
    qtbot.addWidget(dialog)
    dialog.last_button.click()
    qtbot.waitUntil(lambda: "no receipt printer" in dialog.message.text(), timeout=10_000)
