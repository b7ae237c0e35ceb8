"""A till whose receipt counter fell behind what the server holds (its database restored
from an older backup, after later sales had reached the server) hears so in its next
heartbeat and numbers on after them: no receipt number is given out twice."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from pos_terminal.keys import KeyringStore
from pos_terminal.store import audit, receipts
from pos_terminal.store.models import AuditEntry, Order
from pos_terminal.sync.events import NumberingContinued, QueueChanged
from pos_terminal.sync.enrollment import client_for
from pos_terminal.sync.service import SyncService

from .conftest import ring_sales


def _last_issued(till) -> int:  # type: ignore[no-untyped-def]
    with till.db.reader() as s:
        return receipts.last_issued(s, till.config.terminal_id)


def test_a_till_restored_behind_the_server_numbers_on_after_what_the_server_holds(
        till, client, server, memory_keyring) -> None:
    ring_sales(till, 5)
    sync = SyncService(till, client, heartbeat_interval_s=0.2)
    drained = threading.Event()
    sync.subscribe(lambda e: drained.set() if isinstance(e, QueueChanged) and e.depth == 0 else None)
    sync.start()
    try:
        assert drained.wait(10), "the five sales reached the server"
    finally:
        sync.stop()
    # What a restore of the backup taken after the second sale leaves: receipts 3 to 5 are
    # at the server, and this database's counter says 2.
    with till.db.transaction() as s:
        s.execute(text("UPDATE receipt_counters SET last_no = 2"))
    assert _last_issued(till) == 2

    heard: list[NumberingContinued] = []
    moved = threading.Event()
    again = client_for(till.db, till.config, KeyringStore(memory_keyring), transport=server.transport)
    sync = SyncService(till, again, heartbeat_interval_s=0.2)  # stop() closed the first client
    sync.subscribe(lambda e: (heard.append(e), moved.set()) if isinstance(e, NumberingContinued) else None)
    sync.start()
    try:
        assert moved.wait(10), "a heartbeat told the till"
        assert heard == [NumberingContinued(before=2, after=5)]
        assert _last_issued(till) == 5
        [sixth] = ring_sales(till, 1, seed=11)
    finally:
        sync.stop()

    with till.db.reader() as s:
        assert s.get_one(Order, sixth).receipt_no.endswith("-000006")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "receipt.numbering_continued")).one()
        assert '"from":2' in entry.payload and '"to":5' in entry.payload
        assert audit.verify(s).ok
