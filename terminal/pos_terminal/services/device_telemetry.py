"""What the heartbeat tells the server about the till's devices (wire.Heartbeat).

`status()`: one word per configured device, what a shop's IT would want on a dashboard:
"unavailable" (cannot be built: bad config, no such port), else its power state
("online", "offline", "off", "unknown"), except that an online device with a condition
reports the condition ("cover_open", "paper_empty", "paper_near_empty", "drawer_open").

`counters()`: per device, what it went through since the till started (print retries,
drawer kicks that opened it, scale errors), the till's own counters that the server
re-exports on /metrics. They are read from the device SDK's event bus and print queue,
so counting costs the devices nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.events import DeviceEvent, DeviceStatus, ErrorEvent, EventBus, PowerState, StatusEvent

# What each kind of device counts (wire.DeviceCounters): reported from 0 on, so a series
# exists before the first event.
_COUNTED = {"printer": "print_retries", "drawer": "drawer_kicks", "scale": "scale_errors"}

# A device's conditions by what clears them; the first one set is what it reports.
_CONDITIONS = {
    "cover": ({DeviceStatus.COVER_OPEN}, DeviceStatus.COVER_OK),
    "paper": ({DeviceStatus.PAPER_EMPTY, DeviceStatus.PAPER_NEAR_EMPTY}, DeviceStatus.PAPER_OK),
    "drawer": ({DeviceStatus.DRAWER_OPEN}, DeviceStatus.DRAWER_CLOSED),
}


@dataclass
class DeviceTelemetry:
    kinds: dict[str, str] = field(default_factory=dict)  # device name -> "printer" | "drawer" | "scale" ...
    power: Callable[[], dict[str, PowerState]] = dict
    unavailable: dict[str, str] = field(default_factory=dict)  # device name -> reason (TillDevices')
    print_retries: Callable[[], dict[str, int]] = dict  # printer name -> its print queue's retries
    _conditions: dict[str, dict[str, DeviceStatus]] = field(default_factory=dict)
    _counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def watch(self, bus: EventBus) -> Callable[[], None]:
        """Count and follow `bus` (events arrive on the devices' threads)."""
        return bus.subscribe(self._on_event)

    def drawer_kicked(self, drawer: str) -> None:
        with self._lock:
            self._counts[drawer, "drawer_kicks"] += 1

    def status(self) -> dict[str, str]:
        power = {name: state.value for name, state in self.power().items()}
        with self._lock:
            conditions = {name: dict(c) for name, c in self._conditions.items()}
        # "devices": the devices file itself could not be read, so no device is known
        out = {"devices": "unavailable"} if "devices" in self.unavailable else {}
        for name in sorted(set(self.kinds) | set(power)):
            if name in self.unavailable:
                out[name] = "unavailable"
                continue
            state = power.get(name, PowerState.UNKNOWN.value)
            condition = next((conditions.get(name, {})[key] for key in _CONDITIONS
                              if key in conditions.get(name, {})), None)
            out[name] = condition.value if state == PowerState.ONLINE.value and condition else state
        return out

    def counters(self) -> dict[str, dict[str, int]]:
        counts = {(name, _COUNTED[kind]): 0 for name, kind in self.kinds.items() if kind in _COUNTED}
        with self._lock:
            counts.update(self._counts)
        for printer, retries in self.print_retries().items():
            counts[printer, "print_retries"] = retries
        out: dict[str, dict[str, int]] = {}
        for (device, counter), value in sorted(counts.items()):
            out.setdefault(device, {})[counter] = value
        return out

    def _on_event(self, event: DeviceEvent) -> None:
        if isinstance(event, ErrorEvent) and self.kinds.get(event.device) == "scale":
            with self._lock:
                self._counts[event.device, "scale_errors"] += 1
        elif isinstance(event, StatusEvent):
            self._follow(event.device, event.status)

    def _follow(self, device: str, status: DeviceStatus) -> None:
        with self._lock:
            conditions = self._conditions.setdefault(device, {})
            for key, (raised, cleared) in _CONDITIONS.items():
                if status in raised:
                    conditions[key] = status
                elif status == cleared:
                    conditions.pop(key, None)
