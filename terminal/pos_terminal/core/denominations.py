"""The notes and coins a drawer holds, for counting it at the end of the day.

Counting by denomination (so many 20s, so many 2-euro coins) is how staff count a drawer
and catches the miscount a single typed total hides. The total is exact Decimal
arithmetic: count x face value, summed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pos_protocol.money import Currency

D = Decimal
# Face values, largest first. A currency not listed is counted as one typed total.
DENOMINATIONS: dict[str, tuple[Decimal, ...]] = {
    "EUR": (D("500"), D("200"), D("100"), D("50"), D("20"), D("10"), D("5"),
            D("2"), D("1"), D("0.50"), D("0.20"), D("0.10"), D("0.05"), D("0.02"), D("0.01")),
    "USD": (D("100"), D("50"), D("20"), D("10"), D("5"), D("1"),
            D("0.25"), D("0.10"), D("0.05"), D("0.01")),
    "GBP": (D("50"), D("20"), D("10"), D("5"), D("2"), D("1"),
            D("0.50"), D("0.20"), D("0.10"), D("0.05"), D("0.02"), D("0.01")),
    "CHF": (D("1000"), D("200"), D("100"), D("50"), D("20"), D("10"),
            D("5"), D("2"), D("1"), D("0.50"), D("0.20"), D("0.10"), D("0.05")),
}


class CountError(ValueError):
    """A count that is not a whole number of notes or coins."""


def denominations(currency: Currency) -> tuple[Decimal, ...]:
    return DENOMINATIONS.get(currency.code, ())


def counted_total(counts: Mapping[Decimal, int], currency: Currency) -> Decimal:
    """The drawer's cash from the count per face value."""
    total = Decimal(0)
    for value, count in counts.items():
        if not isinstance(count, int) or count < 0:
            raise CountError(f"{count!r} pieces of {value}: a count is a whole number, 0 or more")
        total += value * count
    return currency.round(total)
