"""The till's side of request signing: an `httpx.Auth` that signs every request it sends.

The signature itself is the protocol's (`pos_protocol.signing`); this only hands httpx's
request line and body to it.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from pos_protocol.signing import signed_headers

__all__ = ["TerminalAuth", "path_with_query"]


def path_with_query(url: httpx.URL) -> str:
    """The exact path and query as sent on the request line."""
    return url.raw_path.decode("ascii")


class TerminalAuth(httpx.Auth):
    """Signs every request of an httpx client as terminal `terminal_id`."""

    requires_request_body = True

    def __init__(self, terminal_id: str, secret: str) -> None:
        self.terminal_id = terminal_id
        self.secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        headers = signed_headers(
            self.terminal_id, self.secret, request.method, path_with_query(request.url), request.content
        )
        request.headers.update(headers)
        yield request
