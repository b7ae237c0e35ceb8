"""Payment intents on the local database: written before the terminal hears of them,
captured in the sale's own transaction. The rules live in core.card_payment and the use
cases in services.card_payments; this module only reads and writes rows."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from pos_terminal.core.card_payment import IntentKind, IntentState, TerminalRecord, check_transition

from .models import PaymentIntentRow


class CaptureError(RuntimeError):
    """A card tender names an intent that is not an uncaptured approval of that amount."""


def create(session: Session, terminal_id: str, kind: IntentKind, amount: Decimal, at: datetime,
           reverses: str | None = None) -> PaymentIntentRow:
    row = PaymentIntentRow(intent_id=str(uuid.uuid4()), terminal_id=terminal_id, kind=kind.value,
                           tender="card", amount=amount, intent_state=IntentState.CREATED.value,
                           created_at=at, updated_at=at, reverses_intent_id=reverses)
    session.add(row)
    return row


def get(session: Session, intent_id: str) -> PaymentIntentRow:
    row = session.get(PaymentIntentRow, intent_id)
    if row is None:
        raise KeyError(f"no payment intent {intent_id}")
    return row


def move(session: Session, intent_id: str, after: IntentState, at: datetime, *,
         record: TerminalRecord | None = None, result_code: int | None = None, message: str | None = None,
         receipts: dict[str, list[str]] | None = None) -> PaymentIntentRow:
    row = get(session, intent_id)
    check_transition(IntentState(row.intent_state), after)
    row.intent_state, row.updated_at = after.value, at
    if record is not None:
        row.terminal_receipt_no, row.trace_no = record.receipt_no, record.trace_no
        row.auth_code, row.masked_pan = record.auth_code, record.masked_pan
    if result_code is not None:
        row.result_code = result_code
    if message is not None:
        row.message = message[:200]
    if receipts is not None:
        row.receipt_lines = json.dumps(receipts, ensure_ascii=False)
    return row


def unresolved(session: Session, terminal_id: str) -> list[PaymentIntentRow]:
    """Intents whose end the till does not know, or approvals no sale holds: oldest first."""
    open_states = [IntentState.CREATED.value, IntentState.SENT.value, IntentState.APPROVED.value]
    return list(session.scalars(
        select(PaymentIntentRow)
        .where(PaymentIntentRow.terminal_id == terminal_id, PaymentIntentRow.intent_state.in_(open_states))
        .order_by(PaymentIntentRow.created_at)))


def known_terminal_receipts(session: Session, terminal_id: str, besides: str) -> set[int]:
    rows = session.scalars(
        select(PaymentIntentRow.terminal_receipt_no)
        .where(PaymentIntentRow.terminal_id == terminal_id, PaymentIntentRow.intent_id != besides,
               PaymentIntentRow.terminal_receipt_no.is_not(None)))
    return set(rows)


def last_end_of_day(session: Session, terminal_id: str) -> datetime | None:
    return session.scalar(
        select(PaymentIntentRow.created_at)
        .where(PaymentIntentRow.terminal_id == terminal_id, PaymentIntentRow.kind == IntentKind.END_OF_DAY.value,
               PaymentIntentRow.intent_state == IntentState.APPROVED.value)
        .order_by(PaymentIntentRow.created_at.desc()).limit(1))


def captured_in(session: Session, order_id: str) -> list[PaymentIntentRow]:
    return list(session.scalars(select(PaymentIntentRow).where(PaymentIntentRow.order_id == order_id)))


def capture(conn: Connection | Session, intent_id: str, amount: Decimal, order_id: str, at: datetime) -> None:
    """Inside the sale's transaction: the approval now belongs to this order, once.

    A conditional UPDATE, so two sales can never capture one approval: the second finds
    no approved, uncaptured row and its whole transaction rolls back.
    """
    result = conn.execute(
        update(PaymentIntentRow)
        .where(PaymentIntentRow.intent_id == intent_id, PaymentIntentRow.intent_state == IntentState.APPROVED.value,
               PaymentIntentRow.order_id.is_(None), PaymentIntentRow.amount == amount)
        .values(intent_state=IntentState.CAPTURED.value, order_id=order_id, updated_at=at))
    if result.rowcount != 1:
        raise CaptureError(f"card payment {intent_id} of {amount} is not an approval waiting for a sale")
