"""The parked_tickets table: tickets set aside on this till (see models.ParkedTicketRow).

Every change is one statement inside the caller's transaction; `claim` and `discard` are
conditional, so two taps on Resume, or a resume racing a crash, bring a ticket back once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import ParkedTicketRow


def park(session: Session, *, park_id: str, terminal_id: str, at: datetime, by: str,
         line_count: int, gross: Decimal, body: str) -> None:
    """Insert, or (a resumed ticket parked again) put the row back with its new content."""
    row = session.get(ParkedTicketRow, park_id)
    if row is None:
        session.add(ParkedTicketRow(park_id=park_id, terminal_id=terminal_id, parked_at=at, parked_by=by,
                                    line_count=line_count, gross=gross, body=body, resumed_at=None))
        return
    row.parked_at, row.parked_by, row.line_count, row.gross, row.body = at, by, line_count, gross, body
    row.resumed_at = None


def waiting(session: Session, terminal_id: str) -> list[ParkedTicketRow]:
    """The tickets parked on this till, oldest first (not the one back on the till)."""
    query = (select(ParkedTicketRow)
             .where(ParkedTicketRow.terminal_id == terminal_id, ParkedTicketRow.resumed_at.is_(None))
             .order_by(ParkedTicketRow.parked_at))
    return list(session.scalars(query))


def claim(session: Session, park_id: str, at: datetime) -> str | None:
    """Mark a waiting ticket as back on the till; its body, or None if it is not waiting."""
    done = session.execute(update(ParkedTicketRow)
                           .where(ParkedTicketRow.park_id == park_id, ParkedTicketRow.resumed_at.is_(None))
                           .values(resumed_at=at))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.scalars(select(ParkedTicketRow.body).where(ParkedTicketRow.park_id == park_id)).one()


def release_all(session: Session, terminal_id: str) -> int:
    """At start: a ticket that was back on the till when it stopped is parked again (the
    till's memory went with the process; the row did not)."""
    done = session.execute(update(ParkedTicketRow)
                           .where(ParkedTicketRow.terminal_id == terminal_id,
                                  ParkedTicketRow.resumed_at.is_not(None))
                           .values(resumed_at=None))
    return done.rowcount  # type: ignore[attr-defined, no-any-return]


def discard(on: Session | Connection, park_id: str) -> None:
    """The resumed ticket was paid (inside the sale's transaction) or cancelled."""
    on.execute(delete(ParkedTicketRow).where(ParkedTicketRow.park_id == park_id))
