"""HMAC request signing of terminal requests (PROTOCOL.md, "Terminal identity and request signing").

`X-Signature` = base64(HMAC-SHA256(secret, METHOD\\nPATH_WITH_QUERY\\nTIMESTAMP\\nSHA256_HEX(BODY))).
Pure functions: the till's client signs with them (pos_terminal.sync.auth), the server checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from .codes import ErrorCode

TIMESTAMP_WINDOW_S = 300
HEADER_TERMINAL = "X-Terminal-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"


def signing_string(method: str, path_with_query: str, timestamp: int, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path_with_query}\n{timestamp}\n{digest}".encode()


def sign(secret: str, method: str, path_with_query: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), signing_string(method, path_with_query, timestamp, body), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def signed_headers(
    terminal_id: str,
    secret: str,
    method: str,
    path_with_query: str,
    body: bytes,
    now: float | None = None,
) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        HEADER_TERMINAL: terminal_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secret, method, path_with_query, timestamp, body),
    }


def check_signature(
    headers: Mapping[str, str],
    secret: str,
    method: str,
    path_with_query: str,
    body: bytes,
    now: float | None = None,
    window_s: int = TIMESTAMP_WINDOW_S,
) -> ErrorCode | None:
    """None when the request is signed by `secret` within the time window, else why not:
    `ErrorCode.BAD_SIGNATURE` or `ErrorCode.STALE_TIMESTAMP`."""
    raw_ts, given = headers.get(HEADER_TIMESTAMP), headers.get(HEADER_SIGNATURE)
    if not raw_ts or not given or not raw_ts.isdigit() or len(raw_ts) > 12:
        return ErrorCode.BAD_SIGNATURE
    timestamp = int(raw_ts)
    expected = sign(secret, method, path_with_query, timestamp, body)
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        return ErrorCode.BAD_SIGNATURE
    current = time.time() if now is None else now
    if abs(current - timestamp) > window_s:
        return ErrorCode.STALE_TIMESTAMP
    return None
