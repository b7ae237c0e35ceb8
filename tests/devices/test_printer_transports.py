"""TCP and USB transports: deadlines and errors.

There is no USB hardware on this machine, so the USB tests hand UsbTransport a
fake `usb.core` device object (the only mock in the printer tests); the same
paths against a real printer run with `--hardware`.
"""

from __future__ import annotations

import errno
import os
import socket
import time

import pytest

from devices.transports.base import (
    Transport,
    TransportClosed,
    TransportError,
    TransportTimeout,
    discard_input,
    read_exact,
)
from devices.transports.tcp import TcpTransport
from devices.transports.usb import UsbTransport


@pytest.fixture
def server():
    srv = socket.create_server(("127.0.0.1", 0))
    yield srv
    srv.close()


def test_tcp_read_honours_its_deadline(server: socket.socket) -> None:
    t = TcpTransport("127.0.0.1", server.getsockname()[1])
    t.open(timeout=1.0)
    peer, _ = server.accept()
    started = time.monotonic()
    with pytest.raises(TransportTimeout):
        t.read(1, timeout=0.1)
    assert time.monotonic() - started < 1.0
    peer.sendall(b"abc")
    assert read_exact(t, 3, timeout=1.0) == b"abc"
    peer.sendall(b"stale")
    assert discard_input(t) in (0, 5)  # may not have arrived yet: never blocks either way
    peer.close()
    with pytest.raises(TransportClosed):
        while True:
            t.read(16, timeout=1.0)  # drain "stale" if still queued, then see the close
    assert not t.is_open
    assert isinstance(t, Transport)


def test_tcp_connect_refused_and_write_to_closed() -> None:
    with socket.create_server(("127.0.0.1", 0)) as srv:
        port = srv.getsockname()[1]
    t = TcpTransport("127.0.0.1", port)  # nothing listens there any more
    with pytest.raises(TransportError, match="cannot connect"):
        t.open(timeout=1.0)
    with pytest.raises(TransportClosed, match="not open"):
        t.write(b"x", timeout=1.0)


def test_tcp_write_times_out_when_the_peer_stops_reading(server: socket.socket) -> None:
    t = TcpTransport("127.0.0.1", server.getsockname()[1])
    t.open(timeout=1.0)
    peer, _ = server.accept()  # accepts but never reads: buffers fill up
    with pytest.raises(TransportTimeout):
        t.write(b"x" * 50_000_000, timeout=0.3)
    peer.close()
    t.close()


class FakeEndpoint:
    def __init__(self, address: int) -> None:
        self.bEndpointAddress = address
        self.wMaxPacketSize = 64


class FakeUsbDevice:
    """Stands in for usb.core.Device: no USB hardware exists on this machine."""

    def __init__(self) -> None:
        self.kernel_driver = True
        self.written: list[tuple[int, bytes, int]] = []
        self.replies: list[bytes] = []
        self.fail: Exception | None = None
        self.ep_out, self.ep_in = FakeEndpoint(0x01), FakeEndpoint(0x82)

    def is_kernel_driver_active(self, interface: int) -> bool:
        return self.kernel_driver

    def detach_kernel_driver(self, interface: int) -> None:
        self.kernel_driver = False

    def set_configuration(self) -> None:
        pass

    def get_active_configuration(self):
        return {(0, 0): [self.ep_out, self.ep_in]}

    def write(self, ep, data: bytes, timeout: int) -> int:
        if self.fail:
            raise self.fail
        self.written.append((ep.bEndpointAddress, bytes(data), timeout))
        return len(data)

    def read(self, ep, size: int, timeout: int):
        if self.fail:
            raise self.fail
        if not self.replies:
            import usb.core

            raise usb.core.USBTimeoutError("timeout", errno.ETIMEDOUT, errno.ETIMEDOUT)
        return bytearray(self.replies.pop(0))


def open_fake(dev: FakeUsbDevice, **kw) -> UsbTransport:
    calls: list[dict] = []

    def finder(**match):
        calls.append(match)
        return dev

    t = UsbTransport(0x04B8, 0x0202, finder=finder, **kw)
    t.open(timeout=1.0)
    t.calls = calls  # type: ignore[attr-defined]
    return t


def test_usb_write_read_with_millisecond_timeouts() -> None:
    dev = FakeUsbDevice()
    t = open_fake(dev)
    assert not dev.kernel_driver  # usblp detached so we can claim the interface
    t.write(b"\x10\x04\x01", timeout=0.25)
    assert dev.written == [(0x01, b"\x10\x04\x01", 250)]
    t.write(b"x", timeout=0.0)
    assert dev.written[-1][2] == 1  # never 0: pyusb reads 0 as "wait forever"
    dev.replies.append(b"\x16\x12")  # one packet, two status bytes
    assert t.read(1, timeout=0.1) == b"\x16"
    assert t.read(1, timeout=0.1) == b"\x12"  # kept, not lost with the packet
    with pytest.raises(TransportTimeout):
        t.read(1, timeout=0.05)


def test_usb_device_gone_and_serial_matching() -> None:
    import usb.core

    dev = FakeUsbDevice()
    t = open_fake(dev, serial_number="TM-0001")
    assert "custom_match" in t.calls[0]  # type: ignore[attr-defined]
    dev.fail = usb.core.USBError("No such device", errno.ENODEV, errno.ENODEV)
    with pytest.raises(TransportClosed, match="device gone"):
        t.write(b"x", timeout=0.1)
    assert not t.is_open
    missing = UsbTransport(0x04B8, 0x0202, finder=lambda **m: None)
    with pytest.raises(TransportError, match="not found"):
        missing.open(timeout=0.1)


@pytest.mark.hardware
def test_usb_printer_answers_status() -> None:
    vid, pid = (int(x, 16) for x in os.environ.get("POS_TEST_USB_PRINTER", "04b8:0202").split(":"))
    t = UsbTransport(vid, pid)
    t.open(timeout=2.0)
    try:
        t.write(b"\x10\x04\x01", timeout=1.0)
        assert (read_exact(t, 1, timeout=1.0)[0] & 0x93) == 0x12
    finally:
        t.close()
