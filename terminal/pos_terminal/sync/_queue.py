"""Outbox reads and writes the pump needs beyond `store.outbox` (kept here, sync-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
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

    @classmethod
    def of(cls, entry: OutboxEntry) -> Outgoing:
        return cls(entry.seq, entry.kind, entry.idempotency_key, entry.method, entry.path,
                   entry.body.encode("utf-8"), entry.attempts)


def due(session: Session, now: datetime, limit: int) -> list[Outgoing]:
    return [Outgoing(seq, kind, key, method, path, body.encode("utf-8"), attempts)
            for seq, kind, key, method, path, body, attempts in outbox.due_rows(session, now, limit)]


def parked_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(OutboxEntry.state == outbox.PARKED)) or 0)


def set_order_status(session: Session, order_id: str, status: str) -> None:
    session.execute(update(Order).where(Order.order_id == order_id).values(sync_status=status))


_SET_STATUSES = (update(Order.__table__).where(Order.__table__.c.order_id == bindparam("b_order_id"))
                 .values(sync_status=bindparam("b_status")))


def set_order_statuses(session: Session, statuses: list[tuple[str, str]]) -> None:
    """`set_order_status` for many orders in one statement: (order_id, status) each."""
    if statuses:
        session.connection().execute(_SET_STATUSES, [{"b_order_id": o, "b_status": st} for o, st in statuses])
