"""Shared fixtures: a printer simulator on an ephemeral port and a driver talking TCP to it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from devices.escpos.receipt import Receipt, ReceiptLine, TaxLine, Tender
from devices.events import EventBus, EventRecorder
from devices.printer import PrinterConfig, ReceiptPrinter
from devices.simulators.printer import PrinterSimulator
from devices.transports.tcp import TcpTransport
from pos_terminal.config import DEFAULT_LOGO as SHOP_LOGO  # any shop's PNG; the golden has this one

# short deadlines keep failure paths fast; still far above a local round trip
FAST = PrinterConfig(width_mm=80, connect_timeout=1.0, io_timeout=0.5, confirm_timeout=1.0, lock_timeout=5.0)
WAIT = 15.0  # upper bound for any awaited condition in these tests


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    simulator = PrinterSimulator(columns=48).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def events(bus: EventBus) -> EventRecorder:
    return EventRecorder(bus)


@pytest.fixture
def printer(sim: PrinterSimulator, bus: EventBus, events: EventRecorder) -> Iterator[ReceiptPrinter]:
    # `events` first, so the recorder sees the status published while claiming
    device = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), bus, FAST)
    device.start()
    yield device
    device.close()


def sample_receipt(receipt_id: str = "R-0001") -> Receipt:
    D = Decimal
    return Receipt(
        receipt_id=receipt_id,
        header=("Boulangerie Élise", "12 Rue de la Paix, Lyon", "TVA FR 12 345 678 901"),
        lines=(
            ReceiptLine("Café crème", D("2"), D("7.00"), D("3.50")),
            ReceiptLine("Croissant au beurre", D("1"), D("1.20")),
            ReceiptLine("Tarte aux pommes façon grand-mère (part)", D("1"), D("4.80")),
            ReceiptLine("Pain de campagne", D("0.750"), D("3.00"), D("4.00")),
        ),
        total=D("16.00"),
        taxes=(TaxLine("TVA 5.5%", D("8.53"), D("0.47")), TaxLine("TVA 10%", D("6.36"), D("0.64"))),
        tenders=(Tender("Espèces", D("20.00")),),
        change=D("4.00"),
        footer=("Merci et à bientôt !", "Prix en €, TVA incluse"),
        logo=SHOP_LOGO,
    )
