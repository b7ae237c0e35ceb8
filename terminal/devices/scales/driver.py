"""The scale driver shared by every protocol: poll, decode, report, sell only stable weight.

Each read is one request/reply exchange on the transport under a lock, with a
deadline. A malformed or truncated reply becomes an ErrorEvent (locus
input_data) and the next poll starts clean, so one bad frame costs one poll.
Status events are published when the scale's condition changes, not per poll.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from devices.base import Device, HealthReport, LifecycleState
from devices.events import DataEvent, DeviceStatus, ErrorEvent, ErrorLocus, EventBus, PowerState
from devices.scales.protocol import ScaleProtocol
from devices.scales.reading import FrameError, ScaleError, ScaleReading, WeightNotStable
from devices.transports.base import Transport, TransportError, TransportTimeout, discard_input


class Scale(Device):
    def __init__(
        self,
        name: str,
        transport: Transport,
        protocol: ScaleProtocol,
        bus: EventBus | None = None,
        *,
        reply_timeout: float = 1.0,
        poll_interval: float = 0.1,
        open_timeout: float = 2.0,
    ) -> None:
        super().__init__(name, bus)
        self.transport = transport
        self.protocol = protocol
        self.reply_timeout = reply_timeout
        self.poll_interval = poll_interval
        self.open_timeout = open_timeout
        self._io_lock = threading.Lock()
        self._closing = threading.Event()
        self._last_statuses: tuple[DeviceStatus, ...] = ()

    # -- lifecycle hooks ---------------------------------------------------------
    def _do_open(self) -> None:
        self._closing.clear()
        self.transport.open(self.open_timeout)

    def _do_claim(self, timeout: float) -> None:
        # Claiming proves a scale is there: it must answer (even garbled) in time.
        try:
            self._reading(self.protocol.status_command, min(timeout, self.reply_timeout))
        except FrameError:
            pass
        except TransportError:
            self.transport.close()
            raise

    def _do_enable(self) -> None:
        self.set_power_state(PowerState.ONLINE)

    def _do_close(self) -> None:
        self._closing.set()
        self.transport.close()
        self._last_statuses = ()

    # -- public API -------------------------------------------------------------
    def read_weight(self, timeout: float | None = None) -> ScaleReading:
        """One weigh request. Raises FrameError (after an ErrorEvent) or TransportError."""
        self.require(LifecycleState.ENABLED, "read the weight")
        return self._reading(self.protocol.weigh_command, timeout or self.reply_timeout)

    def read_stable_weight(self, timeout: float) -> Decimal:
        """Poll until the scale reports a stable, in-range weight; return it in kg (3 decimals).

        Publishes a weight DataEvent for the weight returned. Raises WeightNotStable
        at the deadline (motion, overload, under zero, or no good reply), and
        TransportError at once when the scale is gone.
        """
        self.require(LifecycleState.ENABLED, "read the weight")
        deadline = time.monotonic() + timeout
        last: ScaleReading | str = "no reply"
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self._closing.is_set():
                raise WeightNotStable(f"{self.name}: no stable weight within {timeout}s (last: {_describe(last)})")
            try:
                last = self._reading(self.protocol.weigh_command, min(left, self.reply_timeout))
            except FrameError as exc:
                last = str(exc)
            except TransportTimeout as exc:
                last = str(exc)
            else:
                if last.stable:
                    assert last.weight is not None
                    self.publish(DataEvent.weight(self.name, last.weight, "kg"))
                    return last.weight
            self._closing.wait(min(self.poll_interval, max(0.0, deadline - time.monotonic())))

    def zero(self, timeout: float | None = None) -> None:
        """Ask the scale to zero itself; ScaleError when it refused (motion, out of range)."""
        self.require(LifecycleState.ENABLED, "zero the scale")
        frame = self._exchange(self.protocol.zero_command, timeout or self.reply_timeout)
        reading = self._decode(frame, self.protocol.parse_zero)
        if not reading.at_zero:
            raise ScaleError(f"{self.name}: zero refused ({_describe(reading)})")

    def tare(self, timeout: float | None = None) -> None:
        """Take the weight on the platter as tare (8217 only); ScaleError when refused."""
        self._tare_command(self.protocol.tare_command, True, "tare", timeout)

    def clear_tare(self, timeout: float | None = None) -> None:
        self._tare_command(self.protocol.clear_tare_command, False, "clear the tare", timeout)

    def check_health(self) -> HealthReport:
        if self.state < LifecycleState.ENABLED:
            return super().check_health()
        try:
            reading = self._reading(self.protocol.status_command, self.reply_timeout)
        except FrameError as exc:
            return HealthReport(self.name, True, self.power_state, self.state, f"garbled reply: {exc}")
        except TransportError as exc:
            return HealthReport(self.name, False, self.power_state, self.state, str(exc))
        return HealthReport(self.name, True, self.power_state, self.state, _describe(reading), reading.statuses())

    # -- internals ---------------------------------------------------------------
    def _tare_command(self, command: bytes | None, want_net: bool, action: str, timeout: float | None) -> None:
        self.require(LifecycleState.ENABLED, action)
        if command is None:
            raise ScaleError(f"{self.name}: the {self.protocol.name} protocol cannot {action}")
        reading = self._decode(self._exchange(command, timeout or self.reply_timeout), self.protocol.parse)
        if reading.net != want_net:
            raise ScaleError(f"{self.name}: could not {action} ({_describe(reading)})")

    def _reading(self, command: bytes, timeout: float) -> ScaleReading:
        reading = self._decode(self._exchange(command, timeout), self.protocol.parse)
        statuses = reading.statuses()
        if statuses != self._last_statuses:
            self._last_statuses = statuses
            for status in statuses:
                self.publish_status(status)
        return reading

    def _decode(self, frame: bytes, parse) -> ScaleReading:
        try:
            return parse(frame)
        except FrameError as exc:
            self.publish(ErrorEvent(self.name, ErrorLocus.INPUT_DATA, "malformed_frame", str(exc), True))
            raise

    def _exchange(self, command: bytes, timeout: float) -> bytes:
        """Send `command`, return one complete reply frame within `timeout`."""
        with self._io_lock:
            try:
                return self._exchange_locked(command, timeout)
            except FrameError as exc:
                self.publish(ErrorEvent(self.name, ErrorLocus.INPUT_DATA, "malformed_frame", str(exc), True))
                raise
            except TransportTimeout as exc:
                self.publish(ErrorEvent(self.name, ErrorLocus.INPUT, "no_reply", str(exc), True))
                raise
            except TransportError as exc:
                self.set_power_state(PowerState.OFFLINE)
                self.publish(ErrorEvent(self.name, ErrorLocus.INPUT, "offline", str(exc), True))
                raise

    def _exchange_locked(self, command: bytes, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        discard_input(self.transport)  # a late reply to an earlier poll must not answer this one
        self.transport.write(command, timeout)
        buf = bytearray()
        while True:
            frame = self.protocol.take_frame(buf)
            if frame is not None:
                if self.state == LifecycleState.ENABLED:
                    self.set_power_state(PowerState.ONLINE)  # it answers again after an outage
                return frame
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TransportTimeout("deadline passed")
                buf += self.transport.read(256, left)
            except TransportTimeout:
                if buf:
                    raise FrameError(f"truncated frame: {bytes(buf)!r}") from None
                raise TransportTimeout(f"{self.name}: no reply within {timeout:.2f}s") from None


def _describe(reading: ScaleReading | str) -> str:
    if isinstance(reading, str):
        return reading
    flags = [
        name
        for name, on in (
            ("motion", reading.motion),
            ("overload", reading.overload),
            ("under zero", reading.under_zero),
            ("at zero", reading.at_zero),
            ("net", reading.net),
        )
        if on
    ]
    if reading.fault:
        flags.append(reading.fault)
    weight = "no weight" if reading.weight is None else f"{reading.weight} kg"
    return ", ".join([weight, *flags])
