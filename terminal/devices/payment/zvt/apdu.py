"""ZVT APDUs: CLASS, INSTR, LENGTH, DATA, and the acknowledgements.

Every ZVT message (ZVT "ECR interface" specification, chapter 2) is an APDU:

    CLASS (1 byte)  INSTR (1 byte)  LENGTH (1 or 3 bytes)  DATA (LENGTH bytes)

LENGTH is one byte for 0..254 data bytes; for 255 and more it is FF followed by the
length in two bytes, low byte first ("extended length"). The receiver of every
message but an acknowledgement answers it at once with ACK `80 00 00` or NAK
`84 xx 00` (xx says why; 84 9C 00: "please repeat"). This module only turns bytes
into APDUs and back: no sockets, no timing (see `devices.payment.zvt.link`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACK", "Apdu", "FrameError", "decode", "nak", "split_frame"]

EXTENDED = 0xFF
MAX_DATA = 0xFFFF


class FrameError(ValueError):
    """Bytes that are not a valid ZVT APDU (or a field inside one). Never an approval."""


@dataclass(frozen=True)
class Apdu:
    cls: int
    instr: int
    data: bytes = b""

    @property
    def code(self) -> bytes:
        """The command code, e.g. b"\\x06\\x01" for Authorisation."""
        return bytes((self.cls, self.instr))

    @property
    def is_ack(self) -> bool:
        return self.cls == 0x80 and self.instr == 0x00

    @property
    def is_nak(self) -> bool:
        return self.cls == 0x84

    def encode(self) -> bytes:
        n = len(self.data)
        if n > MAX_DATA:
            raise FrameError(f"APDU data of {n} bytes is longer than ZVT allows ({MAX_DATA})")
        length = bytes((n,)) if n < EXTENDED else bytes((EXTENDED, n & 0xFF, n >> 8))
        return bytes((self.cls, self.instr)) + length + self.data

    def __repr__(self) -> str:
        return f"Apdu({self.cls:02X} {self.instr:02X}, data={self.data.hex(' ') or '-'})"


ACK = Apdu(0x80, 0x00)


def nak(reason: int = 0x00) -> Apdu:
    return Apdu(0x84, reason)


def split_frame(buffer: bytes | bytearray) -> tuple[Apdu, int] | None:
    """The first complete APDU in `buffer` and how many bytes it used; None if incomplete."""
    if len(buffer) < 3:
        return None
    length, header = buffer[2], 3
    if length == EXTENDED:
        if len(buffer) < 5:
            return None
        # senders must use it from 255 on; we also read it for shorter data (unambiguous)
        length, header = buffer[3] | (buffer[4] << 8), 5
    end = header + length
    if len(buffer) < end:
        return None
    return Apdu(buffer[0], buffer[1], bytes(buffer[header:end])), end


def decode(frame: bytes) -> Apdu:
    """Exactly one APDU: a short frame or bytes left over are a FrameError."""
    found = split_frame(frame)
    if found is None:
        raise FrameError(f"incomplete APDU: {frame.hex(' ')}")
    apdu, used = found
    if used != len(frame):
        raise FrameError(f"{len(frame) - used} bytes after the APDU {apdu!r}")
    return apdu
