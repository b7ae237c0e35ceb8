"""Receipt numbers never given out twice, even by a till restored from a backup.

Each heartbeat carries the till's receipt counter. A server that holds this till's receipts
beyond it (the database was restored from an older backup, and those sales had reached
the server) answers with the last number it holds, and the till moves its counter there
in one transaction with a journal entry saying why (README "Backup, restore, start
afresh"). Receipts the till printed in between, before the first answer, the server holds
as RECEIPT_NO_REUSED, as before."""

from __future__ import annotations

import logging
from datetime import datetime

from pos_protocol import wire
from pos_terminal.store import audit, receipts
from pos_terminal.store.db import Database

log = logging.getLogger(__name__)


def last_issued(db: Database, terminal_id: str) -> int:
    with db.reader() as s:
        return receipts.last_issued(s, terminal_id)


def continue_numbering(db: Database, terminal_id: str, answer: wire.HeartbeatAnswer, at: datetime) -> int | None:
    """Move the counter up to what the server holds; the number it moved from, or None."""
    up_to = answer.receipts_issued_up_to
    with db.transaction() as s:
        before = receipts.continue_after(s, terminal_id, up_to)
        if before is not None:
            audit.append(s, at=at, actor="system", action="receipt.numbering_continued",
                         payload={"from": before, "to": up_to,
                                  "why": "the server holds this till's receipts up to this number"})
    if before is not None:
        log.warning("receipt numbers continue after %s: the server holds this till's receipts %s to %s "
                    "(restored from an older backup?)", up_to, before + 1, up_to)
    return before
