"""Terminal enrollment and heartbeat."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...core.errors import parse_model
from ...db.session import write_transaction
from ...services import terminals
from pos_protocol.wire import EnrollRequest, EnrollResponse, Heartbeat, HeartbeatAnswer
from ..deps import EngineDep, OptionalIdempotencyKeyDep, RawBody, SecretBoxDep, TerminalDep, parse_json
from ..ratelimit import RateLimit
from ..openapi import OPTIONAL_IDEMPOTENCY_KEY_PARAMETER, SIGNED, json_body, problems
from ..responses import REPLAYED_HEADER

router = APIRouter(tags=["terminals"])


@router.post(
    paths.TERMINALS_ENROLL,
    status_code=201,
    response_model=EnrollResponse,
    responses=problems(ErrorCode.IDEMPOTENCY_KEY_INVALID, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                       ErrorCode.ENROLLMENT_CODE_INVALID, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED,
                       ErrorCode.RATE_LIMITED, ErrorCode.DATABASE_UNAVAILABLE),
    openapi_extra={"parameters": [OPTIONAL_IDEMPOTENCY_KEY_PARAMETER]},
    dependencies=[Depends(RateLimit("enroll"))],  # codes are 60 bits, but guesses are not free
)
def enroll(request: EnrollRequest, key: OptionalIdempotencyKeyDep, engine: EngineDep, box: SecretBoxDep,
           response: Response) -> EnrollResponse:
    """Trade a single-use enrollment code for a terminal id and its signing secret.

    A retry with the same code and Idempotency-Key (within the code's lifetime) returns the
    same terminal again, with `Idempotent-Replayed: true`."""
    with write_transaction(engine) as conn:
        enrolled, replayed = terminals.enroll(conn, request, box, key)
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return enrolled


@router.post(
    paths.TERMINALS_HEARTBEAT,
    status_code=204,
    response_class=Response,
    openapi_extra=json_body(Heartbeat),
    responses={200: {"model": HeartbeatAnswer, "description": "The till's receipt numbering fell behind: "
                     "it numbers its next receipts after `receipts_issued_up_to`"},
               **problems(*SIGNED, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED,
                          ErrorCode.DATABASE_UNAVAILABLE)},
)
def heartbeat(caller: TerminalDep, body: RawBody, engine: EngineDep) -> Response:
    """204 as a rule; 200 with a `HeartbeatAnswer` when the till must act on it."""
    beat = parse_model(Heartbeat, parse_json(body))
    with write_transaction(engine) as conn:
        answer = terminals.heartbeat(conn, caller.terminal_id, beat)
    if answer is None:
        return Response(status_code=204)
    return Response(answer.model_dump_json(), status_code=200, media_type="application/json")
