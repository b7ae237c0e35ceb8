"""The append-only, hash-chained audit journal.

Each entry stores the SHA-256 of its predecessor and its own hash over (prev_hash, seq,
time, actor, action, subject, payload). Changing, deleting or reordering any entry breaks
the chain from that entry on, and `verify` names the first broken one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .models import AuditEntry
from .prepared import On, Prepared, driver

# Compiled once: every sale appends an entry (store.prepared).
_INSERT_ENTRY = Prepared(insert(AuditEntry.__table__), [c.key for c in AuditEntry.__table__.c])
# The newest entry by its key (max(seq) is one step down the primary key; ORDER BY seq
# DESC LIMIT 1 would do the same, but its plan reads "SCAN audit_journal").
_LAST_ENTRY = Prepared(select(AuditEntry.seq, AuditEntry.hash).where(
    AuditEntry.seq == select(func.max(AuditEntry.seq)).scalar_subquery()))

GENESIS = "0" * 64


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str,
               subject: str | None, payload: str) -> str:
    material = "\n".join([prev_hash, str(seq), at.isoformat(), actor, action, subject or "", payload])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(session: On, *, at: datetime, actor: str, action: str,
           subject: str | None = None, payload: Any = None) -> str:
    """Add an entry inside the caller's transaction (which holds the write lock).

    Returns the new entry's hash.
    """
    conn = driver(session)
    last = _LAST_ENTRY.run(conn).fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    body = canonical(payload if payload is not None else {})
    digest = entry_hash(prev, seq, at, actor, action, subject, body)
    _INSERT_ENTRY.run(conn, dict(seq=seq, at=at, actor=actor, action=action, subject=subject,
                                 payload=body, prev_hash=prev, hash=digest))
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
    return ChainReport(count)
