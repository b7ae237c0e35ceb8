"""Money and quantities as `Decimal`, with the one rounding rule of the system.

Rounding rule: amounts are rounded ROUND_HALF_UP to the store currency's scale
(2 for EUR/USD) at exactly three points: a line total, the tax of one rate, and a
cash-rounded amount due. Everything else is sums of already-rounded amounts, so
totals always add up. Weights carry 3 decimals. Floats are refused outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WEIGHT_SCALE = 3


class MoneyError(ValueError):
    """A value that cannot be money or a quantity (float, NaN, garbage text).

    `reason` is the message without what was parsed ("not a decimal number ..."), for a
    caller that names the value itself (the terminal config names the key)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


DECIMAL = r"-?(\d+(\.\d*)?|\.\d+)"
"""Plain decimal notation: ASCII digits with an optional minus sign and decimal point
("12.50", "-3", and as keyed in, "0.5", ".5" or "5."). No exponent, no `+`, no digit
separators or decimal comma, no NaN or infinity. The patterns the wire gives
`parse_decimal` admit a subset of it (they bound the digits and the sign)."""


def parse_decimal(value: object, what: str = "amount", pattern: str | re.Pattern[str] = DECIMAL) -> Decimal:
    """The one decimal parser of the system: text that fully matches `pattern` -> Decimal.

    A pattern given as text is compiled with re.ASCII (`\\d` is 0-9 only, as in the JSON
    schema the wire publishes); a compiled one is used as it is.

    The wire types (`pos_protocol.wire`, with their bounded patterns) and the till (config,
    catalog CSV, what a cashier keys in, through `to_decimal`) all parse with this. A
    Decimal passes when finite and its plain form matches. Floats are refused: they are
    never exact. So are ints here (a JSON number is not a wire decimal); `to_decimal`
    takes them. The error is a `MoneyError` (a ValueError, which pydantic reports).
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _refused(what, value, "not a finite number")
        text = format(value, "f")
    elif isinstance(value, str):
        text = value
    else:
        reason = f"a decimal string, not {type(value).__name__}"
        raise MoneyError(f"{what} must be {reason}", f"must be {reason}")
    regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.ASCII)
    if regex.fullmatch(text):
        return value if isinstance(value, Decimal) else Decimal(text)
    if isinstance(value, str) and not _PLAIN.fullmatch(text):
        raise _refused(what, value, 'not a decimal number (write it like "12.50")')
    raise _refused(what, value, f"does not fit (it must match {regex.pattern})")


def _refused(what: str, value: object, reason: str) -> MoneyError:
    verb = "" if reason.startswith("does") else "is "
    return MoneyError(f"{what} {value!r} {verb}{reason}", reason)


_PLAIN = re.compile(DECIMAL, re.ASCII)


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """A money/quantity value from the till's own code or an operator: a Decimal or an int
    as they are, text (catalog CSV, config, keyed in) trimmed, then `parse_decimal`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return parse_decimal(value.strip() if isinstance(value, str) else value, what)


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
