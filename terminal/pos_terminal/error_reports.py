"""Optional error reports to Sentry, with the shop's secrets taken out first.

Off by default: only a configured DSN (`[sentry] dsn`, or POS_TERMINAL_SENTRY_DSN)
starts it, and only when `sentry-sdk` is installed (`pip install pos-terminal[sentry]`).
Unhandled exceptions and logged errors (the SDK's logging integration) become events.

What never leaves the till (`scrub_event`, run on every event and breadcrumb):
- values under a key that names a secret: PINs, passwords, secrets, tokens, keys,
  signatures, enrollment codes, authorization and cookie headers, in request data,
  extra, contexts, breadcrumbs and every stack frame's local variables (the SDK's
  EventScrubber with our list, recursively);
- the same written inside text, `pin='9999'`, `"secret": "..."`, `Bearer abc`, as a repr or
  an exception message carries them; a logged error's separate arguments;
- no personal data at all (the SDK's default: no client address, no user; the cashier
  appears by staff id only where our own code logs it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import pos_terminal

log = logging.getLogger(__name__)

FILTERED = "[Filtered]"
# Keys whose values are secret wherever they appear. Not "code" or "key": error codes and
# idempotency keys (order ids) are what a report is read for.
SECRET_KEYS = [
    "pin", "pins", "approver_pin", "manager_pin", "pin_hash", "password", "passwd", "secret",
    "terminal_secret", "hmac", "signature", "x_pos_signature", "x-pos-signature", "token",
    "admin_token", "api_key", "apikey", "private_key", "privatekey", "secret_key", "enrollment_code",
    "dsn", "auth", "authorization", "proxy-authorization", "credentials", "cookie",
    "set_cookie", "session", "x_api_key",
]
_NAMES = "|".join(sorted((re.escape(k) for k in SECRET_KEYS), key=len, reverse=True))
# name=value, name: value, "name": "value", 'name'='value' inside any text
_IN_TEXT = re.compile(rf"""(?i)(\b(?:{_NAMES})\b['"]?\s*[:=]\s*)(['"]?)[^\s'",)}}]+\2""")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def scrub_text(text: str) -> str:
    return _IN_TEXT.sub(rf"\1\2{FILTERED}\2", _BEARER.sub(rf"\1 {FILTERED}", text))


def scrub_event(event: dict[str, Any], _hint: object = None) -> dict[str, Any]:
    """Every string of the event through `scrub_text` (after the SDK's key-based scrubber).
    A logged error's arguments go too: they are in its formatted (and scrubbed) message,
    and an argument alone does not say what it is (`"token=%s", token`)."""
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
    return _walk(event)  # type: ignore[no-any-return]


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _walk(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v) for v in value)
    return value


def start_error_reports(dsn: str, *, environment: str = "production",
                        transport: Any = None, **options: Any) -> bool:
    """Start the SDK when `dsn` is set; True if reports are on. `transport`/`options`:
    for tests (a real client, a local endpoint). Never raises: a till without reports
    still sells."""
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.scrubber import EventScrubber
    except ImportError:
        log.warning("a Sentry DSN is configured but sentry-sdk is not installed "
                    "(pip install 'pos-terminal[sentry]'): no error reports")
        return False
    scrub: Callable[[dict[str, Any], object], dict[str, Any]] = scrub_event
    try:
        sentry_sdk.init(
            dsn=dsn, environment=environment, release=f"pos-terminal@{pos_terminal.__version__}",
            # no send_default_pii: its default is off (and the option is deprecated)
            include_local_variables=True,
            event_scrubber=EventScrubber(denylist=SECRET_KEYS, recursive=True),
            before_send=scrub, before_breadcrumb=scrub, transport=transport, **options)
    except Exception as exc:  # noqa: BLE001 - a malformed DSN must not stop the till
        log.warning("error reports not started: %s", scrub_text(str(exc)))
        return False
    log.info("error reports to Sentry are on", extra={"environment": environment})
    return True
