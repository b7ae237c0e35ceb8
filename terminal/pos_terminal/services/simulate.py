"""`pos-terminal simulate-sales`: random but valid sales through the same use cases as the UI.

Used for demos, load and the crash test. Each committed sale prints one line
(`committed <receipt_no> <order_id>`), flushed, so a watcher knows what is durable.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from pos_terminal.core.catalog import Item, Unit
from pos_terminal.core.sale import TenderType
from pos_terminal.core.ticket import Discount

from . import Services
from .checkout import CompletedOrder
from .till import ApproverPin, TenderInput

MANAGER = ApproverPin("m1", "9999")
CASHIER = ("c1", "1111")


class SaleSimulator:
    def __init__(self, services: Services, rng: random.Random,
                 report: Callable[[CompletedOrder], None]) -> None:
        self.s, self.rng, self.report = services, rng, report
        self.items = [i for i in services.catalog if i.active]
        self.sold: list[CompletedOrder] = []

    def run(self, count: int) -> None:
        self.s.till.sign_in(*CASHIER)
        for _ in range(count):
            if self.sold and self.rng.random() < 0.12 and self._ring_return():
                continue
            self._ring_sale()

    def _ring_sale(self) -> None:
        till = self.s.till
        for _ in range(self.rng.randint(1, 6)):
            self._add_line(self.rng.choice(self.items))
        roll = self.rng.random()
        if roll < 0.15:
            till.discount_line(1, Discount("percent", Decimal(self.rng.choice([5, 10]))))
        elif roll < 0.22:
            till.discount_ticket(Discount("percent", Decimal(20)), approver=MANAGER)
        elif roll < 0.27:
            line = till.ticket.lines()[0]
            new_price = (line.unit_price * Decimal("0.8")).quantize(Decimal("0.01"))
            till.override_price(line.line_no, new_price, MANAGER, "damaged packaging")
        completed = till.pay(self._tenders(till.ticket.totals().gross))
        self.sold.append(completed)
        self.report(completed)

    def _add_line(self, item: Item) -> None:
        if item.unit is Unit.KG:
            grams = self.rng.randint(100, 2500)
            self.s.till.add_weighed(item.sku, Decimal(grams) / 1000)
        else:
            self.s.till.add_sku(item.sku, Decimal(self.rng.choice([1, 1, 1, 2, 3])))

    def _tenders(self, gross: Decimal) -> list[TenderInput]:
        roll = self.rng.random()
        if roll < 0.4:  # cash, rounded up to the next note
            note = next(n for n in (5, 10, 20, 50, 100, 200, 500, 10_000) if n >= gross)
            return [TenderInput(TenderType.CASH, Decimal(note))]
        if roll < 0.75:
            return [TenderInput(TenderType.CARD, gross, "sim-card")]
        part = (gross / 2).quantize(Decimal("0.01"))
        second = TenderType.VOUCHER if roll < 0.85 else TenderType.CARD
        return [TenderInput(second, part, "sim-split"), TenderInput(TenderType.CASH, gross - part)]

    def _ring_return(self) -> bool:
        """Return part of an earlier sale against its receipt. False if nothing is left."""
        returns = self.s.returns
        original = self.rng.choice(self.sold)
        returns.start(original.receipt_no, approver=MANAGER)
        remaining = returns.returnable()
        if not remaining:
            self.s.till.cancel_ticket()
            return False
        line_no, left = self.rng.choice(sorted(remaining.items()))
        returns.add(line_no, None if self.rng.random() < 0.5 else min(left, Decimal(1)))
        refund = self.s.till.ticket.totals().gross
        completed = self.s.till.pay([TenderInput(TenderType.CASH, refund)])
        self.report(completed)
        return True
