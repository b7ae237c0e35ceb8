"""Amounts, quantities and keyed-in numbers by the store's locale (Babel's CLDR data)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from pos_protocol.money import Currency, MoneyError
from pos_terminal.config import ConfigError, load_config
from pos_terminal.services import formatting

EUR = Currency("EUR", 2)
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _restore_locale() -> Iterator[None]:
    before = formatting.store_locale()
    yield
    formatting.use_store_locale(str(before))


@pytest.mark.parametrize(("tag", "text"), [("de_DE", f"19,71{NBSP}€"), ("en_US", "€19.71"), ("en_IE", "€19.71")])
def test_money_follows_the_store_locale(tag: str, text: str) -> None:
    formatting.use_store_locale(tag)
    assert formatting.money(Decimal("19.71"), EUR) == text


def test_negative_and_grouped_amounts_and_a_currency_without_decimals() -> None:
    formatting.use_store_locale("de_DE")
    assert formatting.money(Decimal("-1234.5"), EUR) == f"-1.234,50{NBSP}€"
    assert formatting.money(Decimal("500"), Currency("JPY", 0)) == f"500{NBSP}¥"
    formatting.use_store_locale("en_US")
    assert formatting.money(Decimal("-1"), EUR) == "-€1.00"


def test_weights_keep_three_decimals_with_the_locale_separator() -> None:
    formatting.use_store_locale("de_DE")
    assert formatting.quantity(Decimal("1.25"), "kg") == "1,250 kg"
    assert formatting.quantity(Decimal("3"), "ea") == "3"
    assert formatting.percent(Decimal("0.07")) == "7 %"


def test_keyed_numbers_take_the_locale_separator_and_the_keypad_point() -> None:
    formatting.use_store_locale("de_DE")
    assert formatting.parse_number("1,5") == Decimal("1.5")
    assert formatting.parse_number("1.5") == Decimal("1.5")  # the keypad's point
    assert formatting.parse_amount("20,00", EUR) == Decimal("20.00")
    formatting.use_store_locale("en_US")
    assert formatting.parse_number("0.25") == Decimal("0.25")


@pytest.mark.parametrize("text", ["1.000", "1,2,3", "2,5x", ""])
def test_ambiguous_or_bad_numbers_are_refused_in_words(text: str) -> None:
    formatting.use_store_locale("de_DE")
    with pytest.raises(MoneyError):
        formatting.parse_number(text)


def test_an_amount_with_too_many_decimals_is_refused() -> None:
    formatting.use_store_locale("de_DE")
    with pytest.raises(MoneyError, match="more than 2 decimals"):
        formatting.parse_amount("1,234", EUR)


def test_the_locale_comes_from_the_store_section(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "terminal.toml"
    path.write_text('[store]\nlocale = "de_DE"\n', encoding="utf-8")
    assert load_config(path).locale == "de_DE"
    assert load_config().locale == "en_IE"  # the demo shop
    path.write_text('[store]\nlocale = "xx_QQ"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown locale"):
        load_config(path)
