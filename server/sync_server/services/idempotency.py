"""Idempotency-Key claims: inserted in the same transaction as the work they guard.

A duplicate arriving while its twin is in flight blocks on the claim row until the twin
commits (then replays its response) or the lock wait runs out (`request_in_progress`).
So whichever process or replica receives a retry, the work is written once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError
from ..db.models import IDEMPOTENCY
from pos_protocol.wire import canonical_json


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


def key_is(key: str, value: UUID) -> bool:
    """Whether the Idempotency-Key is `value` (an order_id or report_id), in any UUID spelling."""
    try:
        return UUID(key) == value
    except ValueError:
        return False


def request_in_progress() -> DomainError:
    return DomainError(ErrorCode.REQUEST_IN_PROGRESS, "a request with this Idempotency-Key is still being processed")


def claim(conn: Connection, terminal_id: str, key: str, scope: str, print_: str) -> StoredResponse | None:
    """Claim `key` for this request; None when it is ours, else the first response to replay."""
    claimed, existing = claim_many(conn, terminal_id, [(key, scope, print_)])
    return None if key in claimed else stored_response(existing[key], scope, print_)


def claim_many(
    conn: Connection, terminal_id: str, claims: list[tuple[str, str, str]]
) -> tuple[set[str], dict[str, Mapping[str, Any]]]:
    """Claim many `(key, scope, fingerprint)` at once: the keys now ours, and the rows of the others."""
    now = datetime.now(UTC)
    params = [
        {"terminal_id": terminal_id, "key": key, "scope": scope, "fingerprint": print_, "created_at": now}
        for key, scope, print_ in sorted(claims)  # one lock order for all writers: no deadlocks between batches
    ]
    claimed = {row.key for row in conn.execute(_claim_statement(conn.dialect.name), params)}
    others = [key for key, _, _ in claims if key not in claimed]
    existing: dict[str, Mapping[str, Any]] = {}
    if others:
        rows = conn.execute(
            select(IDEMPOTENCY).where(IDEMPOTENCY.c.terminal_id == terminal_id, IDEMPOTENCY.c.key.in_(others))
        ).mappings()
        existing = {row["key"]: row for row in rows}
    return claimed, existing


def stored_response(row: Mapping[str, Any], scope: str, print_: str) -> StoredResponse:
    """The response to replay for a key already claimed, or why there is none."""
    if row["scope"] != scope or row["fingerprint"] != print_:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key was used with a different request")
    if row["status_code"] is None:
        raise request_in_progress()
    return StoredResponse(row["status_code"], json.loads(row["response_body"]))


def record(conn: Connection, terminal_id: str, key: str, status_code: int, body: dict[str, Any]) -> None:
    record_many(conn, terminal_id, [(key, status_code, body)])


def record_many(conn: Connection, terminal_id: str, responses: list[tuple[str, int, dict[str, Any]]]) -> None:
    """Store the first responses of claimed keys, in the claims' transaction."""
    conn.execute(
        _RECORD,
        [
            {"b_terminal": terminal_id, "b_key": key, "b_status": status, "b_body": json.dumps(body, separators=(",", ":"))}
            for key, status, body in responses
        ],
    )
