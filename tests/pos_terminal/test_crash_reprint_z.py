"""SIGKILL in the middle of pay, reprint and Z (issue 9): killed at random moments and
restarted, the till has lost no sale it reported, counts none twice (each sale in at most
one Z, Z numbers gapless), and a reprint changed no sale."""

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

from pos_terminal.store import audit
from pos_terminal.store.db import Database
from pos_terminal.store.models import AuditEntry, DrawerSessionRow, Order, OutboxEntry, ZReportRow

pytestmark = pytest.mark.slow
KILLS = 10
ROOT = Path(__file__).resolve().parents[2]


def _start(data_dir: Path, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.pos_terminal.crash_day_worker", str(data_dir), str(seed)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _kill_at_random_moment(proc: subprocess.Popen[str], rng: random.Random) -> list[str]:
    said: list[str] = []
    for _ in range(rng.randint(1, 10)):
        line = proc.stdout.readline()
        assert line, "the worker died early"
        said.append(line.strip())
    time.sleep(rng.uniform(0, 0.05))  # not a wait for an event: it picks the kill moment
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    said += [line.strip() for line in proc.stdout]
    return said


def test_sigkill_during_pay_reprint_and_z_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(9)
    said: list[str] = []
    for run in range(KILLS):
        said += _kill_at_random_moment(_start(tmp_path, run), rng)
    committed = {line.split()[1] for line in said if line.startswith("committed")}
    reprints = sum(1 for line in said if line.startswith("reprinted"))
    zs = [int(line.split()[1]) for line in said if line.startswith("z ")]

    db = Database(tmp_path / "terminal.sqlite3")
    with db.reader() as s:
        orders = s.scalars(select(Order)).all()
        z_rows = s.scalars(select(ZReportRow).order_by(ZReportRow.z_number)).all()
        closed = s.scalars(select(DrawerSessionRow).where(DrawerSessionRow.z_number.is_not(None))).all()
        journal = Counter(s.scalars(select(AuditEntry.action)).all())
        outbox = Counter(s.scalars(select(OutboxEntry.idempotency_key)).all())
        chain = audit.verify(s)
    db.close()

    assert committed <= {o.order_id for o in orders}, "a sale reported as paid was lost"
    assert sorted(o.receipt_seq for o in orders) == list(range(1, len(orders) + 1))
    numbers = [z.z_number for z in z_rows]
    assert numbers == list(range(1, len(numbers) + 1)) and set(zs) <= set(numbers), "a Z lost or doubled"
    assert len({z.session_id for z in z_rows}) == len(z_rows) == len(closed)
    in_session = Counter(o.drawer_session_id for o in orders)
    for z in z_rows:  # each Z counts exactly the sales of its session: none missing, none twice
        body = json.loads(z.body)
        assert body["sales_count"] == in_session[z.session_id], z.z_number
        assert Decimal(body["gross_sales"]) == sum((o.gross for o in orders if o.drawer_session_id == z.session_id),
                                                   Decimal(0))
    assert journal["receipt.reprint"] >= reprints  # every reprint reported was journalled first
    assert set(outbox.values()) == {1}, "an entry queued twice"
    assert chain.ok, chain.reason
    assert reprints > 0 and zs, "the kills never let a reprint or a Z happen"
