"""Users and the lockout policy. Pure: state in, new state out.

PIN hashing (scrypt, `scrypt$n$r$p$salt_b64$hash_b64`) is `pos_protocol.pins`, shared with
the server, which keeps the store's staff list in the same hashes; re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pos_protocol.permissions import Permission, PermissionDenied, Role, has_permission
from pos_protocol.pins import PIN_MAX, PIN_MIN, PinError, check_pin_format, hash_pin, verify_pin


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    role: Role
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = None
    locked: bool = False  # by the office (server's staff list), until unlocked there

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)


def require(user: User, permission: Permission) -> None:
    """Raise PermissionDenied unless the user's role holds the permission."""
    if not user.can(permission):
        raise PermissionDenied(user.user_id, permission)


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_attempts` consecutive wrong PINs the user is locked for `lock_for`."""

    max_attempts: int = 5
    lock_for: timedelta = timedelta(minutes=5)

    def is_locked(self, user: User, now: datetime) -> bool:
        return user.locked or (user.locked_until is not None and now < user.locked_until)

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
        if user.locked or user.locked_until is None:
            super().__init__(f"user {user.user_id} is locked by the office until a manager unlocks them", user)
        else:
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


__all__ = ["DEFAULT_LOCKOUT", "PIN_MAX", "PIN_MIN", "LockoutPolicy", "LoginError", "PinError", "User", "UserLocked",
           "WrongPin", "authenticate", "check_pin_format", "hash_pin", "require", "verify_pin"]
