"""Card payments on a real SQLite till through the real ZVT driver to the terminal
simulator over TCP: intents, capture in the sale, recovery, refunds, end of day."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from devices.events import EventBus, EventRecorder, PaymentStatusEvent
from devices.payment import PaymentTerminal, PaymentTerminalConfig
from devices.payment.link import ApduLink
from devices.simulators.payment import ZvtSimulator
from devices.transports.tcp import TcpTransport
from pos_terminal.core.card_payment import IntentKind, IntentState
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, TenderInput
from pos_terminal.services.card_payments import CardPaymentBlocked, CardPayments
from pos_terminal.store import payments
from pos_terminal.store.models import Order, OrderTender, OutboxEntry, PaymentIntentRow

D = Decimal
BREAD = "4001234000015"  # 19.71
FAST = PaymentTerminalConfig(connect_timeout=1.0, ack_timeout=1.0, reply_timeout=2.0)
WAIT = 10.0


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    with ZvtSimulator(card_wait=WAIT) as simulator:
        yield simulator


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def terminal(sim: ZvtSimulator, bus: EventBus) -> Iterator[PaymentTerminal]:
    device = PaymentTerminal("card", ApduLink(TcpTransport("127.0.0.1", sim.port)), bus, FAST)
    device.start()
    yield device
    device.close()


@pytest.fixture
def cards(services: Services, terminal: PaymentTerminal) -> CardPayments:
    return CardPayments(services.db, services.config.terminal_id, terminal, services.till.clock)


def _intent(services: Services, intent_id: str) -> PaymentIntentRow:
    with services.db.reader() as s:
        return payments.get(s, intent_id)


def _orders(services: Services) -> int:
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(Order))


def test_a_card_sale_captures_the_approval_with_its_reference_in_the_same_transaction(
        services: Services, cards: CardPayments, sim: ZvtSimulator) -> None:
    services.till.scan(BREAD)
    outcome = cards.pay(services.till.ticket.totals().gross)
    assert outcome.approved and outcome.receipts["customer"][0] == "CUSTOMER COPY"
    entry = sim.journal[-1]
    assert outcome.reference == f"trace {entry.trace_no:06d} receipt {entry.receipt_no:04d} auth {entry.auth_code} ************1234"
    done = services.till.pay([outcome.tender()])
    row = _intent(services, outcome.intent_id)
    assert (row.intent_state, row.order_id, row.terminal_receipt_no) == ("captured", done.order_id, entry.receipt_no)
    with services.db.reader() as s:
        tender = s.scalars(select(OrderTender).where(OrderTender.order_id == done.order_id)).one()
        body = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "order")).one().body
    assert (tender.type, tender.reference) == ("card", outcome.reference)
    assert f'"reference":"{outcome.reference}"' in body
    assert "6799" not in body  # never the PAN beyond the masked form


def test_split_tender_card_then_cash(services: Services, cards: CardPayments) -> None:
    services.till.scan(BREAD)
    card = cards.pay(D("10.00"))
    done = services.till.pay([card.tender(), TenderInput(TenderType.CASH, D("20.00"))])
    assert [(t.type.value, t.amount) for t in done.sale.tenders] == [("card", D("10.00")), ("cash", D("20.00"))]
    assert done.sale.change_given == D("10.29")


def test_decline_and_till_abort_record_no_tender(services: Services, cards: CardPayments,
                                                 sim: ZvtSimulator, bus: EventBus) -> None:
    sim.script("decline", 0x05)
    declined = cards.pay(D("19.71"))
    assert declined.state == IntentState.DECLINED and declined.message == "declined by the card issuer"
    with pytest.raises(ValueError, match="declined, not approved"):
        declined.tender()
    sim.script("wait-card")
    events = EventRecorder(bus)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(cards.pay(D("19.71"))))
    worker.start()
    events.wait_for(lambda e: isinstance(e, PaymentStatusEvent) and e.code == 0x0A, WAIT)
    assert cards.cancel()
    worker.join(WAIT)
    assert done[0].state == IntentState.ABORTED and not sim.approved_payments()


@pytest.mark.parametrize("behaviour", ["drop-after-approval", "drop-before-completion", "malformed"])
def test_a_lost_or_damaged_answer_is_found_out_from_the_terminal_and_the_sale_completes(
        services: Services, cards: CardPayments, sim: ZvtSimulator, behaviour: str) -> None:
    services.till.scan(BREAD)
    sim.script(behaviour)
    outcome = cards.pay(D("19.71"))
    assert outcome.approved and "repeat" not in outcome.message
    assert "0620" in sim.commands_seen  # Repeat Receipt asked
    services.till.pay([outcome.tender()])
    assert _intent(services, outcome.intent_id).intent_state == "captured"


def test_an_approval_is_captured_once_a_second_sale_with_it_writes_nothing(
        services: Services, cards: CardPayments) -> None:
    services.till.scan(BREAD)
    outcome = cards.pay(D("19.71"))
    services.till.pay([outcome.tender()])
    services.till.scan(BREAD)
    with pytest.raises(payments.CaptureError, match="not an approval waiting for a sale"):
        services.till.pay([outcome.tender()])
    assert _orders(services) == 1


def test_an_abandoned_approval_is_reversed_and_the_customer_gets_the_money_back(
        services: Services, cards: CardPayments, sim: ZvtSimulator) -> None:
    outcome = cards.pay(D("19.71"))
    reversal = cards.release(outcome.intent_id)
    assert reversal.kind == IntentKind.REVERSAL and reversal.approved
    assert _intent(services, outcome.intent_id).intent_state == "reversed"
    assert sim.journal[0].reversed


def test_refund_is_a_reversal_the_same_day_and_a_refund_after_end_of_day(
        services: Services, cards: CardPayments, sim: ZvtSimulator) -> None:
    first = cards.pay(D("19.71"))
    services.till.scan(BREAD)
    services.till.pay([first.tender()])
    same_day = cards.refund(D("19.71"), first.intent_id)
    assert same_day.kind == IntentKind.REVERSAL and same_day.approved and sim.journal[0].reversed
    second = cards.pay(D("5.00"))
    services.till.scan(BREAD)
    services.till.pay([second.tender(), TenderInput(TenderType.CASH, D("14.71"))])
    check = cards.end_of_day(D("5.00"))
    assert check.matches and check.terminal_count == 1
    later = cards.refund(D("5.00"), second.intent_id)
    assert later.kind == IntentKind.REFUND and later.approved and sim.journal[-1].kind == "refund"
    partial = cards.refund(D("1.00"))
    assert partial.kind == IntentKind.REFUND


def test_end_of_day_shows_a_difference(services: Services, cards: CardPayments) -> None:
    cards.pay(D("3.00"))  # an approval the till thinks is worth 2.50
    check = cards.end_of_day(D("2.50"))
    assert not check.matches and check.difference == D("0.50")


def test_nobody_pays_by_card_while_an_earlier_payment_cannot_be_checked(
        services: Services, cards: CardPayments, sim: ZvtSimulator) -> None:
    sim.script("drop-after-approval")
    sim_port = sim.port
    # the link drops after approval, and the terminal is gone before the till can ask
    original = cards.terminal.repeat_receipt

    def unplugged_then_ask():
        sim.unplug()
        return original()

    cards.terminal.repeat_receipt = unplugged_then_ask  # type: ignore[method-assign]
    with pytest.raises(CardPaymentBlocked, match="could not be checked"):
        cards.pay(D("19.71"))
    cards.terminal.repeat_receipt = original  # type: ignore[method-assign]
    with pytest.raises(CardPaymentBlocked):
        cards.pay(D("1.00"))
    assert len(sim.journal) == 1
    sim.plug()
    assert sim.port == sim_port
    settled = cards.recover()
    # the terminal did approve it, but the cashier was never told so: no sale can hold it
    assert [o.state for o in settled] == [IntentState.REVERSED] and sim.journal[0].reversed
    assert cards.pay(D("1.00")).approved


def test_the_terminal_receipt_prints_below_ours_as_configured(services: Services, cards: CardPayments) -> None:
    from pos_terminal.services.till_devices import receipt_for

    services.till.scan(BREAD)
    outcome = cards.pay(D("19.71"))
    done = services.till.pay([outcome.tender()])
    customer = cards.receipt_lines(done.order_id, ("customer",))
    assert customer[1] == "CUSTOMER COPY" and "MERCHANT COPY" not in customer
    both = cards.receipt_lines(done.order_id, ("merchant", "customer"))
    assert both.count("") == 2 and "MERCHANT COPY" in both
    receipt = receipt_for(done, services.config, terminal_lines=customer)
    assert receipt.footer[-len(customer):] == customer


def test_a_return_refunds_onto_the_card_of_its_sale(services: Services, cards: CardPayments, sim: ZvtSimulator) -> None:
    from pos_terminal.services import ApproverPin

    services.till.scan(BREAD)
    sale = services.till.pay([cards.pay(D("19.71")).tender()])
    services.returns.start(sale.receipt_no, ApproverPin("m1", "9999"))
    services.returns.add(1)
    refund = cards.refund_for_order(D("19.71"), sale.order_id)
    assert refund.kind == IntentKind.REVERSAL and refund.approved
    returned = services.till.pay([refund.tender()])
    with services.db.reader() as s:
        rows = {r.kind: r for r in s.scalars(select(PaymentIntentRow))}
    assert rows["reversal"].order_id == returned.order_id and rows["payment"].intent_state == "reversed"
    assert sim.journal[0].reversed


def test_the_z_report_runs_the_terminals_end_of_day_and_carries_the_comparison(
        services: Services, cards: CardPayments, sim: ZvtSimulator) -> None:
    from pos_protocol import wire
    from pos_terminal.services import ApproverPin

    manager = ApproverPin("m1", "9999")
    services.drawer.open(D("100.00"))
    services.till.scan(BREAD)
    services.till.pay([cards.pay(D("19.71")).tender()])
    services.till.scan(BREAD)
    services.till.pay([cards.pay(D("10.00")).tender(), TenderInput(TenderType.CASH, D("9.71"))])
    sim.script("approve")
    cards.pay(D("1.00"))  # approved at the terminal, then the shop forgot to ring it up
    assert services.drawer.card_total() == D("29.71")
    day = services.drawer.close_day(D("109.71"), manager, cards.end_of_day_for_z)
    assert day.card_terminal.terminal_total == D("30.71") and day.card_terminal.difference == D("1.00")
    assert "0650" in sim.commands_seen
    with services.db.reader() as s:
        body = wire.ZReport.model_validate_json(
            s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "z_report")).one().body)
    assert body.card_terminal == day.card_terminal

    services.drawer.open(D("100.00"))
    sim.unplug()  # a Z closes even when the terminal cannot
    day = services.drawer.close_day(D("100.00"), manager, cards.end_of_day_for_z)
    assert day.card_terminal.terminal_total is None and "end of day failed" in day.card_terminal.error


def test_a_z_without_a_terminal_sends_the_bytes_it_always_did(services: Services) -> None:
    from pos_terminal.services import ApproverPin

    services.drawer.open(D("100.00"))
    services.drawer.close_day(D("100.00"), ApproverPin("m1", "9999"))
    with services.db.reader() as s:
        body = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "z_report")).one().body
    assert "card_terminal" not in body
