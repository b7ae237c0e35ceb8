"""Receipts owed by committed sales (store.pending_receipts) and how the till settles them:
a real print queue file, a real ESC/POS driver over TCP to the printer simulator."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from devices.escpos.receipt import render_receipt
from devices.events import EventBus, EventRecorder, OutputCompleteEvent
from devices.print_queue import PrintQueue
from devices.printer import PrinterConfig, ReceiptPrinter
from devices.simulators.printer import PrinterSimulator
from devices.transports.tcp import TcpTransport
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, TenderInput
from pos_terminal.services.checkout import CompletedOrder
from pos_terminal.services.till_devices import TillDevices, receipt_for
from pos_terminal.store import pending_receipts, sales

FAST = PrinterConfig(width_mm=80, connect_timeout=1.0, io_timeout=0.5, confirm_timeout=2.0)
WAIT = 15.0


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    simulator = PrinterSimulator(columns=48).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def queue(tmp_path: Path, sim: PrinterSimulator, bus: EventBus) -> Iterator[PrintQueue]:
    printer = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), bus, FAST)
    with PrintQueue(tmp_path / "print_queue.sqlite3", printer, retry_min=0.02, retry_max=0.2) as q:
        yield q
    printer.close()


def _sell(services: Services) -> CompletedOrder:
    services.till.add_sku("SKU00001", Decimal(2))
    return services.till.pay([TenderInput(TenderType.CARD, services.till.ticket.totals().gross, "t")])


def _owed(services: Services) -> int:
    with services.db.reader() as s:
        return pending_receipts.count(s)


def test_a_sale_owes_its_receipt_from_its_own_commit_on(services: Services) -> None:
    order = _sell(services)  # no devices attached: nothing took the receipt
    with services.db.reader() as s:
        assert [o.order_id for o in pending_receipts.waiting(s)] == [order.order_id]


def test_the_receipt_rebuilt_from_the_database_is_the_one_printed_at_the_sale(services: Services) -> None:
    """So a receipt handed over again after a crash is the same job, byte for byte."""
    order = _sell(services)
    cfg = services.config
    with services.db.reader() as s:
        [stored] = pending_receipts.waiting(s)
        again = CompletedOrder(stored.order_id, stored.receipt_no, stored.created_at,
                               sales.to_finished_sale(stored, cfg.tax_mode, cfg.currency.scale))
    assert render_receipt(receipt_for(again, cfg), 80) == render_receipt(receipt_for(order, cfg), 80)


def test_handed_over_but_not_settled_before_a_crash_prints_once(
        services: Services, queue: PrintQueue, sim: PrinterSimulator, bus: EventBus) -> None:
    done = EventRecorder(bus)
    order = _sell(services)
    queue.submit(order.order_id, receipt_for(order, services.config))  # then the till died
    done.wait_for(lambda e: isinstance(e, OutputCompleteEvent) and e.job_id == order.order_id, WAIT)

    devices = TillDevices(services.config, print_queue=queue)
    devices.attach(services.till)  # the next start
    assert _owed(services) == 0
    assert queue.pending_count() == 0 and len(sim.receipts) == 1


def test_the_next_start_prints_what_is_owed_and_later_sales_as_they_commit(
        services: Services, queue: PrintQueue, sim: PrinterSimulator) -> None:
    first = _sell(services)
    TillDevices(services.config, print_queue=queue).attach(services.till)
    second = _sell(services)
    sim.wait_until(lambda s: len(s.receipts) == 2, WAIT)
    assert first.receipt_no in sim.receipts[0] and second.receipt_no in sim.receipts[1]
    assert _owed(services) == 0


def test_a_till_without_a_receipt_printer_owes_no_receipt(services: Services) -> None:
    TillDevices(services.config, printerless=True).attach(services.till)
    _sell(services)
    assert _owed(services) == 0


def test_a_configured_printer_that_cannot_be_used_keeps_the_receipt_owed(services: Services) -> None:
    devices = TillDevices(services.config, unavailable={"receipt": "bad port"})
    devices.attach(services.till)
    _sell(services)
    assert _owed(services) == 1  # the next start with a working printer prints it
