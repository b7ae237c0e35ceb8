"""Moving APDUs over a transport: TCP carries them bare, serial wraps them in DLE/STX frames.

The link knows nothing of transactions; it reads and writes whole APDUs within a
deadline. Writes are serialised by a lock of their own so the till can send Abort
(06 B0) while another thread is waiting for the terminal's answer.
"""

from __future__ import annotations

import threading
import time

from devices.payment.zvt import serial_frame
from devices.payment.zvt.apdu import Apdu, FrameError, split_frame
from devices.transports.base import Transport, TransportTimeout

__all__ = ["ApduLink", "SerialApduLink"]


class ApduLink:
    """APDUs straight on the byte stream (ZVT over TCP/IP)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._rx = bytearray()
        self._write_lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.transport.is_open

    def open(self, timeout: float) -> None:
        self._rx.clear()
        self.transport.open(timeout)

    def close(self) -> None:
        self.transport.close()

    def send(self, apdu: Apdu, timeout: float) -> None:
        with self._write_lock:
            self._write(apdu.encode(), timeout)

    def receive(self, timeout: float) -> Apdu:
        """The next APDU; TransportTimeout if none completes in time, FrameError if garbled.

        After a FrameError the buffer is dropped: its boundaries can no longer be trusted.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = self._next()
            except FrameError:
                self._rx.clear()
                raise
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportTimeout(f"no complete APDU within {timeout:.1f}s")
            self._rx += self.transport.read(4096, left)

    def _write(self, data: bytes, timeout: float) -> None:
        self.transport.write(data, timeout)

    def _next(self) -> Apdu | None:
        found = split_frame(self._rx)
        if found is None:
            return None
        apdu, used = found
        del self._rx[:used]
        return apdu


class SerialApduLink(ApduLink):
    """APDUs in DLE STX ... DLE ETX CRC frames, each answered on the line with 06 or 15."""

    LINE_ACK_TIMEOUT = 1.0
    _bad_frames = 0  # damaged copies of the frame being received

    def _write(self, data: bytes, timeout: float) -> None:
        wire = serial_frame.frame(data)
        for _attempt in range(3):  # the spec allows three tries before giving up
            self.transport.write(wire, timeout)
            answer = self._line_answer()
            if answer == serial_frame.LINE_ACK:
                return
        raise FrameError("the terminal refused the frame three times (NAK on the line)")

    def _line_answer(self) -> bytes:
        deadline = time.monotonic() + self.LINE_ACK_TIMEOUT
        while not self._rx or self._rx[0] not in (0x06, 0x15):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportTimeout("no line acknowledgement from the terminal")
            self._rx += self.transport.read(4096, left)
        answer = bytes(self._rx[:1])
        del self._rx[:1]
        return answer

    def _next(self) -> Apdu | None:
        while self._rx[:1] in (serial_frame.LINE_ACK, serial_frame.LINE_NAK):
            del self._rx[:1]  # a late line answer to one of our frames
        try:
            found = serial_frame.unframe(self._rx)
        except FrameError:
            # A line error is the line's business: NAK it and the terminal repeats the
            # frame; only after three bad copies is the APDU itself lost.
            self._rx.clear()
            self.transport.write(serial_frame.LINE_NAK, 1.0)
            self._bad_frames += 1
            if self._bad_frames >= 3:
                self._bad_frames = 0
                raise
            return None
        if found is None:
            return None
        self._bad_frames = 0
        data, used = found
        del self._rx[:used]
        self.transport.write(serial_frame.LINE_ACK, 1.0)
        apdu, _ = split_frame(data) or (None, 0)
        if apdu is None:
            raise FrameError(f"serial frame holds no whole APDU: {data.hex(' ')}")
        return apdu
