"""Mettler Toledo 8217 protocol (the "Toledo" mode of most POS scales and scanner-scales).

Host commands are single ASCII characters:
    W  weight     ->  STX ww.www [N] CR        stable kg weight ("N": net, a tare is set)
                      STX ? s CR               status only: motion, over capacity, under zero
    Z  zero       ->  STX ? s CR
    T  tare       ->  STX ? s CR
    C  clear tare ->  STX ? s CR
Pounds come as www.ww; we refuse them rather than convert (see `to_kg`).

Status byte `s`: bit 0 motion, 1 over capacity, 2 under zero, 3 outside zero
capture range, 4 center of zero, 5 net mode, 6 always 1, 7 even parity.
Line settings: 9600 baud, 7 data bits, even parity, 1 stop bit.
"""

from __future__ import annotations

import re
from decimal import Decimal

from devices.scales.protocol import ScaleProtocol, ScaleState, take_delimited
from devices.scales.reading import FrameError, ScaleReading, check_status_byte, to_kg

STX, CR = b"\x02", b"\r"
MOTION, OVER, UNDER, OUTSIDE_ZERO, CENTER_ZERO, NET, ALWAYS = 1, 2, 4, 8, 16, 32, 64
_WEIGHT = re.compile(rb"^(?:(\d\d\.\d\d\d)|(\d\d\d\.\d\d))(N?)$")
_COMMANDS = frozenset(b"WZTC")


class MT8217(ScaleProtocol):
    name = "8217"
    weigh_command = b"W"
    zero_command = b"Z"
    status_command = b"W"  # no pure status query exists; W always answers
    tare_command = b"T"
    clear_tare_command = b"C"

    def take_frame(self, buf: bytearray) -> bytes | None:
        return take_delimited(buf, STX, CR, restart_truncates=True)

    def parse(self, frame: bytes) -> ScaleReading:
        if len(frame) < 3 or not frame.startswith(STX) or not frame.endswith(CR):
            raise FrameError(f"8217 frame must be STX ... CR: {frame!r}")
        body = frame[1:-1]
        if body.startswith(b"?"):
            if len(body) != 2:
                raise FrameError(f"8217 status reply must carry exactly one status byte: {frame!r}")
            s = check_status_byte(body[1], frame, ones=ALWAYS)
            return ScaleReading(
                weight=None,
                motion=bool(s & MOTION),
                overload=bool(s & OVER),
                under_zero=bool(s & UNDER),
                at_zero=bool(s & CENTER_ZERO),
                net=bool(s & NET),
            )
        match = _WEIGHT.match(body)
        if match is None:
            raise FrameError(f"8217 weight must be ww.www[N] (kg) or www.ww[N] (lb): {frame!r}")
        kg_text, lb_text, net = match.groups()
        if lb_text is not None:
            raise FrameError(f"scale answers in lb; configure it for kg: {frame!r}")
        weight = to_kg(kg_text.decode(), "kg", frame)
        return ScaleReading(weight=weight, at_zero=weight == 0, net=bool(net))

    # -- simulator side -----------------------------------------------------
    def take_command(self, buf: bytearray) -> bytes | None:
        while buf:
            byte = buf.pop(0)
            if byte in _COMMANDS:
                return bytes([byte])
            if byte not in b"\r\n":
                return b"?"  # unknown command: answered with status, like the real scale
        return None

    def reply(self, command: bytes, state: ScaleState) -> bytes:
        if command == b"Z" and _settled(state):
            state.weight, state.tare = Decimal("0.000"), Decimal("0.000")
        elif command == b"T" and _settled(state) and state.tare == 0 and state.weight > 0:
            state.tare = state.weight
        elif command == b"C" and _settled(state):
            state.tare = Decimal("0.000")
        if command == b"W" and _settled(state) and 0 <= state.net < 100:
            net = b"N" if state.tare else b""
            return STX + f"{state.net:06.3f}".encode() + net + CR
        return STX + b"?" + bytes([_status_byte(state)]) + CR

    def malformed_reply(self) -> bytes:
        return STX + b"0A.2X5" + CR


def _settled(state: ScaleState) -> bool:
    return not (state.motion or state.overload or state.under_zero)


def _status_byte(state: ScaleState) -> int:
    s = ALWAYS
    s |= MOTION if state.motion else 0
    s |= OVER if state.overload else 0
    s |= UNDER if state.under_zero or state.net < 0 else 0
    s |= CENTER_ZERO if state.at_zero else 0
    s |= NET if state.tare else 0
    return s
