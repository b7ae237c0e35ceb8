"""Manager override: one place that checks approver PIN, lockout and permission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_protocol.permissions import Permission
from .users import DEFAULT_LOCKOUT, LockoutPolicy, User, authenticate, require


@dataclass(frozen=True)
class Approval:
    """A granted override. `approver` is the approver's new state (failures reset)."""

    approver: User
    permission: Permission
    at: datetime


def approve(
    approver: User, pin: str, permission: Permission, now: datetime,
    policy: LockoutPolicy = DEFAULT_LOCKOUT,
) -> Approval:
    """Grant `permission` on the approver's PIN.

    Raises UserLocked / WrongPin (carrying the state to persist) or PermissionDenied.
    The PIN is checked before the permission so a role probe costs a failed attempt.
    """
    user = authenticate(approver, pin, now, policy)
    require(user, permission)
    return Approval(approver=user, permission=permission, at=now)
