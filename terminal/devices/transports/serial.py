"""Serial transport on pyserial, every call bounded by an explicit timeout.

Unplugging shows up as an I/O error on the next read or write (USB-serial
adapters and ptys alike); it is reported as TransportClosed so the manager can
mark the device offline and start reconnecting.
"""

from __future__ import annotations

import os

import serial

from devices.transports.base import TransportClosed, TransportError, TransportTimeout

PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


class SerialTransport:
    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: int = 1,
        exclusive: bool = True,
    ) -> None:
        if parity not in PARITIES:
            raise ValueError(f"parity must be one of {sorted(PARITIES)}, got {parity!r}")
        self.port = port
        self._settings = {
            "baudrate": baudrate,
            "bytesize": bytesize,
            "parity": PARITIES[parity],
            "stopbits": stopbits,
            "exclusive": exclusive,  # flock: a second program cannot steal the scale mid-sale
        }
        self._serial: serial.Serial | None = None

    def __repr__(self) -> str:
        return f"SerialTransport({self.port!r})"

    @property
    def is_open(self) -> bool:
        return self._serial is not None and self._serial.is_open

    def open(self, timeout: float) -> None:
        # Opening a tty does not block (pyserial opens O_NONBLOCK), so `timeout`
        # only bounds the first read/write defaults.
        self.close()
        settings = dict(self._settings)
        if _is_pty(self.port):
            # A pseudo-terminal (our simulators) refuses 7 data bits and parity;
            # it carries the same bytes at 8N1, and parsers mask bit 7 anyway.
            settings.update(bytesize=8, parity=serial.PARITY_NONE)
        try:
            self._serial = serial.Serial(self.port, timeout=timeout, write_timeout=timeout, **settings)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise TransportError(f"cannot open {self.port}: {exc}") from exc

    def close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except (serial.SerialException, OSError):
                pass

    def write(self, data: bytes, timeout: float) -> None:
        ser = self._require()
        try:
            ser.write_timeout = max(timeout, 0.001)
            written = ser.write(data)
        except serial.SerialTimeoutException as exc:
            raise TransportTimeout(f"{self.port}: write timed out after {timeout}s") from exc
        except (serial.SerialException, OSError) as exc:
            raise TransportClosed(f"{self.port}: write failed: {exc}") from exc
        if written != len(data):
            raise TransportTimeout(f"{self.port}: wrote {written} of {len(data)} bytes before {timeout}s")

    def read(self, n: int, timeout: float) -> bytes:
        ser = self._require()
        try:
            # pyserial's read(n) waits for all n bytes; the contract is "1..n
            # as soon as any arrive", so wait for one, then take what is queued.
            ser.timeout = max(timeout, 0.0)
            data = ser.read(1)
            if data and n > 1 and (waiting := ser.in_waiting):
                data += ser.read(min(n - 1, waiting))
        except (serial.SerialException, OSError) as exc:
            raise TransportClosed(f"{self.port}: read failed (unplugged?): {exc}") from exc
        if not data:
            raise TransportTimeout(f"{self.port}: nothing received within {timeout:.2f}s")
        return data

    def _require(self) -> serial.Serial:
        if self._serial is None or not self._serial.is_open:
            raise TransportClosed(f"{self.port} is not open")
        return self._serial


def _is_pty(port: str) -> bool:
    return os.path.realpath(port).startswith("/dev/pts/")
