"""What a finished sale is: the PROTOCOL.md order without ids, times and receipt number.

The store persists a `FinishedSale` and the sync client sends it. Returns use
`kind="return"` with positive quantities and amounts (the amounts refunded).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from .catalog import Unit
from pos_protocol.tax import Totals

SaleKind = Literal["sale", "return"]
CASH_ROUNDING_REFERENCE = "cash_rounding"


@dataclass(frozen=True)
class PriceOverride:
    approved_by: str  # user_id of the approver holding price.override
    reason: str
    original_price: Decimal


@dataclass(frozen=True)
class SaleLine:
    line_no: int
    sku: str
    description: str
    qty: Decimal
    unit: Unit
    unit_price: Decimal  # the price lock
    tax_code: str
    tax_rate: Decimal
    discount: Decimal  # line discount plus its share of any ticket discount
    line_total: Decimal  # round(qty * unit_price - discount)
    override: PriceOverride | None = None


class TenderType(StrEnum):
    CASH = "cash"
    CARD = "card"
    VOUCHER = "voucher"
    OTHER = "other"


@dataclass(frozen=True)
class Tender:
    type: TenderType
    amount: Decimal
    reference: str | None = None

    @property
    def is_cash_rounding(self) -> bool:
        return self.type is TenderType.OTHER and self.reference == CASH_ROUNDING_REFERENCE


@dataclass(frozen=True)
class VoidedLine:
    """A line voided before payment; kept for the X/Z report, not sent as a line."""

    line_no: int
    sku: str
    qty: Decimal
    amount: Decimal
    voided_by: str


@dataclass(frozen=True)
class FinishedSale:
    kind: SaleKind
    original_order_id: str | None
    cashier_id: str
    lines: tuple[SaleLine, ...]
    tenders: tuple[Tender, ...]
    change_given: Decimal
    totals: Totals  # core.tax.Totals, with by_rate
    voids: tuple[VoidedLine, ...] = ()
    # Returns: who approved the refund (for a blind return, the holder of `return.blind`);
    # sent as the order's `approved_by`, which the server checks for blind returns.
    refund_approved_by: str | None = None

    @property
    def discount_total(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal("0.00"))

    @property
    def overrides(self) -> tuple[SaleLine, ...]:
        return tuple(line for line in self.lines if line.override is not None)
