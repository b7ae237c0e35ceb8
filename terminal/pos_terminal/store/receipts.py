"""Gapless receipt numbers. The counter row is bumped inside the sale's transaction, so a
rolled-back or crashed sale gives its number back: numbers run 1..N with no gap or repeat."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update

from .models import ReceiptCounter
from .prepared import On, Prepared


_BUMP = Prepared(  # every sale takes a number
    update(ReceiptCounter)
    .where(ReceiptCounter.terminal_id == bindparam("till"))
    .values(last_no=ReceiptCounter.last_no + 1)
    .returning(ReceiptCounter.last_no))


_FIRST = Prepared(insert(ReceiptCounter.__table__), ["terminal_id", "last_no"])


def next_receipt_seq(session: On, terminal_id: str) -> int:
    bumped = _BUMP.run(session, {"till": terminal_id}).fetchone()
    if bumped is not None:
        return int(bumped[0])
    _FIRST.run(session, {"terminal_id": terminal_id, "last_no": 1})  # this till's first sale
    return 1


def receipt_no(terminal_id: str, seq: int) -> str:
    return f"{terminal_id}-{seq:06d}"


MAX_SEQ = 2**63 - 1  # SQLite's INTEGER


def parse_receipt_no(number: str) -> tuple[str, int] | None:
    """(terminal_id, seq) of a number `receipt_no` could have made; None for anything else."""
    terminal_id, _, digits = number.rpartition("-")
    if not terminal_id or not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_SEQ:
        return None
    return terminal_id, int(digits)
