"""What the sync side tells the rest of the till. Plain dataclasses: no Qt here.

Callbacks run on the sync worker thread; the UI re-emits them as Qt signals (queued
connections) so no widget is touched off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

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
class ResolvedElsewhere:
    """A held order the server resolved without this till's decision (in the back office,
    by `by`): settled here too, so it leaves the inbox and the banner. `decided_here`: a
    manager on this till had decided it as well, and that decision came too late
    (the server answered 409 order_not_held): nothing more to do, and they are told so."""

    order_id: str
    receipt_no: str
    by: str
    in_office: bool
    decided_here: bool = False


@dataclass(frozen=True)
class StaffUpdated:
    """A staff delta from the server, committed: sign-in and approvals use it already."""

    version: int
    upserted: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class CatalogUpdated:
    """One page of a catalog pull, committed: the till sells from it already (lookups read
    the database; the store's cache was emptied). The UI refreshes what it shows.

    `rerated`: tax codes whose new rate re-rated stored items not listed in `upserted`.
    `version`: the catalog version recorded with this page, set on a pull's last page only
    (`complete`)."""

    upserted: list[Item] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rerated: dict[str, Decimal] = field(default_factory=dict)
    version: int | None = None

    @property
    def complete(self) -> bool:
        return self.version is not None


@dataclass(frozen=True)
class NumberingContinued:
    """The server held this till's receipts up to `after`, beyond its counter (`before`):
    committed, the next receipt is `after` + 1 (sync.numbering)."""

    before: int
    after: int


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


SyncEvent = (QueueChanged | ConnectionChanged | ConflictsArrived | ResolvedElsewhere | CatalogUpdated | StaffUpdated
             | Parked | ClockSkewed | NumberingContinued)
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
