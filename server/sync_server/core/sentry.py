"""Optional error reporting to Sentry: off unless `POS_SYNC_SENTRY_DSN` (or `serve
--sentry-dsn`) is set, and then with personal data and credentials scrubbed before an
event leaves the process.

What is removed (`scrub_event`, Sentry's `before_send`): every value under a key that
names a credential or a person's secret (PIN, password, secret, token, authorization,
cookie, signature, enrollment code, DSN), wherever it sits in the event (request headers,
body, local variables of a stack frame, breadcrumbs, extra); `Bearer ...` tokens inside
any string; request bodies and cookies as a whole (an order names cashiers and
approvers); the client's IP address. Sentry's own default of sending no personal data
(`send_default_pii` off) stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

FILTERED = "[Filtered]"
_SENSITIVE_KEY = re.compile(
    r"pin|passw|secret|token|auth|cookie|signature|enrollment.?code|api.?key|dsn|session|credential",
    re.IGNORECASE)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# `(b'x-signature', b'...')`: a header pair of an ASGI scope, as a frame's variable shows it
_PAIR = re.compile(r"(?i)(\(b?['\"][^'\"]*(?:" + _SENSITIVE_KEY.pattern + r")[^'\"]*['\"],\s*)b?['\"][^'\"]*['\"]")
# `manager_pin=4711` inside any string (a query string in a frame's ASGI scope, a URL in a message)
_KEY_VALUE = re.compile(r"(?i)(\b[\w.-]*(?:" + _SENSITIVE_KEY.pattern + r")[\w.-]*=)[^&\s'\"]+")
_WHOLE = {"data", "cookies"}  # request members dropped whole
MAX_DEPTH = 20


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return FILTERED
    if isinstance(value, dict):
        return {key: FILTERED if isinstance(key, str) and _SENSITIVE_KEY.search(key) else _scrub(item, depth + 1)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        # Sentry sends headers as [name, value] pairs too
        if len(value) == 2 and isinstance(value[0], str) and _SENSITIVE_KEY.search(value[0]):
            return [value[0], FILTERED]
        return [_scrub(item, depth + 1) for item in value]
    if isinstance(value, str):
        value = _BEARER.sub(r"\1 " + FILTERED, value)
        return _PAIR.sub(r"\1'" + FILTERED + "'", _KEY_VALUE.sub(r"\1" + FILTERED, value))
    return value


def _scrub_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, FILTERED if _SENSITIVE_KEY.search(k) else v) for k, v in pairs])


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """`before_send`: the event without credentials or personal data (see the module doc)."""
    request = event.get("request")
    if isinstance(request, dict):
        for member in _WHOLE & request.keys():
            request[member] = FILTERED
        request.pop("env", None)  # REMOTE_ADDR and the server's environment
        if isinstance(request.get("query_string"), str):
            request["query_string"] = _scrub_query(request["query_string"])
    user = event.get("user")
    if isinstance(user, dict):
        user.pop("ip_address", None)
    return _scrub(event)


def init_sentry(dsn: str | None, *, environment: str | None = None, release: str | None = None,
                transport: Callable[..., Any] | type | None = None) -> bool:
    """Start reporting to `dsn`; False (and nothing started) when no DSN is configured.
    `transport`: Sentry's own hook, for a local transport in tests (no network)."""
    if not dsn:
        return False
    try:
        import sentry_sdk
    except ModuleNotFoundError:
        raise ValueError("POS_SYNC_SENTRY_DSN is set but sentry-sdk is not installed: "
                         "pip install 'pos-sync-server[sentry]'") from None
    options: dict[str, Any] = {"transport": transport} if transport is not None else {}
    sentry_sdk.init(dsn=dsn, environment=environment, release=release,
                    before_send=scrub_event, before_send_transaction=scrub_event,
                    traces_sample_rate=0.0, max_request_body_size="never", **options)
    return True
