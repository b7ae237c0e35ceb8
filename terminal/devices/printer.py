"""ESC/POS receipt printer driver with confirmed printing.

A job counts as printed only when the printer says so. We append
`GS ( H` (transmit process ID) to the job: the printer answers it only after
everything before it has been printed, echoing our 4-byte token. Real-time
status comes from DLE EOT 1-4, each reply validated by `escpos.status`.
(DLE EOT alone would not do: it is answered on receipt, before the job is
printed, and python-escpos treats silence as "paper adequate".)

Every I/O call has a deadline. All transport access goes through one lock,
so the print queue's worker and a drawer kick from the UI can share a printer.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from devices.base import Device, DeviceError, HealthReport, LifecycleState
from devices.escpos.commands import PROCESS_ID_REPLY_HEADER, PROCESS_ID_REPLY_LEN, process_id_request, status_query
from devices.escpos.status import PrinterStatus, StatusError, check_status_byte
from devices.events import DeviceStatus, EventBus, PowerState
from devices.transports.base import Transport, TransportError, TransportTimeout

log = logging.getLogger(__name__)


class PrinterError(DeviceError):
    pass


class PrinterUnavailable(PrinterError):
    """No connection or no valid answer. `transmitted`: the whole job had been sent."""

    def __init__(self, message: str, transmitted: bool = False) -> None:
        super().__init__(message)
        self.transmitted = transmitted


class PrinterNotReady(PrinterError):
    """The printer answered but cannot print (paper out, cover open, offline, error)."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(f"printer not ready: {status.problem}")
        self.status = status
        self.code = status.problem or "not_ready"


class PrintUnconfirmed(PrinterError):
    """The job was sent whole but not confirmed by the deadline; the printer holds it.

    Keep waiting with `await_job(job)`: resending would print it twice.
    """

    def __init__(self, job: InFlightJob, status: PrinterStatus | None) -> None:
        reason = status.problem if status and status.problem else "no confirmation yet"
        super().__init__(f"job {job.job_id} sent, waiting for the printer: {reason}")
        self.job, self.status = job, status
        self.code = (status.problem if status else None) or "unconfirmed"


@dataclass(frozen=True)
class PrinterConfig:
    width_mm: int = 80  # 58 or 80
    connect_timeout: float = 2.0
    io_timeout: float = 2.0  # one write or one status reply
    confirm_timeout: float = 10.0  # job sent -> process ID reply (printing takes time)
    lock_timeout: float = 15.0  # waiting for another thread's job or kick
    # How a job is confirmed. "process_id": the printer echoes GS ( H after printing
    # (Epson TM and compatibles). "status": for printers without GS ( H, a valid DLE EOT
    # answer after the job showing no error; weaker (it says the printer took the bytes
    # and is well, not that it finished), so choose it only for such printers.
    confirm: Literal["process_id", "status"] = "process_id"


@dataclass(frozen=True)
class InFlightJob:
    job_id: str
    token: bytes
    connection: int  # connection generation it was sent on


class ReceiptPrinter(Device):
    def __init__(
        self, name: str, transport: Transport, bus: EventBus | None = None, config: PrinterConfig | None = None
    ) -> None:
        super().__init__(name, bus)
        self.transport = transport
        self.config = config or PrinterConfig()
        self._io = threading.RLock()
        self._rx = bytearray()
        self._status_bytes: list[int] = []
        self._confirmed: set[bytes] = set()
        self._connection = 0
        self._tokens = itertools.count(random.randrange(10_000))
        self._last_statuses: tuple[DeviceStatus, ...] = ()
        self.last_status: PrinterStatus | None = None

    @property
    def width_mm(self) -> int:
        return self.config.width_mm

    # -- lifecycle hooks ------------------------------------------------------
    def _do_claim(self, timeout: float) -> None:
        # An absent printer does not fail the claim: jobs wait in the queue and
        # every operation reconnects. The power state tells the UI.
        with self._locked():
            try:
                self._connect(timeout)
                self._status()  # learn the power state and paper/cover now
            except PrinterUnavailable as exc:
                log.info("%s: claimed while unreachable: %s", self.name, exc)

    def _do_release(self) -> None:
        with self._locked():
            self.transport.close()

    def check_health(self) -> HealthReport:
        try:
            status = self.query_status()
        except PrinterError as exc:
            return HealthReport(self.name, False, self.power_state, self.state, str(exc))
        return HealthReport(
            self.name, status.ready, self.power_state, self.state, status.problem or "ready", status.device_statuses()
        )

    # -- public operations ------------------------------------------------------
    def query_status(self) -> PrinterStatus:
        """Ask DLE EOT 1-4; publish status changes. Raises PrinterUnavailable."""
        self.require(LifecycleState.ENABLED, "query status")
        with self._locked():
            return self._status()

    def print_job(self, job_id: str, data: bytes) -> None:
        """Print `data` and return once the printer confirmed it.

        Raises PrinterNotReady (nothing sent), PrinterUnavailable (see its
        `transmitted`), or PrintUnconfirmed (sent whole; call `await_job`).
        """
        job = self.send_job(job_id, data)
        self.await_job(job)

    def send_job(self, job_id: str, data: bytes, before_write: Callable[[], None] | None = None) -> InFlightJob:
        """Check the printer is ready, then send `data` and a confirmation request.

        `before_write` runs once the printer is known ready, just before the
        bytes leave (the print queue records "sending" there).
        """
        self.require(LifecycleState.ENABLED, "print")
        with self._locked():
            status = self._status()
            if not status.ready:
                raise PrinterNotReady(status)
            job = InFlightJob(job_id, self._next_token(), self._connection)
            if before_write is not None:
                before_write()
            trailer = process_id_request(job.token) if self.config.confirm == "process_id" else b""
            self._write(data + trailer, transmitted=False)
            return job

    def await_job(self, job: InFlightJob, timeout: float | None = None) -> None:
        """Wait for the printer to confirm `job`; see `print_job` for the errors."""
        self.require(LifecycleState.ENABLED, "wait for a job")
        deadline = time.monotonic() + (self.config.confirm_timeout if timeout is None else timeout)
        with self._locked():
            if job.connection != self._connection or not self.transport.is_open:
                raise PrinterUnavailable("connection lost after the job was sent", transmitted=True)
            if self.config.confirm == "status":
                self._await_by_status(job)
                return
            while job.token not in self._confirmed:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PrintUnconfirmed(job, self._status_after_send())
                self._pump(min(left, self.config.io_timeout), transmitted=True)
            self._confirmed.discard(job.token)
            try:
                self._status()  # refresh paper/cover state after printing (near-end shows here)
            except PrinterUnavailable:
                pass  # the job is confirmed; the next operation reconnects

    def _await_by_status(self, job: InFlightJob) -> None:
        """Fallback confirmation: the printer answers DLE EOT 1-4 after the job, error-free."""
        status = self._status_after_send()
        if not status.ready:
            raise PrintUnconfirmed(job, status)

    def write_raw(self, data: bytes) -> None:
        """Send bytes that need no print confirmation (drawer kick)."""
        self.require(LifecycleState.ENABLED, "write")
        with self._locked():
            self._ensure_connected()
            self._write(data, transmitted=False)

    # -- internals (call with the I/O lock held) ---------------------------------
    def _locked(self):
        return _LockWithTimeout(self._io, self.config.lock_timeout, self.name)

    def _next_token(self) -> bytes:
        return f"{next(self._tokens) % 10_000:04d}".encode()

    def _connect(self, timeout: float) -> None:
        self._rx.clear()
        self._status_bytes.clear()
        try:
            self.transport.open(timeout)
        except TransportError as exc:
            self.set_power_state(PowerState.OFF_OFFLINE)
            raise PrinterUnavailable(f"{self.name}: {exc}") from exc
        self._connection += 1

    def _ensure_connected(self) -> None:
        if not self.transport.is_open:
            self._connect(self.config.connect_timeout)

    def _lost(self, exc: Exception, transmitted: bool) -> PrinterUnavailable:
        self.transport.close()
        self.set_power_state(PowerState.OFF_OFFLINE)
        return PrinterUnavailable(f"{self.name}: {exc}", transmitted=transmitted)

    def _write(self, data: bytes, transmitted: bool) -> None:
        try:
            self.transport.write(data, self.config.io_timeout + len(data) / 2_000)
        except TransportError as exc:
            raise self._lost(exc, transmitted) from exc

    def _status_after_send(self) -> PrinterStatus:
        return self._status(transmitted=True)

    def _status(self, transmitted: bool = False) -> PrinterStatus:
        self._ensure_connected()
        replies = bytes(self._ask(n, transmitted) for n in (1, 2, 3, 4))
        status = PrinterStatus.parse(replies)
        self.last_status = status
        self.set_power_state(PowerState.ONLINE)
        self._publish_changes(status.device_statuses())
        return status

    def _ask(self, n: int, transmitted: bool) -> int:
        self._status_bytes.clear()  # a late reply to an earlier query must not answer this one
        self._write(status_query(n), transmitted)
        deadline = time.monotonic() + self.config.io_timeout
        while not self._status_bytes:
            left = deadline - time.monotonic()
            if left <= 0:
                # silence is not "paper adequate": a printer that doesn't answer is unavailable
                raise self._lost(TransportTimeout(f"no reply to DLE EOT {n}"), transmitted)
            self._pump(left, transmitted)
        return self._status_bytes.pop(0)

    def _pump(self, timeout: float, transmitted: bool) -> None:
        """Read what the printer sent and sort it into status bytes and job confirmations."""
        try:
            self._rx += self.transport.read(64, timeout)
        except TransportTimeout:
            return
        except TransportError as exc:
            raise self._lost(exc, transmitted) from exc
        while self._rx:
            if self._rx[:2] == PROCESS_ID_REPLY_HEADER or self._rx == PROCESS_ID_REPLY_HEADER[:1]:
                if len(self._rx) < PROCESS_ID_REPLY_LEN:
                    return  # rest of the frame still in flight
                self._confirmed.add(bytes(self._rx[2:6]))
                del self._rx[:PROCESS_ID_REPLY_LEN]
                continue
            byte = self._rx.pop(0)
            try:
                self._status_bytes.append(check_status_byte(0, byte))
            except StatusError:
                log.warning("%s: discarding unexpected byte 0x%02x from printer", self.name, byte)

    def _publish_changes(self, statuses: tuple[DeviceStatus, ...]) -> None:
        previous = set(self._last_statuses)
        self._last_statuses = statuses
        for status in statuses:
            if status not in previous:
                self.publish_status(status)


class _LockWithTimeout:
    """`with` a lock, but give up with a clear error instead of waiting forever."""

    def __init__(self, lock: threading.RLock, timeout: float, name: str) -> None:
        self.lock, self.timeout, self.name = lock, timeout, name

    def __enter__(self) -> None:
        if not self.lock.acquire(timeout=self.timeout):
            raise PrinterUnavailable(f"{self.name}: busy for more than {self.timeout}s")

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
