"""Staff pull: fetch the store's staff list changed since the local version and apply it.

Runs on the sync thread with the catalog pull (README "Staff list"). One delta lands in one
transaction with its version, so a pull killed mid-way leaves the till at the version it
had and the next pull asks again. Sign-in reads the committed rows: offline, the till
signs staff in with the last list it received. The first pull (since 0) is the server's
whole list and replaces the seed file's staff.
"""

from __future__ import annotations

import logging

from pos_terminal.store import users
from pos_terminal.store.db import Database
from pos_terminal.store.users import StaffApplied

from .client import SyncClient
from .events import EventHub, StaffUpdated

log = logging.getLogger(__name__)

__all__ = ["StaffPuller"]


class StaffPuller:
    def __init__(self, db: Database, client: SyncClient, events: EventHub | None = None) -> None:
        self.db, self.client = db, client
        self.events = events or EventHub()

    def pull_once(self) -> StaffApplied | None:
        """Apply what changed; None when nothing did. SyncError when the server is away."""
        with self.db.reader() as s:
            since = users.staff_version(s)
        delta = self.client.staff_delta(since)
        if delta.version <= since and not delta.users and not delta.removed:
            return None
        with self.db.transaction() as s:
            applied = users.apply_staff_delta(s, delta, full=since == 0)
        log.info("staff list %s -> %s: %d upserted, %d removed", since, applied.version,
                 len(applied.upserted), len(applied.removed))
        self.events.emit(StaffUpdated(applied.version, applied.upserted, applied.removed))
        return applied
