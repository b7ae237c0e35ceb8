"""`SyncService`: the till's sync side in one object the app starts and stops.

It runs the outbox pump, the catalog and staff pulls, the heartbeat and the look at held orders
(resolved in the back office meanwhile? `sync.held_watch`) on one worker thread (never the UI thread), wakes the pump after every committed sale, and publishes events
(`pos_terminal.sync.events`) that the UI re-emits as Qt signals.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

import pos_terminal
from pos_terminal.config import TerminalConfig
from pos_terminal.keys import SecretStore
from pos_protocol import wire

from . import numbering
from ._worker import Job, Worker
from .catalog_pull import CatalogPuller
from .staff_pull import StaffPuller
from .client import SyncClient, SyncError, Unreachable
from .enrollment import client_for
from .events import EventHub, NumberingContinued, QueueChanged, SyncEvent
from .pump import OutboxPump, PumpSettings, utc_now

if TYPE_CHECKING:
    from pos_terminal.services import Services

log = logging.getLogger(__name__)

DeviceStatus = Callable[[], dict[str, str]]
DeviceCounters = Callable[[], dict[str, dict[str, int]]]
CATALOG_PAGES_PER_TURN = 10


class SyncService:
    def __init__(
        self,
        services: Services,
        client_or_config: SyncClient | TerminalConfig | None = None,
        *,
        secrets: SecretStore | None = None,
        transport: httpx.BaseTransport | None = None,
        pump_settings: PumpSettings | None = None,
        heartbeat_interval_s: float | None = None,
        device_status: DeviceStatus | None = None,
        device_counters: DeviceCounters | None = None,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        """`client_or_config`: a ready SyncClient, or a config (default: the services')
        from which the enrolled identity and the secret store build one (NotEnrolled /
        SecretStoreError when that is impossible). `device_status` and `device_counters`
        fill the heartbeat (services.device_telemetry); `heartbeat_interval_s` defaults
        to the config's."""
        self.services = services
        self.config = services.config
        if isinstance(client_or_config, SyncClient):
            self.client = client_or_config
        else:
            self.client = client_for(services.db, client_or_config or services.config, secrets,
                                     transport=transport)
        _check_identity(services.config, self.client)
        self.events = EventHub()
        self.pump = OutboxPump(services.db, self.client, self.events, settings=pump_settings,
                               clock=clock, rng=rng)
        self.catalog = CatalogPuller(services.catalog.store, self.client, self.events)
        self.staff = StaffPuller(services.db, self.client, self.events)
        self.heartbeat_interval_s = heartbeat_interval_s or services.config.heartbeat_interval_s
        self.device_status = device_status or dict
        self.device_counters = device_counters or dict
        self._latest_queue: QueueChanged | None = None
        self._queue_reports = 0
        self._queue_cond = threading.Condition()
        self.events.subscribe(self._remember_queue)
        self._worker = Worker([
            Job("pump", self._pump, wakeable=True),
            Job("catalog", self._pull_catalog),
            Job("staff", self._pull_staff),
            Job("heartbeat", self._heartbeat),
            Job("held", self._check_held),
        ])
        services.till.on_committed(lambda _order: self.wake())

    # -- public surface --------------------------------------------------------------------

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._worker.stop(timeout)
        self.client.close()

    def wake(self) -> None:
        """Send now (called after each sale commit and after a conflict is resolved)."""
        self._worker.wake()

    def subscribe(self, callback: Callable[[SyncEvent], None]) -> Callable[[], None]:
        """Events arrive on the sync thread; returns an unsubscribe function."""
        return self.events.subscribe(callback)

    @property
    def thread(self) -> threading.Thread:
        return self._worker.thread

    def wait_drained(self, timeout: float) -> bool:
        """Block (not on the UI thread!) until nothing is pending; False on timeout."""
        with self._queue_cond:
            since = self._queue_reports
        self.wake()  # a fresh round reports the queue as it is now, not as it was
        with self._queue_cond:
            return self._queue_cond.wait_for(
                lambda: self._queue_reports > since and self._latest_queue is not None
                and self._latest_queue.depth == 0, timeout)

    # -- jobs on the worker thread -----------------------------------------------------------

    def _pump(self) -> float | None:
        self.pump.pump_once()
        due = self.pump.next_due()
        return None if due is None else max(0.0, (due - self.pump.clock()).total_seconds())

    def _pull_catalog(self) -> float:
        # A few pages per turn, so a long first pull does not hold back the outbox pump:
        # the worker runs the pump between turns (and at once after a sale wakes it).
        try:
            if self.catalog.pull_once(max_pages=CATALOG_PAGES_PER_TURN).more:
                return 0.0
        except SyncError as exc:
            log.info("catalog pull failed: %s", exc)
        return self.config.pull_interval_s

    def _pull_staff(self) -> float:
        # With the catalog's interval: a removed user is refused once this lands.
        try:
            self.staff.pull_once()
        except SyncError as exc:
            log.info("staff pull failed: %s", exc)
        return self.config.pull_interval_s

    def _heartbeat(self) -> float:
        queue = self.pump.queue_state()
        counters = self.device_counters()  # left out when empty: older servers refuse the field
        beat = wire.Heartbeat(queue_depth=queue.depth, oldest_pending_age_s=queue.oldest_age_s or 0.0,
                              app_version=pos_terminal.__version__, devices=self.device_status(),
                              last_receipt_seq=numbering.last_issued(self.services.db, self.config.terminal_id),
                              **({"device_counters": counters} if counters else {}))
        try:
            answer = self.client.heartbeat(beat)
        except Unreachable as exc:
            log.info("heartbeat failed: %s", exc)
            self.pump.observed(False, str(exc))  # the status bar says so within one beat
        except SyncError as exc:
            log.info("heartbeat failed: %s", exc)
        else:
            if answer is not None:
                before = numbering.continue_numbering(self.services.db, self.config.terminal_id, answer, utc_now())
                if before is not None:
                    self.events.emit(NumberingContinued(before, answer.receipts_issued_up_to))
            if self.pump.observed(True):
                self.wake()  # the server is back: what waited goes now, not at the next sale
        return self.heartbeat_interval_s

    def _check_held(self) -> float:
        # With the heartbeat: a resolution in the back office reaches the till's inbox within
        # one interval (sync.held_watch). No held orders here: no request at all.
        try:
            settled = self.pump.held.check_once()
        except SyncError as exc:
            log.info("asking about held orders failed: %s", exc)
        else:
            if settled:  # a decision parked before may be settled with its order: recount
                self.events.emit(self.pump.queue_state())
        return self.heartbeat_interval_s

    def _remember_queue(self, event: SyncEvent) -> None:
        if isinstance(event, QueueChanged):
            with self._queue_cond:
                self._latest_queue = event
                self._queue_reports += 1
                self._queue_cond.notify_all()


class IdentityMismatch(RuntimeError):
    """The till sells under another terminal id than it is enrolled as: the server would
    refuse every order (403 store_mismatch), so sync does not start."""


def _check_identity(config: TerminalConfig, client: SyncClient) -> None:
    if client.terminal_id is not None and client.terminal_id != config.terminal_id:
        raise IdentityMismatch(
            f"the till sells as terminal {config.terminal_id!r} but is enrolled as "
            f"{client.terminal_id!r}: open it with pos_terminal.sync.enrolled_config(config)")
