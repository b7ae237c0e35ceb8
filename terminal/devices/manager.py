"""Device manager: builds the configured devices, keeps them connected, reports their power.

    manager = DeviceManager(load_config(), bus)
    manager.start()                      # returns at once; devices come online in the background
    scale = manager.get("scale")         # logical names from devices.toml
    manager.stop()

Each device has a supervisor thread. Serial devices (scales, scanners) are
opened, claimed and enabled; when one is lost (the driver reports offline, a
health check fails, or hot-plug says it vanished) it is closed, PowerEvent
offline is published, and it is reopened with exponential backoff with full jitter
(`devices.backoff`, the rule the till's outbox pump uses too), immediately when
hot-plug sees it come back. Printers and payment terminals reconnect by
themselves on every operation (devices.printer, devices.payment), so their supervisor
only checks health, which publishes their power changes; drawers follow their printer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from devices import config as cfg
from devices.backoff import Backoff
from devices.base import Device, DeviceError, HealthReport, LifecycleState
from devices.drawer import CashDrawer
from devices.drawer import DrawerConfig as DrawerSettings
from devices.events import EventBus, PowerEvent, PowerState
from devices.hotplug import DeviceIdentity, HotplugMonitor, serial_port_for
from devices.payment.link import ApduLink, SerialApduLink
from devices.payment.terminal import PaymentTerminal, PaymentTerminalConfig
from devices.printer import PrinterConfig as PrinterSettings
from devices.printer import ReceiptPrinter
from devices.scales import LINE_SETTINGS, Scale, protocol_named
from devices.scanner import ScanFormat, SerialScanner, WedgeScanner
from devices.transports.base import Transport
from devices.transports.serial import SerialTransport
from devices.transports.tcp import TcpTransport
from devices.transports.usb import UsbTransport

log = logging.getLogger(__name__)


@dataclass
class _Managed:
    name: str
    device: Device
    identity: DeviceIdentity | None  # None: nothing to watch (TCP printer, wedge, drawer)
    reopen: bool  # close and reopen on loss (serial) vs. let the driver reconnect (printer)
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class DeviceManager:
    def __init__(
        self,
        config: cfg.DevicesConfig,
        bus: EventBus | None = None,
        *,
        hotplug: HotplugMonitor | None = None,
        state_dir: str | Path | None = None,
    ) -> None:
        self.config = config
        self.bus = bus or EventBus()
        self.hotplug = hotplug or HotplugMonitor(interval=min(1.0, config.manager.health_interval))
        self.state_dir = Path(state_dir or platformdirs.user_state_dir("pos-devices"))
        self.backoff = Backoff(config.manager.backoff_initial, config.manager.backoff_max)
        self._stop = threading.Event()
        self._managed: dict[str, _Managed] = {}
        for name, device_cfg in config.devices.items():
            if not isinstance(device_cfg, cfg.DrawerConfig):
                self._managed[name] = self._build(name, device_cfg)
        for name, device_cfg in config.devices.items():  # drawers after their printers
            if isinstance(device_cfg, cfg.DrawerConfig):
                self._managed[name] = self._build(name, device_cfg)
        self._unsubscribe = self.bus.subscribe(self._on_power, PowerEvent)

    # -- public API -----------------------------------------------------------------
    def names(self) -> list[str]:
        return list(self.config.devices)

    def get(self, name: str) -> Device:
        try:
            return self._managed[name].device
        except KeyError:
            raise KeyError(f"no device named {name!r}; configured: {', '.join(self.names())}") from None

    def health(self) -> dict[str, HealthReport]:
        return {name: m.device.check_health() for name, m in self._managed.items()}

    def probe(self, name: str) -> HealthReport:
        """Open one device, check it and close it again (for `pos-devices status`; not while started)."""
        device = self.get(name)
        if isinstance(device, CashDrawer):
            self.get(self.config.devices[name].printer).start()  # type: ignore[union-attr]
        try:
            device.start()
            return device.check_health()
        except Exception as exc:  # noqa: BLE001 - report, do not crash the technician's tool
            return HealthReport(name, False, device.power_state, device.state, str(exc))
        finally:
            device.close()
            if isinstance(device, CashDrawer):
                device.printer.close()

    def start(self) -> None:
        self._stop.clear()
        for managed in self._managed.values():
            if managed.identity is not None:
                self.hotplug.watch(managed.identity, lambda present, m=managed: self._on_hotplug(m, present))
            managed.thread = threading.Thread(target=self._supervise, args=(managed,), daemon=True,
                                              name=f"device-{managed.name}")
            managed.thread.start()
        self.hotplug.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.hotplug.stop()
        for managed in self._managed.values():
            managed.wake.set()
        for managed in self._managed.values():
            if managed.thread is not None:
                managed.thread.join(timeout)
        for managed in reversed(list(self._managed.values())):  # drawers before their printers
            managed.device.close()
        self._unsubscribe()

    def __enter__(self) -> DeviceManager:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- supervision -----------------------------------------------------------------
    def _on_power(self, event: PowerEvent) -> None:
        managed = self._managed.get(event.device)
        if managed is not None and event.state == PowerState.OFFLINE:
            managed.wake.set()  # the driver saw the device go: act now, not at the next check

    def _on_hotplug(self, managed: _Managed, present: bool) -> None:
        managed.wake.set()

    def _supervise(self, managed: _Managed) -> None:
        if not managed.reopen:
            self._watch_self_healing(managed)
            return
        failures = 0
        while not self._stop.is_set():
            if managed.device.state != LifecycleState.ENABLED:
                if self._try_open(managed):
                    failures = 0
                else:
                    delay = self.backoff.delay(failures)
                    failures += 1
                    self._wait(managed, delay)
                    continue
            self._wait(managed, self.config.manager.health_interval)
            if not self._stop.is_set() and self._lost(managed):
                managed.device.close()
                managed.device.set_power_state(PowerState.OFFLINE)

    def _try_open(self, managed: _Managed) -> bool:
        device = managed.device
        if managed.identity is not None and not self.hotplug.present(managed.identity):
            device.set_power_state(PowerState.OFFLINE)
            return False
        _follow_serial_number(managed)
        try:
            device.start()
        except Exception as exc:  # noqa: BLE001 - any failure to open is "still offline"
            log.info("%s: not available yet: %s", managed.name, exc)
            device.close()
            device.set_power_state(PowerState.OFFLINE)
            return False
        device.set_power_state(PowerState.ONLINE)
        return True

    def _lost(self, managed: _Managed) -> bool:
        device = managed.device
        if device.power_state == PowerState.OFFLINE:
            return True
        if managed.identity is not None and not self.hotplug.present(managed.identity):
            return True
        return not device.check_health().ok  # scale: no reply; scanner: its reader stopped

    def _watch_self_healing(self, managed: _Managed) -> None:
        try:
            managed.device.start()
        except Exception as exc:  # noqa: BLE001
            log.warning("%s: could not start: %s", managed.name, exc)
            return
        while not self._stop.is_set():
            try:
                managed.device.check_health()  # the printer publishes its power changes itself
            except DeviceError as exc:  # e.g. the drawer's printer is not enabled yet
                log.debug("%s: health check skipped: %s", managed.name, exc)
            self._wait(managed, self.config.manager.health_interval)

    def _wait(self, managed: _Managed, seconds: float) -> None:
        managed.wake.wait(seconds)
        managed.wake.clear()

    # -- building ----------------------------------------------------------------------
    def _build(self, name: str, c: object) -> _Managed:
        if isinstance(c, cfg.ScaleConfig):
            transport = _serial_transport(name, c, LINE_SETTINGS[c.protocol])
            scale = Scale(name, transport, protocol_named(c.protocol), self.bus,
                          reply_timeout=c.reply_timeout, poll_interval=c.poll_interval)
            return _Managed(name, scale, identity_for(name, c), reopen=True)
        if isinstance(c, cfg.ScannerConfig):
            fmt = ScanFormat(prefix=c.prefix, suffix=c.suffix, aim=c.aim)
            if c.transport == "wedge":
                wedge = WedgeScanner(name, fmt, self.bus, max_gap=c.max_key_gap_ms / 1000, min_length=c.min_length)
                return _Managed(name, wedge, None, reopen=False)
            transport = _serial_transport(name, c, {"baudrate": 9600, "bytesize": 8, "parity": "N", "stopbits": 1})
            return _Managed(name, SerialScanner(name, transport, fmt, self.bus), identity_for(name, c), reopen=True)
        if isinstance(c, cfg.PrinterConfig):
            printer = ReceiptPrinter(name, _printer_transport(name, c), self.bus, PrinterSettings(width_mm=c.paper_width, confirm=c.confirm))
            return _Managed(name, printer, None, reopen=False)
        if isinstance(c, cfg.PaymentConfig):
            settings = PaymentTerminalConfig(password=c.password, currency=c.currency, reply_timeout=c.reply_timeout)
            terminal = PaymentTerminal(name, _payment_link(name, c), self.bus, settings)
            return _Managed(name, terminal, None, reopen=False)  # reconnects on every operation
        if isinstance(c, cfg.DrawerConfig):
            printer = self._managed[c.printer].device
            assert isinstance(printer, ReceiptPrinter)
            self.state_dir.mkdir(parents=True, exist_ok=True)
            drawer = CashDrawer(name, printer, self.state_dir / f"{name}-kicks.sqlite", self.bus,
                                DrawerSettings(pin=c.pin))
            return _Managed(name, drawer, None, reopen=False)
        raise TypeError(f"{name}: unsupported device configuration {c!r}")


def identity_for(name: str, c: cfg.SerialSettings) -> DeviceIdentity:
    if c.serial_number:
        return DeviceIdentity(serial_number=c.serial_number)
    return DeviceIdentity(port=cfg.resolve_path(name, c.path))


def _serial_transport(name: str, c: cfg.SerialSettings, defaults: dict[str, object]) -> SerialTransport:
    settings = dict(defaults)
    for key in ("baudrate", "bytesize", "parity", "stopbits"):
        if getattr(c, key) is not None:
            settings[key] = getattr(c, key)
    port = cfg.resolve_path(name, c.path) if not c.serial_number else (serial_port_for(c.serial_number) or "")
    return SerialTransport(port, **settings)  # type: ignore[arg-type]


def _follow_serial_number(managed: _Managed) -> None:
    """A device known by serial number may come back on another ttyUSBn: reopen it there."""
    identity, transport = managed.identity, getattr(managed.device, "transport", None)
    if identity and identity.serial_number and isinstance(transport, SerialTransport):
        transport.port = serial_port_for(identity.serial_number) or transport.port


def _payment_link(name: str, c: cfg.PaymentConfig) -> ApduLink:
    if c.transport == "tcp":
        return ApduLink(TcpTransport(c.host, c.port))
    if not c.path:
        raise ValueError(f"{name}: a serial payment terminal needs path")
    return SerialApduLink(SerialTransport(c.path, baudrate=c.baudrate, bytesize=8, parity="N", stopbits=2))


def _printer_transport(name: str, c: cfg.PrinterConfig) -> Transport:
    if c.transport == "tcp":
        return TcpTransport(c.host, c.port)
    if c.transport == "usb":
        if c.vendor_id is None or c.product_id is None:
            raise ValueError(f"{name}: a USB printer needs vendor_id and product_id (and serial_number if two are attached)")
        return UsbTransport(c.vendor_id, c.product_id, c.serial_number)
    if not c.path:
        raise ValueError(f"{name}: a serial printer needs path")
    return SerialTransport(c.path, baudrate=c.baudrate)
