"""Crash test (issue 2): SIGKILL `simulate-sales` at 20 random moments, restart each time,
then prove the database is whole: all or nothing per sale, gapless receipt numbers, an
unbroken audit chain and exactly one outbox entry per order."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pos_terminal.store import audit
from pos_terminal.store.db import Database
from pos_terminal.store.models import Order, OrderLine, OrderTender, OutboxEntry

pytestmark = pytest.mark.slow
KILLS = 20


def _start(data_dir: Path, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pos_terminal.cli", "simulate-sales", "--count", "1000000",
         "--data-dir", str(data_dir), "--seed", str(seed)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _kill_at_random_moment(proc: subprocess.Popen[str], rng: random.Random) -> set[str]:
    """Let the process commit a random number of sales, then SIGKILL it at a random
    instant (often mid-transaction). Returns the order ids it reported as committed."""
    reported: set[str] = set()
    for _ in range(rng.randint(1, 12)):
        line = proc.stdout.readline()
        assert line.startswith("committed "), f"simulator died early: {line!r}"
        reported.add(line.split()[2])
    time.sleep(rng.uniform(0, 0.03))  # not a wait for an event: it picks the kill moment
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    for line in proc.stdout:  # sales committed between the last read and the kill
        if line.startswith("committed "):
            reported.add(line.split()[2])
    return reported


def test_sigkill_never_leaves_a_partial_sale(tmp_path: Path) -> None:
    rng = random.Random(20261121)
    reported: set[str] = set()
    for run in range(KILLS):
        reported |= _kill_at_random_moment(_start(tmp_path, seed=run), rng)

    db = Database(tmp_path / "terminal.sqlite3")
    with db.reader() as s:
        orders = s.scalars(select(Order)).all()
        lines = Counter(s.scalars(select(OrderLine.order_id)).all())
        tenders = Counter(s.scalars(select(OrderTender.order_id)).all())
        outbox = Counter(s.scalars(select(OutboxEntry.idempotency_key).where(OutboxEntry.kind == "order")).all())
        chain = audit.verify(s)
        seqs = sorted(o.receipt_seq for o in orders)
        order_audit = s.scalar(select(func.count()).select_from(
            select(audit.AuditEntry).where(audit.AuditEntry.action.like("order.%")).subquery()))
    db.close()

    ids = {o.order_id for o in orders}
    assert reported <= ids, "a sale reported as committed was lost"
    assert len(orders) >= KILLS
    for o in orders:
        assert o.line_count > 0 and lines[o.order_id] == o.line_count, o.receipt_no
        assert o.tender_count > 0 and tenders[o.order_id] == o.tender_count, o.receipt_no
    assert seqs == list(range(1, len(orders) + 1)), "receipt numbers have a gap or repeat"
    assert len({o.receipt_no for o in orders}) == len(orders)
    assert chain.ok, f"audit chain broken at {chain.first_broken}: {chain.reason}"
    assert order_audit == len(orders)
    assert set(outbox) == ids and set(outbox.values()) == {1}, "not one outbox entry per order"
