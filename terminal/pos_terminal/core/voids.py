"""The shop's rule for voiding lines on an open ticket.

A cashier corrects their own mistakes: voiding a line they rang up by accident needs
nobody. Voiding many lines, or much money, on one ticket looks like a sale rung up and
then emptied (the classic sweethearting pattern), so beyond a count or an amount per
ticket a manager approves each further void, as for cancelling the whole ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .sale import VoidedLine


@dataclass(frozen=True)
class VoidLimit:
    free_lines: int = 3
    """Voids per ticket a cashier may do alone."""
    free_amount: Decimal = Decimal("50.00")
    """Store-currency value of the voided lines per ticket a cashier may void alone."""

    def needs_approval(self, voided: Sequence[VoidedLine], amount: Decimal) -> bool:
        """Would voiding one more line worth `amount`, after `voided`, go beyond the limit?"""
        return (len(voided) + 1 > self.free_lines
                or sum((v.amount for v in voided), Decimal(0)) + amount > self.free_amount)

    def explain(self) -> str:
        return (f"more than {self.free_lines} voided lines or {self.free_amount} voided on one "
                "ticket needs a manager's approval")
