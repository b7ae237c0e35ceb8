"""Shared builders for core tests. PIN hashes use a low scrypt cost to keep tests fast."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_terminal.core.catalog import Item, Unit
from pos_protocol.permissions import Role
from pos_terminal.core.users import User, hash_pin

FAST_N = 2**4


def make_item(sku: str = "S1", price: str = "2.00", *, unit: Unit = Unit.EA, tax_code: str = "A",
              rate: str = "0.19", active: bool = True) -> Item:
    return Item(sku=sku, name=f"Item {sku}", barcodes=(), unit=unit, price=Decimal(price),
                tax_code=tax_code, tax_rate=Decimal(rate), category="Misc", active=active)


def make_user(role: Role, user_id: str | None = None, pin: str = "1234") -> User:
    return User(user_id or role.value, role.value.title(), role, hash_pin(pin, n=FAST_N))


@pytest.fixture(scope="session")
def cashier() -> User:
    return make_user(Role.CASHIER)


@pytest.fixture(scope="session")
def supervisor() -> User:
    return make_user(Role.SUPERVISOR)


@pytest.fixture(scope="session")
def manager() -> User:
    return make_user(Role.MANAGER)
