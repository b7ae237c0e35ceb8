"""DLE EOT 1-4 real-time status replies: validation, parsing and (for the simulator) encoding.

Each reply is one byte whose fixed bits are 0xx1xx10 (bit 0 = 0, bit 1 = 1,
bit 4 = 1, bit 7 = 0). Anything else is not a status reply (line noise, a
stale answer to something else) and is rejected rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.events import DeviceStatus

FIXED_MASK = 0x93
FIXED_BITS = 0x12


class StatusError(ValueError):
    """A byte that is not a valid DLE EOT reply."""


def check_status_byte(n: int, value: int) -> int:
    if not 0 <= value <= 0xFF or value & FIXED_MASK != FIXED_BITS:
        raise StatusError(f"invalid reply to DLE EOT {n}: 0x{value:02x} (fixed bits must be 0xx1xx10)")
    return value


def _bit(value: int, n: int) -> bool:
    return bool(value >> n & 1)


@dataclass(frozen=True)
class PrinterStatus:
    # DLE EOT 1 (printer status)
    drawer_pin3_high: bool = False
    offline: bool = False
    waiting_for_recovery: bool = False
    feed_button: bool = False
    # DLE EOT 2 (offline cause)
    cover_open: bool = False
    feeding_by_button: bool = False
    paper_end_stop: bool = False
    error: bool = False
    # DLE EOT 3 (error cause)
    autocutter_error: bool = False
    unrecoverable_error: bool = False
    auto_recoverable_error: bool = False
    # DLE EOT 4 (roll paper sensor)
    paper_near_end: bool = False
    paper_empty: bool = False

    @classmethod
    def parse(cls, replies: bytes) -> PrinterStatus:
        """Parse the four reply bytes to DLE EOT 1, 2, 3, 4 (in that order)."""
        if len(replies) != 4:
            raise StatusError(f"expected 4 status bytes (DLE EOT 1-4), got {len(replies)}")
        s1, s2, s3, s4 = (check_status_byte(n, b) for n, b in zip((1, 2, 3, 4), replies, strict=True))
        return cls(
            drawer_pin3_high=_bit(s1, 2),
            offline=_bit(s1, 3),
            waiting_for_recovery=_bit(s1, 5),
            feed_button=_bit(s1, 6),
            cover_open=_bit(s2, 2),
            feeding_by_button=_bit(s2, 3),
            paper_end_stop=_bit(s2, 5),
            error=_bit(s2, 6),
            autocutter_error=_bit(s3, 3),
            unrecoverable_error=_bit(s3, 5),
            auto_recoverable_error=_bit(s3, 6),
            paper_near_end=_bit(s4, 2) and _bit(s4, 3),
            paper_empty=_bit(s4, 5) and _bit(s4, 6),
        )

    def encode(self) -> bytes:
        """The four reply bytes a printer in this state sends (used by the simulator)."""

        def byte(*bits: tuple[int, bool]) -> int:
            return FIXED_BITS | sum(1 << n for n, on in bits if on)

        return bytes(
            (
                byte((2, self.drawer_pin3_high), (3, self.offline), (5, self.waiting_for_recovery), (6, self.feed_button)),
                byte((2, self.cover_open), (3, self.feeding_by_button), (5, self.paper_end_stop), (6, self.error)),
                byte((3, self.autocutter_error), (5, self.unrecoverable_error), (6, self.auto_recoverable_error)),
                byte((2, self.paper_near_end), (3, self.paper_near_end), (5, self.paper_empty), (6, self.paper_empty)),
            )
        )

    @property
    def ready(self) -> bool:
        """Online with paper, cover shut and no error: safe to send a job."""
        return not (
            self.offline or self.cover_open or self.paper_empty or self.paper_end_stop or self.error
            or self.autocutter_error or self.unrecoverable_error
        )

    @property
    def problem(self) -> str | None:
        """Short reason code when not ready (used in ErrorEvent.code)."""
        if self.cover_open:
            return "cover_open"
        if self.paper_empty or self.paper_end_stop:
            return "paper_empty"
        if self.unrecoverable_error or self.autocutter_error or self.error:
            return "printer_error"
        if self.offline:
            return "offline"
        return None

    def device_statuses(self) -> tuple[DeviceStatus, ...]:
        """UnifiedPOS status values describing this state (cover, then paper)."""
        cover = DeviceStatus.COVER_OPEN if self.cover_open else DeviceStatus.COVER_OK
        if self.paper_empty or self.paper_end_stop:
            paper = DeviceStatus.PAPER_EMPTY
        elif self.paper_near_end:
            paper = DeviceStatus.PAPER_NEAR_EMPTY
        else:
            paper = DeviceStatus.PAPER_OK
        return (cover, paper)
