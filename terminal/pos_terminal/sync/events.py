"""What the sync side tells the rest of the till. Plain dataclasses: no Qt here.

Callbacks run on the sync worker thread; the UI re-emits them as Qt signals (queued
connections) so no widget is touched off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pos_terminal.core.catalog import Item

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueChanged:
    """Outbox state: entries waiting, age of the oldest one, entries parked for a human."""

    depth: int
    oldest_age_s: float | None
    parked: int


@dataclass(frozen=True)
class ConnectionChanged:
    online: bool
    breaker: str  # "closed" | "open" | "half_open"
    last_error: str | None = None


@dataclass(frozen=True)
class ConflictsArrived:
    """Orders the server held for a manager's decision (see services.conflicts)."""

    order_ids: list[str]


@dataclass(frozen=True)
class CatalogUpdated:
    """Already stored locally; the in-memory Catalog applies them on the UI thread."""

    upserted: list[Item] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Parked:
    """An entry the server refused for good (a 4xx): kept with its reason, never resent blindly."""

    seq: int
    kind: str
    key: str
    reason: str


@dataclass(frozen=True)
class ClockSkewed:
    """The till's clock against the server's (the `Date` of its answers): `skew_s` > 0
    when the till is ahead. Emitted when it goes beyond `tolerance_s`, again whenever its
    whole minutes change, and once more when it is back within (`beyond_tolerance` False)."""

    skew_s: float
    tolerance_s: float = 60.0

    @property
    def beyond_tolerance(self) -> bool:
        return abs(self.skew_s) > self.tolerance_s


SyncEvent = QueueChanged | ConnectionChanged | ConflictsArrived | CatalogUpdated | Parked | ClockSkewed
Subscriber = Callable[[SyncEvent], None]


class EventHub:
    """Fan-out of sync events to subscribers; a failing subscriber never stops the pump."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Register `callback`; returns a function that unsubscribes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: SyncEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # noqa: BLE001 - one bad listener must not stall sync
                log.exception("sync event subscriber failed on %r", event)
