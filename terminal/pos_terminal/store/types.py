"""Column types that keep `Decimal` exact in SQLite: integers of a fixed minor unit.

SQLite has no decimal type (SQLAlchemy's Numeric goes through REAL there), so money is
stored as integer cents, weights as integer grams, tax rates in millionths. A value with
more decimals than its column holds is an error, never silently rounded.

Times are `pos_protocol.sql.UtcDateTime`, the one time column of till and server.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int, *, normalize: bool = False) -> None:
        super().__init__()
        self.scale = scale
        self.normalize = normalize
        self._factor = Decimal(10) ** scale

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        scaled = value * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        if value is None:
            return None
        result = (Decimal(value) / self._factor).quantize(Decimal(1).scaleb(-self.scale))
        return (result.normalize() if result else Decimal(0)) if self.normalize else result


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a type in model declarations
    return ScaledDecimal(2)


def Quantity() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(3)


def Rate() -> ScaledDecimal:  # noqa: N802
    """Tax rates come back without trailing zeros ("0.07"), as the catalog states them."""
    return ScaledDecimal(6, normalize=True)
