"""An incremental ESC/POS stream parser (for the printer simulator and golden tests).

`EscPosParser.feed(data)` returns the complete commands found so far and keeps
an incomplete tail for the next call, exactly as bytes trickle in over TCP.
It knows the commands our receipts and drivers use plus common fixed-length
ones; an unknown ESC/GS command is reported as such with one argument byte.
"""

from __future__ import annotations

from dataclasses import dataclass

# command prefix -> number of fixed argument bytes
_FIXED: dict[bytes, int] = {
    b"\x1b@": 0, b"\x1b2": 0, b"\x1b<": 0,
    b"\x1bt": 1, b"\x1b!": 1, b"\x1bE": 1, b"\x1b-": 1, b"\x1bM": 1, b"\x1ba": 1, b"\x1b{": 1,
    b"\x1bd": 1, b"\x1bJ": 1, b"\x1b3": 1, b"\x1bG": 1, b"\x1bV": 1, b"\x1bR": 1, b"\x1bc": 2,
    b"\x1bp": 3,
    b"\x1db": 1, b"\x1dB": 1, b"\x1d!": 1, b"\x1dh": 1, b"\x1dw": 1, b"\x1dH": 1, b"\x1df": 1,
    b"\x1da": 1, b"\x1dL": 2, b"\x1dW": 2,
    b"\x10\x04": 1, b"\x10\x14": 3,
}
NAMES = {
    b"\x1b@": "init", b"\x1bt": "codepage", b"\x1b!": "print_mode", b"\x1bE": "bold",
    b"\x1b-": "underline", b"\x1bM": "font", b"\x1ba": "align", b"\x1b{": "upside_down",
    b"\x1bd": "feed", b"\x1bJ": "feed_dots", b"\x1bp": "drawer_kick", b"\x1d!": "char_size",
    b"\x1dB": "reverse", b"\x1db": "smoothing", b"\x1dV": "cut", b"\x1d(k": "qr",
    b"\x1d(H": "process_id", b"\x1dv0": "raster_image", b"\x10\x04": "status_query",
    b"\x10\x14": "realtime_request",
}


@dataclass(frozen=True)
class Command:
    name: str  # "text", "lf", "init", "qr", ... or "unknown"
    code: bytes = b""  # the command prefix, e.g. b"\x1bt"
    args: bytes = b""  # fixed arguments (or the text bytes for "text")
    data: bytes = b""  # variable payload (image dots, QR function data)


class EscPosParser:
    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Command]:
        self._buf += data
        out: list[Command] = []
        while self._buf:
            parsed = self._parse_one(bytes(self._buf))
            if parsed is None:  # incomplete command: wait for more bytes
                break
            cmd, used = parsed
            del self._buf[:used]
            out.append(cmd)
        return out

    @property
    def pending(self) -> int:
        return len(self._buf)

    def _parse_one(self, buf: bytes) -> tuple[Command, int] | None:
        first = buf[0]
        if first == 0x0A:
            return Command("lf"), 1
        if first in (0x1B, 0x1D, 0x10):
            return _parse_control(buf)
        if first < 0x20 and first not in (0x09, 0x0D):
            return Command("unknown", bytes([first])), 1
        end = 1
        while end < len(buf) and (buf[end] >= 0x20 or buf[end] in (0x09, 0x0D)):
            end += 1
        return Command("text", args=buf[:end]), end


def _parse_control(buf: bytes) -> tuple[Command, int] | None:
    if len(buf) < 2:
        return None
    if buf[:2] == b"\x1dV":  # GS V m [n]: modes 65/66 carry a feed amount
        if len(buf) < 3:
            return None
        size = 4 if buf[2] in (65, 66) else 3
        return _fixed(buf, b"\x1dV", size - 2)
    if buf[:2] == b"\x1d(":  # GS ( fn pL pH data...
        if len(buf) < 5:
            return None
        n = buf[3] | buf[4] << 8
        if len(buf) < 5 + n:
            return None
        code = buf[:3]
        return Command(NAMES.get(code, "unknown"), code, b"", buf[5 : 5 + n]), 5 + n
    if buf[:3] == b"\x1dv0":  # GS v 0 m xL xH yL yH d1...dk
        if len(buf) < 8:
            return None
        width_bytes, height = buf[4] | buf[5] << 8, buf[6] | buf[7] << 8
        end = 8 + width_bytes * height
        if len(buf) < end:
            return None
        return Command("raster_image", b"\x1dv0", buf[3:8], buf[8:end]), end
    code = buf[:2]
    return _fixed(buf, code, _FIXED.get(code, 1))


def _fixed(buf: bytes, code: bytes, nargs: int) -> tuple[Command, int] | None:
    if len(buf) < 2 + nargs:
        return None
    name = NAMES.get(code, "known" if code in _FIXED else "unknown")
    return Command(name, code, buf[2 : 2 + nargs]), 2 + nargs
