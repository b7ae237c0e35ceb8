"""Outbox reads and writes the pump needs beyond `store.outbox` (kept here, sync-only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pos_terminal.store import outbox
from pos_terminal.store.models import Order, OutboxEntry


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

    @property
    def original_order_id(self) -> str | None:
        """For a return: the sale it refunds (the body is canonical JSON, so a cheap test first)."""
        if self.kind != "order" or b'"kind":"return"' not in self.body:
            return None
        return json.loads(self.body).get("original_order_id")

    @classmethod
    def of(cls, entry: OutboxEntry) -> Outgoing:
        return cls(entry.seq, entry.kind, entry.idempotency_key, entry.method, entry.path,
                   entry.body.encode("utf-8"), entry.attempts)


def due(session: Session, now: datetime, limit: int) -> list[Outgoing]:
    return [Outgoing.of(e) for e in outbox.due(session, now, limit)]


def parked_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(OutboxEntry.state == outbox.PARKED)) or 0)


def set_order_status(session: Session, order_id: str, status: str) -> None:
    session.execute(update(Order).where(Order.order_id == order_id).values(sync_status=status))


def settle_order_entry(session: Session, order_id: str, state: str) -> None:
    """Move an order's own outbox entry (e.g. held -> done once its resolution is accepted)."""
    session.execute(update(OutboxEntry)
                    .where(OutboxEntry.kind == "order", OutboxEntry.idempotency_key == order_id)
                    .values(state=state))


def earliest_due(session: Session, now: datetime) -> datetime | None:
    """When the next pending entry may be sent: `now` if one is due, None if none waits."""
    count, earliest, with_backoff = session.execute(
        select(func.count(), func.min(OutboxEntry.next_attempt_at), func.count(OutboxEntry.next_attempt_at))
        .where(OutboxEntry.state == outbox.PENDING)
    ).one()
    if not count:
        return None
    if with_backoff < count or earliest is None or earliest <= now:
        return now
    return earliest
