"""Durable print queue: jobs survive a restart and print once the printer is back.

    queue = PrintQueue("print_queue.sqlite3", printer)   # starts its worker thread
    queue.submit(order_id, receipt)   # Receipt or ready ESC/POS bytes; returns at once
    queue.close()

`submit` is idempotent by job id (the same id with different content is
refused: that is a caller bug, not a reprint). One worker thread prints the
oldest job first and publishes through the printer's event bus:
ErrorEvent (locus output, code paper_empty/cover_open/offline/...) when a job
has to wait, once per cause; OutputCompleteEvent(job_id) when the printer
confirmed it; StatusEvent(IDLE) when the queue runs empty.

Exactly once: a job is marked "sending" durably before its bytes leave and
"done" only after the printer's confirmation (see `devices.printer`).
  - cut off while sending (unplug, write error): nothing was confirmed, the
    printer got a torn stub at most; the job is sent again whole.
  - sent whole, printer in error (paper out): we keep waiting on the same
    connection, never resending, because the printer holds the job.
  - sent whole but the connection died before the confirmation, or the
    process crashed in "sending": we cannot know if it printed, so it is
    printed again under a "COPY" banner rather than lost.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from devices.backoff import Backoff
from devices.base import LifecycleState
from devices.escpos.commands import INIT
from devices.escpos.receipt import Receipt, render_receipt
from devices.events import DeviceStatus, ErrorEvent, ErrorLocus, OutputCompleteEvent
from devices.printer import (
    InFlightJob,
    PrinterError,
    PrinterUnavailable,
    PrintUnconfirmed,
    ReceiptPrinter,
)

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS print_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL UNIQUE,
    data BLOB NOT NULL,
    digest TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done')),
    ambiguous INTEGER NOT NULL DEFAULT 0,  -- may have printed already: next print says COPY
    attempts INTEGER NOT NULL DEFAULT 0,
    submitted_at REAL NOT NULL,
    printed_at REAL,
    last_error TEXT
)
"""
COPY_BANNER = INIT + b"\x1ba\x01\x1bE\x01*** COPY ***\n\x1bE\x00\x1ba\x00"


class PrintQueueError(ValueError):
    """Refused submission (bad job id or content, id reused for other content)."""


@dataclass(frozen=True)
class QueuedJob:
    job_id: str
    data: bytes
    state: str
    ambiguous: bool
    attempts: int


class PrintQueue:
    def __init__(
        self, path: str | Path, printer: ReceiptPrinter, *,
        retry_min: float = 0.2, retry_max: float = 5.0, start: bool = True,
    ) -> None:
        self.printer = printer
        self.retry_max = retry_max
        self.backoff = Backoff(retry_min, retry_max)  # the SDK's one backoff (full jitter)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db_lock = threading.Lock()
        with self._db_lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(SCHEMA)
            # a crash while sending: the job may have printed
            self._db.execute("UPDATE print_jobs SET state = 'pending', ambiguous = 1 WHERE state = 'sending'")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reported: str | None = None  # cause of the last ErrorEvent, to publish once
        self.retries = 0  # jobs tried again since start (offline, paper out...): device telemetry
        if start:
            self.start()

    # -- public API ----------------------------------------------------------
    def submit(self, job_id: str, job: Receipt | bytes) -> None:
        """Queue `job` durably and return; printing happens on the worker thread."""
        if not isinstance(job_id, str) or not job_id.strip():
            raise PrintQueueError(f"job id must be non-empty text, got {job_id!r}")
        data = render_receipt(job, self.printer.width_mm) if isinstance(job, Receipt) else job
        if not isinstance(data, bytes | bytearray) or not data:
            raise PrintQueueError(f"job {job_id}: content must be a Receipt or non-empty bytes")
        digest = hashlib.sha256(data).hexdigest()
        with self._db_lock:
            self._db.execute(
                "INSERT INTO print_jobs (job_id, data, digest, state, submitted_at) VALUES (?, ?, ?, 'pending', ?)"
                " ON CONFLICT(job_id) DO NOTHING",
                (job_id, bytes(data), digest, time.time()),
            )
            (stored,) = self._db.execute("SELECT digest FROM print_jobs WHERE job_id = ?", (job_id,)).fetchone()
        if stored != digest:
            raise PrintQueueError(f"job {job_id} was already submitted with different content")
        self._wake.set()

    def job(self, job_id: str) -> QueuedJob | None:
        return self._select_job("WHERE job_id = ?", (job_id,))

    def pending_count(self) -> int:
        with self._db_lock:
            return self._db.execute("SELECT count(*) FROM print_jobs WHERE state != 'done'").fetchone()[0]

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"print-queue-{self.printer.name}", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the worker (after its current I/O deadline) and close the database."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._db_lock:
            self._db.close()

    def __enter__(self) -> PrintQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker ----------------------------------------------------------------
    def _run(self) -> None:
        if self.printer.state == LifecycleState.CLOSED:
            self.printer.start()  # convenience for a fresh printer; never reopened after a close
        failures = 0
        busy = False
        while not self._stop.is_set():
            job = self._next_job()
            if job is None:
                if busy:
                    self.printer.publish_status(DeviceStatus.IDLE)
                busy = False
                self._wake.wait()
                self._wake.clear()
                continue
            busy = True
            try:
                self._print(job)
            except PrinterError as exc:
                self._report(exc)
                self.retries += 1  # only this worker thread writes it
                self._stop.wait(self.backoff.delay(failures))  # a stop request ends the wait at once
                failures += 1
                continue
            except Exception:  # noqa: BLE001 - keep the worker alive, the job stays queued
                log.exception("print queue: unexpected failure on job %s", job.job_id)
                self._stop.wait(self.retry_max)
                continue
            failures = 0
            self._reported = None

    def _print(self, job: QueuedJob) -> None:
        if self.printer.state != LifecycleState.ENABLED:
            raise PrinterUnavailable(f"{self.printer.name} is {self.printer.state.name.lower()}, not enabled")
        data = COPY_BANNER + job.data if job.ambiguous else job.data
        try:
            inflight = self.printer.send_job(
                job.job_id, data, before_write=lambda: self._set_state(job.job_id, "sending", attempt=True)
            )
        except PrinterUnavailable as exc:
            self._set_state(job.job_id, "pending", ambiguous=exc.transmitted)
            raise
        except PrinterError:
            self._set_state(job.job_id, "pending")
            raise
        self._await(job, inflight)
        self._set_state(job.job_id, "done")
        self.printer.publish(OutputCompleteEvent(self.printer.name, job.job_id))

    def _await(self, job: QueuedJob, inflight: InFlightJob) -> None:
        """Wait for the confirmation; while the printer holds the job, never resend it."""
        polls = 0
        while True:
            try:
                self.printer.await_job(inflight)
                return
            except PrintUnconfirmed as exc:
                self._report(exc)
                if self._stop.wait(self.backoff.delay(polls)):
                    raise
                polls += 1
            except PrinterUnavailable:
                self._set_state(job.job_id, "pending", ambiguous=True)
                raise

    def _next_job(self) -> QueuedJob | None:
        return self._select_job("WHERE state != 'done' ORDER BY seq LIMIT 1")

    def _select_job(self, where: str, params: tuple[object, ...] = ()) -> QueuedJob | None:
        with self._db_lock:
            row = self._db.execute(
                f"SELECT job_id, data, state, ambiguous, attempts FROM print_jobs {where}", params
            ).fetchone()
        return QueuedJob(row[0], row[1], row[2], bool(row[3]), row[4]) if row else None

    def _set_state(self, job_id: str, state: str, *, ambiguous: bool = False, attempt: bool = False) -> None:
        with self._db_lock:
            self._db.execute(
                "UPDATE print_jobs SET state = ?, ambiguous = max(ambiguous, ?), attempts = attempts + ?,"
                " printed_at = CASE WHEN ? = 'done' THEN ? ELSE printed_at END WHERE job_id = ?",
                (state, int(ambiguous), int(attempt), state, time.time(), job_id),
            )

    def _report(self, exc: PrinterError) -> None:
        code = getattr(exc, "code", None) or ("offline" if isinstance(exc, PrinterUnavailable) else "error")
        if code == self._reported:
            return
        self._reported = code
        self.printer.publish(ErrorEvent(self.printer.name, ErrorLocus.OUTPUT, code, str(exc), can_retry=True))
