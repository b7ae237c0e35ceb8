"""Kill the process that owns the print queue and check what the next process prints."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devices.escpos.receipt import render_receipt
from devices.events import EventRecorder, OutputCompleteEvent
from devices.print_queue import PrintQueue
from devices.printer import ReceiptPrinter
from devices.simulators.printer import PrinterSimulator

from .conftest import WAIT, sample_receipt
from tests.waiting import wait_until

CHILD = textwrap.dedent(
    """
    import sys, threading
    from devices.print_queue import PrintQueue
    from devices.printer import PrinterConfig, ReceiptPrinter
    from devices.transports.tcp import TcpTransport
    from devices.escpos.receipt import Receipt, ReceiptLine
    from decimal import Decimal
    path, port, job_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    printer = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", port),
                             config=PrinterConfig(connect_timeout=0.5, io_timeout=0.5, confirm_timeout=60))
    queue = PrintQueue(path, printer, retry_min=0.02, retry_max=0.2)
    queue.submit("order-crash", open(job_file, "rb").read())
    print("submitted", flush=True)
    threading.Event().wait()  # keep printing until killed
    """
)



def job_state(path: Path) -> str | None:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT state FROM print_jobs WHERE job_id = 'order-crash'").fetchone()
    return row[0] if row else None


def spawn(tmp_path: Path, db: Path, port: int, data: bytes) -> subprocess.Popen[str]:
    job = tmp_path / "job.bin"
    job.write_bytes(data)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(port), str(job)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "submitted"
    return child


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=WAIT)


@pytest.mark.slow
def test_job_submitted_then_process_killed_prints_once_after_restart(
    tmp_path: Path, sim: PrinterSimulator, printer: ReceiptPrinter, events: EventRecorder
) -> None:
    db = tmp_path / "queue.sqlite3"
    sim.unplug()  # printer absent: the job can only be in the file
    child = spawn(tmp_path, db, sim.port, render_receipt(sample_receipt("R-0100"), 80))
    kill(child)
    assert job_state(db) == "pending"
    sim.plug()
    with PrintQueue(db, printer, retry_min=0.02, retry_max=0.2):
        events.wait_for(lambda e: isinstance(e, OutputCompleteEvent) and e.job_id == "order-crash", WAIT)
    assert len(sim.receipts) == 1 and "COPY" not in sim.receipts[0]


@pytest.mark.slow
def test_killed_while_waiting_for_confirmation_reprints_marked_copy(
    tmp_path: Path, sim: PrinterSimulator, printer: ReceiptPrinter, events: EventRecorder
) -> None:
    db = tmp_path / "queue.sqlite3"
    data = render_receipt(sample_receipt("R-0101"), 80)
    # the child sends DLE EOT 1-4 twice (claim, pre-job check), then the job; then the printer goes mute
    sim.silent_after(2 * 4 * 3 + len(data))
    child = spawn(tmp_path, db, sim.port, data)
    wait_until(lambda: job_state(db) == "sending" and len(sim.receipts) == 1, WAIT)
    kill(child)  # it printed, but the process died before hearing so
    sim.set_state(silent=False)
    with PrintQueue(db, printer, retry_min=0.02, retry_max=0.2) as queue:
        events.wait_for(lambda e: isinstance(e, OutputCompleteEvent) and e.job_id == "order-crash", WAIT)
        assert queue.job("order-crash").ambiguous
    # at least once, and the second one says it is a copy: never two unmarked originals
    assert len(sim.receipts) == 2
    assert "COPY" not in sim.receipts[0] and "*** COPY ***" in sim.receipts[1]
