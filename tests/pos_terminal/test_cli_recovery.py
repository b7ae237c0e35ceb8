"""Issue 11 (6), as a shop technician meets it: an emptied or damaged till database is
refused in words and nothing is recreated; backup while the till sells, restore, verify;
`audit verify` reads a damaged file or a read-only data dir without a traceback."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from pos_terminal.store import audit
from pos_terminal.store.db import Database
from pos_terminal.store.guard import open_read_only
from pos_terminal.store.models import Order, OrderLine, OutboxEntry

RECOVERY_STEPS = ("nothing has been changed or created", "pos-terminal restore BACKUP_FILE",
                  "pos-terminal start-afresh")


def _cli(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "pos_terminal.cli", *args],
                          capture_output=True, text=True, timeout=120)


def _sell(data_dir: Path, count: int) -> None:
    sim = _cli("simulate-sales", "--count", str(count), "--data-dir", str(data_dir), "--seed", "3")
    assert sim.returncode == 0, sim.stderr


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _assert_refused_in_words(result: subprocess.CompletedProcess[str], problem: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert problem in result.stderr
    for step in RECOVERY_STEPS:
        assert step in result.stderr


def test_emptied_database_is_refused_and_the_till_does_not_start_over(tmp_path: Path) -> None:
    _sell(tmp_path, 6)
    db_file = tmp_path / "terminal.sqlite3"
    db_file.write_bytes(b"")  # the file is emptied (a full disk, a bad copy, a careless `>`)

    sale = _cli("simulate-sales", "--count", "1", "--data-dir", str(tmp_path))
    _assert_refused_in_words(sale, "is empty (0 bytes)")
    assert "committed" not in sale.stdout  # no T01-000001 from a fresh database
    _assert_refused_in_words(_cli("audit", "verify", "--data-dir", str(tmp_path)), "is empty (0 bytes)")
    assert db_file.stat().st_size == 0 and sorted(_files(tmp_path)) == ["terminal.marker", "terminal.sqlite3"]


@pytest.mark.parametrize("damage, problem", [
    (lambda data: data[: len(data) // 2], "is damaged"),
    (lambda data: bytes([data[0] ^ 0xFF]) + data[1:], "is not a database file"),
    (lambda data: data[:4096] + bytes([data[4096] ^ 0xFF]) + data[4097:], "is damaged"),
], ids=["half-truncated", "header-byte-flipped", "page-byte-flipped"])
def test_damaged_database_is_refused_in_words_by_the_till_and_audit_verify(tmp_path: Path, damage, problem) -> None:  # type: ignore[no-untyped-def]
    _sell(tmp_path, 4)
    db_file = tmp_path / "terminal.sqlite3"
    db_file.write_bytes(damage(db_file.read_bytes()))
    before = _files(tmp_path)

    _assert_refused_in_words(_cli("simulate-sales", "--count", "1", "--data-dir", str(tmp_path)), problem)
    _assert_refused_in_words(_cli("audit", "verify", "--data-dir", str(tmp_path)), problem)
    assert _files(tmp_path) == before, "a refused database was changed, or a file was created"


def test_deleted_database_is_refused_and_stays_deleted(tmp_path: Path) -> None:
    _sell(tmp_path, 2)
    (tmp_path / "terminal.sqlite3").unlink()
    _assert_refused_in_words(_cli("simulate-sales", "--count", "1", "--data-dir", str(tmp_path)), "is missing")
    assert sorted(_files(tmp_path)) == ["terminal.marker"]


def test_start_afresh_after_a_refusal_lets_the_till_start_as_new(tmp_path: Path) -> None:
    _sell(tmp_path, 2)
    (tmp_path / "terminal.sqlite3").write_bytes(b"")
    afresh = _cli("start-afresh", "--data-dir", str(tmp_path))
    assert afresh.returncode == 0, afresh.stderr
    assert "set the unusable database aside in" in afresh.stdout and "enroll it again" in afresh.stdout
    _sell(tmp_path, 1)
    [aside] = (tmp_path / "set-aside").iterdir()
    assert sorted(_files(aside)) == ["terminal.marker", "terminal.sqlite3"]


def _simulator(data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pos_terminal.cli", "simulate-sales", "--count", "1000000",
         "--data-dir", str(data_dir), "--seed", "11"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _read_committed(proc: subprocess.Popen[str], n: int) -> set[str]:
    ids = set()
    for _ in range(n):
        line = proc.stdout.readline()
        assert line.startswith("committed "), f"simulator died: {line!r}"
        ids.add(line.split()[2])
    return ids


def _orders(db_file: Path) -> tuple[list[Order], Counter[str], Counter[str], audit.ChainReport]:
    db = Database(db_file)
    with db.reader() as s:
        orders = s.scalars(select(Order)).all()
        lines = Counter(s.scalars(select(OrderLine.order_id)).all())
        outbox = Counter(s.scalars(select(OutboxEntry.idempotency_key).where(OutboxEntry.kind == "order")).all())
        chain = audit.verify(s)
    db.close()
    return orders, lines, outbox, chain


def test_backup_while_the_till_sells_restores_whole_sales_and_an_unbroken_chain(tmp_path: Path) -> None:
    till = _simulator(tmp_path)
    try:
        before = _read_committed(till, 5)
        made = _cli("backup", "--to", str(tmp_path / "backup.sqlite3"), "--data-dir", str(tmp_path))
        assert made.returncode == 0, made.stderr
        in_backup = int(re.search(r"(\d+) sales", made.stdout).group(1))
        reported = len(before)
        while reported <= in_backup + 2:  # the till sells on after the copy was taken
            reported += len(_read_committed(till, 1))
    finally:
        till.send_signal(signal.SIGKILL)  # and then it dies mid-day
        till.wait(timeout=30)

    restored = _cli("restore", str(tmp_path / "backup.sqlite3"), "--data-dir", str(tmp_path))
    assert restored.returncode == 0, restored.stderr
    assert "chain unbroken" in _cli("audit", "verify", "--data-dir", str(tmp_path)).stdout

    orders, lines, outbox, chain = _orders(tmp_path / "terminal.sqlite3")
    ids = {o.order_id for o in orders}
    assert len(orders) == in_backup and before <= ids
    assert all(lines[o.order_id] == o.line_count > 0 for o in orders), "a sale came back partial"
    assert sorted(o.receipt_seq for o in orders) == list(range(1, len(orders) + 1))
    assert chain.ok and set(outbox) == ids and set(outbox.values()) == {1}
    [aside] = (tmp_path / "set-aside").iterdir()  # the replaced database and its -wal, kept
    assert {"terminal.sqlite3", "terminal.sqlite3-wal"} <= set(_files(aside))
    with closing(open_read_only(aside / "terminal.sqlite3")) as kept:
        everything = {order_id for (order_id,) in kept.execute("SELECT order_id FROM orders")}
    assert ids < everything  # the copy is a snapshot of the live till, which sold on


def test_audit_verify_creates_and_changes_nothing_in_the_data_dir(tmp_path: Path) -> None:
    _sell(tmp_path, 3)
    before = _files(tmp_path)
    ok = _cli("audit", "verify", "--data-dir", str(tmp_path))
    assert ok.returncode == 0 and "chain unbroken" in ok.stdout, ok.stderr
    assert _files(tmp_path) == before


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A data dir outside pytest's root-only tmp tree, so an unprivileged user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="pos-ro-"))
    folder.chmod(0o755)
    yield folder / "till"
    for p in folder.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(folder)


def _as_unprivileged() -> tuple[str, ...]:
    """Root ignores file modes, so as root the check runs as `nobody` (else as ourselves)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made to bite")
    return (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")


@pytest.mark.parametrize("state", ["closed", "killed mid-day"])
def test_audit_verify_reads_a_read_only_data_dir(shared_dir: Path, state: str) -> None:
    _sell(shared_dir, 3)
    if state == "killed mid-day":  # leaves the -wal (with sales in it) and the -shm behind
        till = _simulator(shared_dir)
        _read_committed(till, 3)
        till.send_signal(signal.SIGKILL)
        till.wait(timeout=30)
        assert (shared_dir / "terminal.sqlite3-wal").stat().st_size > 0
    for p in [*shared_dir.iterdir(), shared_dir]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    before = _files(shared_dir)

    result = _cli("audit", "verify", "--data-dir", str(shared_dir), prefix=_as_unprivileged())

    assert result.returncode == 0, result.stderr
    assert "chain unbroken" in result.stdout and "Traceback" not in result.stderr
    assert _files(shared_dir) == before
