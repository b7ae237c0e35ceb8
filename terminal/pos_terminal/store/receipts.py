"""Gapless receipt numbers. The counter row is bumped inside the sale's transaction, so a
rolled-back or crashed sale gives its number back: numbers run 1..N with no gap or repeat."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from .models import ReceiptCounter


_BUMP = (  # built once: every sale takes a number
    update(ReceiptCounter)
    .where(ReceiptCounter.terminal_id == bindparam("till"))
    .values(last_no=ReceiptCounter.last_no + 1)
    .returning(ReceiptCounter.last_no))


def next_receipt_seq(session: Session, terminal_id: str) -> int:
    bumped = session.connection().execute(_BUMP, {"till": terminal_id}).scalar_one_or_none()
    if bumped is not None:
        return bumped
    session.add(ReceiptCounter(terminal_id=terminal_id, last_no=1))
    session.flush()
    return 1


def receipt_no(terminal_id: str, seq: int) -> str:
    return f"{terminal_id}-{seq:06d}"
