"""Idempotency-Key claims: inserted in the same transaction as the work they guard.

A duplicate arriving while its twin is in flight blocks on the claim row until the twin
commits (then replays its response) or the lock wait runs out (`409 request_in_progress`).
So whichever process or replica receives a retry, the work is written once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..core.errors import ApiError
from ..db.models import IdempotencyRecord
from ..wire import canonical_json


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def fingerprint(body: object) -> str:
    """SHA-256 of the canonical JSON of a request body."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _insert(conn: Connection):
    return (sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert)(IdempotencyRecord)


def claim(conn: Connection, terminal_id: str, key: str, scope: str, print_: str) -> StoredResponse | None:
    """Claim `key` for this request; None when it is ours, else the first response to replay."""
    stmt = _insert(conn).values(
        terminal_id=terminal_id, key=key, scope=scope, fingerprint=print_, created_at=datetime.now(UTC)
    )
    claimed = conn.execute(
        stmt.on_conflict_do_nothing(index_elements=["terminal_id", "key"]).returning(IdempotencyRecord.key)
    ).first()
    if claimed is not None:
        return None
    row = conn.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.terminal_id == terminal_id, IdempotencyRecord.key == key
        )
    ).mappings().one()
    if row["scope"] != scope or row["fingerprint"] != print_:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request")
    if row["status_code"] is None:
        raise ApiError(409, "request_in_progress", "a request with this Idempotency-Key is still being processed")
    return StoredResponse(row["status_code"], json.loads(row["response_body"]))


def record(conn: Connection, terminal_id: str, key: str, status_code: int, body: dict[str, Any]) -> None:
    conn.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.terminal_id == terminal_id, IdempotencyRecord.key == key)
        .values(status_code=status_code, response_body=json.dumps(body, separators=(",", ":")))
    )
