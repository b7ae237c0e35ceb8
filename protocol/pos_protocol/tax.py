"""Ticket arithmetic shared by the terminal and the sync server (PROTOCOL.md, Orders).

Tax is computed per rate on the sum of that rate's line totals, never per line,
so per-rate totals always add up to the ticket's tax.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Iterable

from .money import round_money


class TaxMode(str, Enum):
    INCLUSIVE = "inclusive"  # VAT style: shelf prices include tax
    EXCLUSIVE = "exclusive"  # US style: tax added on top


@dataclass(frozen=True)
class RateTotal:
    tax_code: str
    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    by_rate: tuple[RateTotal, ...]


def line_total(qty: Decimal, unit_price: Decimal, discount: Decimal, scale: int = 2) -> Decimal:
    """`round(qty * unit_price - discount)`, the protocol's line arithmetic."""
    return round_money(qty * unit_price - discount, scale)


def tax_for_rate(base: Decimal, rate: Decimal, mode: TaxMode, scale: int = 2) -> Decimal:
    if mode is TaxMode.INCLUSIVE:
        return round_money(base * rate / (1 + rate), scale)
    return round_money(base * rate, scale)


def compute_totals(
    lines: Iterable[tuple[str, Decimal, Decimal]], mode: TaxMode, scale: int = 2
) -> Totals:
    """Totals from `(tax_code, tax_rate, line_total)` triples.

    Lines with the same tax code and rate are summed before tax is taken.
    """
    sums: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for tax_code, rate, amount in lines:
        sums[(tax_code, rate)] += amount
    by_rate = []
    for (tax_code, rate), base in sorted(sums.items()):
        tax = tax_for_rate(base, rate, mode, scale)
        if mode is TaxMode.INCLUSIVE:
            by_rate.append(RateTotal(tax_code, rate, base - tax, tax, base))
        else:
            by_rate.append(RateTotal(tax_code, rate, base, tax, base + tax))
    zero = round_money(Decimal(0), scale)
    net = sum((r.net for r in by_rate), zero)
    tax = sum((r.tax for r in by_rate), zero)
    return Totals(net=net, tax=tax, gross=net + tax, by_rate=tuple(by_rate))
