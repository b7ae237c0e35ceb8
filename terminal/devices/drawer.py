"""Cash drawer kicked through the receipt printer (ESC p), at most once per action id.

Exactly-once approach: every kick carries an `action_id` (e.g. the sale's
order id + "/drawer"). A small SQLite ledger records it *before* the pulse is
sent ("sent") and again once the printer reports the drawer open ("done").
A retry of an action that is:
  - done: does nothing;
  - sent but unconfirmed (the confirmation was lost with the connection):
    asks the drawer state with DLE EOT 1 first; open means the first pulse
    worked, so it is recorded done and NOT pulsed again;
  - sent and the drawer reads closed: pulses again (the first one did not
    reach the drawer). Known gap: if the cashier already shut the drawer
    between the lost confirmation and the retry, that retry opens it again.
Drawer-open comes from DLE EOT 1 bit 2 (connector pin 3); its polarity
depends on the drawer model, hence `open_when_pin3_high`.
"""

from __future__ import annotations

import enum
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from devices.base import Device, DeviceError, HealthReport, LifecycleState
from devices.escpos.commands import drawer_kick, realtime_pulse
from devices.escpos.status import PrinterStatus
from devices.events import DeviceStatus, EventBus
from devices.printer import PrinterNotReady, ReceiptPrinter


class DrawerError(DeviceError):
    pass


class KickResult(str, enum.Enum):
    OPENED = "opened"  # this call opened the drawer
    ALREADY_DONE = "already_done"  # an earlier attempt with this action id opened it


@dataclass(frozen=True)
class DrawerConfig:
    pin: int = 2  # drawer kick connector pin: 2 or 5
    open_when_pin3_high: bool = True
    open_timeout: float = 2.0  # kick sent -> drawer reports open
    poll_interval: float = 0.05
    realtime_when_out_of_paper: bool = True  # DLE DC4 pulse while the roll is out


class KickLedger:
    """Durable record of drawer actions (its own SQLite file, WAL, synchronous=FULL)."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS drawer_kicks ("
                " action_id TEXT PRIMARY KEY,"
                " state TEXT NOT NULL CHECK (state IN ('sent', 'done')),"
                " attempts INTEGER NOT NULL DEFAULT 0,"
                " updated_at REAL NOT NULL)"
            )

    def state(self, action_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM drawer_kicks WHERE action_id = ?", (action_id,)).fetchone()
        return row[0] if row else None

    def attempts(self, action_id: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT attempts FROM drawer_kicks WHERE action_id = ?", (action_id,)).fetchone()
        return row[0] if row else 0

    def mark_sent(self, action_id: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO drawer_kicks (action_id, state, attempts, updated_at) VALUES (?, 'sent', 1, ?)"
                " ON CONFLICT(action_id) DO UPDATE SET attempts = attempts + 1, updated_at = excluded.updated_at",
                (action_id, time.time()),
            )

    def mark_done(self, action_id: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO drawer_kicks (action_id, state, updated_at) VALUES (?, 'done', ?)"
                " ON CONFLICT(action_id) DO UPDATE SET state = 'done', updated_at = excluded.updated_at",
                (action_id, time.time()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CashDrawer(Device):
    """A drawer on a printer's kick connector. Lifecycle is its own; I/O goes through the printer."""

    def __init__(
        self, name: str, printer: ReceiptPrinter, ledger_path: str | Path,
        bus: EventBus | None = None, config: DrawerConfig | None = None,
    ) -> None:
        super().__init__(name, bus or printer.bus)
        self.printer = printer
        self.config = config or DrawerConfig()
        self.ledger = KickLedger(ledger_path)
        self._kick_lock = threading.Lock()
        self._last_open: bool | None = None

    def _do_close(self) -> None:
        self.ledger.close()

    def is_open(self) -> bool:
        """Ask the printer (DLE EOT 1). Raises PrinterUnavailable when it cannot answer."""
        self.require(LifecycleState.ENABLED, "read the drawer")
        return self._read_open()

    def check_health(self) -> HealthReport:
        health = self.printer.check_health()
        return HealthReport(self.name, health.ok, health.power_state, self.state, health.detail)

    def kick(self, action_id: str) -> KickResult:
        """Open the drawer for `action_id`, at most once however often this is retried.

        Raises PrinterUnavailable / PrinterNotReady (retry later with the same
        id) or DrawerError when the drawer did not report open in time.
        """
        self.require(LifecycleState.ENABLED, "kick the drawer")
        if not action_id:
            raise DrawerError("a drawer kick needs an action id")
        with self._kick_lock:
            state = self.ledger.state(action_id)
            if state == "done":
                return KickResult.ALREADY_DONE
            if state == "sent" and self._read_open():
                self.ledger.mark_done(action_id)  # the lost confirmation: it did open
                return KickResult.ALREADY_DONE
            status = self.printer.query_status()
            self._drawer_open(status)  # publish the state before the kick
            pulse = self._pulse_for(status)
            self.ledger.mark_sent(action_id)  # durable before the pulse leaves
            self.printer.write_raw(pulse)
            self._await_open()
            self.ledger.mark_done(action_id)
            return KickResult.OPENED

    def _pulse_for(self, status: PrinterStatus) -> bytes:
        """ESC p when the printer is ready. Out of paper, ESC p would wait in the buffer,
        but the cashier still has to give change: the real-time DLE DC4 pulse opens the
        drawer at once on printers that support it (if one ignores it, the kick times out
        and is retried). Any other error (cover open, offline): nothing is sent."""
        if status.ready:
            return drawer_kick(self.config.pin)
        if status.problem == "paper_empty" and self.config.realtime_when_out_of_paper:
            return realtime_pulse(self.config.pin)
        raise PrinterNotReady(status)

    def wait_closed(self, timeout: float) -> bool:
        """Poll until the cashier shuts the drawer; True if it did within `timeout`."""
        deadline = time.monotonic() + timeout
        while self._read_open():
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.config.poll_interval)  # the printer has no drawer-closed notification here
        return True

    def _await_open(self) -> None:
        deadline = time.monotonic() + self.config.open_timeout
        while not self._read_open():
            if time.monotonic() >= deadline:
                raise DrawerError(f"{self.name}: drawer did not report open within {self.config.open_timeout}s")
            time.sleep(self.config.poll_interval)  # polling DLE EOT 1 is the only signal

    def _read_open(self) -> bool:
        return self._drawer_open(self.printer.query_status())

    def _drawer_open(self, status: PrinterStatus) -> bool:
        is_open = status.drawer_pin3_high == self.config.open_when_pin3_high
        if is_open != self._last_open:
            self._last_open = is_open
            self.publish_status(DeviceStatus.DRAWER_OPEN if is_open else DeviceStatus.DRAWER_CLOSED)
        return is_open
