"""Hot-plug detection: is each configured device present right now?

Devices are identified by a port path (/dev/serial/by-id/..., or a symlink the
simulators keep) or by a USB serial number, never by VID:PID alone: two
identical scanners share VID:PID, and a till must not mistake one for the other.

Presence is polled (serial ports via `serial.tools.list_ports`, USB via pyusb
when a serial number is watched, paths via the file system). On Linux with
pyudev and a netlink socket, udev events wake the poller at once, so a plug is
noticed in milliseconds instead of one interval.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from serial.tools import list_ports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceIdentity:
    port: str | None = None  # a device path or a stable symlink to one
    serial_number: str | None = None  # USB iSerial of the device or its USB-serial adapter

    def __post_init__(self) -> None:
        if not (self.port or self.serial_number):
            raise ValueError("a device is identified by a port path or a serial number (VID:PID alone is ambiguous)")


def serial_port_for(serial_number: str) -> str | None:
    """The tty path of the USB-serial device with this serial number, if plugged."""
    for port in list_ports.comports():
        if port.serial_number == serial_number:
            return port.device
    return None


def usb_serial_numbers() -> set[str]:
    """Serial numbers of USB devices we are allowed to read (needs the udev rules; see README)."""
    try:
        import usb.core
        import usb.util
    except ImportError:
        return set()
    found: set[str] = set()
    try:
        devices = list(usb.core.find(find_all=True))
    except Exception as exc:  # noqa: BLE001 - no backend (libusb missing) means "no USB info"
        log.debug("USB enumeration unavailable: %s", exc)
        return found
    for dev in devices:
        try:
            if dev.iSerialNumber:
                found.add(usb.util.get_string(dev, dev.iSerialNumber))
        except Exception:  # noqa: BLE001 - no permission on this device: skip it
            continue
    return found


def is_present(identity: DeviceIdentity) -> bool:
    if identity.port is not None:
        return os.path.exists(identity.port)  # follows symlinks: a dangling link is "absent"
    assert identity.serial_number is not None
    return serial_port_for(identity.serial_number) is not None or identity.serial_number in usb_serial_numbers()


class HotplugMonitor:
    """Calls `callback(present)` whenever a watched device appears or disappears."""

    def __init__(self, interval: float = 1.0, *, use_udev: bool = True) -> None:
        self.interval = interval
        self._watches: dict[DeviceIdentity, list[Callable[[bool], None]]] = {}
        self._known: dict[DeviceIdentity, bool] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer = None
        self._use_udev = use_udev

    def watch(self, identity: DeviceIdentity, callback: Callable[[bool], None]) -> None:
        with self._lock:
            self._watches.setdefault(identity, []).append(callback)
            self._known.setdefault(identity, is_present(identity))
        self._wake.set()

    def present(self, identity: DeviceIdentity) -> bool:
        return is_present(identity)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        if self._use_udev:
            self._observer = _start_udev(self._wake.set)
        self._thread = threading.Thread(target=self._loop, daemon=True, name="hotplug")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            self.poll()

    def poll(self) -> None:
        """Check every watched device once and report changes (also callable directly)."""
        with self._lock:
            watches = {identity: list(cbs) for identity, cbs in self._watches.items()}
        for identity, callbacks in watches.items():
            now = is_present(identity)
            with self._lock:
                changed = self._known.get(identity) != now
                self._known[identity] = now
            if changed:
                log.info("%s %s", identity, "plugged in" if now else "unplugged")
                for callback in callbacks:
                    try:
                        callback(now)
                    except Exception:  # noqa: BLE001 - one bad listener must not stop detection
                        log.exception("hot-plug callback failed")


def _start_udev(wake: Callable[[], None]):
    """udev events (tty and usb subsystems) wake the poller; None where unavailable."""
    try:
        import pyudev

        context = pyudev.Context()
        monitor = pyudev.Monitor.from_netlink(context)
        monitor.filter_by("tty")
        monitor.filter_by("usb")
        observer = pyudev.MonitorObserver(monitor, callback=lambda _device: wake(), name="udev-hotplug")
        observer.daemon = True
        observer.start()
        return observer
    except Exception as exc:  # noqa: BLE001 - no pyudev, no netlink (containers): polling only
        log.debug("udev monitoring unavailable, polling only: %s", exc)
        return None
