"""Gapless receipt numbers. The counter row is bumped inside the sale's transaction, so a
rolled-back or crashed sale gives its number back: numbers run 1..N with no gap or repeat."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update

from pos_protocol.receipt_numbers import MAX_SEQ, receipt_no, split_receipt_no

from .models import ReceiptCounter
from .prepared import On, Prepared, driver

__all__ = ["MAX_SEQ", "continue_after", "last_issued", "next_receipt_seq", "parse_receipt_no", "receipt_no",
           "split_receipt_no"]


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


def last_issued(session: On, terminal_id: str) -> int:
    """The last receipt number this till gave out (0 before its first sale)."""
    row = driver(session).execute("SELECT last_no FROM receipt_counters WHERE terminal_id = ?", (terminal_id,)).fetchone()
    return int(row[0]) if row else 0


def continue_after(session: On, terminal_id: str, seq: int) -> int | None:
    """Move the counter up to `seq` (never down): the server holds receipts of this till
    up to `seq`, which this database does not remember (it was restored from a backup, or
    emptied and restored). Returns the counter it moved from; None if it was there already.
    Conditional in one statement, so a sale taking a number meanwhile is never undone."""
    before = last_issued(session, terminal_id)
    if before >= seq:
        return None
    conn = driver(session)
    moved = conn.execute("UPDATE receipt_counters SET last_no = ? WHERE terminal_id = ? AND last_no < ?",
                         (seq, terminal_id, seq)).rowcount
    if not moved and before == 0:
        conn.execute("INSERT OR IGNORE INTO receipt_counters (terminal_id, last_no) VALUES (?, ?)", (terminal_id, seq))
    return before
