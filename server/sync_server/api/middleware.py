"""One pure ASGI middleware per request: correlation id, body limit, metrics, access log, last-resort 500."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core import logging as log_context
from ..core import metrics
from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError, validation_failed
from .errors import error_headers, problem

log = logging.getLogger("sync_server.access")
_VALID_CID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-correlation-id", "")
        cid = given if _VALID_CID.fullmatch(given) else str(uuid.uuid4())
        tokens = (log_context.correlation_id.set(cid), log_context.terminal_id.set(None), log_context.store_id.set(None))
        state = {"status": 500, "started": False, "too_large": False}
        started_at = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if state["too_large"]:
                return  # whatever the app answers to a cut-off body (FastAPI says 400) becomes 413
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", cid.encode())]
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    state["too_large"] = True
                    raise _too_large(self.max_body_bytes)
            return message

        try:
            if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"").lower():
                # PostgreSQL cannot compare or store NUL in text: refuse it before any lookup
                raise validation_failed("NUL (%00) characters are not allowed in the URL")
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_body_bytes:
                raise _too_large(self.max_body_bytes)
            await self.app(scope, limited_receive, send_with_id)
        except DomainError as error:
            if not state["started"]:
                state["too_large"] = False
                await _send_problem(send_with_id, error)
        except Exception:
            log.exception("unhandled error")
            if not state["started"]:
                state["too_large"] = False
                await _send_problem(send_with_id, DomainError(ErrorCode.INTERNAL_ERROR, "unexpected server error"))
        else:
            if state["too_large"] and not state["started"]:
                state["too_large"] = False
                await _send_problem(send_with_id, _too_large(self.max_body_bytes))
        finally:
            self._observe(scope, state["status"], time.perf_counter() - started_at)
            for var, token in zip(
                (log_context.correlation_id, log_context.terminal_id, log_context.store_id), tokens, strict=True
            ):
                var.reset(token)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        path = getattr(route, "path", "unmatched")
        method = scope["method"]
        metrics.REQUESTS.labels(path, method, str(status)).inc()
        metrics.LATENCY.labels(path, method, str(status)).observe(seconds)
        log.info(
            "request",
            extra={"method": method, "route": path, "status": status, "duration_ms": round(seconds * 1000, 2)},
        )


def _too_large(limit: int) -> DomainError:
    return DomainError(ErrorCode.PAYLOAD_TOO_LARGE, f"request body exceeds {limit} bytes")


async def _send_problem(send: Send, error: DomainError) -> None:
    status, body = problem(error)
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(payload)).encode())]
    headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in error_headers(error).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
