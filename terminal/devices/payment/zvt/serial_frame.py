"""ZVT over RS-232: each APDU travels as DLE STX <APDU, DLE doubled> DLE ETX CRC-lo CRC-hi.

The receiver answers every frame on the line with ACK (06) or NAK (15) before the
APDU-level acknowledgement. The CRC is CRC-CCITT (polynomial x^16+x^12+x^5+1,
reflected: 0x8408, start 0) over the unescaped APDU bytes and the ETX, low byte first.
"""

from __future__ import annotations

from devices.payment.zvt.apdu import FrameError

__all__ = ["DLE", "LINE_ACK", "LINE_NAK", "crc", "frame", "unframe"]

DLE, STX, ETX = 0x10, 0x02, 0x03
LINE_ACK, LINE_NAK = b"\x06", b"\x15"


def crc(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
        for _ in range(8):
            value = (value >> 1) ^ 0x8408 if value & 1 else value >> 1
    return value


def frame(apdu: bytes) -> bytes:
    check = crc(apdu + bytes((ETX,)))
    return bytes((DLE, STX)) + apdu.replace(b"\x10", b"\x10\x10") + bytes((DLE, ETX, check & 0xFF, check >> 8))


def unframe(buffer: bytes | bytearray) -> tuple[bytes, int] | None:
    """(APDU bytes, bytes used) of the first whole frame in `buffer`; None if incomplete.
    A bad start, stray DLE or wrong CRC is a FrameError (the link answers NAK)."""
    if len(buffer) < 2:
        return None
    if buffer[0] != DLE or buffer[1] != STX:
        raise FrameError(f"serial frame does not start with DLE STX: {bytes(buffer[:2]).hex(' ')}")
    out = bytearray()
    pos = 2
    while pos + 1 < len(buffer):
        byte = buffer[pos]
        if byte != DLE:
            out.append(byte)
            pos += 1
            continue
        following = buffer[pos + 1]
        if following == DLE:
            out.append(DLE)
            pos += 2
        elif following == ETX:
            if pos + 4 > len(buffer):
                return None
            got = buffer[pos + 2] | (buffer[pos + 3] << 8)
            if got != crc(bytes(out) + bytes((ETX,))):
                raise FrameError(f"serial frame CRC {got:04X} does not match its data")
            return bytes(out), pos + 4
        else:
            raise FrameError(f"DLE followed by {following:02X} inside a serial frame")
    return None
