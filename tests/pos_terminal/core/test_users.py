from datetime import datetime, timedelta, timezone

import pytest

from pos_terminal.core.override import approve
from pos_protocol.permissions import Permission, PermissionDenied, Role
from pos_terminal.core.users import (
    LockoutPolicy, PinError, User, UserLocked, WrongPin, authenticate, hash_pin, require, verify_pin,
)

from .conftest import FAST_N

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


def user(role: Role = Role.SUPERVISOR, pin: str = "2468") -> User:
    return User("u1", "Uma", role, hash_pin(pin, n=FAST_N))


def test_hash_is_salted_self_describing_scrypt() -> None:
    a, b = hash_pin("1234"), hash_pin("1234")  # default cost, as in production
    assert a != b and a.startswith(f"scrypt${2**14}$8$1$")
    assert verify_pin("1234", a) and not verify_pin("1235", a)


@pytest.mark.parametrize("bad", ["12", "1234567890123", "12a4", "", "１２３４"])
def test_pin_rule(bad: str) -> None:
    with pytest.raises(PinError):
        hash_pin(bad)


def test_malformed_hash_is_an_error_not_a_match() -> None:
    with pytest.raises(ValueError, match="malformed"):
        verify_pin("1234", "plain-1234")


def test_lockout_after_five_failures_then_expiry() -> None:
    policy = LockoutPolicy()
    u = user()
    for attempt in range(1, 6):
        with pytest.raises(WrongPin) as info:
            authenticate(u, "0000", NOW, policy)
        u = info.value.user
        assert u.failed_attempts == attempt
    assert u.locked_until == NOW + timedelta(minutes=5)
    with pytest.raises(UserLocked):  # even the right PIN is not checked while locked
        authenticate(u, "2468", NOW + timedelta(minutes=4), policy)
    ok = authenticate(u, "2468", NOW + timedelta(minutes=5), policy)
    assert ok.failed_attempts == 0 and ok.locked_until is None


def test_failures_after_an_expired_lock_start_again() -> None:
    policy = LockoutPolicy(max_attempts=2, lock_for=timedelta(seconds=30))
    u = user()
    for _ in range(2):
        with pytest.raises(WrongPin) as info:
            authenticate(u, "0000", NOW, policy)
        u = info.value.user
    with pytest.raises(WrongPin) as info:
        authenticate(u, "0000", NOW + timedelta(seconds=31), policy)
    assert info.value.user.failed_attempts == 1 and info.value.user.locked_until is None


def test_approve_checks_pin_lockout_and_permission() -> None:
    sup = user()
    approval = approve(sup, "2468", Permission.PRICE_OVERRIDE, NOW)
    assert approval.approver.user_id == "u1" and approval.permission is Permission.PRICE_OVERRIDE
    with pytest.raises(WrongPin):
        approve(sup, "1111", Permission.PRICE_OVERRIDE, NOW)
    with pytest.raises(PermissionDenied, match="blind"):
        approve(sup, "2468", Permission.BLIND_RETURN, NOW)
    locked = User("u1", "Uma", Role.SUPERVISOR, sup.pin_hash, 5, NOW + timedelta(minutes=1))
    with pytest.raises(UserLocked):
        approve(locked, "2468", Permission.PRICE_OVERRIDE, NOW)


def test_require() -> None:
    require(user(Role.ADMIN), Permission.USERS_MANAGE)
    with pytest.raises(PermissionDenied):
        require(user(Role.CASHIER), Permission.REFUND)
