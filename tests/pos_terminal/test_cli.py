"""`pos-terminal` as a shop technician runs it: simulate sales, then verify the journal."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pos_terminal.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_audit_verify_names_the_first_tampered_entry(tmp_path: Path) -> None:
    sim = _cli("simulate-sales", "--count", "6", "--data-dir", str(tmp_path), "--seed", "7")
    assert sim.returncode == 0, sim.stderr
    assert sim.stdout.count("committed ") == 6

    ok = _cli("audit", "verify", "--data-dir", str(tmp_path))
    assert ok.returncode == 0 and "chain unbroken" in ok.stdout

    with sqlite3.connect(tmp_path / "terminal.sqlite3") as db:  # someone edits a sale's amount
        seq = db.execute("SELECT min(seq) FROM audit_journal WHERE action = 'order.sale' "
                         "AND seq > 2").fetchone()[0]
        db.execute("UPDATE audit_journal SET payload = replace(payload, '\"gross\"', '\"Gross\"') "
                   "WHERE seq = ?", (seq,))
    broken = _cli("audit", "verify", "--data-dir", str(tmp_path))
    assert broken.returncode == 1
    assert f"BROKEN at entry {seq}" in broken.stdout


def test_audit_verify_without_a_database_is_a_clear_error(tmp_path: Path) -> None:
    result = _cli("audit", "verify", "--data-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "no terminal database" in result.stderr


def test_audit_verify_notices_a_journal_whose_last_entries_were_deleted(tmp_path: Path) -> None:
    sim = _cli("simulate-sales", "--count", "4", "--data-dir", str(tmp_path), "--seed", "3")
    assert sim.returncode == 0, sim.stderr
    with sqlite3.connect(tmp_path / "terminal.sqlite3") as db:  # someone deletes the last three
        last = db.execute("SELECT max(seq) FROM audit_journal").fetchone()[0]
        db.execute("DELETE FROM audit_journal WHERE seq > ?", (last - 3,))
    cut = _cli("audit", "verify", "--data-dir", str(tmp_path))
    assert cut.returncode == 1, cut.stdout
    assert f"BROKEN at entry {last - 2}" in cut.stdout
    assert f"entries {last - 2} to {last} are missing at the end" in cut.stdout


def test_outbox_list_and_requeue_send_a_parked_sale_again(tmp_path: Path) -> None:
    from pos_terminal.store import outbox
    from pos_terminal.store.db import Database

    sim = _cli("simulate-sales", "--count", "2", "--data-dir", str(tmp_path), "--seed", "5")
    assert sim.returncode == 0, sim.stderr
    db = Database(tmp_path / "terminal.sqlite3")  # the server refused the first sale, say a 422
    with db.transaction() as s:
        first = min(e.seq for e in outbox.due(s, outbox_now()) if e.kind == outbox.ORDER)
        outbox.park(s, first, response="{}", error="422 validation_failed: the sale's tax code is unknown")
    db.close()

    listed = _cli("outbox", "list", "--data-dir", str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert "1 parked" in listed.stdout and "the sale's tax code is unknown" in listed.stdout
    assert f"{first}  order" in listed.stdout

    again = _cli("outbox", "requeue", "--all-parked", "--data-dir", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert f"1 entries will be sent again: {first} (order)" in again.stdout
    assert "0 parked" in _cli("outbox", "list", "--data-dir", str(tmp_path)).stdout
    twice = _cli("outbox", "requeue", str(first), "--data-dir", str(tmp_path))
    assert twice.returncode == 2 and "is pending, not parked" in twice.stderr and "nothing was changed" in twice.stderr
    verify = _cli("audit", "verify", "--data-dir", str(tmp_path))
    assert verify.returncode == 0, verify.stdout  # the requeue is journalled, the chain unbroken
    with sqlite3.connect(tmp_path / "terminal.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM audit_journal WHERE action = 'outbox.requeue'").fetchone()[0] == 1


def outbox_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=1)
