"""Tills' audit journals, shipped: each terminal's chain verified on arrival, its head kept.

A till sends its journal entries oldest first (`POST /v1/audit-entries`, through its
outbox). The server keeps, per terminal, the head of the chain it has verified from the
first entry on (`audit_heads`) and those entries (`audit_entries`). An entry that comes
next must name the head's hash as its `prev_hash` and match its own hash; an entry the
server holds already must be the same entry (same hash). Anything else means the till's
journal was rewritten, or cut and written on from an earlier entry: the terminal is
flagged `AUDIT_CHAIN_BROKEN` (kept with the first broken seq and why, the gauge
`pos_sync_audit_chain_broken` and the admin read show it), and the chain stays as it was
verified; what comes after a break is acknowledged but not kept, since the chain it
claims is not proven. Entries that start beyond the head (earlier ones still on their
way, e.g. a batch that failed while the next one went out) are refused with 409
`audit_gap` and nothing is written: the till sends them again after the earlier ones.

Shipping is idempotent by content (an entry already held, with the same hash, is simply
acknowledged again), so the request needs no Idempotency-Key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, update

from pos_protocol.codes import AuditFlag, ErrorCode
from pos_protocol.journal import GENESIS, entry_hash
from pos_protocol.wire import AuditEntries, AuditEntry, AuditHead

from ..core.errors import DomainError, parse_model
from ..db.models import AUDIT_ENTRIES, AUDIT_HEADS, Terminal
from ..db.session import write_transaction
from .context import Caller, load_store


@dataclass
class _Head:
    seq: int
    hash: str
    broken_at_seq: int | None = None
    broken_reason: str | None = None

    def break_at(self, seq: int, reason: str) -> None:
        if self.broken_at_seq is None:
            self.broken_at_seq, self.broken_reason = seq, reason


def receive(engine: Engine, caller: Caller, raw: object) -> AuditHead:
    """Verify and keep a shipment; the head as it stands after it (or 409 audit_gap)."""
    shipment = parse_model(AuditEntries, raw)
    with write_transaction(engine) as conn:
        # One shipment of a terminal at a time (its head row may not exist yet to lock); a
        # till sends one at a time, so this waits only for a stray twin.
        conn.execute(select(Terminal.terminal_id).where(Terminal.terminal_id == caller.terminal_id).with_for_update())
        stored = conn.execute(select(AUDIT_HEADS).where(AUDIT_HEADS.c.terminal_id == caller.terminal_id)).mappings().first()
        head = (_Head(stored["head_seq"], stored["head_hash"], stored["broken_at_seq"], stored["broken_reason"])
                if stored else _Head(0, GENESIS))
        was_broken = head.broken_at_seq is not None
        first = shipment.entries[0].seq
        if first > head.seq + 1 and not was_broken:
            raise DomainError(ErrorCode.AUDIT_GAP, f"entries from {first} on do not follow entry {head.seq}: "
                                                   f"send entry {head.seq + 1} first")
        kept = _walk(conn, caller.terminal_id, head, shipment.entries)
        now = datetime.now(UTC)
        if kept:
            conn.execute(insert(AUDIT_ENTRIES), [
                {**entry.model_dump(), "terminal_id": caller.terminal_id, "store_id": caller.store_id} for entry in kept])
        values = {"head_seq": head.seq, "head_hash": head.hash, "broken_at_seq": head.broken_at_seq,
                  "broken_reason": head.broken_reason, "updated_at": now}
        if head.broken_at_seq is not None and not was_broken:
            values["broken_at"] = now
        if stored is None:
            conn.execute(insert(AUDIT_HEADS).values(terminal_id=caller.terminal_id, store_id=caller.store_id, **values))
        else:
            conn.execute(update(AUDIT_HEADS).where(AUDIT_HEADS.c.terminal_id == caller.terminal_id).values(**values))
        row = conn.execute(select(AUDIT_HEADS).where(AUDIT_HEADS.c.terminal_id == caller.terminal_id)).mappings().one()
    return _out(row)


def _walk(conn: Connection, terminal_id: str, head: _Head, entries: list[AuditEntry]) -> list[AuditEntry]:
    """Check each entry against the head, moving it on; the entries that extended it."""
    known = {seq: digest for seq, digest in conn.execute(
        select(AUDIT_ENTRIES.c.seq, AUDIT_ENTRIES.c.hash).where(
            AUDIT_ENTRIES.c.terminal_id == terminal_id,
            AUDIT_ENTRIES.c.seq.between(entries[0].seq, entries[-1].seq)))}
    kept: list[AuditEntry] = []
    for entry in entries:
        if head.broken_at_seq is not None:
            break  # after a break nothing is kept (see the module doc)
        if entry.seq <= head.seq:
            if known.get(entry.seq) != entry.hash:
                head.break_at(entry.seq, f"entry {entry.seq} differs from the one received before: "
                                         "the journal was rewritten, or cut and written on")
            continue
        if entry.seq > head.seq + 1:  # only after a break could entries skip; never kept
            head.break_at(entry.seq, f"entry {head.seq + 1} never arrived before entry {entry.seq}")
        elif entry.prev_hash != head.hash:
            head.break_at(entry.seq, f"entry {entry.seq} does not follow entry {head.seq} (prev_hash)")
        elif entry.hash != entry_hash(entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action,
                                      entry.subject, entry.payload):
            head.break_at(entry.seq, f"entry {entry.seq} does not match its hash: it was rewritten")
        else:
            kept.append(entry)
            head.seq, head.hash = entry.seq, entry.hash
    return kept


def _out(row) -> AuditHead:  # type: ignore[no-untyped-def]
    broken = row["broken_at_seq"] is not None
    return AuditHead(
        terminal_id=row["terminal_id"], head_seq=row["head_seq"], head_hash=row["head_hash"],
        flags=[AuditFlag.AUDIT_CHAIN_BROKEN.value] if broken else [], broken_at_seq=row["broken_at_seq"],
        broken_reason=row["broken_reason"], broken_at=row["broken_at"], updated_at=row["updated_at"])


def list_heads(conn: Connection, store_id: str) -> list[AuditHead]:
    """The store's terminals' journal heads, flagged ones first."""
    load_store(conn, store_id)  # store_unknown for a store that does not exist
    rows = conn.execute(select(AUDIT_HEADS).where(AUDIT_HEADS.c.store_id == store_id)
                        .order_by(AUDIT_HEADS.c.broken_at_seq.is_(None), AUDIT_HEADS.c.terminal_id)).mappings()
    return [_out(row) for row in rows]


def broken_terminals(conn: Connection) -> dict[tuple[str, str], int]:
    """(store, terminal) -> 1 for every flagged journal (for the gauge)."""
    rows = conn.execute(select(AUDIT_HEADS.c.store_id, AUDIT_HEADS.c.terminal_id)
                        .where(AUDIT_HEADS.c.broken_at_seq.is_not(None)))
    return {(store, terminal): 1 for store, terminal in rows}
