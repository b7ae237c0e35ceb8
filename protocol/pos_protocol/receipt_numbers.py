"""Receipt numbers, as both sides read them: `<terminal id>-<counter>`, the counter
zero-padded to six digits (`T01-000042`) and wider past 999999. A till's counter runs 1..N
without gaps (the till's store/receipts.py); the server reads the counter back to tell a
till whose numbering fell behind what it already holds (README "Backup, restore")."""

from __future__ import annotations

MAX_SEQ = 2**63 - 1  # SQLite's INTEGER


def receipt_no(terminal_id: str, seq: int) -> str:
    return f"{terminal_id}-{seq:06d}"


def split_receipt_no(number: str) -> tuple[str, int] | None:
    """(terminal_id, seq) of a number `receipt_no` could have made; None for anything else."""
    terminal_id, _, digits = number.rpartition("-")
    if not terminal_id or not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_SEQ:
        return None
    return terminal_id, int(digits)
