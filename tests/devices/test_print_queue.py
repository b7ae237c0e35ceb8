"""Persistent print queue against the TCP simulator: the acceptance stories of issue 4."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.escpos.receipt import render_receipt
from devices.events import (
    DeviceEvent,
    DeviceStatus,
    ErrorEvent,
    EventRecorder,
    OutputCompleteEvent,
    PowerEvent,
    StatusEvent,
)
from devices.print_queue import PrintQueue, PrintQueueError
from devices.printer import ReceiptPrinter
from devices.simulators.printer import PrinterSimulator

from .conftest import WAIT, sample_receipt


@pytest.fixture
def queue(tmp_path: Path, printer: ReceiptPrinter) -> Iterator[PrintQueue]:
    q = PrintQueue(tmp_path / "print_queue.sqlite3", printer, retry_min=0.02, retry_max=0.2)
    yield q
    q.close()


def idle(e: DeviceEvent) -> bool:
    return isinstance(e, StatusEvent) and e.status == DeviceStatus.IDLE


def completed(job_id: str):
    return lambda e: isinstance(e, OutputCompleteEvent) and e.job_id == job_id


def story(events: list[DeviceEvent]) -> list[str]:
    """The events as short words, consecutive repeats collapsed, for order assertions."""
    words: list[str] = []
    for e in events:
        if isinstance(e, PowerEvent):
            word = f"power:{e.state.value}"
        elif isinstance(e, ErrorEvent):
            word = f"error:{e.code}"
        elif isinstance(e, OutputCompleteEvent):
            word = f"done:{e.job_id}"
        elif isinstance(e, StatusEvent):
            word = f"status:{e.status.value}"
        else:
            continue
        if not words or words[-1] != word:
            words.append(word)
    return words


def test_submit_prints_once_and_reports_completion(
    sim: PrinterSimulator, queue: PrintQueue, events: EventRecorder
) -> None:
    queue.submit("order-1", sample_receipt("R-0001"))
    events.wait_for(completed("order-1"), WAIT)
    events.wait_for(idle, WAIT)
    assert len(sim.receipts) == 1 and "[QR R-0001]" in sim.receipts[0]
    assert queue.job("order-1").state == "done" and queue.pending_count() == 0


def test_unplug_mid_job_prints_exactly_once_and_caller_never_blocks(
    sim: PrinterSimulator, queue: PrintQueue, events: EventRecorder
) -> None:
    data = render_receipt(sample_receipt("R-0002"), 80)
    sim.unplug_after(len(data) * 3 // 4)  # the cable comes out three quarters into the receipt

    started = time.monotonic()
    queue.submit("order-2", data)
    queue.submit("order-3", sample_receipt("R-0003"))  # queued behind it while the printer is gone
    assert time.monotonic() - started < 0.5  # submit only writes the queue file

    events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.code == "offline", WAIT)
    assert len(sim.torn) == 1 and sim.receipts == []  # half a receipt came out, then nothing
    sim.plug()
    events.wait_for(completed("order-3"), WAIT)
    events.wait_for(idle, WAIT)

    assert [r.count("[QR ") for r in sim.receipts] == [1, 1]
    assert "[QR R-0002]" in sim.receipts[0] and "[QR R-0003]" in sim.receipts[1]
    # The write had returned before the cable came out, so the driver cannot tell
    # how much the printer got: the reprint is marked, never silently doubled.
    assert "*** COPY ***" in sim.receipts[0] and "COPY" not in sim.receipts[1]
    assert "[QR R-0002]" not in sim.torn[0]  # the torn stub never got to the end
    assert story(events.snapshot()) == [
        "power:online", "status:cover_ok", "status:paper_ok",
        "power:off_offline", "error:offline",
        "power:online", "done:order-2", "done:order-3", "status:idle",
    ]


def test_paper_out_waits_then_prints_after_restock(
    sim: PrinterSimulator, queue: PrintQueue, events: EventRecorder
) -> None:
    sim.set_state(paper="out")
    queue.submit("order-4", sample_receipt("R-0004"))
    error = events.wait_for(lambda e: isinstance(e, ErrorEvent), WAIT)
    assert error.code == "paper_empty" and error.can_retry
    assert sim.receipts == [] and queue.job("order-4").state == "pending"
    sim.set_state(paper="ok")
    events.wait_for(completed("order-4"), WAIT)
    events.wait_for(idle, WAIT)
    assert len(sim.receipts) == 1
    assert story(events.snapshot())[2:] == [
        "status:paper_ok", "status:paper_empty", "error:paper_empty", "status:paper_ok", "done:order-4", "status:idle",
    ]


def test_paper_out_mid_job_is_finished_not_reprinted(
    sim: PrinterSimulator, queue: PrintQueue, events: EventRecorder
) -> None:
    data = render_receipt(sample_receipt("R-0005"), 80)
    sim.paper_out_after(len(data) // 3)
    queue.submit("order-5", data)
    events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.code == "paper_empty", WAIT)
    sim.set_state(paper="ok")
    events.wait_for(completed("order-5"), WAIT)
    assert len(sim.receipts) == 1 and sim.receipts[0].count("TOTAL") == 1


def test_cover_open_then_closed(sim: PrinterSimulator, queue: PrintQueue, events: EventRecorder) -> None:
    sim.set_state(cover_open=True)
    queue.submit("order-6", b"\x1b@cover test\n\x1dV\x00")
    events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.code == "cover_open", WAIT)
    sim.set_state(cover_open=False)
    events.wait_for(completed("order-6"), WAIT)
    assert sim.receipts == ["cover test"]


def test_submit_is_idempotent_and_refuses_bad_input(sim: PrinterSimulator, queue: PrintQueue, events: EventRecorder) -> None:
    sim.set_state(offline=True)  # hold printing so both submits meet a pending job
    data = render_receipt(sample_receipt("R-0007"), 80)
    queue.submit("order-7", data)
    queue.submit("order-7", data)
    with pytest.raises(PrintQueueError, match="different content"):
        queue.submit("order-7", data + b"x")
    with pytest.raises(PrintQueueError, match="non-empty text"):
        queue.submit("", data)
    with pytest.raises(PrintQueueError, match="non-empty bytes"):
        queue.submit("order-8", b"")
    assert queue.pending_count() == 1
    sim.set_state(offline=False)
    events.wait_for(completed("order-7"), WAIT)
    queue.submit("order-7", data)  # after printing too: still a no-op
    assert queue.pending_count() == 0 and len(sim.receipts) == 1


def test_jobs_survive_a_restart_and_print_once(tmp_path: Path, sim: PrinterSimulator, printer: ReceiptPrinter,
                                               events: EventRecorder) -> None:
    path = tmp_path / "q.sqlite3"
    sim.unplug()
    first = PrintQueue(path, printer, retry_min=0.02, retry_max=0.2)
    first.submit("order-9", sample_receipt("R-0009"))
    events.wait_for(lambda e: isinstance(e, ErrorEvent), WAIT)
    first.close()
    sim.plug()
    with PrintQueue(path, printer, retry_min=0.02, retry_max=0.2) as second:
        events.wait_for(completed("order-9"), WAIT)
        assert second.job("order-9").state == "done"
    with PrintQueue(path, printer, retry_min=0.02, retry_max=0.2) as third:
        assert third.pending_count() == 0
    assert len(sim.receipts) == 1
