"""The durable outbox: requests for the sync server, written in the same transaction as
the sale they carry, and worked off oldest first by the sync pump.

The state machine, whose states are named here only (`OutboxState`) and whose every transition
is a function of this module; nothing else writes an entry's `state`:

    enqueue:      -> pending          (-> parked at once if what it depends on is parked)
    retry_later:  pending -> pending  (a later `next_attempt_at`, one more attempt)
    settle:       pending -> done     (2xx accepted)    | pending -> held (202: conflict inbox)
    park:         pending -> parked   (a 4xx the server will never accept as is: kept with its
                                       reason, shown in the UI, never retried blindly), and
                                       the pending entries depending on it with it
    requeue:      parked -> pending   (a person looked at it, e.g. after a server or till
                                       update: `pos-terminal outbox requeue`), and the
                                       entries parked only because they depend on it
    settle of a resolution:  its order's entry held -> done
    settle_elsewhere:  held -> done   (the server says the order was resolved elsewhere, e.g. in
                                       the back office), and its resolutions pending or parked
                                       -> done: nothing about it is left to send or look at
    retry_now:    pending -> pending  (backoff waived: the server answers again after an outage)

An order row's `sync_status` (`SyncStatus`, what the till shows of a sale) mirrors its
entry and is kept by the same functions: pending, accepted, held, resolving (a manager's
resolution is queued), resolved, parked.

Causal order. An entry may name the entry it must not overtake (`depends_on`): a return
its sale's entry, a resolution its order's. `due` hands an entry out only once that one
is settled, i.e. done or held (the server has stored it either way, and checks a return
against a held sale too). A Z report is handed out only once nothing written before it
is still pending: it sums up every order rung before it, and the server may reconcile it
against them. When an entry is parked, the pending entries that depend on it park with
it, saying why: the server never stored what they refer to (a return would only come
back ORIGINAL_ORDER_UNKNOWN), so they are never sent blindly. Parked entries written
before a Z report do not hold it back: the Z report is still the till's true count; nor
do audit entries, which the Z report does not sum up.

Audit entries (`AUDIT`, one per journal entry, `store.audit.append`) depend on nothing:
they leave oldest first, in batches of their own (sync.pump), and the server, which
checks their chain, answers an entry that overtook an earlier one 409 `audit_gap`, to be
retried after it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from pos_protocol.codes import OrderStatus

from .models import Order, OutboxEntry
from .prepared import Prepared

_DEPENDENCY = select(OutboxEntry.seq, OutboxEntry.kind, OutboxEntry.idempotency_key, OutboxEntry.state,
                     OutboxEntry.last_error).where(OutboxEntry.seq == bindparam("seq"))
# Compiled once: every sale queues an entry (store.prepared). `seq` is SQLite's to give.
_INSERT_ENTRY = Prepared(insert(OutboxEntry.__table__),
                         [c.key for c in OutboxEntry.__table__.c if c.key != "seq"])


class OutboxState(StrEnum):
    """An outbox entry's state (the `outbox.state` column)."""

    PENDING = "pending"  # to send, maybe after `next_attempt_at`
    DONE = "done"  # the server accepted it
    HELD = "held"  # the server stored it with conflicts: in the conflict inbox
    PARKED = "parked"  # refused: a person must look at it


PENDING, DONE, HELD, PARKED = OutboxState.PENDING, OutboxState.DONE, OutboxState.HELD, OutboxState.PARKED
SETTLED = (DONE, HELD)
"""States in which the server has stored an entry: what depends on it may follow."""


class SyncStatus(StrEnum):
    """An order row's `sync_status`: its entry's state as the till shows it."""

    PENDING = "pending"
    ACCEPTED = OrderStatus.ACCEPTED.value  # the three the server knows too are its words
    HELD = OrderStatus.HELD.value
    RESOLVING = "resolving"  # held, and a manager's resolution is queued
    RESOLVED = OrderStatus.RESOLVED.value  # the resolution was accepted
    PARKED = "parked"


ORDER, RESOLUTION, Z_REPORT, AUDIT = "order", "resolution", "z_report", "audit"


def enqueue(session: Session | Connection, *, kind: str, key: str, path: str, body: bytes,
            at: datetime, method: str = "POST", depends_on: int | None = None) -> None:
    """Queue a request; `depends_on` is the seq of the entry it must not overtake.

    An entry whose dependency is parked already is parked at once (see the module doc).
    Runs in an ORM session or on a Core connection (a sale's, services.checkout).
    """
    state, error, dependency = PENDING, None, None
    if depends_on is not None:
        dependency = session.execute(_DEPENDENCY, {"seq": depends_on}).one()
        if dependency.state == PARKED:
            state, error = PARKED, _waits_for(dependency)
    _INSERT_ENTRY.run(session, dict(
        kind=kind, idempotency_key=key, method=method, path=path, body=body.decode("utf-8"),
        created_at=at, state=state, attempts=0, next_attempt_at=None, last_error=error,
        response=None, depends_on=depends_on))
    if kind == ORDER and state == PARKED:
        _mirror(session, key, SyncStatus.PARKED)
    elif kind == RESOLUTION and dependency is not None:
        _mirror(session, dependency.idempotency_key, SyncStatus.RESOLVING)


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
        OutboxEntry.state == OutboxState.PENDING,
        or_(OutboxEntry.depends_on.is_(None),
            exists().where(_dependency.seq == OutboxEntry.depends_on,
                           _dependency.state.in_(SETTLED))),
        or_(OutboxEntry.kind != Z_REPORT,
            ~exists().where(_earlier.state == OutboxState.PENDING, _earlier.seq < OutboxEntry.seq,
                            _earlier.kind != AUDIT)),
    )


def _due(columns: tuple, now: datetime, limit: int) -> Select:  # type: ignore[type-arg]
    return (
        select(*columns)
        .where(*_ready())
        .where(or_(OutboxEntry.next_attempt_at.is_(None), OutboxEntry.next_attempt_at <= now))
        .order_by(OutboxEntry.seq)
        .limit(limit)
    )


def due(session: Session, now: datetime, limit: int = 100) -> list[OutboxEntry]:
    """Pending entries whose backoff has expired and whose dependencies are settled, oldest first."""
    return list(session.scalars(_due((OutboxEntry,), now, limit)))


DUE_COLUMNS = (OutboxEntry.seq, OutboxEntry.kind, OutboxEntry.idempotency_key, OutboxEntry.method,
               OutboxEntry.path, OutboxEntry.body, OutboxEntry.attempts)


def due_rows(session: Session, now: datetime, limit: int = 100) -> list[Row]:  # type: ignore[type-arg]
    """`due` as plain rows of `DUE_COLUMNS`: what the pump sends, without loading entities."""
    return list(session.execute(_due(DUE_COLUMNS, now, limit)))


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
    """How many entries wait to be sent and when the oldest was written: the books' entries
    (orders, resolutions, Z reports), which the till and the heartbeat speak of; the audit
    entries riding along are not counted (one beside nearly every sale)."""
    row = session.execute(
        select(func.count(), func.min(OutboxEntry.created_at))
        .where(OutboxEntry.state == OutboxState.PENDING, OutboxEntry.kind != AUDIT)
    ).one()
    return int(row[0]), row[1]


# -- transitions -------------------------------------------------------------------------


def settle(session: Session, seq: int, state: OutboxState, *, response: str | None = None) -> None:
    """The server stored the entry: done (accepted) or held (conflict inbox). A resolution
    accepted settles its held order (done, `resolved`). One entry of `settle_many`."""
    entry = session.get_one(OutboxEntry, seq)
    settle_many(session, [(seq, state, response, entry.kind, entry.idempotency_key)])
    session.expire(entry)  # settle_many wrote the row past the ORM


def _settle_held_order(session: Session, order: OutboxEntry) -> None:
    """A held order's entry is done once the manager's resolution is accepted."""
    if order.kind == ORDER and order.state == HELD:
        order.state = DONE.value
        _mirror(session, order.idempotency_key, SyncStatus.RESOLVED)


_outbox = OutboxEntry.__table__.c
_SETTLE_MANY = (update(OutboxEntry.__table__).where(_outbox.seq == bindparam("b_seq"))
                .values(state=bindparam("b_state"), response=bindparam("b_response"), last_error=None,
                        attempts=_outbox.attempts + 1))


Settled = tuple[int, str, "str | None", str, str]
"""An answer `settle_many` files: (seq, done|held, response, kind, idempotency key)."""


def settle_many(session: Session, answers: list[Settled]) -> None:
    """`settle` for many entries: one statement for the entries and one for their orders'
    sync_status; what filing a batch's answers needs (not a load and a flush per entry)."""
    if not answers:
        return
    for _, state, *_ in answers:
        if state not in SETTLED:
            raise ValueError(f"settle_many() takes {SETTLED}, not {state!r} (parking is park())")
    session.flush()  # ORM changes made before in this transaction reach the rows first
    session.connection().execute(_SETTLE_MANY, [
        {"b_seq": seq, "b_state": state, "b_response": response} for seq, state, response, _, _ in answers])
    _mirror_many(session, [(key, SyncStatus.ACCEPTED if state == DONE else SyncStatus.HELD)
                           for _, state, _, kind, key in answers if kind == ORDER])
    for seq, state, _, kind, _ in answers:
        if kind == RESOLUTION and state == DONE:  # rare: resolutions travel alone
            entry = session.get_one(OutboxEntry, seq)
            if entry.depends_on is not None:
                _settle_held_order(session, session.get_one(OutboxEntry, entry.depends_on))


def park(session: Session, seq: int, *, response: str | None, error: str) -> list[OutboxEntry]:
    """Park a refused entry with its reason; returns the pending entries parked with it
    because they depend on it (directly or through each other)."""
    entry = session.get_one(OutboxEntry, seq)
    entry.state, entry.response, entry.last_error = PARKED.value, response, error
    entry.attempts += 1
    parked = _park_dependents(session, entry)
    for order in (entry, *parked):
        if order.kind == ORDER:
            _mirror(session, order.idempotency_key, SyncStatus.PARKED)
    return parked


def _park_dependents(session: Session, entry: OutboxEntry) -> list[OutboxEntry]:
    parked: list[OutboxEntry] = []
    refused = [entry]
    while refused:
        dependency = refused.pop()
        for waiting in session.scalars(select(OutboxEntry).where(  # on ix_outbox_depends_on
                OutboxEntry.depends_on == dependency.seq, OutboxEntry.state == PENDING)):
            waiting.state, waiting.last_error = PARKED.value, _waits_for(dependency)
            parked.append(waiting)
            refused.append(waiting)
    return parked


def _waits_for(dependency: OutboxEntry) -> str:
    what = dependency.kind.replace("_", " ")
    return (f"not sent: the {what} it depends on ({dependency.idempotency_key}, outbox entry "
            f"{dependency.seq}) is parked: {dependency.last_error}")


def parked(session: Session, limit: int = 200) -> list[OutboxEntry]:
    """Parked entries, oldest first: what `pos-terminal outbox list` shows."""
    return list(session.scalars(select(OutboxEntry).where(OutboxEntry.state == PARKED)
                                .order_by(OutboxEntry.seq).limit(limit)))


def requeue(session: Session, seq: int) -> list[OutboxEntry]:
    """Send a parked entry again, with the entries parked because they depend on it
    (directly or through each other); returns all of them, the entry first.

    Raises ValueError, in words, for an entry that is not parked: a pending one goes out
    anyway, and what the server stored is never sent twice by hand."""
    entry = session.get(OutboxEntry, seq)
    if entry is None or entry.state != PARKED:
        why = (f"there is no outbox entry {seq}" if entry is None
               else f"outbox entry {seq} is {entry.state}, not parked")
        raise ValueError(f"{why}: nothing to send again")
    requeued = [entry]
    waiting = [entry]
    while waiting:
        dependency = waiting.pop()
        for dependent in session.scalars(select(OutboxEntry).where(
                OutboxEntry.depends_on == dependency.seq, OutboxEntry.state == PARKED)):
            requeued.append(dependent)
            waiting.append(dependent)
    for again in requeued:
        again.state, again.next_attempt_at = PENDING.value, None
        again.last_error = f"sent again by hand; it was parked: {again.last_error}"
        if again.kind == ORDER:
            _mirror(session, again.idempotency_key, SyncStatus.PENDING)
    return requeued


def held_awaiting(session: Session, limit: int, after_seq: int = 0) -> list[tuple[int, str]]:
    """(seq, order id) of orders held here with no decision of this till's on its way,
    oldest first from after `after_seq`: the ones to ask the server about (resolved in the
    back office meanwhile?)."""
    resolution = aliased(OutboxEntry, name="resolution")
    return [(seq, key) for seq, key in session.execute(
        select(OutboxEntry.seq, OutboxEntry.idempotency_key)
        .where(OutboxEntry.kind == ORDER, OutboxEntry.state == HELD, OutboxEntry.seq > after_seq,
               ~exists().where(resolution.depends_on == OutboxEntry.seq, resolution.kind == RESOLUTION,
                               resolution.state == PENDING))
        .order_by(OutboxEntry.seq).limit(limit))]


def settle_elsewhere(session: Session, order_id: str, response: str) -> list[int] | None:
    """The server resolved a held order without a decision of this till's (the back office,
    or before this till's own arrived): its entry held -> done (`resolved`), and its
    resolutions pending or parked -> done with `response`, so nothing about it is left to
    send or to look at. Returns those resolutions' seqs; None when the order is not held
    here (settled already: nothing is written)."""
    order = session.scalar(select(OutboxEntry).where(OutboxEntry.kind == ORDER,
                                                     OutboxEntry.idempotency_key == order_id))
    if order is None or order.state != HELD:
        return None
    settled = []
    for resolution in session.scalars(select(OutboxEntry).where(
            OutboxEntry.depends_on == order.seq, OutboxEntry.kind == RESOLUTION,
            OutboxEntry.state.in_((PENDING, PARKED)))):
        resolution.state, resolution.response, resolution.last_error = DONE.value, response, None
        settled.append(resolution.seq)
    _settle_held_order(session, order)
    return settled


def retry_now(session: Session) -> int:
    """Waive the backoff of every pending entry (the server answers again after an outage:
    what waited goes now, not minutes later). Returns how many were waiting."""
    done = session.execute(update(OutboxEntry).where(OutboxEntry.state == PENDING,
                                                      OutboxEntry.next_attempt_at.is_not(None))
                           .values(next_attempt_at=None))
    return int(done.rowcount or 0)


def retry_later(session: Session, seq: int, at: datetime, error: str) -> None:
    entry = session.get_one(OutboxEntry, seq)
    entry.attempts += 1
    entry.next_attempt_at, entry.last_error = at, error


def _mirror(session: Session, order_id: str, status: SyncStatus) -> None:
    """Keep the order row's `sync_status` in step with its entry (by primary key)."""
    session.execute(update(Order).where(Order.order_id == order_id).values(sync_status=status.value))


_MIRROR_MANY = (update(Order.__table__).where(Order.__table__.c.order_id == bindparam("b_order_id"))
                .values(sync_status=bindparam("b_status")))


def _mirror_many(session: Session, statuses: list[tuple[str, SyncStatus]]) -> None:
    """`_mirror` for many orders in one executemany."""
    if statuses:
        session.connection().execute(_MIRROR_MANY, [{"b_order_id": o, "b_status": st.value} for o, st in statuses])
