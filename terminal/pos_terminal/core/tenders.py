"""Paying a ticket: split tenders against an amount due, change, optional cash rounding.

Only cash may exceed what is still due (the excess is change). With cash rounding
(e.g. to 0.05) the cash that settles the ticket pays the rounded remainder and the
difference is recorded as a tender `other` / reference `cash_rounding` (README design
notes), so always `sum(tender amounts) - change_due == amount_due`.
"""

from __future__ import annotations

from decimal import Decimal

from pos_protocol.money import Currency, MoneyError, round_to_increment
from .sale import CASH_ROUNDING_REFERENCE, Tender, TenderType


class TenderError(ValueError):
    """A tender that cannot be taken; the tender set is unchanged."""


class TenderSet:
    def __init__(
        self, amount_due: Decimal, currency: Currency = Currency(), cash_rounding: Decimal | None = None
    ) -> None:
        try:
            due = currency.parse(amount_due, "amount due")
        except MoneyError as exc:
            raise TenderError(str(exc)) from None
        if due < 0:
            raise TenderError(f"amount due {due} is negative")
        if cash_rounding is not None and (not isinstance(cash_rounding, Decimal) or cash_rounding <= 0):
            raise TenderError(f"cash rounding increment must be a positive Decimal, got {cash_rounding!r}")
        self.amount_due = due
        self.currency = currency
        self.cash_rounding = cash_rounding
        self._tenders: list[Tender] = []

    @property
    def tenders(self) -> tuple[Tender, ...]:
        return tuple(self._tenders)

    @property
    def paid(self) -> Decimal:
        return sum((t.amount for t in self._tenders), self.currency.round(Decimal(0)))

    @property
    def remaining(self) -> Decimal:
        """What is still owed (before cash rounding); never negative."""
        return max(self.amount_due - self.paid, self.currency.round(Decimal(0)))

    @property
    def cash_due(self) -> Decimal:
        """What cash must cover to settle: the remainder, cash-rounded if configured."""
        if self.cash_rounding is None:
            return self.remaining
        return round_to_increment(self.remaining, self.cash_rounding, self.currency.scale)

    @property
    def change_due(self) -> Decimal:
        return max(self.paid - self.amount_due, self.currency.round(Decimal(0)))

    @property
    def is_complete(self) -> bool:
        return self.paid >= self.amount_due

    def add(self, type: TenderType, amount: Decimal, reference: str | None = None) -> None:
        kind = self._tender_type(type)
        value = self._amount(amount)
        if self.is_complete:
            raise TenderError(f"ticket is already paid; {kind.value} {value} not taken")
        if kind is TenderType.OTHER and reference == CASH_ROUNDING_REFERENCE:
            raise TenderError("the cash rounding tender is added automatically")
        if kind is TenderType.CASH:
            self._add_cash(value, reference)
            return
        if value > self.remaining:
            raise TenderError(
                f"{kind.value} tender {value} exceeds the {self.remaining} still due; "
                "only cash can be overpaid"
            )
        self._tenders.append(Tender(kind, value, reference))

    def _add_cash(self, value: Decimal, reference: str | None) -> None:
        remaining, cash_due = self.remaining, self.cash_due
        if cash_due != remaining and value >= cash_due:
            # This cash settles the ticket: record the rounding so the sums stay exact.
            self._tenders.append(Tender(TenderType.OTHER, remaining - cash_due, CASH_ROUNDING_REFERENCE))
        self._tenders.append(Tender(TenderType.CASH, value, reference))

    def _amount(self, amount: object) -> Decimal:
        try:
            value = self.currency.parse(amount, "tender amount")
        except MoneyError as exc:
            raise TenderError(str(exc)) from None
        if value <= 0:
            raise TenderError(f"tender amount must be positive, got {value}")
        return value

    @staticmethod
    def _tender_type(type: object) -> TenderType:
        try:
            return TenderType(type)
        except ValueError:
            raise TenderError(f"unknown tender type {type!r}") from None
