"""The rules of a card payment through the payment terminal: its states, what the
terminal's last transaction proves after a crash, how a card tender is referenced, and
whether a refund goes back as a Reversal or a Refund. Pure: no I/O.

    created -> sent -> approved | declined | aborted
    approved -> captured (in exactly one committed sale) | reversed

"created" is committed before any byte goes to the terminal; "sent" just before the
command leaves. So after a crash: a created intent never reached the terminal; a sent
one may have, and only the terminal can say how it ended; an approved one that no sale
captured has taken the customer's money for nothing and is reversed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class IntentState(str, enum.Enum):
    CREATED = "created"
    SENT = "sent"
    APPROVED = "approved"
    DECLINED = "declined"
    ABORTED = "aborted"
    CAPTURED = "captured"
    REVERSED = "reversed"


class IntentKind(str, enum.Enum):
    PAYMENT = "payment"
    REFUND = "refund"  # money back to a card (06 31)
    REVERSAL = "reversal"  # a payment cancelled in the terminal's open batch (06 30)
    END_OF_DAY = "end_of_day"  # the terminal's batch closed (06 50): reversals end here


ALLOWED = {
    IntentState.CREATED: {IntentState.SENT, IntentState.ABORTED},
    IntentState.SENT: {IntentState.APPROVED, IntentState.DECLINED, IntentState.ABORTED},
    IntentState.APPROVED: {IntentState.CAPTURED, IntentState.REVERSED},
    IntentState.DECLINED: set(),
    IntentState.ABORTED: set(),
    IntentState.CAPTURED: {IntentState.REVERSED},  # a same-day reversal of a sold payment
    IntentState.REVERSED: set(),
}
UNRESOLVED = (IntentState.CREATED, IntentState.SENT)


class IntentError(ValueError):
    """A state change the rules do not allow (a bug or a race, never the customer's fault)."""


def check_transition(before: IntentState, after: IntentState) -> None:
    if after not in ALLOWED[before]:
        raise IntentError(f"a payment intent cannot go from {before.value} to {after.value}")


@dataclass(frozen=True)
class TerminalRecord:
    """What the terminal reports of one transaction (its last, after a crash)."""

    approved: bool
    amount: Decimal | None
    receipt_no: int | None
    trace_no: int | None
    auth_code: str | None = None
    masked_pan: str | None = None


def proves_outcome_of(intent_amount: Decimal, last: TerminalRecord | None,
                      receipts_already_known: set[int]) -> bool:
    """Is the terminal's last transaction the one this intent asked for?

    Yes when its amount is the intent's and its receipt number belongs to no other
    intent of ours: the till lets nobody pay while an intent is unresolved, so nothing
    of ours can have run on the terminal after it. Anything else (no transaction, an
    earlier one we already hold, another amount) means ours never completed.
    """
    if last is None or last.receipt_no is None or last.amount != intent_amount:
        return False
    return last.receipt_no not in receipts_already_known


def tender_reference(record: TerminalRecord) -> str:
    """What a card tender carries to the server and onto the receipt: trace and receipt
    number, authorisation code, the masked PAN at most. Never the full card number."""
    parts = [f"trace {record.trace_no:06d}" if record.trace_no is not None else None,
             f"receipt {record.receipt_no:04d}" if record.receipt_no is not None else None,
             f"auth {record.auth_code}" if record.auth_code else None,
             _masked(record.masked_pan) if record.masked_pan else None]
    return " ".join(p for p in parts if p)[:100]


def _masked(pan: str) -> str:
    return "*" * max(0, len(pan) - 4) + pan[-4:]


class RefundRoute(str, enum.Enum):
    REVERSAL = "reversal"
    REFUND = "refund"


def refund_route(full_amount: bool, same_batch: bool) -> RefundRoute:
    """A whole payment still in the terminal's open batch is reversed (no fee, no new
    card presentation); anything else is a Refund to the card."""
    return RefundRoute.REVERSAL if full_amount and same_batch else RefundRoute.REFUND
