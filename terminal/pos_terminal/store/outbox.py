"""The durable outbox: requests for the sync server, written in the same transaction as
the sale they carry, and worked off oldest first by the sync pump.

States: `pending` (to send, maybe after `next_attempt_at`), `done` (2xx accepted),
`held` (202: waits in the conflict inbox for a manager), `parked` (a 4xx the server will
never accept as is: kept with its reason, shown in the UI, never retried blindly).
Every change of state is made by a function of this module.

Causal order. An entry may name the entry it must not overtake (`depends_on`): a return
its sale's entry, a resolution its order's. `due` hands an entry out only once that one
is settled, i.e. done or held (the server has stored it either way, and checks a return
against a held sale too). A Z report is handed out only once nothing written before it
is still pending: it sums up every order rung before it, and the server may reconcile it
against them. When an entry is parked, the pending entries that depend on it park with
it, saying why: the server never stored what they refer to (a return would only come
back ORIGINAL_ORDER_UNKNOWN), so they are never sent blindly. Parked entries written
before a Z report do not hold it back: the Z report is still the till's true count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from .models import OutboxEntry
from .prepared import Prepared

_DEPENDENCY = select(OutboxEntry.seq, OutboxEntry.kind, OutboxEntry.idempotency_key, OutboxEntry.state,
                     OutboxEntry.last_error).where(OutboxEntry.seq == bindparam("seq"))
# Compiled once: every sale queues an entry (store.prepared). `seq` is SQLite's to give.
_INSERT_ENTRY = Prepared(insert(OutboxEntry.__table__),
                         [c.key for c in OutboxEntry.__table__.c if c.key != "seq"])

PENDING, DONE, HELD, PARKED = "pending", "done", "held", "parked"
SETTLED = (DONE, HELD)
"""States in which the server has stored an entry: what depends on it may follow."""

ORDER, RESOLUTION, Z_REPORT = "order", "resolution", "z_report"


def enqueue(session: Session | Connection, *, kind: str, key: str, path: str, body: bytes,
            at: datetime, method: str = "POST", depends_on: int | None = None) -> None:
    """Queue a request; `depends_on` is the seq of the entry it must not overtake.

    An entry whose dependency is parked already is parked at once (see the module doc).
    Runs in an ORM session or on a Core connection (a sale's, services.checkout).
    """
    state, error = PENDING, None
    if depends_on is not None:
        dependency = session.execute(_DEPENDENCY, {"seq": depends_on}).one()
        if dependency.state == PARKED:
            state, error = PARKED, _waits_for(dependency)
    _INSERT_ENTRY.run(session, dict(
        kind=kind, idempotency_key=key, method=method, path=path, body=body.decode("utf-8"),
        created_at=at, state=state, attempts=0, next_attempt_at=None, last_error=error,
        response=None, depends_on=depends_on))


def seq_of(session: Session | Connection, kind: str, key: str) -> int | None:
    """The seq of this till's entry for (kind, idempotency key), if it wrote one."""
    return session.scalar(select(OutboxEntry.seq).where(OutboxEntry.kind == kind,
                                                        OutboxEntry.idempotency_key == key))


# -- what may leave now ------------------------------------------------------------------

_dependency = aliased(OutboxEntry, name="dependency")
_earlier = aliased(OutboxEntry, name="earlier")


def _ready() -> tuple[ColumnElement[bool], ...]:
    """Pending, and overtaking nothing. Each test is an index lookup per candidate row
    (the dependency by primary key, an earlier pending entry on ix_outbox_state_seq), so
    the outbox is never scanned in full."""
    return (
        OutboxEntry.state == PENDING,
        or_(OutboxEntry.depends_on.is_(None),
            exists().where(_dependency.seq == OutboxEntry.depends_on,
                           _dependency.state.in_(SETTLED))),
        or_(OutboxEntry.kind != Z_REPORT,
            ~exists().where(_earlier.state == PENDING, _earlier.seq < OutboxEntry.seq)),
    )


def due(session: Session, now: datetime, limit: int = 100) -> list[OutboxEntry]:
    """Pending entries whose backoff has expired and whose dependencies are settled, oldest first."""
    stmt = (
        select(OutboxEntry)
        .where(*_ready())
        .where(or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now))
        .order_by(OutboxEntry.seq)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def earliest_due(session: Session, now: datetime) -> datetime | None:
    """When `due` will next hand something out: `now` if it would now, None if nothing waits.

    Entries waiting for a dependency do not count: they become due only when a round
    settles that dependency, and the oldest pending entry never waits for anything.
    """
    count, earliest, with_backoff = session.execute(
        select(func.count(), func.min(OutboxEntry.next_attempt_at), func.count(OutboxEntry.next_attempt_at))
        .where(*_ready())
    ).one()
    if not count:
        return None
    if with_backoff < count or earliest is None or earliest <= now:
        return now
    return earliest


def depth(session: Session) -> tuple[int, datetime | None]:
    """How many entries wait to be sent and when the oldest was written."""
    row = session.execute(
        select(func.count(), func.min(OutboxEntry.created_at)).where(OutboxEntry.state == PENDING)
    ).one()
    return int(row[0]), row[1]


# -- transitions -------------------------------------------------------------------------


def settle(session: Session, seq: int, state: str, *, response: str | None = None) -> None:
    """The server stored the entry: done (accepted) or held (conflict inbox)."""
    if state not in SETTLED:
        raise ValueError(f"settle() takes {SETTLED}, not {state!r} (parking is park())")
    entry = session.get_one(OutboxEntry, seq)
    entry.state, entry.response, entry.last_error = state, response, None
    entry.attempts += 1


def park(session: Session, seq: int, *, response: str | None, error: str) -> list[OutboxEntry]:
    """Park a refused entry with its reason; returns the pending entries parked with it
    because they depend on it (directly or through each other)."""
    entry = session.get_one(OutboxEntry, seq)
    entry.state, entry.response, entry.last_error = PARKED, response, error
    entry.attempts += 1
    return _park_dependents(session, entry)


def _park_dependents(session: Session, entry: OutboxEntry) -> list[OutboxEntry]:
    parked: list[OutboxEntry] = []
    refused = [entry]
    while refused:
        dependency = refused.pop()
        for waiting in session.scalars(select(OutboxEntry).where(  # on ix_outbox_depends_on
                OutboxEntry.depends_on == dependency.seq, OutboxEntry.state == PENDING)):
            waiting.state, waiting.last_error = PARKED, _waits_for(dependency)
            parked.append(waiting)
            refused.append(waiting)
    return parked


def _waits_for(dependency: OutboxEntry) -> str:
    what = dependency.kind.replace("_", " ")
    return (f"not sent: the {what} it depends on ({dependency.idempotency_key}, outbox entry "
            f"{dependency.seq}) is parked: {dependency.last_error}")


def retry_later(session: Session, seq: int, at: datetime, error: str) -> None:
    entry = session.get_one(OutboxEntry, seq)
    entry.attempts += 1
    entry.next_attempt_at, entry.last_error = at, error


def settle_held_order(session: Session, order_id: str) -> None:
    """A held order's entry is done once the manager's resolution is accepted."""
    session.execute(update(OutboxEntry)
                    .where(OutboxEntry.kind == ORDER, OutboxEntry.idempotency_key == order_id,
                           OutboxEntry.state == HELD)
                    .values(state=DONE))
