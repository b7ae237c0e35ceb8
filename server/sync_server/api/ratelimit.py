"""Rate limits per client address and per store, as a FastAPI dependency (the `limits` library).

    router = APIRouter(dependencies=[Depends(RateLimit("admin"))])

Each named rule (RULES) has a limit per client address and one per store: the store in the
path (`{store_id}`), or what `store_of` finds, or one shared bucket for the whole server
where a request names no store (enrollment: the store is known only once the code is
checked). Counters live in memory by default, per process; with
`POS_SYNC_RATE_LIMIT_STORAGE=redis://...` every server process and replica shares them.
Over a limit, the request is refused with 429 `rate_limited` and `Retry-After`.

The client address is the connection's peer; behind a proxy, run uvicorn with
`--forwarded-allow-ips` so that it is the client's (X-Forwarded-For), not the proxy's.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..core.config import Settings
from ..core.errors import rate_limited

log = logging.getLogger(__name__)

WHOLE_SERVER = "*"
"""The per-store bucket of requests that name no store."""


@dataclass(frozen=True)
class Rule:
    what: str
    """What is counted, in the refusal's words ("too many {what} from here")."""
    per_address: str
    per_store: str


def rules(settings: Settings) -> dict[str, Rule]:
    """Every rule by name, with the limits configured for it."""
    return {
        "enroll": Rule("enrollment attempts", settings.rate_limit_enroll, settings.rate_limit_enroll_total),
        "admin": Rule("admin requests", settings.rate_limit_admin, settings.rate_limit_admin_per_store),
        "sign_in": Rule("sign-in attempts", settings.rate_limit_sign_in, settings.rate_limit_sign_in_per_store),
    }


class Limiter:
    """The app's counters (`app.state.rate_limiter`) and the configured rules."""

    def __init__(self, settings: Settings) -> None:
        self.prefix = settings.rate_limit_prefix
        self.storage: Storage = storage_from_string(settings.rate_limit_storage, wrap_exceptions=True)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.rules = {name: _Parsed(rule) for name, rule in rules(settings).items()}

    def check(self, name: str, address: str, store: str) -> None:
        """Count one request; raises rate_limited if it is over a limit. A shared store that
        is down lets requests through (logged): an outage of Redis must not stop enrollments."""
        rule = self.rules[name]
        scopes = [(item, ("address", address)) for item in rule.per_address]
        scopes += [(item, ("store", store)) for item in rule.per_store]
        try:
            for item, (scope, key) in scopes:
                ids = (self.prefix, name, scope, key)
                if not self.strategy.hit(item, *ids):
                    reset = self.strategy.get_window_stats(item, *ids).reset_time
                    raise rate_limited(max(1, math.ceil(reset - time.time())), rule.rule.what)
        except StorageError as exc:
            log.error("rate limit storage unavailable; request let through", extra={"error": str(exc)[:300]})

    def reset(self) -> None:
        self.storage.reset()


@dataclass
class _Parsed:
    rule: Rule

    def __post_init__(self) -> None:
        self.per_address: list[RateLimitItem] = parse_many(self.rule.per_address) if self.rule.per_address else []
        self.per_store: list[RateLimitItem] = parse_many(self.rule.per_store) if self.rule.per_store else []


def store_in_path(request: Request) -> str | None:
    return request.path_params.get("store_id")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class RateLimit:
    """A dependency counting each request against rule `name` (see RULES), per client
    address and per store. `store_of` finds the store a request is about (default: the
    `{store_id}` in its path); None counts it against the whole server's bucket."""

    def __init__(self, name: str, store_of: Callable[[Request], str | None] = store_in_path) -> None:
        self.name = name
        self.store_of = store_of

    def __call__(self, request: Request) -> None:  # sync: FastAPI runs it in the thread pool (Redis I/O)
        limiter: Limiter = request.app.state.rate_limiter
        limiter.check(self.name, client_address(request), self.store_of(request) or WHOLE_SERVER)
