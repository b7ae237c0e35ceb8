"""What the alerts and dashboards watch, read from the database at each scrape (not
per-process memory): every worker and replica reports the same truth, and a server restart
forgets nothing (a till that went silent before the restart still shows as silent after
it). A till's queue depth and devices come from its last heartbeat, which the server keeps."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Connection, func, select

from pos_protocol.codes import OrderStatus
from pos_protocol.wire import Heartbeat

from ..db.models import OrderRow, Terminal
from . import audit, reconciliation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TillSeen:
    store_id: str
    terminal_id: str
    last_seen_at: datetime
    """Its last heartbeat, or its enrollment if it never sent one (an orphan stays visible)."""
    beat: Heartbeat | None = None  # its last heartbeat's content, None before the first
    z_mismatched: int = 0  # its Z reports the orders received do not add up to yet
    audit_broken: bool = False  # its shipped journal is flagged cut or rewritten


@dataclass(frozen=True)
class HeldOrders:
    store_id: str
    count: int
    oldest_received_at: datetime


@dataclass(frozen=True)
class FleetState:
    tills: list[TillSeen]
    held: list[HeldOrders]
    retired: list[TillSeen] = field(default_factory=list)
    """Revoked tills that still have a Z mismatch or a broken journal: the flag outlives the till."""


def fleet_state(conn: Connection) -> FleetState:
    """The tills not revoked, with when each was last heard from, what its last heartbeat
    said and its Z and audit flags; held orders per store."""
    rows = conn.execute(
        select(Terminal.store_id, Terminal.terminal_id, Terminal.revoked_at, Terminal.last_heartbeat,
               func.coalesce(Terminal.last_heartbeat_at, Terminal.enrolled_at).label("seen"))
    ).all()
    mismatched = reconciliation.mismatched_counts(conn)
    broken = audit.broken_terminals(conn)
    tills: list[TillSeen] = []
    retired: list[TillSeen] = []
    for r in rows:
        key = (r.store_id, r.terminal_id)
        till = TillSeen(r.store_id, r.terminal_id, r.seen, _beat(r.terminal_id, r.last_heartbeat),
                        mismatched.get(key, 0), key in broken)
        if r.revoked_at is None:
            tills.append(till)
        elif till.z_mismatched or till.audit_broken:
            retired.append(till)
    # coalesce() and min() keep their column's type (UtcDateTime): aware UTC times come back.
    held = conn.execute(
        select(OrderRow.store_id, func.count().label("n"), func.min(OrderRow.received_at).label("oldest"))
        .where(OrderRow.status == OrderStatus.HELD.value)
        .group_by(OrderRow.store_id)
    ).all()
    return FleetState(
        tills=tills,
        held=[HeldOrders(r.store_id, r.n, r.oldest) for r in held],
        retired=retired,
    )


def _beat(terminal_id: str, stored: str | None) -> Heartbeat | None:
    """The stored heartbeat, as the server accepted it; one it cannot read any more (written
    by an older server) counts as none rather than failing the scrape."""
    if not stored:
        return None
    try:
        return Heartbeat.model_validate_json(stored)
    except ValidationError:
        log.warning("terminal %s: its stored heartbeat no longer validates; left out of the metrics", terminal_id)
        return None
