"""Crash test for parked tickets: a till process parks tickets and resumes and pays older
ones until it is SIGKILLed at a random moment; after each restart every ticket it reported
parked is still parked or sold, none is both, none twice, and none reached the outbox
unpaid."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from pos_terminal.store.db import Database
from pos_terminal.store.models import Order, OrderLine, OutboxEntry, ParkedTicketRow

pytestmark = pytest.mark.slow
KILLS = 6

# Each ticket is one line of SKU00001 whose quantity is the ticket's mark, unique per test.
_CHILD = """
import sys
from decimal import Decimal
from pathlib import Path
from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import TenderInput, open_services

svc = open_services(load_config(data_dir=Path(sys.argv[1])))
till = svc.till
till.sign_in("c1", "1111")
mark = int(sys.argv[2])
while True:
    mark += 1
    till.add_sku("SKU00001", Decimal(mark))
    till.park()
    print("parked", mark, flush=True)
    waiting = till.parked()
    if len(waiting) > 3:
        ticket = till.resume(waiting[0].park_id)
        sold = ticket.ticket_lines()[0].qty
        till.pay([TenderInput(TenderType.CARD, ticket.totals().gross)])
        print("paid", sold, flush=True)
"""


def _run_and_kill(data_dir: Path, first_mark: int, rng: random.Random) -> tuple[set[int], set[int]]:
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(data_dir), str(first_mark)],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    parked: set[int] = set()
    paid: set[int] = set()

    def note(line: str) -> None:
        word, mark = line.split()
        (parked if word == "parked" else paid).add(int(Decimal(mark)))

    for _ in range(rng.randint(3, 15)):
        line = proc.stdout.readline()
        assert line, "the till process died early"
        note(line)
    time.sleep(rng.uniform(0, 0.02))  # not a wait for an event: it picks the kill moment
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    for line in proc.stdout:  # committed between the last read and the kill
        note(line)
    return parked, paid


def test_sigkill_while_parking_and_paying_loses_no_ticket_and_counts_none_twice(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    reported_parked: set[int] = set()
    reported_paid: set[int] = set()
    for run in range(KILLS):
        parked, paid = _run_and_kill(tmp_path, run * 1000, rng)
        reported_parked |= parked
        reported_paid |= paid

    db = Database(tmp_path / "terminal.sqlite3")
    with db.reader() as s:
        waiting = [json.loads(body) for body in s.scalars(select(ParkedTicketRow.body))]
        sold = list(s.scalars(select(OrderLine.qty)))
        orders = set(s.scalars(select(Order.order_id)))
        outbox = Counter(s.scalars(select(OutboxEntry.idempotency_key).where(OutboxEntry.kind == "order")))
    db.close()

    still_parked = [int(Decimal(t["lines"][0]["qty"])) for t in waiting]
    sold_marks = [int(q) for q in sold]
    assert len(still_parked) == len(set(still_parked)), "a ticket is parked twice"
    assert len(sold_marks) == len(set(sold_marks)), "a parked ticket was sold twice"
    assert not set(still_parked) & set(sold_marks), "a ticket is both sold and still parked"
    assert reported_parked <= set(still_parked) | set(sold_marks), "a parked ticket was lost"
    assert reported_paid <= set(sold_marks)
    assert reported_paid, "the run never paid a resumed ticket"
    assert set(outbox) == orders and set(outbox.values()) == {1}, "an unpaid ticket reached the outbox"
