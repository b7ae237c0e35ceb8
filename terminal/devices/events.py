"""UnifiedPOS-style device events and the bus that carries them.

Events are frozen dataclasses so a listener can keep them without copying.
The bus calls listeners on the publishing thread (a driver's worker thread);
the Qt UI re-emits them as signals to reach its own thread.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

log = logging.getLogger(__name__)


class PowerState(str, enum.Enum):
    """UnifiedPOS PowerState (PS_*)."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFF = "off"
    OFFLINE = "offline"
    OFF_OFFLINE = "off_offline"


class DeviceStatus(str, enum.Enum):
    """Status updates (UnifiedPOS StatusUpdateEvent values, grouped per device kind)."""

    # printer
    COVER_OPEN = "cover_open"
    COVER_OK = "cover_ok"
    PAPER_NEAR_EMPTY = "paper_near_empty"
    PAPER_EMPTY = "paper_empty"
    PAPER_OK = "paper_ok"
    IDLE = "idle"
    # cash drawer
    DRAWER_OPEN = "drawer_open"
    DRAWER_CLOSED = "drawer_closed"
    # scale
    SCALE_STABLE = "scale_stable"
    SCALE_UNSTABLE = "scale_unstable"
    SCALE_ZERO = "scale_zero"
    SCALE_OVERWEIGHT = "scale_overweight"
    SCALE_UNDER_ZERO = "scale_under_zero"
    SCALE_NOT_READY = "scale_not_ready"


class ErrorLocus(str, enum.Enum):
    """Where an error happened (UnifiedPOS EL_*)."""

    INPUT = "input"
    OUTPUT = "output"
    INPUT_DATA = "input_data"


@dataclass(frozen=True)
class ScanData:
    code: str
    symbology: str  # e.g. "EAN13", "CODE128", "QR", or "unknown"


@dataclass(frozen=True)
class WeightData:
    weight: Decimal  # 3 decimals, never float
    unit: str  # "kg", "lb", "g", "oz"

    def __post_init__(self) -> None:
        if not isinstance(self.weight, Decimal):
            raise TypeError(f"weight must be Decimal, got {type(self.weight).__name__}")


@dataclass(frozen=True)
class DeviceEvent:
    """Base of every event: `device` is the logical name from configuration."""

    device: str


@dataclass(frozen=True)
class StatusEvent(DeviceEvent):
    status: DeviceStatus


@dataclass(frozen=True)
class PowerEvent(DeviceEvent):
    state: PowerState


@dataclass(frozen=True)
class DataEvent(DeviceEvent):
    kind: str  # "scan" or "weight"
    payload: ScanData | WeightData

    @classmethod
    def scan(cls, device: str, code: str, symbology: str) -> DataEvent:
        return cls(device, "scan", ScanData(code, symbology))

    @classmethod
    def weight(cls, device: str, weight: Decimal, unit: str) -> DataEvent:
        return cls(device, "weight", WeightData(weight, unit))


@dataclass(frozen=True)
class ErrorEvent(DeviceEvent):
    locus: ErrorLocus
    code: str  # short machine-readable reason, e.g. "paper_empty", "offline"
    message: str
    can_retry: bool = True  # False: the caller must clear the error (e.g. bad data)


@dataclass(frozen=True)
class OutputCompleteEvent(DeviceEvent):
    job_id: str


@dataclass(frozen=True)
class PaymentStatusEvent(DeviceEvent):
    """What a payment terminal tells the cashier mid-transaction (ZVT intermediate status)."""

    code: int  # the terminal's status code, e.g. 0x0A "insert card"
    text: str  # in the cashier's words, for the till's status line


E = TypeVar("E", bound=DeviceEvent)
Listener = Callable[[DeviceEvent], None]


@dataclass
class _Subscription:
    listener: Callable[[DeviceEvent], None]
    event_type: type[DeviceEvent]
    active: bool = field(default=True)


class EventBus:
    """Thread-safe publish/subscribe.

    Listeners run synchronously on the publishing thread, in subscription
    order; a failing listener is logged and does not stop the others (a UI
    bug must not stall a print worker).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[_Subscription] = []

    def subscribe(
        self, listener: Callable[[E], None], event_type: type[E] = DeviceEvent  # type: ignore[assignment]
    ) -> Callable[[], None]:
        """Register `listener` for `event_type` (and subclasses). Returns an unsubscribe function."""
        sub = _Subscription(listener, event_type)  # type: ignore[arg-type]
        with self._lock:
            self._subs.append(sub)

        def unsubscribe() -> None:
            with self._lock:
                sub.active = False
                if sub in self._subs:
                    self._subs.remove(sub)

        return unsubscribe

    def publish(self, event: DeviceEvent) -> None:
        with self._lock:
            subs = list(self._subs)  # snapshot: listeners may (un)subscribe while we deliver
        for sub in subs:
            if not sub.active or not isinstance(event, sub.event_type):
                continue
            try:
                sub.listener(event)
            except Exception:  # noqa: BLE001 - isolate listeners from drivers
                log.exception("event listener %r failed on %r", sub.listener, event)


class EventRecorder:
    """Listener that keeps every event and lets a thread wait for one (tests, CLI)."""

    def __init__(self, bus: EventBus | None = None) -> None:
        self._cond = threading.Condition()
        self.events: list[DeviceEvent] = []
        if bus is not None:
            bus.subscribe(self)

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def snapshot(self) -> list[DeviceEvent]:
        with self._cond:
            return list(self.events)

    def wait_for(self, predicate: Callable[[DeviceEvent], bool], timeout: float) -> DeviceEvent:
        """Block until an event matching `predicate` has been recorded; raise TimeoutError after `timeout`."""
        found: list[DeviceEvent] = []

        def match() -> bool:
            found[:] = [e for e in self.events if predicate(e)]
            return bool(found)

        with self._cond:
            if not self._cond.wait_for(match, timeout):
                raise TimeoutError(f"no matching event within {timeout}s; got {self.events!r}")
            return found[0]
