"""How amounts, quantities and dates look on screen, and how a cashier's numbers are read
back: Decimal in, text out (and back), never float, always by the store's locale.

The locale is the shop's, not the workstation's: a Berlin shop shows `19,71 €` whatever
language the till's operating system speaks. `use_store_locale` sets it once at start
(from `[store] locale`); everything here formats with Babel's CLDR data for it.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, get_currency_symbol, parse_pattern

from pos_protocol.money import Currency, MoneyError, round_weight, to_decimal
from pos_terminal.core.catalog import Unit

__all__ = ["DEFAULT_LOCALE", "currency_symbol", "date", "date_time", "decimal_separator", "money",
           "parse_amount", "parse_number", "percent", "quantity", "store_locale", "use_store_locale"]

DEFAULT_LOCALE = "en_IE"  # the demo shop: euros, English words
_locale: Locale = Locale.parse(DEFAULT_LOCALE)


def use_store_locale(tag: str) -> Locale:
    """Format and parse by `tag` (`de_DE`, `en_US`, `de-AT`...) from now on; ValueError in
    words for a tag Babel does not know."""
    global _locale
    try:
        _locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"unknown locale {tag!r} (write it like de_DE or en_US)") from None
    return _locale


def store_locale() -> Locale:
    return _locale


def decimal_separator() -> str:
    """`,` in de_DE, `.` in en_US: what the keypad's decimal key types."""
    return _locale.number_symbols["latn"]["decimal"]


def _group_separator() -> str:
    return _locale.number_symbols["latn"]["group"]


# -- amounts -----------------------------------------------------------------------------


def currency_symbol(currency: Currency) -> str:
    return get_currency_symbol(currency.code, locale=_locale)


@lru_cache(maxsize=64)
def _currency_pattern(locale: Locale, scale: int):  # noqa: ANN202 - babel's NumberPattern
    """The locale's currency pattern with exactly the store currency's decimals (a till
    may run a currency at a scale CLDR does not list)."""
    pattern = copy.copy(parse_pattern(locale.currency_formats["standard"]))
    pattern.frac_prec = (scale, scale)
    return pattern


def money(value: Decimal, currency: Currency) -> str:
    """`19,71 €` (de_DE), `€19.71` (en_US), `-€1.00`: by the store's locale and the
    currency's scale."""
    pattern = _currency_pattern(_locale, currency.scale)
    return pattern.apply(currency.round(value), _locale, currency=currency.code, currency_digits=False)


def quantity(value: Decimal, unit: Unit | str) -> str:
    """`3` pieces, `1,250 kg` (de_DE) or `1.250 kg`: weights always with 3 decimals."""
    if Unit(unit) is Unit.KG:
        return f"{format_decimal(round_weight(value), '#,##0.000', locale=_locale)} kg"
    return format_decimal(value, "#,##0.###", locale=_locale)


def percent(rate: Decimal) -> str:
    """A tax rate stored as a fraction (0.19) shown as `19 %` (the space keeps it legible
    on a receipt in every locale)."""
    pct = format_decimal((rate * 100).normalize(), "#,##0.###", locale=_locale)
    return f"{pct} %"


# -- dates -------------------------------------------------------------------------------


def date_time(value: datetime, tz: tzinfo | None = None) -> str:
    """`02.12.2026, 22:48` in de_DE; `tz` the store's time zone (default: the value's own)."""
    return format_datetime(value.astimezone(tz) if tz else value, "short", tzinfo=tz, locale=_locale)


def date(value: datetime) -> str:
    return format_date(value, "medium", locale=_locale)


# -- what a cashier keys in ----------------------------------------------------------------

_GROUPED = re.compile(r"\d[.,'\u00a0\u202f ]\d{3}(?!\d)")


def parse_number(text: str, what: str = "quantity") -> Decimal:
    """A number keyed in by a person: the store locale's decimal separator (`1,5` in
    de_DE), or a point from the keypad. A thousands separator is refused in words rather
    than guessed: `1.000` in a German shop is a thousand, in an Irish one, one."""
    raw = text.strip()
    sep, group = decimal_separator(), _group_separator()
    if raw.count(",") + raw.count(".") > 1 or (group in raw and group != sep and _GROUPED.search(raw)):
        raise MoneyError(f"{what} {raw!r}: write it without thousands separators, "
                         f"with {sep!r} before the decimals")
    return to_decimal(raw.replace(sep, "."), what)


def parse_amount(text: str, currency: Currency, what: str = "amount") -> Decimal:
    """An amount keyed in (empty is zero); no more decimals than the currency has."""
    return currency.parse(parse_number(text or "0", what), what)
