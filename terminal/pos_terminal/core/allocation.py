"""Largest-remainder allocation of an amount over weights, to the currency quantum."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from pos_protocol.money import quantum


def allocate(amount: Decimal, weights: list[Decimal], scale: int = 2) -> list[Decimal]:
    """Split `amount` in proportion to non-negative `weights`; the parts sum to `amount`.

    Each part is floored to the quantum, then the leftover quanta go one each to the
    largest remainders (ties to the earlier weight). With `amount <= sum(weights)` no part
    exceeds its weight.
    """
    q = quantum(scale)
    zero = Decimal(0).quantize(q)
    total = sum(weights, Decimal(0))
    if not weights or total == 0 or amount == 0:
        if amount and not total:
            raise ValueError(f"cannot allocate {amount} over zero weights")
        return [zero] * len(weights)
    exact = [amount * w / total for w in weights]
    parts = [e.quantize(q, rounding=ROUND_FLOOR) for e in exact]
    leftover = int((amount - sum(parts, zero)) / q)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += q
    return parts
