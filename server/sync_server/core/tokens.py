"""Bearer tokens (admin, metrics) kept and compared as SHA-256 digests, never in clear.

A fast hash is the right one here: the tokens are random and long (`admin-token new`
makes 256 bits), so there is nothing to brute-force that a slow hash would protect, and
every admin request pays for the check. Plain-text settings are hashed once at start.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "sha256:"


def digest(token: str) -> str:
    return PREFIX + hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def parse_digest(value: str) -> str:
    """A configured `sha256:<64 hex>` digest, normalised; ValueError in the operator's words."""
    value = value.strip().lower()
    hexpart = value.removeprefix(PREFIX)
    if not value.startswith(PREFIX) or len(hexpart) != 64 or any(c not in "0123456789abcdef" for c in hexpart):
        raise ValueError("a token hash must look like sha256:<64 hex digits> (`pos-sync-server admin-token new`)")
    return value


def matches(given: str, digests: list[str]) -> bool:
    """Whether `given` hashes to one of `digests`; every one compared, in constant time."""
    mine = digest(given).encode()
    found = [hmac.compare_digest(mine, expected.encode()) for expected in digests]
    return any(found)
