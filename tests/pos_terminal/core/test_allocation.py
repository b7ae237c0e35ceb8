from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from pos_terminal.core.allocation import allocate

D = Decimal
cents = st.decimals(min_value=D("0"), max_value=D("999.99"), places=2)


@settings(max_examples=200)
@given(st.lists(cents, min_size=1, max_size=10), st.data())
def test_parts_sum_exactly_and_never_exceed_their_weight(weights, data) -> None:
    total = sum(weights)
    amount = data.draw(st.decimals(min_value=D(0), max_value=total, places=2)) if total else D(0)
    parts = allocate(amount, weights)
    assert sum(parts) == amount
    assert all(D(0) <= p <= w for p, w in zip(parts, weights))


def test_largest_remainder_and_ties() -> None:
    assert allocate(D("1.00"), [D(1), D(1), D(1)]) == [D("0.34"), D("0.33"), D("0.33")]
    assert allocate(D("0.05"), [D("0.10"), D("0.90")]) == [D("0.01"), D("0.04")]
    with pytest.raises(ValueError):
        allocate(D("1.00"), [D(0)])
