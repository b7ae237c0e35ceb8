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

from pos_protocol.wire import BatchRequest, Heartbeat, Order, Problem, ResolutionRequest, ZReport

REF = "#/components/schemas/{model}"
_DOCUMENTED_BODIES: list[type[BaseModel]] = [Problem, Order, BatchRequest, ResolutionRequest, ZReport, Heartbeat]

_DESCRIPTIONS = {
    400: "Missing or malformed Idempotency-Key",
    401: "bad_signature, stale_timestamp, or admin (metrics) token missing: unauthorized",
    403: "store_mismatch, terminal_revoked, not_permitted, enrollment_code_invalid, admin_disabled, metrics_disabled",
    404: "Not found (another store's data is never revealed)",
    409: "request_in_progress or a state conflict",
    413: "payload_too_large",
    422: "validation_failed, idempotency_key_reused, resolution_incomplete",
    503: "database_unavailable",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Problem"),
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
        }
        for status in statuses
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
