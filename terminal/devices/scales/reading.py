"""What a scale reply means, independent of the wire protocol.

Every protocol module turns one reply frame into a `ScaleReading`; the driver
decides from it whether a weight may be sold. Weights are Decimal kilograms with
3 decimals (ARCHITECTURE.md: "Weights have 3 decimals"); never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from devices.base import DeviceError
from devices.events import DeviceStatus

KG = Decimal("0.001")


class ScaleError(DeviceError):
    """A scale operation failed (no stable weight, zero refused, ...)."""


class FrameError(ScaleError):
    """A reply frame was malformed or truncated; the bytes are quoted in the message."""


class WeightNotStable(ScaleError):
    """No stable, sellable weight arrived before the deadline."""


@dataclass(frozen=True)
class ScaleReading:
    """One decoded reply. `weight` is None when the scale only sent status."""

    weight: Decimal | None = None
    motion: bool = False
    overload: bool = False
    under_zero: bool = False
    at_zero: bool = False
    net: bool = False
    fault: str | None = None  # hardware fault reported by the scale (RAM, EEPROM, calibration)

    @property
    def stable(self) -> bool:
        """True only for a weight that can be sold: present, settled, in range, no fault."""
        return (
            self.weight is not None
            and not self.motion
            and not self.overload
            and not self.under_zero
            and self.fault is None
            and self.weight >= 0
        )

    def statuses(self) -> tuple[DeviceStatus, ...]:
        """UnifiedPOS status values this reading stands for (most significant first)."""
        if self.fault is not None:
            return (DeviceStatus.SCALE_NOT_READY,)
        if self.overload:
            return (DeviceStatus.SCALE_OVERWEIGHT,)
        if self.under_zero:
            return (DeviceStatus.SCALE_UNDER_ZERO,)
        if self.motion:
            return (DeviceStatus.SCALE_UNSTABLE,)
        if self.at_zero or self.weight == 0:
            return (DeviceStatus.SCALE_STABLE, DeviceStatus.SCALE_ZERO)
        return (DeviceStatus.SCALE_STABLE,)


def to_kg(text: str, unit: str, frame: bytes) -> Decimal:
    """Parse a weight field in `unit` into kg with 3 decimals; reject what we cannot sell by.

    Pounds and ounces are refused rather than converted: a converted weight is
    not the weight the certified scale displayed.
    """
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FrameError(f"weight field {text!r} is not a number in {frame!r}") from None
    unit = unit.strip().lower()
    if unit == "kg":
        kg = value
    elif unit == "g":
        kg = value / 1000
    else:
        raise FrameError(f"unit {unit!r} not supported (configure the scale for kg) in {frame!r}")
    if kg != kg.quantize(KG):
        raise FrameError(f"weight {text} {unit} has more than 3 decimals in kg in {frame!r}")
    return kg.quantize(KG)


def check_status_byte(value: int, frame: bytes, *, ones: int, zeros: int = 0) -> int:
    """Validate the fixed bits of a status byte and return it without the parity bit.

    Bit 7 is even parity on a 7E1 line: the UART strips it, but an 8N1 port (or
    a USB-serial adapter set wrongly) passes it through, so mask it either way.
    """
    value &= 0x7F
    if value & ones != ones or value & zeros:
        raise FrameError(f"status byte 0x{value:02x} has wrong fixed bits in {frame!r}")
    return value
