"""Mettler Toledo MT-SICS level 0 (Standard Interface Command Set), the subset a till needs.

Commands and replies are ASCII lines ending CR LF:
    S    stable weight     ->  S S <value, 10 chars right-aligned> <unit>
                               S I   not executable now (balance not settled or busy)
                               S +   overload          S -   underload
    SI   weight now        ->  S S ... (stable) | S D ... (dynamic, in motion) | S I | S + | S -
    Z    zero              ->  Z A   done | Z I   not executable | Z +  above / Z -  below zero range
    any unknown command    ->  ES (syntax error); ET transmission error; EL logical error
Line settings: 9600 baud, 8 data bits, no parity, 1 stop bit (the MT default).
"""

from __future__ import annotations

import re
from decimal import Decimal

from devices.scales.protocol import ScaleProtocol, ScaleState, take_until
from devices.scales.reading import FrameError, ScaleError, ScaleReading, to_kg

CRLF = b"\r\n"
_WEIGHT = re.compile(r"^S ([SD]) +(-?\d+(?:\.\d+)?) ([A-Za-z]{1,3})$")
_ERRORS = {"ES": "syntax error", "ET": "transmission error", "EL": "logical error"}
_ZERO_REFUSED = {
    "Z I": "zero not executed: balance busy or not settled",
    "Z +": "zero not executed: above the zero range",
    "Z -": "zero not executed: below the zero range",
}


class SICS(ScaleProtocol):
    name = "sics"
    weigh_command = b"SI\r\n"  # immediate: lets us see motion instead of waiting blind
    zero_command = b"Z\r\n"
    status_command = b"SI\r\n"

    def take_frame(self, buf: bytearray) -> bytes | None:
        return take_until(buf, CRLF)

    def parse(self, frame: bytes) -> ScaleReading:
        line = _line(frame)
        if line in _ERRORS:
            raise FrameError(f"balance reported {_ERRORS[line]} ({line})")
        if line == "S I":
            return ScaleReading(weight=None, motion=True)
        if line == "S +":
            return ScaleReading(weight=None, overload=True)
        if line == "S -":
            return ScaleReading(weight=None, under_zero=True)
        match = _WEIGHT.match(line)
        if match is None:
            raise FrameError(f"MT-SICS weight reply must be 'S S|D <value> <unit>': {frame!r}")
        status, value, unit = match.groups()
        weight = to_kg(value, unit, frame)
        return ScaleReading(weight=weight, motion=status == "D", under_zero=weight < 0, at_zero=weight == 0)

    def parse_zero(self, frame: bytes) -> ScaleReading:
        line = _line(frame)
        if line == "Z A":
            return ScaleReading(weight=Decimal("0.000"), at_zero=True)
        if line in _ZERO_REFUSED:
            raise ScaleError(_ZERO_REFUSED[line])
        if line in _ERRORS:
            raise FrameError(f"balance reported {_ERRORS[line]} ({line})")
        raise FrameError(f"MT-SICS zero reply must be 'Z A|I|+|-': {frame!r}")

    # -- simulator side -----------------------------------------------------
    def take_command(self, buf: bytearray) -> bytes | None:
        while True:
            line = take_until(buf, b"\n")
            if line is None:
                return None
            command = line.strip()
            if command:
                return command + CRLF

    def reply(self, command: bytes, state: ScaleState) -> bytes:
        name = command.strip().decode("ascii", "replace")
        if name not in ("S", "SI", "Z"):
            return b"ES" + CRLF
        prefix = name[0]
        if state.overload:
            return f"{prefix} +".encode() + CRLF
        if state.under_zero:
            return f"{prefix} -".encode() + CRLF
        if state.motion and name != "SI":
            return f"{prefix} I".encode() + CRLF
        if name == "Z":
            state.weight, state.tare = Decimal("0.000"), Decimal("0.000")
            return b"Z A" + CRLF
        flag = "D" if state.motion else "S"
        return f"S {flag} {state.net:>10.3f} kg".encode() + CRLF

    def malformed_reply(self) -> bytes:
        return b"S S      0,2x6 kg" + CRLF


def _line(frame: bytes) -> str:
    if not frame.endswith(CRLF):
        raise FrameError(f"MT-SICS reply must end with CR LF: {frame!r}")
    try:
        return frame[:-2].decode("ascii")
    except UnicodeDecodeError:
        raise FrameError(f"MT-SICS reply is not ASCII: {frame!r}") from None
