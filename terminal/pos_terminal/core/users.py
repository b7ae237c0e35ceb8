"""Users, PIN hashing (scrypt) and the lockout policy. Pure: state in, new state out.

A PIN hash is self-describing, `scrypt$n$r$p$salt_b64$hash_b64`, so the cost can be raised
later without invalidating stored hashes.
"""

from __future__ import annotations

import base64
import hmac
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from pos_protocol.permissions import Permission, PermissionDenied, Role, has_permission

SCRYPT_N = 2**14  # ~16 MiB, tens of ms: slow for a brute force, fine at the till
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32
PIN_MIN, PIN_MAX = 4, 12


class PinError(ValueError):
    """A PIN that does not meet the rule (4-12 digits)."""


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    role: Role
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)


def require(user: User, permission: Permission) -> None:
    """Raise PermissionDenied unless the user's role holds the permission."""
    if not user.can(permission):
        raise PermissionDenied(user.user_id, permission)


def check_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        raise PinError("PIN must be digits only")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinError(f"PIN must have {PIN_MIN} to {PIN_MAX} digits")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Hash a PIN with scrypt and a fresh random salt."""
    check_pin_format(pin)
    salt = os.urandom(_SALT_BYTES)
    key = Scrypt(salt=salt, length=_KEY_BYTES, n=n, r=r, p=p).derive(pin.encode())
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when the PIN matches; the comparison is constant time."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = pin_hash.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(key_b64)
        kdf = Scrypt(salt=salt, length=len(expected), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        raise ValueError("malformed PIN hash (expected scrypt$n$r$p$salt$hash)") from None
    if not isinstance(pin, str):
        return False
    return hmac.compare_digest(kdf.derive(pin.encode()), expected)


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_attempts` consecutive wrong PINs the user is locked for `lock_for`."""

    max_attempts: int = 5
    lock_for: timedelta = timedelta(minutes=5)

    def is_locked(self, user: User, now: datetime) -> bool:
        return user.locked_until is not None and now < user.locked_until

    def after_failure(self, user: User, now: datetime) -> User:
        attempts = 0 if self._lock_expired(user, now) else user.failed_attempts
        attempts += 1
        if attempts >= self.max_attempts:
            return replace(user, failed_attempts=attempts, locked_until=now + self.lock_for)
        return replace(user, failed_attempts=attempts, locked_until=None)

    def after_success(self, user: User) -> User:
        return replace(user, failed_attempts=0, locked_until=None)

    def _lock_expired(self, user: User, now: datetime) -> bool:
        return user.locked_until is not None and now >= user.locked_until


DEFAULT_LOCKOUT = LockoutPolicy()


class LoginError(Exception):
    """A failed PIN check. `user` is the new state to persist (failed count, lock)."""

    def __init__(self, message: str, user: User) -> None:
        super().__init__(message)
        self.user = user


class UserLocked(LoginError):
    def __init__(self, user: User) -> None:
        super().__init__(f"user {user.user_id} is locked until {user.locked_until:%H:%M:%S}", user)


class WrongPin(LoginError):
    def __init__(self, user: User, policy: LockoutPolicy) -> None:
        left = max(policy.max_attempts - user.failed_attempts, 0)
        msg = f"wrong PIN for user {user.user_id}"
        msg += f"; locked until {user.locked_until:%H:%M:%S}" if user.locked_until else f"; {left} attempts left"
        super().__init__(msg, user)


def authenticate(user: User, pin: str, now: datetime, policy: LockoutPolicy = DEFAULT_LOCKOUT) -> User:
    """Check a PIN against the lockout policy; returns the new user state on success.

    Raises UserLocked (no PIN check while locked) or WrongPin; both carry the state
    to persist in `.user`.
    """
    if policy.is_locked(user, now):
        raise UserLocked(user)
    if verify_pin(pin, user.pin_hash):
        return policy.after_success(user)
    raise WrongPin(policy.after_failure(user, now), policy)
