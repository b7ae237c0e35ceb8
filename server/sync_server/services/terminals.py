"""Enrollment codes, terminal enrollment, revocation and heartbeats."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, insert, literal, select, update

from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError, store_unknown
from ..core.secret_box import SecretBox
from ..db.models import EnrollmentCode, OrderRow, Store, Terminal
from pos_protocol.receipt_numbers import receipt_no
from pos_protocol.wire import EnrollmentCodeOut, EnrollRequest, EnrollResponse, Heartbeat, HeartbeatAnswer, TerminalOut

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed by hand at the till


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def create_enrollment_code(conn: Connection, store_id: str, ttl_s: int) -> EnrollmentCodeOut:
    if conn.execute(select(Store.store_id).where(Store.store_id == store_id)).first() is None:
        raise store_unknown(store_id)
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_s)
    conn.execute(insert(EnrollmentCode).values(code_hash=_hash(code), store_id=store_id, expires_at=expires_at))
    return EnrollmentCodeOut(code=code, store_id=store_id, expires_at=expires_at)


def enroll(conn: Connection, request: EnrollRequest, box: SecretBox,
           key: str | None = None) -> tuple[EnrollResponse, bool]:
    """The new terminal, and whether it is the replay of an earlier attempt. Its secret is
    stored sealed by `box` and goes out in clear only in this answer.

    With `key` (the till's Idempotency-Key, kept until its enrollment completes), a retry
    of the same enrollment within the code's lifetime returns the same terminal: an answer
    lost on the way must not burn the code and leave an orphan behind.
    """
    now = datetime.now(UTC)
    code_hash = _hash(request.enrollment_code)
    key_hash = None if key is None else hashlib.sha256(key.encode()).hexdigest()
    terminal_id = f"T-{secrets.token_hex(6)}"
    # Single use: the conditional UPDATE lets exactly one enrollment take the code.
    used = conn.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.used_at.is_(None), EnrollmentCode.expires_at > now)
        .values(used_at=now, terminal_id=terminal_id, key_hash=key_hash)
        .returning(EnrollmentCode.store_id)
    ).scalar_one_or_none()
    if used is None:
        return _enrolled_before(conn, code_hash, key_hash, request.terminal_name, now, box), True
    secret = secrets.token_urlsafe(32)
    conn.execute(
        insert(Terminal).values(terminal_id=terminal_id, store_id=used, name=request.terminal_name,
                                secret=box.seal(secret), enrolled_at=now)
    )
    return EnrollResponse(terminal_id=terminal_id, store_id=used, secret=secret), False


def _enrolled_before(conn: Connection, code_hash: str, key_hash: str | None, name: str, now: datetime,
                     box: SecretBox) -> EnrollResponse:
    """The terminal that an earlier attempt with this code and key enrolled, while the code
    lives and the terminal is not revoked (revoking an orphan must not bring it back)."""
    row = None if key_hash is None else conn.execute(
        select(Terminal.terminal_id, Terminal.store_id, Terminal.name, Terminal.secret)
        .join(EnrollmentCode, EnrollmentCode.terminal_id == Terminal.terminal_id)
        .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.key_hash == key_hash,
               EnrollmentCode.expires_at > now, Terminal.revoked_at.is_(None))
    ).first()
    if row is None:
        raise DomainError(ErrorCode.ENROLLMENT_CODE_INVALID, "enrollment code is unknown, used or expired")
    if row.name != name:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key enrolled a terminal of another name")
    return EnrollResponse(terminal_id=row.terminal_id, store_id=row.store_id, secret=box.open(row.secret))


def rotate_secrets(conn: Connection, box: SecretBox) -> tuple[int, int]:
    """Reseal every terminal secret under the box's first key: (resealed, already current).

    `pos-sync-server secrets rotate`, with the new key first and the old one still listed;
    afterwards the old key can be dropped. Row by row in one transaction: all or nothing."""
    rows = conn.execute(select(Terminal.terminal_id, Terminal.secret)).all()
    resealed = 0
    for row in rows:
        if box.is_sealed_by_first(row.secret):
            continue
        conn.execute(update(Terminal).where(Terminal.terminal_id == row.terminal_id).values(secret=box.reseal(row.secret)))
        resealed += 1
    return resealed, len(rows) - resealed


def list_terminals(conn: Connection, store_id: str) -> list[TerminalOut]:
    """A store's terminals, oldest first; one enrolled and never heard from is an orphan."""
    if conn.execute(select(Store.store_id).where(Store.store_id == store_id)).first() is None:
        raise store_unknown(store_id)
    rows = conn.execute(
        select(Terminal.terminal_id, Terminal.store_id, Terminal.name, Terminal.enrolled_at,
               Terminal.last_heartbeat_at, Terminal.revoked_at)
        .where(Terminal.store_id == store_id)
        .order_by(Terminal.enrolled_at, Terminal.terminal_id)
    ).mappings()
    return [TerminalOut.model_validate(dict(row)) for row in rows]


def revoke(conn: Connection, terminal_id: str) -> datetime:
    now = datetime.now(UTC)
    row = conn.execute(select(Terminal.revoked_at).where(Terminal.terminal_id == terminal_id)).first()
    if row is None:
        raise DomainError(ErrorCode.TERMINAL_UNKNOWN, f"no terminal {terminal_id}")
    if row.revoked_at is not None:
        return row.revoked_at
    conn.execute(update(Terminal).where(Terminal.terminal_id == terminal_id).values(revoked_at=now))
    return now


def heartbeat(conn: Connection, terminal_id: str, beat: Heartbeat) -> HeartbeatAnswer | None:
    """Keep the beat; an answer only when the till must act on it (its receipt numbering
    fell behind what the server holds)."""
    conn.execute(
        update(Terminal)
        .where(Terminal.terminal_id == terminal_id)
        .values(last_heartbeat_at=datetime.now(UTC), last_heartbeat=beat.model_dump_json(exclude_unset=True))
    )
    # Its queue depth and devices reach /metrics from here (services/fleet.py), the same from
    # every worker; kept as sent, so a device has only the counters its kind fills in.
    if beat.last_receipt_seq is None:
        return None
    issued = issued_beyond(conn, terminal_id, beat.last_receipt_seq)
    return None if issued is None else HeartbeatAnswer(receipts_issued_up_to=issued)


def issued_beyond(conn: Connection, terminal_id: str, seq: int) -> int | None:
    """The last receipt number of this till the server holds, when it holds the one after
    `seq` (the till's counter); else None. One index probe in the usual case; after a
    restore, a doubling search then halving over the run of numbers held (a till numbers
    without gaps, so the run ends where its receipts end)."""
    def held(n: int) -> bool:
        return conn.execute(select(literal(1)).where(
            OrderRow.terminal_id == terminal_id, OrderRow.receipt_no == receipt_no(terminal_id, n)).limit(1)).first() is not None

    if not held(seq + 1):
        return None
    low, step = seq + 1, 1  # `low` is held
    while held(low + step):
        low, step = low + step, step * 2
    high = low + step  # not held
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if held(middle) else (low, middle)
    return low
