"""Scanner decoding (prefix, suffix, AIM ids) and the serial scanner against the pty simulator."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.events import DataEvent, ErrorEvent, EventBus, EventRecorder, PowerEvent, PowerState, ScanData
from devices.scanner import ScanError, ScanFormat, SerialScanner, decode_scan
from devices.simulators.scanner import ScannerSimulator
from devices.transports.serial import SerialTransport


@pytest.mark.parametrize(
    ("text", "expected"),
    [("]E04006381333931", ScanData("4006381333931", "EAN13")),
     ("]E496385074", ScanData("96385074", "EAN8")),
     ("]C0ABC-123", ScanData("ABC-123", "CODE128")),
     ("]C1(01)09501101530003", ScanData("(01)09501101530003", "GS1_128")),
     ("]Q1https://example.org/r/42", ScanData("https://example.org/r/42", "QR")),
     ("]d2010950110153000317", ScanData("010950110153000317", "GS1_DATAMATRIX")),
     ("]A0CODE39", ScanData("CODE39", "CODE39"))],
)
def test_aim_identifiers(text: str, expected: ScanData) -> None:
    assert decode_scan(text, ScanFormat(aim=True)) == expected


def test_prefix_is_stripped_and_required() -> None:
    fmt = ScanFormat(prefix="@@", aim=True)
    assert decode_scan("@@]E04006381333931", fmt).code == "4006381333931"
    with pytest.raises(ScanError, match="prefix"):
        decode_scan("]E04006381333931", fmt)


def test_without_aim_the_code_is_kept_whole() -> None:
    assert decode_scan("]E0123", ScanFormat(aim=False)) == ScanData("]E0123", "unknown")


@pytest.mark.parametrize("text", ["4006381333931", "]E04006381333932", "]E4", "]#0abc", "]E0ABCDEFGHIJKLM"])
def test_bad_scans_are_rejected(text: str) -> None:
    with pytest.raises(ScanError):
        decode_scan(text, ScanFormat(aim=True))


@pytest.fixture
def rig() -> Iterator[tuple[ScannerSimulator, SerialScanner, EventRecorder]]:
    sim = ScannerSimulator(prefix="#", suffix="\r\n", aim=True)
    sim.start()
    bus = EventBus()
    recorder = EventRecorder(bus)
    scanner = SerialScanner("scanner", SerialTransport(sim.path), ScanFormat(prefix="#", suffix="\r\n"), bus)
    scanner.start()
    yield sim, scanner, recorder
    scanner.close()
    sim.stop()


def scans(recorder: EventRecorder) -> list[ScanData]:
    return [e.payload for e in recorder.snapshot() if isinstance(e, DataEvent)]


def test_serial_scans_arrive_as_data_events(rig) -> None:
    sim, scanner, recorder = rig
    sim.scan("4006381333931")
    sim.scan("PALLET-7", "C1")
    recorder.wait_for(lambda e: isinstance(e, DataEvent) and e.payload.code == "PALLET-7", timeout=5)
    assert scans(recorder) == [ScanData("4006381333931", "EAN13"), ScanData("PALLET-7", "GS1_128")]


def test_split_and_joined_frames_are_reassembled(rig) -> None:
    sim, scanner, recorder = rig
    frame = sim.frame("96385074")
    sim.raw(frame[:4])
    sim.raw(frame[4:] + sim.frame("ABC", "C0"))
    recorder.wait_for(lambda e: isinstance(e, DataEvent) and e.payload.code == "ABC", timeout=5)
    assert scans(recorder) == [ScanData("96385074", "EAN8"), ScanData("ABC", "CODE128")]


def test_garbage_is_an_error_event_and_the_next_scan_still_arrives(rig) -> None:
    sim, scanner, recorder = rig
    sim.raw(b"#]E04006381333932\r\n")  # wrong check digit
    sim.raw(b"\xff\xfe\r\n")  # not text, no prefix
    sim.scan("4006381333931")
    recorder.wait_for(lambda e: isinstance(e, DataEvent), timeout=5)
    errors = [e for e in recorder.snapshot() if isinstance(e, ErrorEvent)]
    assert [e.code for e in errors] == ["bad_scan", "bad_scan"]
    assert scans(recorder) == [ScanData("4006381333931", "EAN13")]


def test_unplugged_scanner_goes_offline(rig) -> None:
    sim, scanner, recorder = rig
    sim.stop()
    recorder.wait_for(lambda e: e == PowerEvent("scanner", PowerState.OFFLINE), timeout=5)
    assert not scanner.check_health().ok


def test_simulator_program_prints_its_pty_and_scans_on_command(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "devices.simulators.scanner", "--link", str(tmp_path / "scanner")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        path = proc.stdout.readline().strip()
        assert path.startswith("/dev/") and (tmp_path / "scanner").resolve() == Path(path)
        bus = EventBus()
        recorder = EventRecorder(bus)
        with SerialScanner("scanner", SerialTransport(str(tmp_path / "scanner")), ScanFormat(), bus):
            proc.stdin.write("scan 4006381333931\n")
            proc.stdin.flush()
            assert proc.stdout.readline().startswith("ok sent")
            event = recorder.wait_for(lambda e: isinstance(e, DataEvent), timeout=5)
        assert event.payload == ScanData("4006381333931", "EAN13")
    finally:
        proc.terminate()
        proc.wait(timeout=5)
