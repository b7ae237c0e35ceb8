"""PIN hashes both sides read: the till signs staff in with them, the server keeps the
store's staff list in them and hands them to every till. Pure functions, stdlib only
(`hashlib.scrypt`, RFC 7914, the same KDF as `cryptography`'s Scrypt).

A hash is self-describing, `scrypt$n$r$p$salt_b64$hash_b64`, so the cost can be raised
later without invalidating stored hashes. A PIN itself is never stored or sent where a
hash will do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

SCRYPT_N = 2**14  # ~16 MiB, tens of ms: slow for a brute force, fine at the till
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_N_MAX = 2**20  # what a hash from elsewhere may ask for (1 GiB would stall a till)
_SALT_BYTES = 16
_KEY_BYTES = 32
PIN_MIN, PIN_MAX = 4, 12
SCHEME = "scrypt"
PIN_HASH_PATTERN = r"^scrypt\$\d{1,8}\$\d{1,3}\$\d{1,3}\$[A-Za-z0-9+/=]{4,88}\$[A-Za-z0-9+/=]{4,88}$"


class PinError(ValueError):
    """A PIN that does not meet the rule (4-12 digits)."""


class PinHashError(ValueError):
    """A stored or received PIN hash that is not `scrypt$n$r$p$salt$hash`."""


def check_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        raise PinError("PIN must be digits only")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinError(f"PIN must have {PIN_MIN} to {PIN_MAX} digits")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=256 * n * r + 2**20)


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Hash a PIN with scrypt and a fresh random salt."""
    check_pin_format(pin)
    salt = os.urandom(_SALT_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(_derive(pin, salt, n, r, p, _KEY_BYTES))}"


def parse_pin_hash(pin_hash: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, key) of a hash; PinHashError for anything else."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = pin_hash.split("$")
        if scheme != SCHEME:
            raise ValueError(scheme)
        cost = int(n), int(r), int(p)
        salt, key = base64.b64decode(salt_b64, validate=True), base64.b64decode(key_b64, validate=True)
    except (ValueError, TypeError, AttributeError, binascii.Error):
        raise PinHashError("malformed PIN hash (expected scrypt$n$r$p$salt$hash)") from None
    n_, r_, p_ = cost
    if n_ < 2 or n_ & (n_ - 1) or n_ > SCRYPT_N_MAX or not 1 <= r_ <= 32 or not 1 <= p_ <= 16 or not salt or not key:
        raise PinHashError(f"PIN hash cost out of range (n a power of two up to {SCRYPT_N_MAX}, r 1-32, p 1-16)")
    return n_, r_, p_, salt, key


def check_pin_hash(pin_hash: str) -> str:
    """The hash unchanged when it is well formed (for validators), else PinHashError."""
    parse_pin_hash(pin_hash)
    return pin_hash


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when the PIN matches; the comparison is constant time."""
    n, r, p, salt, expected = parse_pin_hash(pin_hash)
    if not isinstance(pin, str):
        return False
    return hmac.compare_digest(_derive(pin, salt, n, r, p, len(expected)), expected)


__all__ = ["PIN_MAX", "PIN_MIN", "PinError", "PinHashError", "check_pin_format", "check_pin_hash", "hash_pin",
           "parse_pin_hash", "verify_pin"]
