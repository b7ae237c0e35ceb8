"""The scale driver against the pty scale simulator: real bytes through pyserial, all three protocols."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest

from devices.events import DataEvent, DeviceStatus, ErrorEvent, EventBus, EventRecorder, PowerEvent, PowerState, StatusEvent
from devices.scales import LINE_SETTINGS, Scale, ScaleError, WeightNotStable, protocol_named
from devices.simulators.scale import ScaleSimulator
from devices.transports.base import TransportClosed
from devices.transports.serial import SerialTransport
from tests.waiting import wait_until



@pytest.fixture(params=["8217", "scp01", "sics"])
def rig(request: pytest.FixtureRequest) -> Iterator[tuple[ScaleSimulator, Scale, EventRecorder]]:
    protocol = request.param
    sim = ScaleSimulator(protocol)
    sim.start()
    sim.set(weight="1.250")
    bus = EventBus()
    recorder = EventRecorder(bus)
    scale = Scale("scale", SerialTransport(sim.path, **LINE_SETTINGS[protocol]), protocol_named(protocol), bus,
                  reply_timeout=0.3, poll_interval=0.02)
    scale.start()
    yield sim, scale, recorder
    scale.close()
    sim.stop()


def weights(recorder: EventRecorder) -> list[Decimal]:
    return [e.payload.weight for e in recorder.snapshot() if isinstance(e, DataEvent)]


def test_stable_weight_is_read_in_kg(rig) -> None:
    sim, scale, recorder = rig
    assert scale.read_stable_weight(timeout=2.0) == Decimal("1.250")
    assert weights(recorder) == [Decimal("1.250")]
    assert recorder.events[0] == StatusEvent("scale", DeviceStatus.SCALE_STABLE)
    assert PowerEvent("scale", PowerState.ONLINE) in recorder.events


def test_weight_in_motion_is_not_accepted_until_stable(rig) -> None:
    sim, scale, recorder = rig
    sim.set(motion=True, weight="0.730")
    result: list[Decimal | BaseException] = []
    reader = threading.Thread(target=lambda: result.append(scale.read_stable_weight(timeout=10.0)))
    start = sim.requests
    reader.start()
    wait_until(lambda: sim.requests >= start + 5)  # polled five times, platter still moving
    assert result == [] and weights(recorder) == []
    sim.set(motion=False)
    reader.join(timeout=5.0)
    assert result == [Decimal("0.730")]
    statuses = [e.status for e in recorder.snapshot() if isinstance(e, StatusEvent)]
    assert statuses[-2:] == [DeviceStatus.SCALE_UNSTABLE, DeviceStatus.SCALE_STABLE]


def test_weight_that_never_settles_raises_at_the_deadline(rig) -> None:
    sim, scale, recorder = rig
    sim.set(motion=True)
    with pytest.raises(WeightNotStable, match="motion"):
        scale.read_stable_weight(timeout=0.3)
    assert weights(recorder) == []


@pytest.mark.parametrize("fault", ["malformed", "truncate"])
def test_bad_frame_is_an_error_event_and_the_next_good_frame_is_read(rig, fault: str) -> None:
    sim, scale, recorder = rig
    sim.set(weight="2.000")
    sim.inject(fault, count=2)
    assert scale.read_stable_weight(timeout=5.0) == Decimal("2.000")
    errors = [e for e in recorder.snapshot() if isinstance(e, ErrorEvent)]
    assert [e.code for e in errors] == ["malformed_frame", "malformed_frame"]
    assert weights(recorder) == [Decimal("2.000")]


def test_overload_and_under_zero_become_status_events_and_never_a_weight(rig) -> None:
    sim, scale, recorder = rig
    sim.set(overload=True)
    assert not scale.read_weight().stable
    sim.set(overload=False, under_zero=True)
    with pytest.raises(WeightNotStable):
        scale.read_stable_weight(timeout=0.2)
    statuses = [e.status for e in recorder.snapshot() if isinstance(e, StatusEvent)]
    assert DeviceStatus.SCALE_OVERWEIGHT in statuses and statuses[-1] == DeviceStatus.SCALE_UNDER_ZERO
    assert weights(recorder) == []


def test_zero_is_refused_in_motion_and_done_when_settled(rig) -> None:
    sim, scale, recorder = rig
    sim.set(motion=True, weight="0.004")
    with pytest.raises(ScaleError):
        scale.zero()
    sim.set(motion=False)
    scale.zero()
    assert scale.read_weight().at_zero
    assert DeviceStatus.SCALE_ZERO in [e.status for e in recorder.snapshot() if isinstance(e, StatusEvent)]


def test_no_reply_is_an_error_not_a_hang(rig) -> None:
    sim, scale, recorder = rig
    sim.inject("silent", count=100)
    with pytest.raises(WeightNotStable, match="no reply"):
        scale.read_stable_weight(timeout=0.5)
    assert any(isinstance(e, ErrorEvent) and e.code == "no_reply" for e in recorder.snapshot())


def test_unplugged_scale_goes_offline(rig) -> None:
    sim, scale, recorder = rig
    sim.unplug()
    with pytest.raises(TransportClosed):
        scale.read_stable_weight(timeout=2.0)
    assert recorder.snapshot()[-2:] == [
        PowerEvent("scale", PowerState.OFFLINE),
        ErrorEvent("scale", recorder.snapshot()[-1].locus, "offline", recorder.snapshot()[-1].message, True),
    ]
    assert scale.check_health().ok is False


def test_tare_on_8217_only() -> None:
    with ScaleSimulator("8217") as sim, ScaleSimulator("sics") as other:
        sim.set(weight="0.150")
        scale = Scale("scale", SerialTransport(sim.path), protocol_named("8217"), reply_timeout=0.3)
        with scale:
            scale.tare()
            sim.set(weight="1.150")
            reading = scale.read_weight()
            assert reading.net and reading.weight == Decimal("1.000")
            scale.clear_tare()
            assert scale.read_weight().weight == Decimal("1.150")
        sics = Scale("sics", SerialTransport(other.path), protocol_named("sics"), reply_timeout=0.3)
        with sics, pytest.raises(ScaleError, match="cannot tare"):
            sics.tare()
