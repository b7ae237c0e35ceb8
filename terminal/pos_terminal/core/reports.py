"""X and Z reports: pure aggregation over finished sales.

An X report reads the current period without closing it; a Z report closes it and
carries the next number in the terminal's gapless Z sequence. Which sales belong to a
period (everything since the last Z) is the store's business; these functions only sum.
Returns are subtracted: amounts in the `by_rate` and `by_tender` breakdowns are net.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Literal

from .drawer import net_cash
from pos_protocol.money import round_money
from .sale import FinishedSale, TenderType
from pos_protocol.tax import RateTotal

ZERO = Decimal("0.00")


class ReportError(ValueError):
    pass


@dataclass(frozen=True)
class Amounts:
    count: int = 0
    net: Decimal = ZERO
    tax: Decimal = ZERO
    gross: Decimal = ZERO


@dataclass(frozen=True)
class Report:
    kind: Literal["X", "Z"]
    number: int | None  # Z number; None for an X report
    sales: Amounts
    returns: Amounts
    by_rate: tuple[RateTotal, ...]  # sales minus returns, per (tax code, rate)
    by_tender: tuple[tuple[TenderType, Decimal], ...]  # cash net of change; sales minus refunds
    cash_rounding: Decimal
    discount_lines: int
    discount_total: Decimal
    override_lines: int
    override_total: Decimal  # (original - charged) price over overridden lines
    void_lines: int
    void_total: Decimal

    @property
    def net_gross(self) -> Decimal:
        return self.sales.gross - self.returns.gross


def x_report(sales: Iterable[FinishedSale]) -> Report:
    return _aggregate(list(sales), "X", None)


def z_report(sales: Iterable[FinishedSale], last_z_number: int) -> Report:
    """The Z report closing the period after Z number `last_z_number` (0 for the first)."""
    if last_z_number < 0:
        raise ReportError(f"Z numbers start at 1; last Z number {last_z_number} is invalid")
    return _aggregate(list(sales), "Z", last_z_number + 1)


def _amounts(sales: list[FinishedSale]) -> Amounts:
    return Amounts(
        count=len(sales),
        net=sum((s.totals.net for s in sales), ZERO),
        tax=sum((s.totals.tax for s in sales), ZERO),
        gross=sum((s.totals.gross for s in sales), ZERO),
    )


def _by_rate(records: list[FinishedSale]) -> tuple[RateTotal, ...]:
    sums: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for sale in records:
        sign = 1 if sale.kind == "sale" else -1
        for r in sale.totals.by_rate:
            acc = sums[(r.tax_code, r.rate)]
            acc[0] += sign * r.net
            acc[1] += sign * r.tax
            acc[2] += sign * r.gross
    return tuple(RateTotal(code, rate, *acc) for (code, rate), acc in sorted(sums.items()))


def _by_tender(records: list[FinishedSale]) -> tuple[tuple[TenderType, Decimal], Decimal]:
    sums: dict[TenderType, Decimal] = defaultdict(lambda: ZERO)
    rounding = ZERO
    for sale in records:
        sign = 1 if sale.kind == "sale" else -1
        sums[TenderType.CASH] += sign * net_cash(sale)
        for t in sale.tenders:
            if t.is_cash_rounding:
                rounding += sign * t.amount
            elif t.type is not TenderType.CASH:
                sums[t.type] += sign * t.amount
    ordered = tuple((kind, sums[kind]) for kind in TenderType if kind in sums)
    return ordered, rounding


def _aggregate(records: list[FinishedSale], kind: Literal["X", "Z"], number: int | None) -> Report:
    sales = [s for s in records if s.kind == "sale"]
    returns = [s for s in records if s.kind == "return"]
    by_tender, rounding = _by_tender(records)
    sold_lines = [line for s in sales for line in s.lines]
    discounted = [line for line in sold_lines if line.discount]
    overridden = [line for line in sold_lines if line.override is not None]
    voids = [v for s in records for v in s.voids]
    return Report(
        kind=kind, number=number, sales=_amounts(sales), returns=_amounts(returns),
        by_rate=_by_rate(records), by_tender=by_tender, cash_rounding=rounding,
        discount_lines=len(discounted),
        discount_total=sum((line.discount for line in discounted), ZERO),
        override_lines=len(overridden),
        override_total=round_money(sum(
            ((line.override.original_price - line.unit_price) * line.qty for line in overridden), ZERO
        )),
        void_lines=len(voids), void_total=sum((v.amount for v in voids), ZERO),
    )
