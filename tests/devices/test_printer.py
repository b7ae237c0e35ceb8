"""Receipt printer driver against the TCP simulator: confirmed printing, status, lifecycle."""

from __future__ import annotations

from dataclasses import replace

import pytest

from devices.base import DeviceStateError, LifecycleState
from devices.escpos.receipt import render_receipt
from devices.events import DeviceStatus, EventRecorder, PowerEvent, PowerState, StatusEvent
from devices.printer import PrinterNotReady, PrinterUnavailable, PrintUnconfirmed, ReceiptPrinter
from devices.simulators.printer import PrinterSimulator
from devices.transports.tcp import TcpTransport

from .conftest import FAST, sample_receipt


def test_print_returns_only_after_the_printer_confirmed(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    printer.print_job("j1", render_receipt(sample_receipt(), 80))
    # no waiting needed: print_job returned, so the simulator already printed it
    assert len(sim.receipts) == 1
    assert "TOTAL" in sim.receipts[0] and "[QR R-0001]" in sim.receipts[0]


def test_status_events_and_power(sim: PrinterSimulator, printer: ReceiptPrinter, events: EventRecorder) -> None:
    assert printer.power_state == PowerState.ONLINE
    sim.set_state(paper="near_end")
    assert printer.query_status().paper_near_end
    sim.set_state(cover_open=True)
    status = printer.query_status()
    assert status.cover_open and status.problem == "cover_open" and not status.ready
    statuses = [e.status for e in events.snapshot() if isinstance(e, StatusEvent)]
    assert statuses == [
        DeviceStatus.COVER_OK, DeviceStatus.PAPER_OK, DeviceStatus.PAPER_NEAR_EMPTY, DeviceStatus.COVER_OPEN,
    ]


def test_not_ready_printer_gets_nothing(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    sim.set_state(paper="out")
    before = sim.bytes_received
    with pytest.raises(PrinterNotReady) as err:
        printer.print_job("j1", b"\x1b@hello\n")
    assert err.value.code == "paper_empty"
    assert sim.bytes_received - before == 4 * 3  # only the four DLE EOT queries went out


def test_silent_printer_is_unavailable_not_paper_adequate(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    sim.set_state(silent=True)
    with pytest.raises(PrinterUnavailable, match="no reply to DLE EOT 1"):
        printer.query_status()
    assert printer.power_state == PowerState.OFF_OFFLINE


def test_job_accepted_but_never_confirmed_is_not_done(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    data = render_receipt(sample_receipt(), 80)
    sim.silent_after(len(data))  # takes the whole job, then answers nothing (a wedged printer)
    job = printer.send_job("j1", data)
    with pytest.raises(PrinterUnavailable) as err:
        printer.await_job(job, timeout=0.2)
    assert err.value.transmitted  # the caller learns it may have printed: not "done", not "never sent"


def test_paper_out_mid_job_waits_for_the_same_job(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    data = render_receipt(sample_receipt(), 80)
    sim.paper_out_after(len(data) // 2)  # the roll ends halfway through the receipt
    job = printer.send_job("j1", data)
    with pytest.raises(PrintUnconfirmed) as err:
        printer.await_job(job, timeout=0.2)
    assert err.value.code == "paper_empty" and sim.receipts == []
    sim.set_state(paper="ok")  # new roll: the printer finishes what it holds
    printer.await_job(job)
    assert len(sim.receipts) == 1 and "[QR R-0001]" in sim.receipts[0]


def test_write_after_peer_closed_is_never_success(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    sim.unplug()
    # the OS may accept the first write into a dead socket; only the missing reply tells
    with pytest.raises(PrinterUnavailable):
        printer.print_job("j1", render_receipt(sample_receipt(), 80))
    assert printer.power_state == PowerState.OFF_OFFLINE
    assert sim.receipts == []


def test_reconnects_after_replug(sim: PrinterSimulator, printer: ReceiptPrinter, events: EventRecorder) -> None:
    sim.unplug()
    with pytest.raises(PrinterUnavailable):
        printer.query_status()
    sim.plug()
    printer.print_job("j1", render_receipt(sample_receipt(), 80))
    assert len(sim.receipts) == 1
    powers = [e.state for e in events.snapshot() if isinstance(e, PowerEvent)]
    assert powers == [PowerState.ONLINE, PowerState.OFF_OFFLINE, PowerState.ONLINE]


def test_claim_survives_an_absent_printer(sim: PrinterSimulator) -> None:
    sim.unplug()
    device = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), config=FAST)
    device.start()
    assert device.state == LifecycleState.ENABLED and device.power_state == PowerState.OFF_OFFLINE
    assert not device.check_health().ok
    sim.plug()
    assert device.check_health().ok
    device.close()


def test_lifecycle_is_enforced(sim: PrinterSimulator) -> None:
    device = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), config=FAST)
    with pytest.raises(DeviceStateError, match="must be enabled first"):
        device.print_job("j1", b"x")
    with pytest.raises(DeviceStateError, match="cannot claim while closed"):
        device.claim()
    device.open()
    with pytest.raises(DeviceStateError, match="cannot enable while opened"):
        device.enable()
    device.claim(1.0)
    device.enable()
    device.disable()
    with pytest.raises(DeviceStateError):
        device.query_status()
    device.close()
    assert device.state == LifecycleState.CLOSED and not device.transport.is_open


def test_a_printer_without_gs_h_prints_but_never_confirms(sim: PrinterSimulator, printer: ReceiptPrinter) -> None:
    sim.process_id_supported = False  # many ESC/POS clones ignore GS ( H
    job = printer.send_job("j1", render_receipt(sample_receipt(), 80))
    with pytest.raises(PrintUnconfirmed, match="no confirmation yet"):
        printer.await_job(job, timeout=0.2)
    assert len(sim.receipts) == 1  # it printed; only the confirmation is missing


def test_status_confirmation_serves_printers_without_gs_h(sim: PrinterSimulator) -> None:
    sim.process_id_supported = False
    device = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), None, replace(FAST, confirm="status"))
    device.start()
    try:
        data = render_receipt(sample_receipt(), 80)
        device.print_job("j1", data)
        assert len(sim.receipts) == 1
        sim.paper_out_after(len(data) // 2)  # the roll ends halfway through the next one
        job = device.send_job("j2", data)
        with pytest.raises(PrintUnconfirmed) as err:
            device.await_job(job)
        assert err.value.code == "paper_empty" and len(sim.receipts) == 1
        sim.set_state(paper="ok")
        device.await_job(job)  # the same job, not a resend
        assert len(sim.receipts) == 2
    finally:
        device.close()
