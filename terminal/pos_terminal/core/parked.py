"""A parked (held) ticket as plain data: what the till stores while the customer fetches
something they forgot, and brings back unchanged.

Each line keeps the item as it was rung up (name, tax, the price the line locked), not as
the catalog may say by the time the ticket is resumed: a price change in between must not
reprice a customer's basket. Only sale tickets park; a return is tied to its receipt and
is finished or cancelled where it stands. Decimals travel as strings, never floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pos_protocol.money import Currency
from pos_protocol.tax import TaxMode

from .catalog import Item, Unit
from .sale import PriceOverride
from .ticket import Discount, Ticket, TicketError, TicketLine

FORMAT = 1  # bump when the shape changes; a till reads every format it ever wrote


class CannotPark(TicketError):
    """Nothing to park, or a return."""


def snapshot(ticket: Ticket) -> dict[str, Any]:
    """The ticket as JSON-ready data; CannotPark for an empty ticket or a return."""
    if ticket.kind != "sale":
        raise CannotPark("a return cannot be parked: finish or cancel it")
    if not len(ticket):
        raise CannotPark("the ticket has no lines to park")
    discount = ticket.ticket_discount
    return {"format": FORMAT, "next_line_no": ticket.next_line_no,
            "ticket_discount": _discount(discount), "lines": [_line(l) for l in ticket.all_lines]}


def restore(data: dict[str, Any], tax_mode: TaxMode, currency: Currency,
            discount_limit_pct: Decimal) -> Ticket:
    """The ticket `snapshot` made, priced again by the same rules."""
    if data.get("format") != FORMAT:
        raise TicketError(f"parked ticket in an unknown format {data.get('format')!r}")
    lines = [_read_line(l) for l in data["lines"]]
    discount = _read_discount(data["ticket_discount"])
    return Ticket.resumed(tax_mode, currency, lines, discount, int(data["next_line_no"]),
                          discount_limit_pct=discount_limit_pct)


def _discount(discount: Discount | None) -> dict[str, str] | None:
    return None if discount is None else {"kind": discount.kind, "value": str(discount.value)}


def _read_discount(data: dict[str, str] | None) -> Discount | None:
    return None if data is None else Discount(data["kind"], Decimal(data["value"]))  # type: ignore[arg-type]


def _line(line: TicketLine) -> dict[str, Any]:
    item, override = line.item, line.override
    return {
        "line_no": line.line_no, "qty": str(line.qty), "unit_price": str(line.unit_price),
        "item": {"sku": item.sku, "name": item.name, "barcodes": list(item.barcodes), "unit": item.unit.value,
                 "price": str(item.price), "tax_code": item.tax_code, "tax_rate": str(item.tax_rate),
                 "category": item.category},
        "discount": _discount(line.discount),
        "override": None if override is None else {"approved_by": override.approved_by, "reason": override.reason,
                                                   "original_price": str(override.original_price)},
        "fixed_discount": None if line.fixed_discount is None else str(line.fixed_discount),
        "voided_by": line.voided_by,
    }


def _read_line(data: dict[str, Any]) -> TicketLine:
    i, o = data["item"], data["override"]
    item = Item(i["sku"], i["name"], tuple(i["barcodes"]), Unit(i["unit"]), Decimal(i["price"]),
                i["tax_code"], Decimal(i["tax_rate"]), i["category"])
    override = None if o is None else PriceOverride(o["approved_by"], o["reason"], Decimal(o["original_price"]))
    fixed = data["fixed_discount"]
    return TicketLine(int(data["line_no"]), item, Decimal(data["qty"]), Decimal(data["unit_price"]),
                      _read_discount(data["discount"]), override,
                      None if fixed is None else Decimal(fixed), data["voided_by"])
