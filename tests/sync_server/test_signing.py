from __future__ import annotations

import httpx

from pos_protocol.codes import ErrorCode
from pos_protocol.idempotency_key import InvalidIdempotencyKey, format_idempotency_key, parse_idempotency_key
from pos_protocol.signing import check_signature, sign, signed_headers
from pos_terminal.sync.auth import TerminalAuth

import pytest


def test_signature_matches_the_protocol_formula() -> None:
    import base64, hashlib, hmac

    body = b'{"a":1}'
    message = f"POST\n/v1/orders?x=1\n1700000000\n{hashlib.sha256(body).hexdigest()}".encode()
    expected = base64.b64encode(hmac.new(b"s3cret", message, hashlib.sha256).digest()).decode()
    assert sign("s3cret", "post", "/v1/orders?x=1", 1700000000, body) == expected


def test_check_signature_accepts_own_and_refuses_forged_or_stale() -> None:
    headers = signed_headers("T1", "k", "GET", "/v1/catalog", b"", now=1000)
    assert check_signature(headers, "k", "GET", "/v1/catalog", b"", now=1100) is None
    assert check_signature(headers, "other", "GET", "/v1/catalog", b"", now=1100) is ErrorCode.BAD_SIGNATURE
    assert check_signature(headers, "k", "GET", "/v1/catalog?since=1", b"", now=1100) is ErrorCode.BAD_SIGNATURE
    assert check_signature(headers, "k", "GET", "/v1/catalog", b"", now=1301) is ErrorCode.STALE_TIMESTAMP
    assert check_signature({}, "k", "GET", "/v1/catalog", b"", now=1000) is ErrorCode.BAD_SIGNATURE


def test_terminal_auth_signs_the_bytes_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler), auth=TerminalAuth("T1", "k"))
    client.post("http://server/v1/orders?a=b", content=b"payload")
    request = seen[0]
    assert request.headers["X-Terminal-Id"] == "T1"
    assert check_signature(request.headers, "k", "POST", "/v1/orders?a=b", b"payload") is None


def test_idempotency_key_quoted_or_bare() -> None:
    assert parse_idempotency_key('"8e03-b1"') == "8e03-b1"
    assert parse_idempotency_key("8e03a1b2-0000-4000-8000-000000000001") == "8e03a1b2-0000-4000-8000-000000000001"
    assert parse_idempotency_key(format_idempotency_key("abc")) == "abc"
    for bad in ["", '"open', "two words", '""']:
        with pytest.raises(InvalidIdempotencyKey):
            parse_idempotency_key(bad)
