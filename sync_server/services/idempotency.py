"""Idempotency-Key claims: inserted in the same transaction as the work they guard.

A duplicate arriving while its twin is in flight blocks on the claim row until the twin
commits (then replays its response) or the lock wait runs out (`409 request_in_progress`).
So whichever process or replica receives a retry, the work is written once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..core.errors import ApiError
from ..db.models import IDEMPOTENCY
from ..wire import canonical_json


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def fingerprint(body: object) -> str:
    """SHA-256 of the canonical JSON of a request body."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


@lru_cache
def _claim_statement(dialect: str):
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    return (
        insert(IDEMPOTENCY)
        .on_conflict_do_nothing(index_elements=["terminal_id", "key"])
        .returning(IDEMPOTENCY.c.key)
    )


_RECORD = (
    update(IDEMPOTENCY)
    .where(IDEMPOTENCY.c.terminal_id == bindparam("b_terminal"), IDEMPOTENCY.c.key == bindparam("b_key"))
    .values(status_code=bindparam("b_status"), response_body=bindparam("b_body"))
)


def claim(conn: Connection, terminal_id: str, key: str, scope: str, print_: str) -> StoredResponse | None:
    """Claim `key` for this request; None when it is ours, else the first response to replay."""
    claimed = conn.execute(
        _claim_statement(conn.dialect.name),
        {"terminal_id": terminal_id, "key": key, "scope": scope, "fingerprint": print_, "created_at": datetime.now(UTC)},
    ).first()
    if claimed is not None:
        return None
    row = conn.execute(
        select(IDEMPOTENCY).where(
            IDEMPOTENCY.c.terminal_id == terminal_id, IDEMPOTENCY.c.key == key
        )
    ).mappings().one()
    if row["scope"] != scope or row["fingerprint"] != print_:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request")
    if row["status_code"] is None:
        raise ApiError(409, "request_in_progress", "a request with this Idempotency-Key is still being processed")
    return StoredResponse(row["status_code"], json.loads(row["response_body"]))


def record(conn: Connection, terminal_id: str, key: str, status_code: int, body: dict[str, Any]) -> None:
    body_json = json.dumps(body, separators=(",", ":"))
    conn.execute(_RECORD, {"b_terminal": terminal_id, "b_key": key, "b_status": status_code, "b_body": body_json})
