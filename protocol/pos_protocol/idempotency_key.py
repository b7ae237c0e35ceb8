"""The `Idempotency-Key` header: an RFC 8941 sf-string (`"8e03...b1"`), or a bare token."""

from __future__ import annotations

import re

from http_sfv import Item

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
_BARE = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~:/-]{1,255}")


class InvalidIdempotencyKey(ValueError):
    pass


def parse_idempotency_key(value: str) -> str:
    """The key inside the header value. Raises InvalidIdempotencyKey when it is not one."""
    value = value.strip()
    if value.startswith('"'):
        item = Item()
        try:
            item.parse(value.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise InvalidIdempotencyKey(f"not an RFC 8941 string: {exc}") from None
        key = item.value
        if not isinstance(key, str) or not key or len(key) > MAX_LENGTH:
            raise InvalidIdempotencyKey("Idempotency-Key must be a non-empty string")
        return str(key)
    # Accepted unquoted too (PROTOCOL.md); a bare UUID is not an sf-token, so check by hand.
    if not _BARE.fullmatch(value):
        raise InvalidIdempotencyKey("Idempotency-Key must be an RFC 8941 string or a bare token")
    return value


def format_idempotency_key(key: str) -> str:
    """The header value a client sends: the key as an RFC 8941 string."""
    item = Item()
    item.value = key
    return str(item)
