"""The quick_keys table: the till's one-tap items, in their order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import QuickKeyRow


def arranged(session: Session, terminal_id: str) -> list[str]:
    query = select(QuickKeyRow.sku).where(QuickKeyRow.terminal_id == terminal_id).order_by(QuickKeyRow.position)
    return list(session.scalars(query))


def arrange(session: Session, terminal_id: str, skus: Sequence[str]) -> None:
    """Replace the arrangement (inside the caller's transaction: all or nothing)."""
    session.execute(delete(QuickKeyRow).where(QuickKeyRow.terminal_id == terminal_id))
    session.add_all(QuickKeyRow(terminal_id=terminal_id, position=i, sku=sku) for i, sku in enumerate(skus))
