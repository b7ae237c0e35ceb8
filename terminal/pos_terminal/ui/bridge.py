"""Core events re-emitted as Qt signals on the GUI thread (Electrum's `gui/qt/util.py` idea).

The device EventBus and the sync service call their listeners on their own worker
threads. A bridge is a QObject living in the GUI thread: its listener only emits an
internal signal, which reaches the bridge over a queued connection, so every public
signal below fires on the GUI thread and no worker ever touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from devices.events import (
    DataEvent,
    DeviceEvent,
    ErrorEvent,
    EventBus,
    OutputCompleteEvent,
    PowerEvent,
    ScanData,
    StatusEvent,
    WeightData,
)


class _QueuedBridge(QObject):
    """Base: `listener` may be called from any thread; `_dispatch` runs on the GUI thread."""

    _incoming = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = None
        self._incoming.connect(self._on_incoming, Qt.ConnectionType.QueuedConnection)

    def listener(self, event: object) -> None:
        self._incoming.emit(event)

    @Slot(object)
    def _on_incoming(self, event: object) -> None:
        self._dispatch(event)

    def _dispatch(self, event: Any) -> None:
        raise NotImplementedError

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class DeviceBridge(_QueuedBridge):
    """Device events (see `devices.events`) as typed Qt signals."""

    status = Signal(object)  # StatusEvent
    power = Signal(object)  # PowerEvent
    error = Signal(object)  # ErrorEvent
    output_complete = Signal(object)  # OutputCompleteEvent
    scanned = Signal(str, str)  # code, symbology
    weighed = Signal(str, object)  # device, Decimal kg
    any_event = Signal(object)

    def attach(self, bus: EventBus) -> DeviceBridge:
        self.detach()
        self._unsubscribe = bus.subscribe(self.listener, DeviceEvent)
        return self

    def _dispatch(self, event: DeviceEvent) -> None:
        if isinstance(event, StatusEvent):
            self.status.emit(event)
        elif isinstance(event, PowerEvent):
            self.power.emit(event)
        elif isinstance(event, ErrorEvent):
            self.error.emit(event)
        elif isinstance(event, OutputCompleteEvent):
            self.output_complete.emit(event)
        elif isinstance(event, DataEvent) and isinstance(event.payload, ScanData):
            self.scanned.emit(event.payload.code, event.payload.symbology)
        elif isinstance(event, DataEvent) and isinstance(event.payload, WeightData):
            self.weighed.emit(event.device, Decimal(event.payload.weight))
        self.any_event.emit(event)


class SyncBridge(_QueuedBridge):
    """Sync service events (`pos_terminal.sync.events`) as Qt signals.

    Events are told apart by class name so this module does not import the sync
    package: the till must start (offline) even when sync cannot be loaded.
    """

    queue_changed = Signal(object)  # QueueChanged(depth, oldest_age_s, parked)
    connection_changed = Signal(object)  # ConnectionChanged(online, breaker)
    conflicts_arrived = Signal(object)  # ConflictsArrived(order_ids)
    resolved_elsewhere = Signal(object)  # ResolvedElsewhere(order_id, receipt_no, by, ...)
    catalog_updated = Signal(object)  # CatalogUpdated(upserted, removed)
    clock_skewed = Signal(object)  # ClockSkewed(skew_s, tolerance_s)
    any_event = Signal(object)

    def attach(self, sync_service: Any) -> SyncBridge:
        self.detach()
        unsubscribe = sync_service.subscribe(self.listener)
        self._unsubscribe = unsubscribe if callable(unsubscribe) else None
        return self

    def _dispatch(self, event: Any) -> None:
        signal = {
            "QueueChanged": self.queue_changed,
            "ConnectionChanged": self.connection_changed,
            "ConflictsArrived": self.conflicts_arrived,
            "ResolvedElsewhere": self.resolved_elsewhere,
            "CatalogUpdated": self.catalog_updated,
            "ClockSkewed": self.clock_skewed,
        }.get(type(event).__name__)
        if signal is not None:
            signal.emit(event)
        self.any_event.emit(event)
