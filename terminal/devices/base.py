"""The UnifiedPOS device lifecycle shared by every driver.

    open -> claim -> enable      (ready for I/O)
    disable -> release -> close  (back to closed)

A call out of order raises `DeviceStateError` naming the state needed, so a
wiring mistake is obvious instead of a hang on an unopened transport.
Subclasses override the `_do_*` hooks; the base keeps state and power events.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field

from devices.events import DeviceEvent, DeviceStatus, EventBus, PowerEvent, PowerState, StatusEvent


class DeviceError(Exception):
    """Base of every device SDK error."""


class DeviceStateError(DeviceError):
    """A lifecycle method was called in the wrong state."""


class LifecycleState(enum.IntEnum):
    CLOSED = 0
    OPENED = 1
    CLAIMED = 2
    ENABLED = 3


@dataclass(frozen=True)
class HealthReport:
    device: str
    ok: bool
    power_state: PowerState
    state: LifecycleState
    detail: str = ""
    statuses: tuple[DeviceStatus, ...] = field(default=())


class Device:
    """Base for drivers: lifecycle, power state and event publishing."""

    def __init__(self, name: str, bus: EventBus | None = None) -> None:
        self.name = name  # logical name from configuration, e.g. "receipt"
        self.bus = bus or EventBus()
        self._state = LifecycleState.CLOSED
        self._power = PowerState.UNKNOWN
        self._lifecycle_lock = threading.RLock()

    # -- lifecycle -------------------------------------------------------
    @property
    def state(self) -> LifecycleState:
        return self._state

    @property
    def power_state(self) -> PowerState:
        return self._power

    def open(self) -> None:
        self._step(LifecycleState.CLOSED, LifecycleState.OPENED, self._do_open, "open")

    def claim(self, timeout: float = 5.0) -> None:
        self._step(LifecycleState.OPENED, LifecycleState.CLAIMED, lambda: self._do_claim(timeout), "claim")

    def enable(self) -> None:
        self._step(LifecycleState.CLAIMED, LifecycleState.ENABLED, self._do_enable, "enable")

    def disable(self) -> None:
        self._step(LifecycleState.ENABLED, LifecycleState.CLAIMED, self._do_disable, "disable")

    def release(self) -> None:
        self._step(LifecycleState.CLAIMED, LifecycleState.OPENED, self._do_release, "release")

    def close(self) -> None:
        """Close from any state, undoing the steps taken (safe in `finally`)."""
        with self._lifecycle_lock:
            if self._state == LifecycleState.ENABLED:
                self.disable()
            if self._state == LifecycleState.CLAIMED:
                self.release()
            if self._state == LifecycleState.OPENED:
                self._do_close()
                self._state = LifecycleState.CLOSED

    def start(self, claim_timeout: float = 5.0) -> None:
        """Convenience: open, claim and enable, from wherever the device is on that path.

        Atomic under the lifecycle lock, so two owners starting the same device (the
        device manager and a print queue, say) cannot trip over each other's steps.
        """
        with self._lifecycle_lock:
            if self._state == LifecycleState.CLOSED:
                self.open()
            if self._state == LifecycleState.OPENED:
                self.claim(claim_timeout)
            if self._state == LifecycleState.CLAIMED:
                self.enable()

    def __enter__(self) -> Device:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def require(self, needed: LifecycleState, action: str) -> None:
        if self._state < needed:
            raise DeviceStateError(
                f"{self.name}: cannot {action} while {self._state.name.lower()}; "
                f"the device must be {needed.name.lower()} first"
            )

    def _step(self, before: LifecycleState, after: LifecycleState, hook, action: str) -> None:
        with self._lifecycle_lock:
            if self._state != before:
                raise DeviceStateError(
                    f"{self.name}: cannot {action} while {self._state.name.lower()} "
                    f"(expected {before.name.lower()})"
                )
            hook()
            self._state = after

    # -- health and events ----------------------------------------------
    def check_health(self) -> HealthReport:
        return HealthReport(self.name, self._power == PowerState.ONLINE, self._power, self._state)

    def publish(self, event: DeviceEvent) -> None:
        self.bus.publish(event)

    def publish_status(self, status: DeviceStatus) -> None:
        self.publish(StatusEvent(self.name, status))

    def set_power_state(self, state: PowerState) -> None:
        """Record the power state; publish a PowerEvent only when it changes."""
        if state == self._power:
            return
        self._power = state
        self.publish(PowerEvent(self.name, state))

    # -- hooks for drivers -----------------------------------------------
    def _do_open(self) -> None: ...

    def _do_claim(self, timeout: float) -> None: ...

    def _do_enable(self) -> None: ...

    def _do_disable(self) -> None: ...

    def _do_release(self) -> None: ...

    def _do_close(self) -> None: ...
