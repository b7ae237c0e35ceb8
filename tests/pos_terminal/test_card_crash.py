"""SIGKILL a till at each step of a card sale against the ZVT simulator (a program of
its own), restart it, and check the promise: every payment the terminal approved is in
exactly one committed sale or reversed, and no sale shows a card tender the terminal did
not approve."""

from __future__ import annotations

import json
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from devices.simulators.payment import SimulatorControl
from pos_terminal.store.db import Database
from pos_terminal.store.models import OrderTender, PaymentIntentRow
from tests.waiting import wait_until

CHILD = Path(__file__).with_name("card_sale_child.py")
BANNER = re.compile(r"listening on 127\.0\.0\.1:(\d+) control 127\.0\.0\.1:(\d+)")
WAIT = 20.0


def _read_line(stream, timeout: float, what: str) -> str:
    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise AssertionError(f"timed out waiting for {what}")
    return stream.readline()


@pytest.fixture
def terminal() -> Iterator[tuple[int, SimulatorControl]]:
    proc = subprocess.Popen([sys.executable, "-m", "devices.simulators.payment", "--port", "0",
                             "--control-port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        port, control_port = map(int, BANNER.search(_read_line(proc.stderr, WAIT, "the simulator")).groups())
        control = SimulatorControl("127.0.0.1", control_port)
        yield port, control
        control.close()
    finally:
        proc.kill()
        proc.wait()


def _till(data_dir: Path, port: int, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), str(data_dir), str(port), *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])


def _check_promise(data_dir: Path, journal: list[dict]) -> list[PaymentIntentRow]:
    db = Database(data_dir / "terminal.sqlite3")
    with db.reader() as s:
        intents = list(s.scalars(select(PaymentIntentRow)))
        card_tenders = list(s.scalars(select(OrderTender).where(OrderTender.type == "card")))
    db.close()
    approved = [e for e in journal if e["kind"] == "payment" and e["result"] == 0]
    for payment in approved:
        in_sales = [t for t in card_tenders if f"receipt {payment['receipt_no']:04d}" in (t.reference or "")]
        assert payment["reversed"] != (len(in_sales) == 1), (payment, card_tenders)
        assert len(in_sales) <= 1
    standing = {f"receipt {e['receipt_no']:04d}" for e in approved if not e["reversed"]}
    for tender in card_tenders:
        assert any(r in tender.reference for r in standing), tender.reference
    assert not [i for i in intents if i.intent_state in ("created", "sent")]
    assert not [i for i in intents if i.kind == "payment" and i.intent_state == "approved"]
    return intents


@pytest.mark.parametrize(("step", "expected"), [
    ("created", [("payment", "aborted")]),
    ("sent", [("payment", "aborted")]),
    ("answered", [("payment", "reversed"), ("reversal", "approved")]),
    ("approved", [("payment", "reversed"), ("reversal", "approved")]),
    ("committed", [("payment", "captured")]),
])
def test_sigkill_at_each_step_of_a_card_sale(tmp_path: Path, terminal: tuple[int, SimulatorControl],
                                             step: str, expected: list[tuple[str, str]]) -> None:
    port, control = terminal
    if step == "sent":
        control.send("next wait-card")
    till = _till(tmp_path, port, "sale", step)
    try:
        assert _read_line(till.stdout, WAIT, f"the till to reach {step}").strip() == f"AT {step}"
        if step == "sent":
            wait_until(lambda: "0601" in control.send("status")["commands"], WAIT, "the authorisation to arrive")
        till.send_signal(signal.SIGKILL)
        assert till.wait(WAIT) == -signal.SIGKILL
    finally:
        till.kill()
    restarted = _till(tmp_path, port, "recover")
    out, _ = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, out
    journal = control.send("journal")["journal"]
    intents = _check_promise(tmp_path, journal)
    assert sorted((i.kind, i.intent_state) for i in intents) == sorted(expected)
    again = _till(tmp_path, port, "recover")  # a second restart finds nothing left to do
    assert json.loads(again.communicate(timeout=60)[0]) == []
