from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from devices.events import DataEvent, DeviceStatus, ErrorEvent, ErrorLocus, EventBus, StatusEvent
from pos_terminal.ui.bridge import DeviceBridge


def _publish_from_worker(publish) -> int:  # type: ignore[no-untyped-def]
    ident: list[int] = []

    def run() -> None:
        ident.append(threading.get_ident())
        publish()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    return ident[0]


def test_device_event_from_a_worker_reaches_a_slot_on_the_gui_thread(qtbot):
    bus = EventBus()
    bridge = DeviceBridge().attach(bus)
    received: list[tuple[object, bool, int]] = []
    bridge.status.connect(lambda e: received.append(
        (e, QThread.currentThread() is QApplication.instance().thread(), threading.get_ident())))
    event = StatusEvent("receipt", DeviceStatus.PAPER_EMPTY)
    with qtbot.waitSignal(bridge.status, timeout=5_000):
        worker = _publish_from_worker(lambda: bus.publish(event))
    assert received == [(event, True, threading.get_ident())]
    assert worker != threading.get_ident()


def test_scan_and_weight_data_become_typed_signals(qtbot):
    bus = EventBus()
    bridge = DeviceBridge().attach(bus)
    with qtbot.waitSignal(bridge.scanned, timeout=5_000) as scanned:
        _publish_from_worker(lambda: bus.publish(DataEvent.scan("scanner", "4001234000015", "EAN13")))
    assert scanned.args == ["4001234000015", "EAN13"]
    with qtbot.waitSignal(bridge.weighed, timeout=5_000) as weighed:
        _publish_from_worker(lambda: bus.publish(DataEvent.weight("scale", Decimal("1.234"), "kg")))
    assert weighed.args == ["scale", Decimal("1.234")]
    bridge.detach()
    got: list[object] = []
    bridge.any_event.connect(got.append)
    bus.publish(ErrorEvent("receipt", ErrorLocus.OUTPUT, "paper_empty", "paper out"))
    QApplication.processEvents()
    assert got == []  # detached: nothing arrives


def test_sync_events_reach_the_status_bar(qtbot, services):
    events = pytest.importorskip("pos_terminal.sync.events")
    from pos_terminal.ui.main_window import MainWindow

    class FakeSync:  # the real SyncService needs an enrolled till; only subscribe() is used here
        def __init__(self) -> None:
            self.hub = events.EventHub()

        def subscribe(self, callback):  # type: ignore[no-untyped-def]
            return self.hub.subscribe(callback)

    sync = FakeSync()
    win = MainWindow(services, sync=sync)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.sync_bridge.queue_changed, timeout=5_000):
        _publish_from_worker(lambda: sync.hub.emit(events.ConnectionChanged(False, "open")))
        _publish_from_worker(lambda: sync.hub.emit(events.QueueChanged(3, 600.0, 1)))
    text = win.status.sync_label.text()
    assert "offline" in text and "3 to send" in text and "oldest 10 min" in text and "1 parked" in text
