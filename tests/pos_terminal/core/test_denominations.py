from decimal import Decimal

import pytest

from pos_protocol.money import Currency
from pos_terminal.core.denominations import CountError, counted_total, denominations

EUR = Currency("EUR", 2)


def test_the_count_adds_up_exactly():
    counts = {Decimal("20"): 3, Decimal("0.10"): 7, Decimal("0.01"): 3}
    assert counted_total(counts, EUR) == Decimal("60.73")
    assert denominations(EUR)[0] == Decimal("500") and denominations(Currency("XXX", 2)) == ()


def test_a_count_is_a_whole_number():
    with pytest.raises(CountError, match="whole number"):
        counted_total({Decimal("1"): -1}, EUR)
