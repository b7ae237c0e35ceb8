"""Drawer sessions: what cash should be in the drawer, and how far the count is off.

Cash in from a sale is its cash tenders minus the change given; cash out for a return
is its cash tenders minus change. The cash-rounding tender is not cash and is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Iterable

from pos_protocol.money import Currency, MoneyError
from .sale import FinishedSale, TenderType

ZERO = Decimal("0.00")


class DrawerError(ValueError):
    """A drawer operation refused (bad amount, session closed)."""


class MovementKind(StrEnum):
    PAID_IN = "paid_in"  # e.g. change top-up from the safe
    PAID_OUT = "paid_out"  # e.g. paying a delivery from the till


@dataclass(frozen=True)
class CashMovement:
    kind: MovementKind
    amount: Decimal
    reason: str
    by: str  # user_id
    at: datetime | None = None


@dataclass(frozen=True)
class DrawerSession:
    opening_float: Decimal
    opened_by: str
    opened_at: datetime | None = None
    movements: tuple[CashMovement, ...] = ()

    def with_movement(self, movement: CashMovement, currency: Currency = Currency()) -> DrawerSession:
        return replace(self, movements=(*self.movements, checked_movement(movement, currency)))


def checked_movement(movement: CashMovement, currency: Currency = Currency()) -> CashMovement:
    """The movement with its amount in the currency; DrawerError for a bad amount or no reason."""
    try:
        amount = currency.parse(movement.amount, "cash movement")
    except MoneyError as exc:
        raise DrawerError(str(exc)) from None
    if amount <= 0:
        raise DrawerError(f"a {movement.kind.value} must be positive, got {amount}")
    if not movement.reason.strip():
        raise DrawerError(f"a {movement.kind.value} needs a reason")
    return replace(movement, amount=amount)


def open_session(opening_float: Decimal, opened_by: str, opened_at: datetime | None = None,
                 currency: Currency = Currency()) -> DrawerSession:
    try:
        amount = currency.parse(opening_float, "opening float")
    except MoneyError as exc:
        raise DrawerError(str(exc)) from None
    if amount < 0:
        raise DrawerError(f"opening float must not be negative, got {amount}")
    return DrawerSession(amount, opened_by, opened_at)


def net_cash(sale: FinishedSale) -> Decimal:
    """Cash that physically changed hands for one sale or return (positive amount)."""
    cash = sum((t.amount for t in sale.tenders if t.type is TenderType.CASH), ZERO)
    return cash - sale.change_given


@dataclass(frozen=True)
class DrawerSummary:
    opening_float: Decimal
    cash_sales: Decimal
    cash_refunds: Decimal
    paid_in: Decimal
    paid_out: Decimal
    expected: Decimal
    counted: Decimal | None = None

    @property
    def over_short(self) -> Decimal | None:
        """Positive: more cash than expected (over); negative: short."""
        return None if self.counted is None else self.counted - self.expected


def summarize(session: DrawerSession, sales: Iterable[FinishedSale],
              counted: Decimal | None = None) -> DrawerSummary:
    """Expected cash for the session's sales and movements, and the count against it."""
    cash_sales = cash_refunds = ZERO
    for sale in sales:
        if sale.kind == "sale":
            cash_sales += net_cash(sale)
        else:
            cash_refunds += net_cash(sale)
    paid_in = sum((m.amount for m in session.movements if m.kind is MovementKind.PAID_IN), ZERO)
    paid_out = sum((m.amount for m in session.movements if m.kind is MovementKind.PAID_OUT), ZERO)
    expected = session.opening_float + cash_sales - cash_refunds + paid_in - paid_out
    return DrawerSummary(session.opening_float, cash_sales, cash_refunds, paid_in, paid_out,
                         expected, counted)
