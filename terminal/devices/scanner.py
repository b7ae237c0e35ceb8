"""Barcode scanners on a serial port or a keyboard wedge, with prefix/suffix and AIM identifiers.

A scanner sends   [prefix] []Xm] code suffix   where `]Xm` is the AIM
symbology identifier (ISO/IEC 15424) when enabled in the scanner. We strip the
configured prefix, read the identifier, and publish DataEvent.scan(code,
symbology). A frame without the expected prefix or identifier, or an EAN/UPC
with a wrong check digit, is an ErrorEvent (input_data), never a scan.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from devices.base import Device, DeviceError, HealthReport, LifecycleState
from devices.events import DataEvent, ErrorEvent, ErrorLocus, EventBus, PowerState, ScanData
from devices.transports.base import Transport, TransportError, TransportTimeout
from devices.transports.wedge import Scanned, Typed, WedgeDecoder

# AIM identifier "]" + code character + modifier -> symbology name. Modifiers not
# listed fall back to the code character's family.
_AIM_EXACT = {
    "E0": "EAN13", "E1": "EAN13_ADDON2", "E2": "EAN13_ADDON5", "E3": "EAN13_ADDON", "E4": "EAN8",
    "C0": "CODE128", "C1": "GS1_128", "C2": "CODE128", "C4": "CODE128",
    "Q0": "QR", "Q1": "QR", "Q2": "QR", "Q3": "GS1_QR", "Q4": "QR", "Q5": "GS1_QR", "Q6": "QR",
    "d1": "DATAMATRIX", "d2": "GS1_DATAMATRIX", "e0": "GS1_DATABAR",
}
_AIM_FAMILY = {
    "A": "CODE39", "C": "CODE128", "E": "EAN13", "F": "CODABAR", "G": "CODE93", "I": "ITF",
    "L": "PDF417", "Q": "QR", "d": "DATAMATRIX", "e": "GS1_DATABAR", "z": "AZTEC", "X": "OTHER",
}


class ScanError(DeviceError):
    """Scanned bytes did not match the configured framing or failed a check."""


@dataclass(frozen=True)
class ScanFormat:
    prefix: str = ""
    suffix: str = "\r"
    aim: bool = True


def decode_scan(text: str, fmt: ScanFormat) -> ScanData:
    """Turn one scan (suffix already removed) into ScanData; ScanError on anything unexpected."""
    if fmt.prefix:
        if not text.startswith(fmt.prefix):
            raise ScanError(f"scan {text!r} lacks the configured prefix {fmt.prefix!r}")
        text = text[len(fmt.prefix):]
    symbology = "unknown"
    if fmt.aim:
        if len(text) < 3 or text[0] != "]":
            raise ScanError(f"scan {text!r} lacks an AIM symbology identifier (]Xm)")
        aim, text = text[1:3], text[3:]
        symbology = _AIM_EXACT.get(aim) or _AIM_FAMILY.get(aim[0])
        if symbology is None:
            raise ScanError(f"unknown AIM symbology identifier ]{aim}")
        if aim == "E0" and len(text) == 8:
            symbology = "UPCE"
    if not text:
        raise ScanError("empty scan")
    if symbology in ("EAN13", "EAN8") and not _gtin_check_ok(text):
        raise ScanError(f"{symbology} {text!r} has a wrong check digit")
    return ScanData(text, symbology)


def _gtin_check_ok(code: str) -> bool:
    """GS1 mod-10: weights 3,1,3,... from the digit left of the check digit."""
    if not code.isdigit() or len(code) < 2:
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


class SerialScanner(Device):
    """A scanner on a serial port (or USB in serial/CDC mode); scans arrive unsolicited.

    A reader thread assembles frames up to the suffix and publishes them. When
    the port fails (unplugged) it publishes PowerEvent(offline) and stops; the
    device manager reopens it.
    """

    def __init__(self, name: str, transport: Transport, fmt: ScanFormat | None = None,
                 bus: EventBus | None = None, *, open_timeout: float = 2.0, max_frame: int = 4096) -> None:
        super().__init__(name, bus)
        self.transport = transport
        self.format = fmt or ScanFormat()
        if not self.format.suffix:
            raise ValueError("a serial scanner needs a suffix to end each scan")
        self.open_timeout = open_timeout
        self.max_frame = max_frame
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    def _do_open(self) -> None:
        self.transport.open(self.open_timeout)

    def _do_enable(self) -> None:
        self._stop.clear()
        self._reader = threading.Thread(target=self._read_loop, daemon=True, name=f"scanner-{self.name}")
        self._reader.start()
        self.set_power_state(PowerState.ONLINE)

    def _do_disable(self) -> None:
        self._stop.set()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=2.0)
        self._reader = None

    def _do_close(self) -> None:
        self.transport.close()

    def check_health(self) -> HealthReport:
        ok = self.state == LifecycleState.ENABLED and self._reader is not None and self._reader.is_alive()
        detail = "" if ok else "reader stopped (port closed or failed)"
        return HealthReport(self.name, ok, self.power_state, self.state, detail)

    def _read_loop(self) -> None:
        suffix = self.format.suffix.encode("latin-1")
        buf = bytearray()
        while not self._stop.is_set():
            try:
                buf += self.transport.read(4096, 0.2)
            except TransportTimeout:
                continue
            except TransportError as exc:
                self.set_power_state(PowerState.OFFLINE)
                self.publish(ErrorEvent(self.name, ErrorLocus.INPUT, "offline", str(exc), True))
                return
            while (end := buf.find(suffix)) >= 0:
                frame, buf[: end + len(suffix)] = bytes(buf[:end]), b""
                self._deliver(frame)
            if len(buf) > self.max_frame:
                self._error(f"no suffix after {len(buf)} bytes; discarded")
                buf.clear()

    def _deliver(self, frame: bytes) -> None:
        try:
            text = frame.decode("utf-8")
            # lstrip: a scanner set to CR LF while we split on CR leaves the LF in front
            scan = decode_scan(text.lstrip("\r\n"), self.format)
        except (UnicodeDecodeError, ScanError) as exc:
            self._error(f"{exc} (bytes {frame!r})")
            return
        self.publish(DataEvent(self.name, "scan", scan))

    def _error(self, message: str) -> None:
        self.publish(ErrorEvent(self.name, ErrorLocus.INPUT_DATA, "bad_scan", message, False))


@dataclass(frozen=True)
class WedgeSettings:
    """How a keyboard-wedge scanner frames its scans (from its `devices.toml` entry).

    Set the scanner to send a prefix (STX, `\\x02`, is the usual one) and the till tells
    scans from typing by that alone; without one it falls back to key timing."""

    format: ScanFormat = ScanFormat(aim=False)
    max_gap: float = 0.030  # timing fallback: slower keys are a person typing
    min_length: int = 3  # timing fallback: shorter bursts are typing


class WedgeScanner(Device):
    """A keyboard-wedge scanner: the UI feeds keys; scans are published, typing is handed back."""

    def __init__(self, name: str, fmt: ScanFormat | None = None, bus: EventBus | None = None, *,
                 max_gap: float = 0.030, min_length: int = 3) -> None:
        super().__init__(name, bus)
        self.format = fmt or ScanFormat()
        self.decoder = WedgeDecoder(max_gap=max_gap, min_length=min_length, suffix=self.format.suffix,
                                    prefix=self.format.prefix)

    @classmethod
    def from_settings(cls, name: str, settings: WedgeSettings, bus: EventBus | None = None) -> WedgeScanner:
        return cls(name, settings.format, bus, max_gap=settings.max_gap, min_length=settings.min_length)

    def _do_enable(self) -> None:
        self.set_power_state(PowerState.ONLINE)  # nothing to probe: a wedge is a keyboard

    def key(self, char: str, timestamp: float) -> str:
        """Feed one key; return the text that is ordinary typing (to insert in the focused field)."""
        return self._publish_scans(self.decoder.feed(char, timestamp))

    def flush(self, now: float) -> str:
        return self._publish_scans(self.decoder.flush(now))

    def _publish_scans(self, outputs: list[Scanned | Typed]) -> str:
        typed = []
        for out in outputs:
            if isinstance(out, Typed):
                typed.append(out.text)
            elif self.state == LifecycleState.ENABLED:
                try:
                    self.publish(DataEvent(self.name, "scan", decode_scan(out.text, self.format)))
                except ScanError as exc:
                    self.publish(ErrorEvent(self.name, ErrorLocus.INPUT_DATA, "bad_scan", str(exc), False))
            else:
                typed.append(out.text + self.format.suffix)  # disabled: it is just keyboard input
        return "".join(typed)
