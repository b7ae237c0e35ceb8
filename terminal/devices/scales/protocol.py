"""The contract each scale protocol module fulfils, for both ends of the wire.

The driver side asks for the bytes of a command, cuts reply frames out of the
byte stream (`take_frame`) and decodes them (`parse`). The simulator side
(`devices.simulators.scale`) cuts commands out of its input and encodes replies
from a `ScaleState`. Keeping both halves in one module per protocol means the
simulator cannot drift from the parser without a test noticing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from devices.scales.reading import FrameError, ScaleReading


@dataclass
class ScaleState:
    """What a simulated scale currently shows (gross kg; tare subtracted on output)."""

    weight: Decimal = Decimal("0.000")
    motion: bool = False
    overload: bool = False
    under_zero: bool = False
    tare: Decimal = Decimal("0.000")

    @property
    def net(self) -> Decimal:
        return self.weight - self.tare

    @property
    def at_zero(self) -> bool:
        return self.net == 0 and not (self.motion or self.overload or self.under_zero)


class ScaleProtocol(ABC):
    name: str
    weigh_command: bytes
    zero_command: bytes
    status_command: bytes
    tare_command: bytes | None = None
    clear_tare_command: bytes | None = None

    # -- driver side --------------------------------------------------------
    @abstractmethod
    def take_frame(self, buf: bytearray) -> bytes | None:
        """Remove and return the next complete reply frame from `buf`.

        None: not complete yet. FrameError: bytes that cannot start or finish a
        frame were removed from `buf` (so the next call can find a good one).
        """

    @abstractmethod
    def parse(self, frame: bytes) -> ScaleReading:
        """Decode one complete frame; FrameError when it breaks the format."""

    def parse_zero(self, frame: bytes) -> ScaleReading:
        """Decode the reply to the zero command (a status reply for most protocols)."""
        return self.parse(frame)

    # -- simulator side -----------------------------------------------------
    @abstractmethod
    def take_command(self, buf: bytearray) -> bytes | None:
        """Remove and return the next complete host command from `buf` (or None)."""

    @abstractmethod
    def reply(self, command: bytes, state: ScaleState) -> bytes:
        """Encode the scale's answer to `command`, updating `state` for zero/tare."""

    @abstractmethod
    def malformed_reply(self) -> bytes:
        """A complete frame whose contents break the format (for fault injection)."""

    def truncated_reply(self, state: ScaleState) -> bytes:
        """The first half of a good weight reply, as when a cable is pulled mid-frame."""
        good = self.reply(self.weigh_command, ScaleState(state.weight, tare=state.tare))
        return good[: max(2, len(good) // 2)]


def take_delimited(
    buf: bytearray, start: bytes, end: bytes, *, restart_truncates: bool
) -> bytes | None:
    """Cut `start ... end` out of `buf`.

    Bytes before `start` are line noise: they are dropped and reported. When
    `restart_truncates`, a second `start` before `end` means the first frame
    was cut short (the scale began a new reply).
    """
    if not buf:
        return None
    begin = buf.find(start)
    if begin < 0:
        junk = bytes(buf)
        buf.clear()
        raise FrameError(f"bytes outside any frame: {junk!r}")
    if begin > 0:
        junk = bytes(buf[:begin])
        del buf[:begin]
        raise FrameError(f"bytes outside any frame: {junk!r}")
    stop = buf.find(end, len(start))
    if restart_truncates:
        again = buf.find(start, len(start))
        if again >= 0 and (stop < 0 or again < stop):
            cut = bytes(buf[:again])
            del buf[:again]
            raise FrameError(f"truncated frame: {cut!r}")
    if stop < 0:
        return None
    frame = bytes(buf[: stop + len(end)])
    del buf[: stop + len(end)]
    return frame


def take_until(buf: bytearray, end: bytes) -> bytes | None:
    """Cut everything up to and including `end` (line-oriented protocols)."""
    stop = buf.find(end)
    if stop < 0:
        return None
    frame = bytes(buf[: stop + len(end)])
    del buf[: stop + len(end)]
    return frame
