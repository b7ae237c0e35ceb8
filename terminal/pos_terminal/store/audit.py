"""The append-only, hash-chained audit journal.

Each entry stores the SHA-256 of its predecessor and its own hash over (prev_hash, seq,
time, actor, action, subject, payload) (`pos_protocol.journal`). Changing, deleting or
reordering any entry breaks the chain from that entry on, and `verify` names the first
broken one. Deleting the last entries leaves an unbroken chain, so every append also
writes the anchor row (`audit_anchor`: the last entry's seq and hash) in the same
transaction, and `verify` checks that the journal still reaches it.

Every entry also leaves for the server through the outbox (kind `audit`, body frozen at
the append, like an order's), where its chain is checked again per terminal and its head
kept (README "The audit journal shipped"): a journal cut and written on, or rewritten,
no longer matches what the server holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from pos_protocol import journal, paths, wire

from . import outbox
from .models import AuditAnchor, AuditEntry
from .prepared import On, Prepared, driver

# Compiled once: every sale appends an entry (store.prepared).
_INSERT_ENTRY = Prepared(insert(AuditEntry.__table__), [c.key for c in AuditEntry.__table__.c])
# The newest entry by its key (max(seq) is one step down the primary key; ORDER BY seq
# DESC LIMIT 1 would do the same, but its plan reads "SCAN audit_journal").
_LAST_ENTRY = Prepared(select(AuditEntry.seq, AuditEntry.hash).where(
    AuditEntry.seq == select(func.max(AuditEntry.seq)).scalar_subquery()))
ANCHOR_ID = 1
_ANCHOR = Prepared(select(AuditAnchor.seq, AuditAnchor.hash).where(AuditAnchor.id == ANCHOR_ID))
_MOVE_ANCHOR = Prepared(update(AuditAnchor.__table__).where(AuditAnchor.__table__.c.id == ANCHOR_ID)
                        .values(seq=bindparam("b_seq"), hash=bindparam("b_hash")))
_NEW_ANCHOR = Prepared(insert(AuditAnchor.__table__), ["id", "seq", "hash"])

GENESIS = journal.GENESIS


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str,
               subject: str | None, payload: str) -> str:
    return journal.entry_hash(prev_hash, seq, at.isoformat(), actor, action, subject, payload)


def append(session: On, *, at: datetime, actor: str, action: str,
           subject: str | None = None, payload: Any = None) -> str:
    """Add an entry inside the caller's transaction (which holds the write lock), move the
    anchor to it and queue it for the server. Returns the new entry's hash.

    The chain continues from the anchor, not from whatever entry is last: entries deleted
    from the end stay missing (a gap `verify` names, and the server sees), never papered
    over by new entries taking their numbers.
    """
    conn = driver(session)
    anchor = _ANCHOR.run(conn).fetchone()
    if anchor is None:  # a database made before the anchor and not migrated? never: 0006 writes it
        last = _LAST_ENTRY.run(conn).fetchone()
        _NEW_ANCHOR.run(conn, dict(id=ANCHOR_ID, seq=last[0] if last else 0, hash=last[1] if last else GENESIS))
        anchor = last or (0, GENESIS)
    seq, prev = anchor[0] + 1, anchor[1]
    body = canonical(payload if payload is not None else {})
    digest = entry_hash(prev, seq, at, actor, action, subject, body)
    _INSERT_ENTRY.run(conn, dict(seq=seq, at=at, actor=actor, action=action, subject=subject,
                                 payload=body, prev_hash=prev, hash=digest))
    _MOVE_ANCHOR.run(conn, dict(b_seq=seq, b_hash=digest))
    # A plain dict, not wire.AuditEntries: nothing about shipping may ever fail an append
    # (and with it a sale); the server judges what it receives.
    entry = dict(seq=seq, at=at.isoformat(), actor=actor, action=action, subject=subject,
                 payload=body, prev_hash=prev, hash=digest)
    outbox.enqueue(session, kind=outbox.AUDIT, key=digest, path=paths.AUDIT_ENTRIES, at=at,
                   body=wire.canonical_json({"entries": [entry]}))
    return digest


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify(session: Session) -> ChainReport:
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        count += 1
        if e.seq != expected_seq:
            return ChainReport(count, e.seq, f"entry {expected_seq} is missing (next is {e.seq})")
        if e.prev_hash != expected_prev:
            return ChainReport(count, e.seq, "prev_hash does not match the previous entry")
        if e.hash != entry_hash(e.prev_hash, e.seq, e.at, e.actor, e.action, e.subject, e.payload):
            return ChainReport(count, e.seq, "content does not match its hash")
        expected_prev, expected_seq = e.hash, e.seq + 1
    return _reaches_anchor(session, count, expected_seq - 1, expected_prev)


def _reaches_anchor(session: Session, count: int, last_seq: int, last_hash: str) -> ChainReport:
    """An unbroken chain must end at the anchor: else its tail was deleted (or the anchor
    rewritten, which is as bad)."""
    anchor = session.execute(select(AuditAnchor.seq, AuditAnchor.hash).where(AuditAnchor.id == ANCHOR_ID)).first()
    if anchor is None or (anchor.seq, anchor.hash) == (last_seq, last_hash):
        return ChainReport(count)
    if anchor.seq > last_seq:
        missing = (f"entry {anchor.seq} is" if anchor.seq == last_seq + 1
                   else f"entries {last_seq + 1} to {anchor.seq} are")
        return ChainReport(count, last_seq + 1, f"{missing} missing at the end: the journal was cut")
    return ChainReport(count, anchor.seq, f"entry {anchor.seq} is not the last entry the till wrote (the anchor)")
