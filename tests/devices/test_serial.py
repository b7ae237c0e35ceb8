"""Serial transport on a pty: explicit timeouts, unplug detection, exclusive claim."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from devices.simulators.pty import PtyPort
from devices.transports.base import TransportClosed, TransportError, TransportTimeout
from devices.transports.serial import SerialTransport


@pytest.fixture
def pair() -> Iterator[tuple[PtyPort, SerialTransport]]:
    port = PtyPort()
    port.plug()
    transport = SerialTransport(port.path, bytesize=7, parity="E")  # 8217 settings; a pty carries them as 8N1
    transport.open(timeout=1.0)
    yield port, transport
    transport.close()
    port.unplug()


def test_read_returns_what_arrived_without_waiting_for_n_bytes(pair) -> None:
    port, transport = pair
    port.write(b"\x0201.250\r")
    started = time.monotonic()
    data = transport.read(4096, timeout=5.0)
    assert data == b"\x0201.250\r" and time.monotonic() - started < 2.0


def test_read_times_out_instead_of_blocking(pair) -> None:
    _, transport = pair
    started = time.monotonic()
    with pytest.raises(TransportTimeout):
        transport.read(10, timeout=0.2)
    assert 0.15 < time.monotonic() - started < 2.0


def test_write_reaches_the_device(pair) -> None:
    port, transport = pair
    transport.write(b"W", timeout=1.0)
    assert port.read(1.0) == b"W"


def test_unplug_is_reported_as_closed(pair) -> None:
    port, transport = pair
    port.unplug()
    with pytest.raises(TransportClosed):
        transport.read(10, timeout=1.0)


def test_second_claim_on_the_same_port_is_refused(pair) -> None:
    port, _ = pair
    with pytest.raises(TransportError, match="cannot open"):
        SerialTransport(port.path).open(timeout=1.0)


def test_missing_port_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(TransportError, match="cannot open"):
        SerialTransport(str(tmp_path / "ttyUSB9")).open(timeout=1.0)
    with pytest.raises(ValueError, match="parity"):
        SerialTransport("/dev/null", parity="X")


def test_io_on_a_closed_transport_is_refused() -> None:
    transport = SerialTransport("/dev/ttyS99")
    with pytest.raises(TransportClosed):
        transport.write(b"W", timeout=0.1)


@pytest.mark.hardware
def test_real_scale_answers(request: pytest.FixtureRequest) -> None:
    """Needs a scale on POS_TEST_SCALE_PORT speaking POS_TEST_SCALE_PROTOCOL (default 8217)."""
    from devices.scales import LINE_SETTINGS, Scale, protocol_named

    port = os.environ.get("POS_TEST_SCALE_PORT")
    if not port:
        pytest.skip("set POS_TEST_SCALE_PORT to the scale's serial port")
    protocol = os.environ.get("POS_TEST_SCALE_PROTOCOL", "8217")
    with Scale("scale", SerialTransport(port, **LINE_SETTINGS[protocol]), protocol_named(protocol)) as scale:
        assert scale.check_health().ok
