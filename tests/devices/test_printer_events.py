"""The SDK foundation the printer is built on: event bus and device lifecycle."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from devices.base import Device, DeviceStateError, LifecycleState
from devices.events import (
    DataEvent,
    DeviceEvent,
    DeviceStatus,
    ErrorEvent,
    ErrorLocus,
    EventBus,
    EventRecorder,
    PowerEvent,
    PowerState,
    StatusEvent,
    WeightData,
)


def test_listeners_get_their_event_types_on_the_publishing_thread() -> None:
    bus = EventBus()
    seen: list[tuple[str, DeviceEvent]] = []
    bus.subscribe(lambda e: seen.append((threading.current_thread().name, e)), StatusEvent)
    publisher = threading.Thread(
        target=lambda: [bus.publish(StatusEvent("p", DeviceStatus.IDLE)), bus.publish(PowerEvent("p", PowerState.OFF))],
        name="driver-thread",
    )
    publisher.start()
    publisher.join(5)
    assert seen == [("driver-thread", StatusEvent("p", DeviceStatus.IDLE))]


def test_a_failing_listener_does_not_stop_the_others_and_unsubscribe_works() -> None:
    bus = EventBus()
    recorder = EventRecorder()

    def broken(_e: DeviceEvent) -> None:
        raise RuntimeError("ui bug")

    bus.subscribe(broken)
    unsubscribe = bus.subscribe(recorder)
    bus.publish(StatusEvent("p", DeviceStatus.IDLE))
    unsubscribe()
    bus.publish(StatusEvent("p", DeviceStatus.IDLE))
    assert len(recorder.events) == 1


def test_concurrent_publish_and_subscribe_lose_nothing() -> None:
    bus = EventBus()
    recorder = EventRecorder(bus)
    barrier = threading.Barrier(4)

    def publish(n: int) -> None:
        barrier.wait(5)
        for i in range(500):
            bus.publish(ErrorEvent(f"d{n}", ErrorLocus.OUTPUT, "x", str(i)))
            if i % 50 == 0:
                bus.subscribe(lambda e: None)()  # churn the listener list meanwhile

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(recorder.events) == 2000
    for n in range(4):  # per publisher, in order
        assert [e.message for e in recorder.events if e.device == f"d{n}"] == [str(i) for i in range(500)]


def test_events_are_immutable_and_weights_are_decimal() -> None:
    event = DataEvent.weight("scale", Decimal("1.250"), "kg")
    assert event.payload == WeightData(Decimal("1.250"), "kg")
    with pytest.raises(AttributeError):
        event.kind = "scan"  # type: ignore[misc]
    with pytest.raises(TypeError, match="Decimal"):
        WeightData(1.25, "kg")  # type: ignore[arg-type]


def test_device_lifecycle_and_power_events() -> None:
    bus = EventBus()
    recorder = EventRecorder(bus)
    device = Device("thing", bus)
    with pytest.raises(DeviceStateError, match="cannot enable while closed"):
        device.enable()
    device.start()
    assert device.state == LifecycleState.ENABLED
    device.set_power_state(PowerState.ONLINE)
    device.set_power_state(PowerState.ONLINE)  # unchanged: no second event
    device.close()
    assert device.state == LifecycleState.CLOSED
    assert recorder.events == [PowerEvent("thing", PowerState.ONLINE)]
    with pytest.raises(TimeoutError):
        recorder.wait_for(lambda e: isinstance(e, StatusEvent), timeout=0.05)


def test_two_owners_starting_one_device_at_once_both_succeed() -> None:
    """The device manager and the print queue both start the receipt printer on their own
    threads; before `start` was atomic one of them failed with "cannot open while claimed"."""
    opened = []
    gate = threading.Barrier(2)

    class SlowToClaim(Device):
        def _do_open(self) -> None:
            opened.append(threading.current_thread().name)

        def _do_claim(self, timeout: float) -> None:
            threading.Event().wait(0.05)  # a real claim takes a while: widen the window

    device = SlowToClaim("receipt", EventBus())
    errors: list[BaseException] = []

    def owner() -> None:
        gate.wait()
        try:
            device.start()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=owner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert errors == [] and len(opened) == 1
    assert device.state == LifecycleState.ENABLED
