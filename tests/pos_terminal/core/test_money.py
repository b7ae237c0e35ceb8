from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from pos_protocol.money import Currency, MoneyError, parse_decimal, round_money, round_to_increment, to_decimal
from pos_protocol.tax import TaxMode, compute_totals


def test_half_up_rounding() -> None:
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert round_to_increment(Decimal("10.02"), Decimal("0.05")) == Decimal("10.00")
    assert round_to_increment(Decimal("10.03"), Decimal("0.05")) == Decimal("10.05")


@pytest.mark.parametrize("bad", [1.5, "abc", "NaN", "Infinity", None, True, "1e3", "+5", "1_000", "1,5", "-", ".", "\u0661\u0662",
                                 Decimal("NaN"), Decimal("Infinity")])
def test_floats_and_garbage_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        to_decimal(bad)


def test_one_parser_for_the_wire_and_the_till() -> None:
    """`to_decimal` (the till's front door) trims text and takes ints, then parses as the
    wire does (`parse_decimal`), whose pattern may bound the digits further."""
    assert to_decimal(" 12.50 ") == Decimal("12.50") and to_decimal(3) == Decimal(3)
    assert to_decimal(".5") == Decimal("0.5") and to_decimal("5.") == Decimal(5)  # as keyed in
    assert parse_decimal("-0.02") == Decimal("-0.02") and parse_decimal(Decimal("1E+2")) == Decimal(100)
    with pytest.raises(MoneyError, match="must be a decimal string, not int"):
        parse_decimal(12)  # a JSON number is no wire decimal
    with pytest.raises(MoneyError, match="not a decimal number"):
        parse_decimal(" 12.50")
    with pytest.raises(MoneyError, match=r"does not fit \(it must match"):
        parse_decimal("1.23456", "amount", r"\d{1,12}(\.\d{1,4})?")


def test_currency_refuses_extra_decimals() -> None:
    with pytest.raises(MoneyError):
        Currency("EUR", 2).parse("1.005")


amounts = st.decimals(min_value=Decimal("-500"), max_value=Decimal("500"), places=2)
rates = st.sampled_from([("A", Decimal("0.19")), ("B", Decimal("0.07")), ("Z", Decimal("0"))])


@given(st.lists(st.tuples(rates, amounts), max_size=30), st.sampled_from(list(TaxMode)))
def test_per_rate_totals_add_up(lines, mode) -> None:
    totals = compute_totals([(c, r, a) for (c, r), a in lines], mode)
    assert totals.net + totals.tax == totals.gross
    assert sum((r.tax for r in totals.by_rate), Decimal(0)) == totals.tax
    assert sum((r.gross for r in totals.by_rate), Decimal(0)) == totals.gross
    base = sum((a for _, a in lines), Decimal(0))
    assert (totals.gross if mode is TaxMode.INCLUSIVE else totals.net) == base
