"""Z report upload."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...services import zreports
from pos_protocol.wire import ZReport, ZReportAccepted
from ..deps import EngineDep, IdempotencyKeyDep, RawBody, StoreDep, TerminalDep, parse_json
from ..openapi import IDEMPOTENT, SIGNED, json_body, problems
from ..responses import outcome_response

router = APIRouter(tags=["z-reports"])


@router.post(
    paths.Z_REPORTS,
    status_code=201,
    response_model=None,
    openapi_extra=json_body(ZReport, idempotent=True),
    responses={201: {"model": ZReportAccepted},
               **problems(*SIGNED, *IDEMPOTENT, ErrorCode.STORE_MISMATCH, ErrorCode.Z_NUMBER_REUSED,
                          ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE)},
)
def post_z_report(caller: TerminalDep, store: StoreDep, key: IdempotencyKeyDep, body: RawBody,
                  engine: EngineDep) -> JSONResponse:
    """Store a terminal's Z report (Idempotency-Key = report_id); gaps are flagged Z_SEQUENCE_GAP,
    and a report the orders held for it do not add up to Z_MISMATCH (until they do)."""
    return outcome_response(zreports.submit_z_report(engine, caller, store, parse_json(body), key))
