"""OpenAPI details FastAPI cannot infer: problem+json error responses, hand-parsed request bodies.

Terminal bodies are parsed by hand (after the signature over the raw bytes is checked), so
their schemas are declared here and added to the document's components.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from pos_protocol.codes import ErrorCode
from pos_protocol.wire import AuditEntries, BatchRequest, Heartbeat, Order, Problem, ResolutionRequest, StaffChange, ZReport

from .errors import status_of

REF = "#/components/schemas/{model}"
_DOCUMENTED_BODIES: list[type[BaseModel]] = [Problem, Order, BatchRequest, ResolutionRequest, ZReport, Heartbeat,
                                                StaffChange, AuditEntries]

SIGNED = (ErrorCode.BAD_SIGNATURE, ErrorCode.STALE_TIMESTAMP, ErrorCode.TERMINAL_REVOKED)
"""What every signed terminal request may be refused with."""
IDEMPOTENT = (ErrorCode.IDEMPOTENCY_KEY_MISSING, ErrorCode.IDEMPOTENCY_KEY_INVALID,
              ErrorCode.IDEMPOTENCY_KEY_REUSED, ErrorCode.REQUEST_IN_PROGRESS)
"""What a request that requires an Idempotency-Key may be refused with."""


def problems(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """The problem responses of a route that may refuse with `codes`: one per status, the
    status taken from the errors table (`api/errors.py`) and described by its codes."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        described = by_status.setdefault(status_of(code), [])
        if code.value not in described:
            described.append(code.value)
    return {
        status: {
            "description": ", ".join(described),
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
        }
        for status, described in sorted(by_status.items())
    }


IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": 'RFC 8941 string (`"8e03...b1"`) or bare token; for orders the order_id',
    # An sf-string (quoted, printable ASCII without " or \) or a bare token.
    "schema": {"type": "string", "pattern": r"""^("[ !#-\[\]-~]{1,255}"|[A-Za-z0-9!#$%&'*+.^_`|~:/-]{1,255})$"""},
}

OPTIONAL_IDEMPOTENCY_KEY_PARAMETER = {
    **IDEMPOTENCY_KEY_PARAMETER,
    "required": False,
    "description": "made by the till before its first attempt; a retry with it returns the same terminal",
}


def json_body(model: type[BaseModel], idempotent: bool = False) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }
    if idempotent:
        extra["parameters"] = [IDEMPOTENCY_KEY_PARAMETER]
    return extra


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)
            _, defs = models_json_schema([(m, "validation") for m in _DOCUMENTED_BODIES], ref_template=REF)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in defs.get("$defs", {}).items():
                components.setdefault(name, definition)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
