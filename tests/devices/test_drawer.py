"""Cash drawer through the printer: kicks counted by the simulator, retries opened once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.drawer import CashDrawer, DrawerConfig, KickResult
from devices.events import DeviceStatus, EventRecorder, StatusEvent
from devices.printer import PrinterNotReady, PrinterUnavailable, ReceiptPrinter
from devices.simulators.printer import PrinterSimulator


@pytest.fixture
def drawer(tmp_path: Path, printer: ReceiptPrinter) -> Iterator[CashDrawer]:
    device = CashDrawer("drawer", printer, tmp_path / "drawer.sqlite3", config=DrawerConfig(pin=2, open_timeout=2.0))
    device.start()
    yield device
    device.close()


def test_kick_opens_and_reports(sim: PrinterSimulator, drawer: CashDrawer, events: EventRecorder) -> None:
    assert drawer.kick("sale-1/drawer") == KickResult.OPENED
    assert sim.drawer_kicks == 1 and sim.drawer_open
    assert "[drawer kick pin 2]" in sim.rendering
    sim.close_drawer()
    assert drawer.wait_closed(timeout=5.0)
    drawer_events = [e.status for e in events.snapshot() if isinstance(e, StatusEvent) and "drawer" in e.status.value]
    assert drawer_events == [DeviceStatus.DRAWER_CLOSED, DeviceStatus.DRAWER_OPEN, DeviceStatus.DRAWER_CLOSED]


def test_same_action_id_never_opens_twice(sim: PrinterSimulator, drawer: CashDrawer) -> None:
    assert drawer.kick("sale-2/drawer") == KickResult.OPENED
    sim.close_drawer()
    assert drawer.kick("sale-2/drawer") == KickResult.ALREADY_DONE
    assert sim.drawer_kicks == 1
    assert drawer.kick("sale-3/drawer") == KickResult.OPENED  # a new action does open it
    assert sim.drawer_kicks == 2


def test_retry_after_lost_confirmation_opens_once(sim: PrinterSimulator, drawer: CashDrawer) -> None:
    sim.drop_connection_after_kick()  # the pulse fires, then the line drops before we see "open"
    with pytest.raises(PrinterUnavailable):
        drawer.kick("sale-4/drawer")
    assert sim.drawer_kicks == 1
    assert drawer.ledger.state("sale-4/drawer") == "sent"
    # the caller retries with the same id: the driver asks the drawer first
    assert drawer.kick("sale-4/drawer") == KickResult.ALREADY_DONE
    assert sim.drawer_kicks == 1
    assert drawer.ledger.state("sale-4/drawer") == "done"


def test_ledger_survives_a_restart(tmp_path: Path, sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    path = tmp_path / "drawer.sqlite3"
    with CashDrawer("drawer", printer, path) as first:
        assert first.kick("sale-5/drawer") == KickResult.OPENED
    sim.close_drawer()
    with CashDrawer("drawer", printer, path) as second:
        assert second.kick("sale-5/drawer") == KickResult.ALREADY_DONE
    assert sim.drawer_kicks == 1


def test_unsent_kick_while_printer_in_error_is_retryable(sim: PrinterSimulator, drawer: CashDrawer) -> None:
    sim.set_state(cover_open=True)
    with pytest.raises(PrinterNotReady):
        drawer.kick("sale-6/drawer")
    assert drawer.ledger.state("sale-6/drawer") is None and sim.drawer_kicks == 0
    sim.set_state(cover_open=False)
    assert drawer.kick("sale-6/drawer") == KickResult.OPENED and sim.drawer_kicks == 1


def test_pin_5_and_polarity(tmp_path: Path, sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    config = DrawerConfig(pin=5, open_when_pin3_high=False)
    with CashDrawer("drawer", printer, tmp_path / "d.sqlite3", config=config) as inverted:
        assert inverted.is_open()  # pin 3 low (simulator's closed) reads as open on this model
    with CashDrawer("drawer", printer, tmp_path / "d2.sqlite3", config=DrawerConfig(pin=5)) as drawer:
        drawer.kick("sale-7/drawer")
    assert "[drawer kick pin 5]" in sim.rendering


def test_out_of_paper_the_drawer_still_opens_once_by_real_time_pulse(
    sim: PrinterSimulator, drawer: CashDrawer
) -> None:
    """The roll ran out mid-shift: the cashier must still be able to give change."""
    sim.set_state(paper="out")
    assert drawer.kick("sale-8/drawer") == KickResult.OPENED
    assert sim.drawer_kicks == 1 and "[drawer pulse pin 2]" in sim.rendering
    assert drawer.kick("sale-8/drawer") == KickResult.ALREADY_DONE  # a retry never opens it twice
    assert sim.drawer_kicks == 1
