"""Z report upload."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...services import zreports
from pos_protocol.wire import ZReport, ZReportAccepted
from ..deps import EngineDep, IdempotencyKeyDep, RawBody, TerminalDep, parse_json
from ..openapi import json_body, problems
from ..responses import outcome_response

router = APIRouter(prefix="/v1", tags=["z-reports"])


@router.post(
    "/z-reports",
    status_code=201,
    response_model=None,
    openapi_extra=json_body(ZReport, idempotent=True),
    responses={201: {"model": ZReportAccepted}, **problems(400, 401, 403, 409, 413, 422, 503)},
)
def post_z_report(caller: TerminalDep, key: IdempotencyKeyDep, body: RawBody, engine: EngineDep) -> JSONResponse:
    """Store a terminal's Z report (Idempotency-Key = report_id); gaps are flagged Z_SEQUENCE_GAP."""
    return outcome_response(zreports.submit_z_report(engine, caller, parse_json(body), key))
