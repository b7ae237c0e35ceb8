"""Turning a service Outcome into the HTTP response (status, body, replay header); refusals
are raised and rendered by `api/errors.py`."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from ..services.orders import Outcome

REPLAYED_HEADER = "Idempotent-Replayed"


def outcome_response(outcome: Outcome) -> JSONResponse:
    headers = {REPLAYED_HEADER: "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)
