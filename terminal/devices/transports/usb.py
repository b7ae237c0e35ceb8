"""USB transport on pyusb (printer class devices, bulk endpoints).

Devices are matched by VID:PID *and* serial number when given, so two
identical printers on one till are told apart. pyusb treats timeout 0 as
"wait forever"; we never pass 0.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

from devices.transports.base import TransportClosed, TransportError, TransportTimeout

PRINTER_CLASS = 7


def _default_finder(**match: Any) -> Any:
    import usb.core  # imported lazily: the SDK must load on machines without libusb

    return usb.core.find(**match)


def _ms(timeout: float) -> int:
    return max(1, int(timeout * 1000))


class UsbTransport:
    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        serial_number: str | None = None,
        interface: int = 0,
        finder: Callable[..., Any] = _default_finder,
    ) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.serial_number = serial_number
        self.interface = interface
        self._find = finder  # injectable: unit tests pass a fake (no USB hardware here)
        self._dev: Any = None
        self._ep_out: Any = None
        self._ep_in: Any = None
        self._rx = bytearray()  # USB reads whole packets; keep what the caller did not ask for

    def __repr__(self) -> str:
        serial = f" serial={self.serial_number}" if self.serial_number else ""
        return f"UsbTransport({self.vendor_id:04x}:{self.product_id:04x}{serial})"

    @property
    def is_open(self) -> bool:
        return self._dev is not None

    def open(self, timeout: float) -> None:
        self.close()
        match: dict[str, Any] = {"idVendor": self.vendor_id, "idProduct": self.product_id}
        if self.serial_number is not None:
            match["custom_match"] = lambda d: _serial_of(d) == self.serial_number
        try:
            dev = self._find(**match)
        except Exception as exc:  # noqa: BLE001 - libusb backend errors vary
            raise TransportError(f"{self}: USB enumeration failed: {exc}") from exc
        if dev is None:
            raise TransportError(f"{self}: device not found")
        try:
            if dev.is_kernel_driver_active(self.interface):
                dev.detach_kernel_driver(self.interface)  # usblp holds printer-class interfaces
            dev.set_configuration()
            cfg = dev.get_active_configuration()
            intf = cfg[(self.interface, 0)]
            self._ep_out = _endpoint(intf, out=True)
            self._ep_in = _endpoint(intf, out=False)
        except Exception as exc:  # noqa: BLE001
            raise TransportError(f"{self}: cannot claim interface {self.interface}: {exc}") from exc
        if self._ep_out is None:
            raise TransportError(f"{self}: no bulk OUT endpoint")
        self._dev = dev

    def close(self) -> None:
        dev, self._dev = self._dev, None
        self._rx.clear()
        if dev is None:
            return
        try:
            import usb.util

            usb.util.dispose_resources(dev)
        except Exception:  # noqa: BLE001 - closing must never raise
            pass

    def write(self, data: bytes, timeout: float) -> None:
        dev = self._require()
        try:
            written = dev.write(self._ep_out, data, _ms(timeout))
        except Exception as exc:  # noqa: BLE001
            raise self._translate(exc, "write") from exc
        if written != len(data):
            raise TransportTimeout(f"{self}: wrote {written} of {len(data)} bytes")

    def read(self, n: int, timeout: float) -> bytes:
        dev = self._require()
        if self._ep_in is None:
            raise TransportError(f"{self}: device has no IN endpoint (cannot report status)")
        if not self._rx:
            try:
                self._rx += bytes(dev.read(self._ep_in, max(n, _packet_size(self._ep_in)), _ms(timeout)))
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc, "read") from exc
        if not self._rx:
            raise TransportTimeout(f"{self}: no data within {timeout}s")
        data = bytes(self._rx[:n])
        del self._rx[:n]
        return data

    def _require(self) -> Any:
        if self._dev is None:
            raise TransportClosed(f"{self} is not open")
        return self._dev

    def _translate(self, exc: Exception, what: str) -> TransportError:
        if type(exc).__name__ == "USBTimeoutError" or getattr(exc, "errno", None) == errno.ETIMEDOUT:
            return TransportTimeout(f"{self}: {what} timed out")
        if getattr(exc, "errno", None) in (errno.ENODEV, errno.EIO, errno.EPIPE):
            self.close()
            return TransportClosed(f"{self}: device gone during {what}: {exc}")
        return TransportError(f"{self}: {what} failed: {exc}")


def _serial_of(dev: Any) -> str | None:
    try:
        import usb.util

        return usb.util.get_string(dev, dev.iSerialNumber)
    except Exception:  # noqa: BLE001 - unreadable serial: no match
        return None


def _endpoint(intf: Any, out: bool) -> Any:
    import usb.util

    want = usb.util.ENDPOINT_OUT if out else usb.util.ENDPOINT_IN
    return usb.util.find_descriptor(
        intf, custom_match=lambda e: usb.util.endpoint_direction(e.bEndpointAddress) == want
    )


def _packet_size(ep: Any) -> int:
    return int(getattr(ep, "wMaxPacketSize", 64) or 64)
