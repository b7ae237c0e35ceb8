"""FastAPI dependencies as `Annotated` aliases: engine, settings, authenticated terminal, admin, key."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from ..core import logging as log_context
from ..core import tokens
from ..core.config import Settings
from ..core.errors import DomainError, validation_failed
from ..core.secret_box import SecretBox
from ..db.models import Store, Terminal
from ..db.session import read_connection
from pos_protocol.idempotency_key import HEADER as IDEMPOTENCY_HEADER
from pos_protocol.idempotency_key import InvalidIdempotencyKey, parse_idempotency_key
from ..services.context import Caller, StoreSettings, store_settings
from pos_protocol import paths
from pos_protocol.codes import ErrorCode
from pos_protocol.signing import HEADER_TERMINAL, check_signature


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_secret_box(request: Request) -> SecretBox:
    return request.app.state.secret_box


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def parse_json(body: bytes) -> object:
    """The request body as JSON; malformed JSON is a 422 like any malformed body."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise validation_failed("request body is not valid JSON") from None


def _path_with_query(request: Request) -> str:
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return (path + (b"?" + query if query else b"")).decode("latin-1")


def _lookup_terminal(engine: Engine, terminal_id: str):
    # One query for the terminal and its store: the store's settings ride along with the caller.
    with read_connection(engine) as conn:
        return conn.execute(
            select(Terminal.secret, Terminal.revoked_at, Terminal.enrolled_at, Store)
            .join(Store, Store.store_id == Terminal.store_id)
            .where(Terminal.terminal_id == terminal_id)
        ).mappings().first()


async def authenticate_terminal(request: Request, engine: EngineDep, settings: SettingsDep, box: SecretBoxDep,
                                body: RawBody) -> Caller:
    """Signature first, then revocation; nothing of the terminal's store is read before this."""
    terminal_id = request.headers.get(HEADER_TERMINAL, "")
    if not terminal_id or len(terminal_id) > 64:
        raise DomainError(ErrorCode.BAD_SIGNATURE, "missing X-Terminal-Id")
    row = await run_in_threadpool(_lookup_terminal, engine, terminal_id)
    if row is None:
        raise DomainError(ErrorCode.BAD_SIGNATURE, "unknown terminal or wrong signature")
    secret = box.open(row["secret"])  # sealed at rest (core/secret_box.py)
    problem = check_signature(
        request.headers, secret, request.method, _path_with_query(request), body, window_s=settings.signature_window_s
    )
    if problem is not None:
        detail = "timestamp outside the allowed window" if problem is ErrorCode.STALE_TIMESTAMP else "unknown terminal or wrong signature"
        raise DomainError(problem, detail)
    if row["revoked_at"] is not None:
        raise DomainError(ErrorCode.TERMINAL_REVOKED, "this terminal has been revoked")
    # Set in the request's own task, so the endpoint and the access log line both carry them.
    log_context.terminal_id.set(terminal_id)
    log_context.store_id.set(row["store_id"])
    request.state.store = store_settings(row)
    return Caller(terminal_id=terminal_id, store_id=row["store_id"], enrolled_at=row["enrolled_at"],
                  clock_tolerance=timedelta(seconds=settings.clock_tolerance_s))


TerminalDep = Annotated[Caller, Depends(authenticate_terminal)]


def caller_store(request: Request, caller: TerminalDep) -> StoreSettings:
    """The settings of the caller's store, read together with the terminal."""
    return request.state.store


StoreDep = Annotated[StoreSettings, Depends(caller_store)]


def admin_digests(settings: Settings) -> list[str]:
    """The admin token's SHA-256 digests: the configured hash and the hash of a plain token."""
    found = [tokens.parse_digest(settings.admin_token_hash)] if settings.admin_token_hash else []
    return found + _digests(settings.admin_token)


def _digests(*configured: SecretStr | None) -> list[str]:
    return [tokens.digest(token.get_secret_value()) for token in configured if token and token.get_secret_value()]


def _check_bearer(request: Request, accepted: list[str], detail: str) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not tokens.matches(token.strip(), accepted):
        raise DomainError(ErrorCode.UNAUTHORIZED, detail)


async def require_admin(request: Request) -> None:
    accepted = request.app.state.admin_digests
    if not accepted:
        raise DomainError(ErrorCode.ADMIN_DISABLED, "no admin token is configured on this server")
    _check_bearer(request, accepted, "admin endpoints need Authorization: Bearer <admin token>")


async def require_metrics_scraper(request: Request, settings: SettingsDep) -> None:
    """/metrics names every terminal and its devices: the metrics token or the admin token."""
    accepted = _digests(settings.metrics_token) + request.app.state.admin_digests
    if not accepted:
        raise DomainError(ErrorCode.METRICS_DISABLED, f"set POS_SYNC_METRICS_TOKEN to scrape {paths.METRICS}")
    _check_bearer(request, accepted, f"{paths.METRICS} needs Authorization: Bearer <metrics token>")


AdminDep = Depends(require_admin)
MetricsScraperDep = Depends(require_metrics_scraper)


def optional_idempotency_key(request: Request) -> str | None:
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    try:
        return parse_idempotency_key(value)
    except InvalidIdempotencyKey as exc:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_INVALID, str(exc)) from None


def idempotency_key(key: Annotated[str | None, Depends(optional_idempotency_key)]) -> str:
    if key is None:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_MISSING, "this request needs an Idempotency-Key header")
    return key


IdempotencyKeyDep = Annotated[str, Depends(idempotency_key)]
OptionalIdempotencyKeyDep = Annotated[str | None, Depends(optional_idempotency_key)]
"""Where a key is welcome but not required (enrollment: old tills send none)."""
