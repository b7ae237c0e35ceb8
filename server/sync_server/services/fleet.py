"""What the alerts watch, read from the database at each scrape (not per-process memory):
every replica reports the same truth, and a server restart forgets nothing (a till that
went silent before the restart still shows as silent after it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from pos_protocol.codes import OrderStatus

from ..db.models import OrderRow, Terminal


@dataclass(frozen=True)
class TillSeen:
    store_id: str
    terminal_id: str
    last_seen_at: datetime
    """Its last heartbeat, or its enrollment if it never sent one (an orphan stays visible)."""


@dataclass(frozen=True)
class HeldOrders:
    store_id: str
    count: int
    oldest_received_at: datetime


@dataclass(frozen=True)
class FleetState:
    tills: list[TillSeen]
    held: list[HeldOrders]


def fleet_state(conn: Connection) -> FleetState:
    """The tills not revoked, with when each was last heard from; held orders per store."""
    tills = conn.execute(
        select(Terminal.store_id, Terminal.terminal_id,
               func.coalesce(Terminal.last_heartbeat_at, Terminal.enrolled_at).label("seen"))
        .where(Terminal.revoked_at.is_(None))
    ).all()
    # coalesce() and min() keep their column's type (UtcDateTime): aware UTC times come back.
    held = conn.execute(
        select(OrderRow.store_id, func.count().label("n"), func.min(OrderRow.received_at).label("oldest"))
        .where(OrderRow.status == OrderStatus.HELD.value)
        .group_by(OrderRow.store_id)
    ).all()
    return FleetState(
        tills=[TillSeen(r.store_id, r.terminal_id, r.seen) for r in tills],
        held=[HeldOrders(r.store_id, r.n, r.oldest) for r in held],
    )

