"""Issue 12 item 8: a receipt survives a crash after its sale commits.

A real till process (`pos-terminal simulate-sales --devices`) is SIGKILLed by its own
crash point right after the sale's commit, before anything reaches the print queue. The
real app (`pos-terminal run`, offscreen) is started again on the same data dir against
the ESC/POS printer simulator on TCP: it prints the owed receipt, once. A third start
prints nothing more.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.simulators.printer import PrinterSimulator
from pos_terminal.config import DEFAULT_CONFIG, RESOURCES
from tests.waiting import wait_until

pytestmark = pytest.mark.slow
TIMEOUT = 60


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    sim = PrinterSimulator(port=0).start()
    yield sim
    sim.stop()


def till_config(tmp_path: Path, printer_port: int) -> Path:
    """The demo shop's terminal TOML, with a devices file naming the simulator's port."""
    (tmp_path / "devices.toml").write_text(f"""
[manager]
backoff_initial = 0.1
backoff_max = 0.5

[devices.receipt]
kind = "printer"
transport = "tcp"
host = "127.0.0.1"
port = {printer_port}
""")
    text = DEFAULT_CONFIG.read_text().replace('# config = "devices.toml"', 'config = "devices.toml"')
    text = text.replace('catalog = "demo_catalog.csv"', f'catalog = "{RESOURCES / "demo_catalog.csv"}"')
    text = text.replace('categories = "demo_categories.csv"', f'categories = "{RESOURCES / "demo_categories.csv"}"')
    path = tmp_path / "terminal.toml"
    path.write_text(text)
    return path


def pos_terminal(config: Path, data_dir: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pos_terminal.cli", "--config", str(config), "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env})


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)  # a till is switched off, not asked
    proc.communicate(timeout=TIMEOUT)


def test_sigkill_between_commit_and_print_prints_the_receipt_once_after_restart(
        tmp_path: Path, printer: PrinterSimulator) -> None:
    config, data = till_config(tmp_path, printer.port), tmp_path / "till"
    db = data / "terminal.sqlite3"

    crashed = pos_terminal(config, data, "simulate-sales", "--count", "1", "--seed", "7", "--devices",
                           POS_TERMINAL_CRASH_AT="after_commit")
    _, err = crashed.communicate(timeout=TIMEOUT)
    assert crashed.returncode == -signal.SIGKILL, err
    [(order_id, receipt_no)] = rows(db, "SELECT order_id, receipt_no FROM orders")
    assert rows(db, "SELECT order_id FROM pending_receipts") == [(order_id,)]  # owed, with the sale
    assert printer.receipts == []

    restarted = pos_terminal(config, data, "run")
    try:
        printer.wait_until(lambda s: len(s.receipts) == 1, timeout=TIMEOUT)
        wait_until(lambda: rows(db, "SELECT count(*) FROM pending_receipts") == [(0,)], TIMEOUT,
                   "the owed receipt to be settled")
        wait_until(lambda: rows(data / "print_queue.sqlite3", "SELECT state FROM print_jobs") == [("done",)],
                   TIMEOUT, "the print queue to confirm the job")
    finally:
        stop(restarted)
    assert receipt_no in printer.receipts[0] and "COPY" not in printer.receipts[0]

    again = pos_terminal(config, data, "run")
    try:  # its start reads the owed receipts before the window opens; the log says so
        wait_until(lambda: (data / "logs" / "till.jsonl").exists()
                   and "till started" in (data / "logs" / "till.jsonl").read_text(), TIMEOUT, "the third start")
    finally:
        stop(again)
    assert len(printer.receipts) == 1, "the receipt printed twice"
