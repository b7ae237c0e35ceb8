"""`SyncClient`: the terminal's side of PROTOCOL.md over httpx.

Every request gets an `X-Correlation-ID` (logged with the outcome, so a till's log line
and the server's line about the same request can be matched) and, once enrolled, is
signed by `sync.auth.TerminalAuth`. Bodies of state-changing requests are
passed in as the exact bytes stored in the outbox, so a resend is byte-identical.

Transport failures (connection refused, timeouts, resets) raise `Unreachable`; every
HTTP answer, whatever its status, comes back as a `Reply` for the caller to judge.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from pos_protocol import paths, wire
from pos_protocol.codes import ErrorCode
from pos_protocol.idempotency_key import HEADER as IDEMPOTENCY_HEADER
from pos_protocol.idempotency_key import format_idempotency_key

from .auth import TerminalAuth
from .tls import ServerTrust, certificate_problem

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=20.0, write=20.0, pool=5.0)
JSON = "application/json"


class SyncError(Exception):
    """Base of the client's errors."""


class Unreachable(SyncError):
    """No HTTP answer at all: the server or the network is down (always retryable)."""


class UntrustedServer(Unreachable):
    """The server's TLS certificate is not one this till trusts (sync/tls.py): nothing was
    sent. Retried like any unreachable server (a certificate being renewed), but said plainly."""


class ProblemReply(SyncError):
    """An answer that is not what the call expects (carries the RFC 9457 problem)."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        super().__init__(f"HTTP {reply.status} {reply.code or ''}: {reply.detail}".strip())


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    correlation_id: str
    headers: httpx.Headers

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def code(self) -> str | None:
        """The problem's stable `code`, or None for a non-problem body."""
        data = self._problem()
        return data.get("code") if data else None

    @property
    def detail(self) -> str:
        data = self._problem()
        if data:
            return str(data.get("detail") or data.get("title") or "")
        return self.body[:200].decode("utf-8", "replace")

    @property
    def replayed(self) -> bool:
        return self.headers.get("Idempotent-Replayed", "").lower() == "true"

    def _problem(self) -> dict[str, Any] | None:
        try:
            data = self.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) and "code" in data else None


@dataclass(frozen=True)
class CatalogPull:
    """A catalog delta, or `delta=None` when the server answered 304 Not Modified."""

    delta: wire.CatalogDelta | None
    etag: str | None


class SyncClient:
    """One terminal's HTTP client. Thread-compatible: one request at a time (the pump's
    sender thread makes a pipelined batch's request while the worker thread waits for it)."""

    def __init__(
        self,
        base_url: str,
        auth: TerminalAuth | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        trust: ServerTrust | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self._transport, self._timeout = transport, timeout
        self.trust = trust or ServerTrust()
        self._http = httpx.Client(base_url=self.base_url, auth=auth, transport=transport,
                                  verify=self.trust.ssl_context(),
                                  timeout=timeout, headers={"User-Agent": "pos-terminal-sync/1"})
        self._answer_listeners: list[Callable[[Reply], None]] = []

    def twin(self) -> SyncClient:
        """A client of the same server and identity with its own connection, for calls
        made off the sync thread (a staff change, a receipt lookup) while the pump sends."""
        return SyncClient(self.base_url, self.auth, transport=self._transport, timeout=self._timeout, trust=self.trust)

    @property
    def terminal_id(self) -> str | None:
        return self.auth.terminal_id if self.auth else None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_answer(self, listener: Callable[[Reply], None]) -> None:
        """Call `listener` with every HTTP answer, whatever the request (e.g. to check the
        till's clock against the answer's `Date`). A failing listener is logged, never raised."""
        self._answer_listeners.append(listener)

    # -- the one place a request is made -----------------------------------------------------

    def request(self, method: str, path: str, body: bytes = b"", *,
                idempotency_key: str | None = None, headers: dict[str, str] | None = None,
                notify: bool = True) -> Reply:
        """`notify=False`: the caller hands the answer to the listeners itself (`notify`),
        e.g. on its own thread after another thread made the request."""
        correlation_id = str(uuid.uuid4())
        sent = {CORRELATION_HEADER: correlation_id, **(headers or {})}
        if body:
            sent["Content-Type"] = JSON
        if idempotency_key is not None:
            sent[IDEMPOTENCY_HEADER] = format_idempotency_key(idempotency_key)
        try:
            response = self._http.request(method, path, content=body, headers=sent)
        except httpx.TransportError as exc:
            log.info("sync %s %s correlation=%s unreachable: %r", method, path, correlation_id, exc,
                     extra={"correlation_id": correlation_id})
            refused = certificate_problem(exc)
            if refused is not None:
                raise UntrustedServer(f"the server at {self.base_url} did not show a certificate this till "
                                      f"trusts ({self.trust.description}): {refused}") from exc
            raise Unreachable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
        reply = Reply(response.status_code, response.content,
                      response.headers.get(CORRELATION_HEADER, correlation_id), response.headers)
        log.info("sync %s %s correlation=%s status=%s", method, path, reply.correlation_id, reply.status,
                 extra={"correlation_id": reply.correlation_id})
        if notify:
            self.notify(reply)
        return reply

    def notify(self, reply: Reply) -> None:
        """Hand `reply` to the `on_answer` listeners (done by `request` unless told not to)."""
        for listener in self._answer_listeners:
            try:
                listener(reply)
            except Exception:  # noqa: BLE001 - an observer must not fail the request
                log.exception("answer listener %r failed", listener)

    # -- orders ----------------------------------------------------------------------------

    def post_orders_batch(self, bodies: list[bytes], *, notify: bool = True) -> Reply:
        """`POST /v1/orders:batch`. Each body is spliced in unchanged (no re-serialising)."""
        if not 0 < len(bodies) <= wire.MAX_ORDERS_PER_BATCH:
            raise ValueError(f"a batch holds 1..{wire.MAX_ORDERS_PER_BATCH} orders, got {len(bodies)}")
        return self.request("POST", paths.ORDERS_BATCH, b'{"orders":[' + b",".join(bodies) + b"]}",
                            notify=notify)

    def post_audit_entries(self, bodies: list[bytes], *, notify: bool = True) -> Reply:
        """`POST /v1/audit-entries` with the entries of several queued bodies (each
        `{"entries":[...]}`, as `store.audit` froze it), spliced in unchanged, oldest first."""
        if not 0 < len(bodies) <= wire.MAX_AUDIT_ENTRIES_PER_REQUEST:
            raise ValueError(f"a shipment holds 1..{wire.MAX_AUDIT_ENTRIES_PER_REQUEST} entries, got {len(bodies)}")
        head, tail = b'{"entries":[', b"]}"
        # A body not of that form (a damaged row) goes in as it is: the server refuses the
        # shipment, and the pump then sends each entry alone, so only that one is parked.
        inner = [b[len(head):-len(tail)] if b.startswith(head) and b.endswith(tail) else b for b in bodies]
        return self.request("POST", paths.AUDIT_ENTRIES, head + b",".join(inner) + tail, notify=notify)

    def order_status(self, order_id: str) -> wire.OrderStatusOut:
        reply = self.request("GET", paths.order(order_id))
        return wire.OrderStatusOut.model_validate_json(self._expect(reply, 200).body)

    # -- catalog, heartbeat, enrollment ----------------------------------------------------

    def catalog_delta(self, since: int, etag: str | None = None) -> CatalogPull:
        """The first (or only) page of what changed after `since`."""
        return self.catalog_page(since, etag=etag)

    def catalog_page(self, since: int, cursor: str | None = None, limit: int | None = None,
                     etag: str | None = None) -> CatalogPull:
        """One page of a paged pull (README "Catalog paging"): the first without `cursor`
        (304 when nothing changed: `delta=None`), the next ones with the `next_cursor` the
        page before carried. A server that does not page ignores `cursor` and `limit` and
        answers everything on one page (`next_cursor` null)."""
        query = f"since={int(since)}"
        if cursor is not None:
            query += f"&cursor={quote(cursor, safe='')}"
        if limit is not None:
            query += f"&limit={int(limit)}"
        headers = {"If-None-Match": etag} if etag and cursor is None else None
        reply = self.request("GET", f"{paths.CATALOG}?{query}", headers=headers)
        if reply.status == 304:
            return CatalogPull(None, etag)
        delta = wire.CatalogDelta.model_validate_json(self._expect(reply, 200).body)
        return CatalogPull(delta, reply.headers.get("ETag"))

    # -- staff list, receipts of other tills ------------------------------------------------

    def staff_delta(self, since: int) -> wire.StaffDelta:
        """The store's staff list changed after version `since` (README "Staff list")."""
        reply = self.request("GET", f"{paths.STAFF}?since={int(since)}")
        return wire.StaffDelta.model_validate_json(self._expect(reply, 200).body)

    def staff_change(self, change: wire.StaffChange) -> wire.StoreUserOut:
        """Send a change made on this till; ProblemReply (e.g. 403 not_permitted) if refused."""
        reply = self.request("POST", paths.STAFF_CHANGES, wire.canonical_json(change))
        return wire.StoreUserOut.model_validate_json(self._expect(reply, 200).body)

    def receipt(self, receipt_no: str) -> wire.ReceiptOut | None:
        """A sale of this store by receipt number, as the server has it; None when it has none."""
        reply = self.request("GET", paths.receipt(receipt_no))
        if reply.status == 404 and reply.code == ErrorCode.RECEIPT_NOT_FOUND:
            return None
        return wire.ReceiptOut.model_validate_json(self._expect(reply, 200).body)

    def heartbeat(self, beat: wire.Heartbeat) -> wire.HeartbeatAnswer | None:
        """The server's answer when the till must act on it (200), else None (204)."""
        # Unset fields stay out: a device's counters are only those its kind counts, and
        # a beat without counters is what a server from before them accepts.
        body = wire.canonical_json(beat.model_dump(mode="json", exclude_unset=True))
        reply = self.request("POST", paths.TERMINALS_HEARTBEAT, body)
        answer = self._expect(reply, 200, 202, 204)
        if reply.status != 200 or not answer.body:
            return None
        return wire.HeartbeatAnswer.model_validate_json(answer.body)

    def enroll(self, enrollment_code: str, terminal_name: str, key: str | None = None) -> wire.EnrollResponse:
        """Unsigned: the terminal has no secret yet. 403 enrollment_code_invalid raises.

        A retry with the same `key` (Idempotency-Key) gets the terminal the first attempt made."""
        body = wire.canonical_json(wire.EnrollRequest(enrollment_code=enrollment_code,
                                                      terminal_name=terminal_name))
        reply = self.request("POST", paths.TERMINALS_ENROLL, body, idempotency_key=key)
        return wire.EnrollResponse.model_validate_json(self._expect(reply, 200, 201).body)

    @staticmethod
    def _expect(reply: Reply, *statuses: int) -> Reply:
        if reply.status not in statuses:
            raise ProblemReply(reply)
        return reply

