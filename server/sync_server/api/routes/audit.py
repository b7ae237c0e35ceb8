"""A till's audit journal, shipped through its outbox."""

from __future__ import annotations

from fastapi import APIRouter

from pos_protocol import paths
from pos_protocol.codes import ErrorCode
from pos_protocol.wire import AuditEntries, AuditHead

from ...services import audit
from ..deps import EngineDep, RawBody, TerminalDep, parse_json
from ..openapi import SIGNED, json_body, problems

router = APIRouter(tags=["audit"])


@router.post(
    paths.AUDIT_ENTRIES,
    response_model=AuditHead,
    openapi_extra=json_body(AuditEntries),
    responses=problems(*SIGNED, ErrorCode.AUDIT_GAP, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED,
                       ErrorCode.DATABASE_UNAVAILABLE),
)
def post_audit_entries(caller: TerminalDep, body: RawBody, engine: EngineDep) -> AuditHead:
    """Consecutive journal entries, oldest first: verified against the terminal's chain.

    Idempotent by content (no Idempotency-Key): entries held already are acknowledged
    again. An entry that does not extend the chain flags the terminal AUDIT_CHAIN_BROKEN
    (still 200: the till has delivered what it has); entries beyond the head are 409
    audit_gap, to be sent again after the earlier ones."""
    return audit.receive(engine, caller, parse_json(body))
