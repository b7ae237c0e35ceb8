"""Money and dates as the store writes them (Babel, the store's locale)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import NumberFormatError, format_currency, format_decimal, format_percent, parse_decimal


def locale_of(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def money(amount: Decimal | None, currency: str, locale: str) -> str:
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=locale_of(locale))


def signed_money(amount: Decimal | None, currency: str, locale: str) -> str:
    """A difference: always with its sign, so +0.50 and -0.50 read apart."""
    if amount is None:
        return ""
    text = money(abs(amount), currency, locale)
    return ("+" if amount > 0 else "\u2212" if amount < 0 else "") + text


def number(value: Decimal | float | int | None, locale: str) -> str:
    return "" if value is None else format_decimal(value, locale=locale_of(locale))


def when(moment: datetime | None, locale: str) -> str:
    """A moment in UTC (the server knows no store time zone), e.g. '2 Dec 2026, 04:05 UTC'."""
    if moment is None:
        return ""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    loc = locale_of(locale)
    return f"{format_date(moment.date(), 'medium', locale=loc)}, {format_time(moment, 'short', tzinfo=UTC, locale=loc)} UTC"


def day(value: date, locale: str) -> str:
    return format_date(value, "medium", locale=locale_of(locale))


def age(seconds: float | None) -> str:
    """How long ago, in the largest whole unit: '45 s', '12 min', '3 h', '2 d'."""
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def details(payload: dict[str, object] | str) -> str:
    """A journal entry's payload as one line: `key: value; ...`, values as JSON writes them
    (a hash shortened to its first 12 characters: enough to find it, short enough to read)."""
    if not isinstance(payload, dict):
        return payload
    return "; ".join(f"{key}: {_detail(value)}" for key, value in payload.items())


def _detail(value: object) -> str:
    if isinstance(value, str):
        return value[:12] + "…" if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else value
    return json.dumps(value, ensure_ascii=False)


def who(actor: str) -> str:
    """A journal's actor in words: an office user, the admin token, or a till's staff member."""
    if actor.startswith("office:"):
        return f"{actor.removeprefix('office:')} (office)"
    if actor == "admin-token":
        return "admin token"
    return actor


class PriceUnreadable(ValueError):
    """A price typed in the office that is no amount in the store's way of writing."""


def parse_price(text: str, locale: str) -> Decimal:
    """A price as typed ('2,49' in de_DE, '2.49' in en): never a float, never negative."""
    try:
        value = parse_decimal(text.strip(), locale=locale_of(locale), strict=True)
    except NumberFormatError:
        example = format_decimal(Decimal("2.49"), locale=locale_of(locale))
        raise PriceUnreadable(f"“{text}” is not a price; write it like {example}") from None
    if value < 0:
        raise PriceUnreadable("a price cannot be negative")
    return Decimal(value)


# Conflict fields (wire.Conflict.field, services/order_checks.py) whose values are money,
# tax rates or quantities; the others (a SKU, a receipt number, a time) are shown as sent.
MONEY_FIELDS = frozenset({"unit_price"})
RATE_FIELDS = frozenset({"tax_rate"})
QUANTITY_FIELDS = frozenset({"qty"})


class StoreFormat:
    """The formatting functions bound to one store's currency and locale, for templates."""

    def __init__(self, currency: str, locale: str) -> None:
        self.currency, self.locale = currency, locale

    def money(self, amount: Decimal | None) -> str:
        return money(amount, self.currency, self.locale)

    def signed(self, amount: Decimal | None) -> str:
        return signed_money(amount, self.currency, self.locale)

    def when(self, moment: datetime | None) -> str:
        return when(moment, self.locale)

    def day(self, value: date) -> str:
        return day(value, self.locale)

    def when_text(self, text: str | None) -> str:
        """A moment written as ISO 8601 text (a journal's `at`), the store's way."""
        if not text:
            return ""
        try:
            return when(datetime.fromisoformat(text), self.locale)
        except ValueError:
            return text

    def number(self, value: Decimal | float | int | None) -> str:
        return number(value, self.locale)

    def conflict_value(self, field: str, value: str | None) -> str:
        """A conflict's till or server value as the office reads it: a price in the store's
        currency, a tax rate as a percentage, a quantity in the store's digits."""
        if value is None:
            return "–"
        try:
            if field in MONEY_FIELDS:
                return self.money(Decimal(value))
            if field in RATE_FIELDS:
                return format_percent(Decimal(value), locale=locale_of(self.locale), decimal_quantization=False)
            if field in QUANTITY_FIELDS:
                return self.number(Decimal(value))
        except InvalidOperation:
            pass
        return value

    def price_input(self, amount: Decimal) -> str:
        """A price as the office would type it back (no currency sign, no grouping)."""
        return format_decimal(amount, format="0.00##", locale=locale_of(self.locale))
