"""The durable outbox: requests for the sync server, written in the same transaction as
the sale they carry, and worked off oldest first by the sync pump.

States: `pending` (to send, maybe after `next_attempt_at`), `done` (2xx accepted),
`held` (202: waits in the conflict inbox for a manager), `parked` (a 4xx the server will
never accept as is: kept with its reason, shown in the UI, never retried blindly).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from .models import OutboxEntry

# Built once: a statement object reused per sale skips SQLAlchemy's per-call setup.
_INSERT_ENTRY = insert(OutboxEntry.__table__)

PENDING, DONE, HELD, PARKED = "pending", "done", "held", "parked"


def enqueue(session: Session, *, kind: str, key: str, path: str, body: bytes,
            at: datetime, method: str = "POST") -> None:
    session.connection().execute(_INSERT_ENTRY, [dict(
        kind=kind, idempotency_key=key, method=method, path=path, body=body.decode("utf-8"),
        created_at=at, state=PENDING, attempts=0)])


def due(session: Session, now: datetime, limit: int = 100) -> list[OutboxEntry]:
    """Pending entries whose backoff has expired, oldest first."""
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.state == PENDING)
        .where(or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now))
        .order_by(OutboxEntry.seq)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def depth(session: Session) -> tuple[int, datetime | None]:
    """How many entries wait to be sent and when the oldest was written."""
    row = session.execute(
        select(func.count(), func.min(OutboxEntry.created_at)).where(OutboxEntry.state == PENDING)
    ).one()
    return int(row[0]), row[1]


def settle(session: Session, seq: int, state: str, *, response: str | None = None,
           error: str | None = None) -> None:
    entry = session.get_one(OutboxEntry, seq)
    entry.state, entry.response, entry.last_error = state, response, error
    entry.attempts += 1


def retry_later(session: Session, seq: int, at: datetime, error: str) -> None:
    entry = session.get_one(OutboxEntry, seq)
    entry.attempts += 1
    entry.next_attempt_at, entry.last_error = at, error
