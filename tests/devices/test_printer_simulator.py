"""The printer simulator run as a program: subprocess, control port, transcript file."""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.escpos.receipt import render_receipt
from devices.printer import PrinterConfig, PrinterNotReady, PrinterUnavailable, ReceiptPrinter
from devices.simulators.printer import SimulatorControl
from devices.transports.tcp import TcpTransport

from .conftest import WAIT, sample_receipt

BANNER = re.compile(r"listening on 127\.0\.0\.1:(\d+) control 127\.0\.0\.1:(\d+)")


def read_line(stream, timeout: float) -> str:
    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise TimeoutError("simulator did not announce its ports")
    return stream.readline()


@pytest.fixture
def program(tmp_path: Path) -> Iterator[tuple[int, SimulatorControl, Path]]:
    transcript = tmp_path / "paper.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "devices.simulators.printer", "--port", "0", "--control-port", "0",
         "--columns", "32", "--transcript", str(transcript)],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        match = BANNER.search(read_line(proc.stderr, WAIT))
        assert match, "unexpected banner"
        control = SimulatorControl("127.0.0.1", int(match.group(2)))
        yield int(match.group(1)), control, transcript
        assert control.send("quit") == {"ok": True}
        assert proc.wait(timeout=WAIT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=WAIT)


def test_program_prints_answers_and_obeys_control(program: tuple[int, SimulatorControl, Path]) -> None:
    port, control, transcript = program
    config = PrinterConfig(width_mm=58, connect_timeout=1.0, io_timeout=0.5, confirm_timeout=2.0)
    with ReceiptPrinter("receipt", TcpTransport("127.0.0.1", port), config=config) as printer:
        assert isinstance(printer, ReceiptPrinter)
        printer.print_job("j1", render_receipt(sample_receipt("R-0200"), 58))
        answer = control.send("receipts")
        assert len(answer["receipts"]) == 1 and "[QR R-0200]" in answer["receipts"][0]
        assert "TOTAL" in transcript.read_text(encoding="utf-8")

        assert control.send("paper out")["paper"] == "out"
        with pytest.raises(PrinterNotReady):
            printer.print_job("j2", b"\x1b@x\n")
        control.send("paper near_end")
        assert printer.query_status().paper_near_end

        assert control.send("unplug")["plugged"] is False
        with pytest.raises(PrinterUnavailable):
            printer.query_status()
        assert control.send("plug")["plugged"] is True
        assert printer.query_status().ready

        assert control.send("cover open")["cover_open"] is True
        assert printer.query_status().cover_open
        control.send("cover closed")
        assert control.send("status")["receipts"] == 1
    assert "unknown command" in control.send("frobnicate")["error"]
    assert "paper must be one of" in control.send("paper soggy")["error"]
