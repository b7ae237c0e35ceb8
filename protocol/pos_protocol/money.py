"""Money and quantities as `Decimal`, with the one rounding rule of the system.

Rounding rule: amounts are rounded ROUND_HALF_UP to the store currency's scale
(2 for EUR/USD) at exactly three points: a line total, the tax of one rate, and a
cash-rounded amount due. Everything else is sums of already-rounded amounts, so
totals always add up. Weights carry 3 decimals. Floats are refused outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WEIGHT_SCALE = 3


class MoneyError(ValueError):
    """A value that cannot be money or a quantity (float, NaN, garbage text)."""


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """Parse a money/quantity value strictly: Decimal, int or a decimal string."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{what} must be a decimal string, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{what} {value!r} is not a decimal number") from None
    else:
        raise MoneyError(f"{what} must be a decimal string, not {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"{what} {value!r} is not a finite number")
    return result


def quantum(scale: int) -> Decimal:
    return Decimal(1).scaleb(-scale)


def round_money(value: Decimal, scale: int = 2) -> Decimal:
    """The rounding rule: half-up to the currency scale."""
    return value.quantize(quantum(scale), rounding=ROUND_HALF_UP)


def round_weight(value: Decimal) -> Decimal:
    return value.quantize(quantum(WEIGHT_SCALE), rounding=ROUND_HALF_UP)


def round_to_increment(value: Decimal, increment: Decimal, scale: int = 2) -> Decimal:
    """Cash rounding, e.g. to 0.05: half-up to the nearest multiple of `increment`."""
    if increment <= 0:
        return round_money(value, scale)
    units = (value / increment).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return round_money(units * increment, scale)


@dataclass(frozen=True)
class Currency:
    code: str = "EUR"
    scale: int = 2

    def round(self, value: Decimal) -> Decimal:
        return round_money(value, self.scale)

    def parse(self, value: object, what: str = "amount") -> Decimal:
        """Parse and check that the value does not carry more decimals than the currency."""
        amount = to_decimal(value, what)
        if amount != self.round(amount):
            raise MoneyError(f"{what} {value!r} has more than {self.scale} decimals")
        return self.round(amount)

    def format(self, value: Decimal) -> str:
        return f"{self.round(value):.{self.scale}f}"


def money_str(value: Decimal, scale: int = 2) -> str:
    """Wire form of an amount: a plain decimal string at the currency scale."""
    return f"{round_money(value, scale):.{scale}f}"


def qty_str(value: Decimal, unit: str) -> str:
    """Wire form of a quantity: 3 decimals for weights, integers for pieces."""
    if unit == "kg":
        return f"{round_weight(value):.{WEIGHT_SCALE}f}"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
