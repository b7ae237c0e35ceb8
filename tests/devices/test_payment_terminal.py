"""The ZVT driver against the terminal simulator over real TCP: every way a payment ends."""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest

from devices.events import ErrorEvent, EventBus, EventRecorder, PaymentStatusEvent, PowerEvent, PowerState
from devices.payment import (
    Outcome, OutcomeUnknown, PaymentTerminal, PaymentTerminalConfig, TerminalRefused, TerminalUnavailable,
)
from devices.payment.link import ApduLink
from devices.simulators.payment import SimulatorControl, ZvtSimulator
from devices.transports.tcp import TcpTransport

D = Decimal
FAST = PaymentTerminalConfig(connect_timeout=1.0, ack_timeout=1.0, reply_timeout=2.0)
WAIT = 10.0


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator = ZvtSimulator(card_wait=WAIT).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def terminal(sim: ZvtSimulator, bus: EventBus, events: EventRecorder) -> Iterator[PaymentTerminal]:
    device = PaymentTerminal("card", ApduLink(TcpTransport("127.0.0.1", sim.port)), bus, FAST)
    device.start()
    yield device
    device.close()


def test_approval_carries_trace_receipt_auth_code_masked_pan_and_both_receipts(
        terminal: PaymentTerminal, sim: ZvtSimulator, events: EventRecorder) -> None:
    assert terminal.register().approved and sim.registered
    result = terminal.authorise(D("12.50"))
    assert result.outcome == Outcome.APPROVED
    assert (result.status.amount, result.status.receipt_no) == (D("12.50"), sim.journal[-1].receipt_no)
    assert result.status.auth_code == sim.journal[-1].auth_code and result.status.masked_pan == "************1234"
    assert result.receipt("merchant")[0] == "MERCHANT COPY" and result.receipt("customer")[0] == "CUSTOMER COPY"
    assert "EUR 12.50" in result.receipt("customer")
    insert_card = events.wait_for(lambda e: isinstance(e, PaymentStatusEvent), WAIT)
    assert insert_card.text == "Insert or tap card"


def test_decline_is_a_result_not_an_error(terminal: PaymentTerminal, sim: ZvtSimulator) -> None:
    sim.script("decline", 0x05)
    result = terminal.authorise(D("5.00"))
    assert result.outcome == Outcome.DECLINED and result.result_code == 0x05
    assert result.message == "declined by the card issuer"
    assert not sim.approved_payments()


def test_pin_wait_is_shown_then_approved(terminal: PaymentTerminal, sim: ZvtSimulator, events: EventRecorder) -> None:
    sim.script("pin")
    done: list = []
    worker = threading.Thread(target=lambda: done.append(terminal.authorise(D("20.00"))))
    worker.start()
    pin = events.wait_for(lambda e: isinstance(e, PaymentStatusEvent) and e.code == 0x01, WAIT)
    assert "PIN" in pin.text and not done  # still waiting on the customer
    sim.release()
    worker.join(WAIT)
    assert done[0].approved


def test_till_abort_while_the_terminal_waits_for_the_card(
        terminal: PaymentTerminal, sim: ZvtSimulator, events: EventRecorder) -> None:
    sim.script("wait-card")
    assert terminal.abort() is False  # nothing running yet
    done: list = []
    worker = threading.Thread(target=lambda: done.append(terminal.authorise(D("9.99"))))
    worker.start()
    events.wait_for(lambda e: isinstance(e, PaymentStatusEvent) and e.code == 0x0A, WAIT)
    assert terminal.abort() is True
    worker.join(WAIT)
    assert done[0].outcome == Outcome.ABORTED and done[0].result_code == 0x6C
    assert not sim.approved_payments()


def test_terminal_timeout_ends_as_aborted(terminal: PaymentTerminal, sim: ZvtSimulator) -> None:
    sim.script("timeout")
    assert terminal.authorise(D("1.00")).outcome == Outcome.ABORTED


def test_silence_after_the_ack_is_an_unknown_outcome(terminal: PaymentTerminal, sim: ZvtSimulator) -> None:
    sim.script("silent")
    with pytest.raises(OutcomeUnknown, match="silent"):
        terminal.authorise(D("1.00"))


@pytest.mark.parametrize("behaviour", ["drop-after-approval", "drop-before-completion"])
def test_link_dropped_after_approval_is_unknown_and_repeat_receipt_tells_the_truth(
        terminal: PaymentTerminal, sim: ZvtSimulator, events: EventRecorder, behaviour: str) -> None:
    sim.script(behaviour)
    with pytest.raises(OutcomeUnknown):
        terminal.authorise(D("7.40"))
    events.wait_for(lambda e: isinstance(e, PowerEvent) and e.state == PowerState.OFF_OFFLINE, WAIT)
    last = terminal.repeat_receipt()  # reconnects by itself
    assert last.approved and last.status.amount == D("7.40")
    assert last.status.receipt_no == sim.approved_payments()[-1].receipt_no


def test_a_damaged_status_information_is_an_error_event_never_an_approval(
        terminal: PaymentTerminal, sim: ZvtSimulator, events: EventRecorder) -> None:
    sim.script("malformed")
    with pytest.raises(OutcomeUnknown):
        terminal.authorise(D("3.00"))
    error = events.wait_for(lambda e: isinstance(e, ErrorEvent) and e.code == "malformed_frame", WAIT)
    assert not error.can_retry
    assert terminal.repeat_receipt().approved  # the terminal did approve: recovery must find it


def test_nak_means_the_terminal_did_not_start(terminal: PaymentTerminal, sim: ZvtSimulator) -> None:
    sim.script("nak")
    with pytest.raises(TerminalRefused):
        terminal.authorise(D("1.00"))
    assert not sim.journal


def test_unplugged_terminal_is_unavailable_and_nothing_was_sent(sim: ZvtSimulator, bus: EventBus) -> None:
    sim.unplug()
    device = PaymentTerminal("card", ApduLink(TcpTransport("127.0.0.1", sim.port)), bus, FAST)
    device.start()
    sent: list[bool] = []
    with pytest.raises(TerminalUnavailable):
        device.authorise(D("1.00"), before_send=lambda: sent.append(True))
    assert not sent and device.power_state == PowerState.OFF_OFFLINE
    sim.plug()
    assert device.authorise(D("1.00"), before_send=lambda: sent.append(True)).approved and sent
    device.close()


def test_refund_reversal_and_end_of_day_totals(terminal: PaymentTerminal, sim: ZvtSimulator) -> None:
    first = terminal.authorise(D("10.00"))
    terminal.authorise(D("4.50"))
    reversal = terminal.reverse(first.status.receipt_no)
    assert reversal.approved and sim.journal[0].reversed
    again = terminal.reverse(first.status.receipt_no)
    assert again.outcome == Outcome.DECLINED and again.message == "already reversed"
    assert terminal.refund(D("1.50")).approved
    day = terminal.end_of_day()
    assert day.approved and day.status.totals.count == 1
    assert day.status.totals.total == D("3.00")  # 4.50 paid, 10.00 reversed, 1.50 refunded
    assert terminal.end_of_day().status.totals.count == 0  # a new batch


BANNER = re.compile(r"listening on 127\.0\.0\.1:(\d+) control 127\.0\.0\.1:(\d+)")


def test_simulator_as_a_program_told_what_to_do_over_its_control_port(bus: EventBus) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "devices.simulators.payment", "--port", "0", "--control-port", "0"],
                            stderr=subprocess.PIPE, text=True)
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stderr, selectors.EVENT_READ)
        assert sel.select(WAIT), "simulator did not announce its ports"
        port, control_port = map(int, BANNER.search(proc.stderr.readline()).groups())
        control = SimulatorControl("127.0.0.1", control_port)
        assert control.send("next decline 51")["script"] == ["decline"]
        device = PaymentTerminal("card", ApduLink(TcpTransport("127.0.0.1", port)), bus, FAST)
        with device:
            assert device.authorise(D("2.00")).result_code == 0x51
            assert device.authorise(D("2.00")).approved
        journal = control.send("journal")["journal"]
        assert [(e["result"], e["amount"]) for e in journal] == [(0x51, "2.00"), (0, "2.00")]
        assert control.send("bogus")["error"].startswith("unknown command")
        control.send("quit")
        control.close()
        assert proc.wait(WAIT) == 0
    finally:
        proc.kill()
        proc.wait()
