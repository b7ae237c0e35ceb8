"""The office writes and reads amounts the store's way (Babel), never through a float."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sync_server.backoffice.formatting import PriceUnreadable, StoreFormat, age, parse_price, signed_money

D = Decimal


@pytest.mark.parametrize(("locale", "text", "value"), [
    ("de_DE", "2,49", D("2.49")), ("de_DE", "1.234,50", D("1234.50")), ("en", "2.49", D("2.49")),
    ("en_US", "1,234.5", D("1234.5")), ("de_DE", " 0,10 ", D("0.10")),
])
def test_a_price_is_read_as_the_store_writes_it(locale, text, value):
    parsed = parse_price(text, locale)
    assert parsed == value and isinstance(parsed, Decimal)


@pytest.mark.parametrize(("locale", "text", "says"), [
    ("de_DE", "zwei Euro", "write it like 2,49"), ("en", "2,4,9", "write it like 2.49"),
    ("en", "-1.00", "cannot be negative"), ("en", "", "is not a price"),
])
def test_a_price_that_is_no_amount_is_refused_in_words(locale, text, says):
    with pytest.raises(PriceUnreadable, match=says):
        parse_price(text, locale)


def test_money_dates_and_differences_in_the_stores_locale():
    german, american = StoreFormat("EUR", "de_DE"), StoreFormat("USD", "en_US")
    assert german.money(D("1234.5")) == "1.234,50\xa0€"
    assert american.money(D("1234.5")) == "$1,234.50"
    assert signed_money(D("-0.12"), "EUR", "de_DE") == "\u22120,12\xa0€"
    assert signed_money(D("0.30"), "USD", "en_US") == "+$0.30"
    assert german.when(datetime(2026, 12, 2, 4, 5, tzinfo=UTC)) == "02.12.2026, 04:05 UTC"
    assert german.day(date(2026, 12, 2)) == "02.12.2026"
    assert german.price_input(D("2.5")) == "2,50"
    assert StoreFormat("EUR", "xx_NOPE").money(D("1")) == "€1.00"  # an unknown locale falls back to English


def test_ages_read_in_their_largest_unit():
    assert [age(s) for s in (5, 75, 7200, 200000, None)] == ["5 s", "1 min", "2 h", "2 d", ""]


def test_conflict_values_read_as_money_or_percent_where_they_are():
    german = StoreFormat("EUR", "de_DE")
    assert german.conflict_value("unit_price", "0.57") == "0,57\xa0€"
    assert german.conflict_value("tax_rate", "0.075") == "7,5\xa0%"
    assert german.conflict_value("tax_code", "1") == "1"  # a code, not a number
    assert german.conflict_value("receipt_no", "T-1-000001") == "T-1-000001"
    assert german.conflict_value("unit_price", None) == "–"
    assert german.conflict_value("qty", "1.5") == "1,5"
