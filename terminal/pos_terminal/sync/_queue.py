"""Outbox reads and writes the pump needs beyond `store.outbox` (kept here, sync-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_terminal.store import outbox
from pos_terminal.store.models import OutboxEntry


@dataclass(frozen=True)
class Outgoing:
    """A detached copy of an outbox entry: sent without holding any database lock."""

    seq: int
    kind: str
    key: str
    method: str
    path: str
    body: bytes
    attempts: int

    @classmethod
    def of(cls, entry: OutboxEntry) -> Outgoing:
        return cls(entry.seq, entry.kind, entry.idempotency_key, entry.method, entry.path,
                   entry.body.encode("utf-8"), entry.attempts)


def due(session: Session, now: datetime, limit: int) -> list[Outgoing]:
    return [Outgoing(seq, kind, key, method, path, body.encode("utf-8"), attempts)
            for seq, kind, key, method, path, body, attempts in outbox.due_rows(session, now, limit)]


def parked_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(OutboxEntry.state == outbox.PARKED)) or 0)
