"""Outbox reads and writes the pump needs beyond `store.outbox` (kept here, sync-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pos_terminal.store import outbox
from pos_terminal.store.models import Order, OutboxEntry, OutboxState, SyncStatus


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
    return [Outgoing.of(e) for e in outbox.due(session, now, limit)]


def parked_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(OutboxEntry.state == OutboxState.PARKED)) or 0)


def set_order_status(session: Session, order_id: str, status: SyncStatus) -> None:
    session.execute(update(Order).where(Order.order_id == order_id).values(sync_status=status))
