"""NCI / Weigh-Tronix SCP-01 ("NCI standard", also the ECR mode of many POS scales).

Host commands end with CR:
    W<CR>  weight  ->  LF ww.wwwUU CR LF hh.. CR ETX   weight, units, status
                       LF hh.. CR ETX                  status only (motion, out of range, < 0)
    S<CR>  status  ->  LF hh.. CR ETX
    Z<CR>  zero    ->  LF hh.. CR ETX                  (ignored in motion; status tells)
    other          ->  LF ? CR ETX

Status bytes (two or more; some firmware prefixes them with "S"):
    byte 1: bit 0 motion, 1 at zero, 2 RAM error, 3 EEPROM error, 4-5 always 1, 6 always 0
    byte 2: bit 0 under capacity, 1 over capacity, 2 ROM error, 3 faulty calibration,
            4-5 always 1, 6 another byte follows
    byte 3: bit 2 net weight, 3 initial zero error, 4-5 always 1, 6 another byte follows
Bit 7 of every byte is parity. Line settings: 9600 baud, 7 data bits, even parity, 1 stop bit.
"""

from __future__ import annotations

import re
from decimal import Decimal

from devices.scales.protocol import ScaleProtocol, ScaleState, take_delimited
from devices.scales.reading import FrameError, ScaleReading, check_status_byte, to_kg

LF, CR, ETX = b"\n", b"\r", b"\x03"
FIXED, FOLLOWS = 0x30, 0x40
_WEIGHT = re.compile(rb"^(-?\d+(?:\.\d+)?)([A-Za-z]{1,2})$")
_FAULTS_1 = ((4, "RAM error"), (8, "EEPROM error"))
_FAULTS_2 = ((4, "ROM error"), (8, "faulty calibration"))


class SCP01(ScaleProtocol):
    name = "scp01"
    weigh_command = b"W\r"
    zero_command = b"Z\r"
    status_command = b"S\r"

    def take_frame(self, buf: bytearray) -> bytes | None:
        # A weight reply holds a second LF, so a restart cannot be told from a
        # frame's middle; a cut frame shows up as a timeout or a parse error.
        return take_delimited(buf, LF, ETX, restart_truncates=False)

    def parse(self, frame: bytes) -> ScaleReading:
        if not frame.startswith(LF) or not frame.endswith(CR + ETX) or len(frame) < 4:
            raise FrameError(f"SCP-01 frame must be LF ... CR ETX: {frame!r}")
        inner = frame[1:-2]
        if inner == b"?":
            raise FrameError(f"scale did not recognise the command: {frame!r}")
        weight_part, sep, status_part = inner.rpartition(CR + LF)
        reading = _parse_status(status_part, frame)
        if not sep:
            return reading
        match = _WEIGHT.match(weight_part)
        if match is None:
            raise FrameError(f"SCP-01 weight must be digits, decimal point and units: {frame!r}")
        weight = to_kg(match.group(1).decode(), match.group(2).decode(), frame)
        return ScaleReading(
            weight=weight,
            motion=reading.motion,
            overload=reading.overload,
            under_zero=reading.under_zero or weight < 0,
            at_zero=reading.at_zero,
            net=reading.net,
            fault=reading.fault,
        )

    # -- simulator side -----------------------------------------------------
    def take_command(self, buf: bytearray) -> bytes | None:
        while True:
            stop = buf.find(CR)
            if stop < 0:
                return None
            command = bytes(buf[:stop]).strip(b"\n\x03 ")
            del buf[: stop + 1]
            if command:
                return command + CR

    def reply(self, command: bytes, state: ScaleState) -> bytes:
        settled = not (state.motion or state.overload or state.under_zero)
        if command == b"Z\r" and settled:
            state.weight, state.tare = Decimal("0.000"), Decimal("0.000")
        elif command not in (b"W\r", b"S\r", b"Z\r"):
            return LF + b"?" + CR + ETX
        status = _status_bytes(state)
        if command == b"W\r" and settled and 0 <= state.net < 100:
            return LF + f"{state.net:06.3f}KG".encode() + CR + LF + status + CR + ETX
        return LF + status + CR + ETX

    def malformed_reply(self) -> bytes:
        return LF + b"01.2?0KG" + CR + LF + b"\x01\x01" + CR + ETX


def _parse_status(part: bytes, frame: bytes) -> ScaleReading:
    if part.startswith(b"S"):
        part = part[1:]
    if len(part) < 2:
        raise FrameError(f"SCP-01 reply needs at least two status bytes: {frame!r}")
    first = check_status_byte(part[0], frame, ones=FIXED, zeros=FOLLOWS)
    rest = [check_status_byte(b, frame, ones=FIXED) for b in part[1:]]
    for i, byte in enumerate(rest):
        last = i == len(rest) - 1
        if bool(byte & FOLLOWS) == last:
            raise FrameError(f"SCP-01 status byte {i + 2} 'byte follows' bit is wrong: {frame!r}")
    second = rest[0]
    third = rest[1] if len(rest) > 1 else FIXED
    faults = [text for bit, text in _FAULTS_1 if first & bit]
    faults += [text for bit, text in _FAULTS_2 if second & bit]
    if third & 8:
        faults.append("initial zero error")
    return ScaleReading(
        weight=None,
        motion=bool(first & 1),
        at_zero=bool(first & 2),
        under_zero=bool(second & 1),
        overload=bool(second & 2),
        net=bool(third & 4),
        fault=", ".join(faults) or None,
    )


def _status_bytes(state: ScaleState) -> bytes:
    first = FIXED | (1 if state.motion else 0) | (2 if state.at_zero else 0)
    under = state.under_zero or state.net < 0
    second = FIXED | (1 if under else 0) | (2 if state.overload else 0)
    return bytes([first, second])
