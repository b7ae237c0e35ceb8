"""Returns: against an original receipt (never more than was sold) or blind (approved).

A receipt return refunds each original line pro rata, cumulatively: after returning `c`
of `Q` units, the refunds of that line add up to `round(original_total * c / Q)`, so
partial returns can never add up to more than the line was sold for, and a full return
refunds it exactly. Return lines keep the original line numbers, unit prices, tax codes
and rates (the price lock of the sale). Amounts are positive: they are what is refunded.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterable, Mapping

from .catalog import Item
from pos_protocol.money import Currency
from pos_protocol.permissions import Permission
from .sale import FinishedSale, SaleLine
from pos_protocol.tax import TaxMode
from .ticket import DiscountError, Ticket, TicketError, TicketLine, UnknownLine, checked_quantity
from .users import User, require


class ReturnExceedsSale(TicketError):
    """More would be returned than the original receipt sold."""


class ReturnTooSmall(TicketError):
    """A part of a weighed line so small (a few grams) that its refund cannot be written
    as `round(qty * unit_price - discount)` without going below zero."""


def returned_quantities(returns: Iterable[FinishedSale]) -> dict[int, Decimal]:
    """Quantities already returned per original line number, from earlier return records."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for sale in returns:
        if sale.kind != "return":
            raise TicketError("returned_quantities takes return records only")
        for line in sale.lines:
            totals[line.line_no] += line.qty
    return dict(totals)


def start_blind_return(
    tax_mode: TaxMode, approved_by: User, currency: Currency = Currency(),
) -> Ticket:
    """A return without a receipt: lines are rung up like a sale; needs `return.blind`."""
    require(approved_by, Permission.BLIND_RETURN)
    ticket = Ticket(tax_mode, currency, kind="return")
    ticket.authorize_refund(approved_by)
    return ticket


class ReceiptReturn:
    """A return ticket built from an original sale's lines."""

    def __init__(
        self, original: FinishedSale, original_order_id: str, approved_by: User,
        tax_mode: TaxMode, currency: Currency = Currency(), *,
        already_returned: Mapping[int, Decimal] | None = None,
    ) -> None:
        if original.kind != "sale":
            raise TicketError("only a sale can be returned")
        if not original_order_id:
            raise TicketError("a receipt return needs the original order id")
        self.original = original
        self._sold = {line.line_no: line for line in original.lines}
        self._before = dict(already_returned or {})
        self.ticket = Ticket(tax_mode, currency, kind="return", original_order_id=original_order_id)
        self.ticket.authorize_refund(approved_by)
        self.ticket._receipt_only = True  # no free-priced lines on a receipt return

    def returnable(self, line_no: int) -> Decimal:
        """What can still be returned of an original line (this ticket included)."""
        sold = self._original_line(line_no)
        return sold.qty - self._before.get(line_no, Decimal(0)) - self._on_ticket(line_no)

    def returnable_lines(self) -> dict[int, Decimal]:
        """Original line number -> quantity still returnable, for lines with some left."""
        left = {line_no: self.returnable(line_no) for line_no in self._sold}
        return {line_no: qty for line_no, qty in left.items() if qty > 0}

    def add(self, line_no: int, qty: Decimal | None = None) -> TicketLine:
        """Return `qty` of an original line (all that is left when `qty` is None)."""
        sold = self._original_line(line_no)
        wanted = self.returnable(line_no) if qty is None else checked_quantity(qty, sold.unit)
        if wanted <= 0:
            raise ReturnExceedsSale(f"line {line_no} ({sold.description}) is already fully returned")
        if wanted > self.returnable(line_no):
            raise ReturnExceedsSale(
                f"line {line_no} ({sold.description}): {wanted} requested, only "
                f"{self.returnable(line_no)} of {sold.qty} left to return"
            )
        total_qty = self._on_ticket(line_no) + wanted
        line = TicketLine(
            line_no=line_no, item=_item_of(sold), qty=total_qty, unit_price=sold.unit_price,
            override=sold.override, fixed_discount=self._pro_rata_discount(sold, total_qty),
        )
        try:
            self.ticket._put_return_line(line)
        except DiscountError:
            raise ReturnTooSmall(
                f"line {line_no} ({sold.description}): {wanted} is too small to refund "
                "exactly; return more of it"
            ) from None
        return line

    def _pro_rata_discount(self, sold: SaleLine, qty: Decimal) -> Decimal:
        currency = self.ticket.currency
        before = self._before.get(sold.line_no, Decimal(0))
        refunded = currency.round(sold.line_total * before / sold.qty)
        upto = currency.round(sold.line_total * (before + qty) / sold.qty)
        gross = currency.round(qty * sold.unit_price)
        refund = min(upto - refunded, gross)  # never a negative discount (a markup)
        return gross - refund

    def _on_ticket(self, line_no: int) -> Decimal:
        return sum((l.qty for l in self.ticket.ticket_lines() if l.line_no == line_no), Decimal(0))

    def _original_line(self, line_no: int) -> SaleLine:
        try:
            return self._sold[line_no]
        except KeyError:
            raise UnknownLine(f"the original receipt has no line {line_no}") from None


def _item_of(line: SaleLine) -> Item:
    """The item as it was sold (price lock), not as the catalog has it now."""
    return Item(sku=line.sku, name=line.description, barcodes=(), unit=line.unit,
                price=line.override.original_price if line.override else line.unit_price,
                tax_code=line.tax_code, tax_rate=line.tax_rate, category="")


__all__ = ["ReceiptReturn", "ReturnExceedsSale", "ReturnTooSmall", "returned_quantities", "start_blind_return"]
