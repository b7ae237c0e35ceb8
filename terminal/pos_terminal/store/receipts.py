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


def parse_receipt_no(text: str, terminal_id: str) -> str | None:
    """The receipt number a cashier typed or scanned, in full; None if it cannot be one.

    The QR code on a receipt carries the full number (`T01-000042`). The short receipt
    number is its counter part, unique on the till that printed it: `42` (or `000042`)
    typed on till T01 means `T01-000042`. A full number with an unpadded counter
    (`T01-42`) is read too.
    """
    text = text.strip()
    till, _, digits = text.rpartition("-")
    if not (digits.isascii() and digits.isdigit()) or not 0 < len(digits) <= 9 or int(digits) == 0:
        return None
    return receipt_no(till or terminal_id, int(digits))


MAX_SEQ = 2**63 - 1  # SQLite's INTEGER


def split_receipt_no(number: str) -> tuple[str, int] | None:
    """(terminal_id, seq) of a number `receipt_no` could have made; None for anything else."""
    terminal_id, _, digits = number.rpartition("-")
    if not terminal_id or not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_SEQ:
        return None
    return terminal_id, int(digits)
