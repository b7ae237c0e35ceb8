"""The pay dialog's Card button through the real ZVT driver to the terminal simulator:
status shown, cancel, approval becomes the tender, an abandoned approval is reversed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from devices.events import EventBus
from devices.payment import PaymentTerminal, PaymentTerminalConfig
from devices.payment.link import ApduLink
from devices.simulators.payment import ZvtSimulator
from devices.transports.tcp import TcpTransport
from pos_terminal.core.sale import TenderType
from pos_terminal.services.card_payments import CardPayments
from pos_terminal.store.models import OrderTender, PaymentIntentRow

from .conftest import BREAD, order_count, scan
from .test_sale_screen import _pay_dialog

WAIT_MS = 10_000


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    with ZvtSimulator(card_wait=10.0) as simulator:
        yield simulator


@pytest.fixture
def card_window(window, services, sim):  # type: ignore[no-untyped-def]
    bus = EventBus()
    terminal = PaymentTerminal("card", ApduLink(TcpTransport("127.0.0.1", sim.port)), bus,
                               PaymentTerminalConfig(connect_timeout=1, ack_timeout=1, reply_timeout=5))
    terminal.start()
    services.cards = CardPayments(services.db, services.config.terminal_id, terminal, services.till.clock)
    window.device_bridge.attach(bus)
    yield window
    terminal.close()


def _card(qtbot, dialog, amount: str):  # type: ignore[no-untyped-def]
    dialog.amount.setText(amount)
    dialog.tender_buttons[TenderType.CARD].click()
    card = dialog.card_flow.dialog
    assert card is not None and card.isVisible()
    return card


def test_card_then_cash_commits_with_the_terminal_reference(qtbot, card_window, services, sim) -> None:
    screen = card_window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    card = _card(qtbot, dialog, "10.00")
    qtbot.waitUntil(lambda: not card.isVisible(), timeout=WAIT_MS)
    assert card.outcome.approved
    assert dialog.remaining_label.text() == "Remaining: €9.71"
    dialog.findChild(type(dialog.complete_button), "quick_20.00").click()
    with qtbot.waitSignal(dialog.committed, timeout=WAIT_MS):
        dialog.complete_button.click()
    with services.db.reader() as s:
        tender = s.scalars(select(OrderTender).where(OrderTender.type == "card")).one()
        intent = s.scalars(select(PaymentIntentRow)).one()
    assert f"receipt {sim.journal[0].receipt_no:04d}" in tender.reference
    assert (intent.intent_state, intent.order_id) == ("captured", tender.order_id)


def test_pin_status_is_shown_and_cancel_adds_no_tender(qtbot, card_window, services, sim) -> None:
    screen = card_window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    sim.script("pin")
    card = _card(qtbot, dialog, "")
    qtbot.waitUntil(lambda: card.status.text() == "Customer: please enter the PIN", timeout=WAIT_MS)
    card.cancel_button.click()
    qtbot.waitUntil(lambda: card.close_button.isVisible(), timeout=WAIT_MS)
    assert card.status.text().startswith("Not paid: cancelled")
    card.close_button.click()
    assert dialog.tenders == [] and dialog.remaining_label.text() == "Remaining: €19.71"
    assert not sim.approved_payments() and order_count(services) == 0


def test_a_declined_card_says_why(qtbot, card_window, sim) -> None:
    screen = card_window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    sim.script("decline", 0x05)
    card = _card(qtbot, dialog, "")
    qtbot.waitUntil(lambda: card.close_button.isVisible(), timeout=WAIT_MS)
    assert card.status.text() == "Not paid: declined by the card issuer"
    assert dialog.tenders == []


def test_leaving_the_pay_dialog_reverses_its_card_approval(qtbot, card_window, sim) -> None:
    screen = card_window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    card = _card(qtbot, dialog, "5.00")
    qtbot.waitUntil(lambda: not card.isVisible(), timeout=WAIT_MS)
    assert [t.amount for t in dialog.tenders] == [Decimal("5.00")]
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: sim.journal[0].reversed, timeout=WAIT_MS)


def test_the_z_banner_names_a_card_difference(qtbot, window) -> None:  # noqa: ARG001 - a QApplication
    from pos_protocol import wire
    from pos_protocol.money import Currency
    from pos_terminal.ui.card_payment import card_check_text
    from pos_terminal.ui.widgets import Level

    eur = Currency()
    differs = wire.ZCardTerminal(terminal_total=Decimal("30.71"), terminal_count=3, till_total=Decimal("29.71"),
                                 difference=Decimal("1.00"))
    assert card_check_text(differs, eur) == (
        Level.ERROR, "Card terminal end of day: €30.71 but the till has €29.71 by card (difference €1.00)")
    same = differs.model_copy(update={"terminal_total": Decimal("29.71"), "difference": Decimal("0.00")})
    assert card_check_text(same, eur)[0] == Level.INFO
    failed = wire.ZCardTerminal(till_total=Decimal("1.00"), error="terminal unreachable")
    assert card_check_text(failed, eur) == (Level.ERROR, "Card terminal end of day failed: terminal unreachable")
