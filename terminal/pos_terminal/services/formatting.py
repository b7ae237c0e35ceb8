"""How amounts and quantities look on screen: Decimal in, text out, never float."""

from __future__ import annotations

from decimal import Decimal

from pos_terminal.core.catalog import Unit
from pos_protocol.money import Currency, qty_str

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF ", "JPY": "¥"}


def currency_symbol(currency: Currency) -> str:
    return _SYMBOLS.get(currency.code, currency.code + " ")


def money(value: Decimal, currency: Currency) -> str:
    """`€12.50`, `-€1.00`: the store currency's symbol and scale."""
    text = currency.format(abs(value))
    sign = "-" if value < 0 else ""
    return f"{sign}{currency_symbol(currency)}{text}"


def quantity(value: Decimal, unit: Unit | str) -> str:
    unit = Unit(unit)
    return f"{qty_str(value, unit.value)} kg" if unit is Unit.KG else qty_str(value, unit.value)


def percent(rate: Decimal) -> str:
    """A tax rate stored as a fraction (0.19) shown as `19 %`."""
    pct = (rate * 100).normalize()
    return f"{pct:f} %"
