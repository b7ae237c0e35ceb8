"""Backups are checked copies; restore refuses anything but a sound till database with an
unbroken journal and keeps what it replaces; start-afresh sets only an unusable file aside."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_terminal.store import audit, receipts
from pos_terminal.store.backup import Refused, backup, restore, start_afresh, verify_file
from pos_terminal.store.db import Database, known_revisions
from pos_terminal.store.guard import DatabaseUnusable
from pos_terminal.store.marker import marker_path, read_marker
from pos_terminal.store.models import ReceiptCounter

NOW = datetime(2026, 11, 21, 9, 15, tzinfo=timezone.utc)


def _till(path: Path, sales: int = 3, terminal: str = "T07") -> Path:
    db = Database(path)
    _sell(db, sales, terminal)
    db.close()
    return path


def _sell(db: Database, sales: int, terminal: str = "T07") -> None:
    for i in range(sales):
        with db.transaction() as s:
            receipts.next_receipt_seq(s, terminal)
            audit.append(s, at=NOW, actor="c1", action="order.sale", subject=f"o{i}", payload={"i": i})


def _last_receipt(path: Path, terminal: str = "T07") -> int:
    db = Database(path)
    with db.reader() as s:
        last = s.get(ReceiptCounter, terminal).last_no
    db.close()
    return last


def _fingerprint(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_backup_then_restore_brings_the_sales_back(tmp_path: Path) -> None:
    path = _till(tmp_path / "till" / "terminal.sqlite3")
    report = backup(path)
    assert report.path.parent == tmp_path / "till" / "backups" and report.chain.entries == 3
    assert sorted(p.name for p in report.path.parent.iterdir()) == [report.path.name]  # no -wal, no .partial
    path.write_bytes(b"")  # the till's file is emptied

    done = restore(path, report.path)

    assert _last_receipt(path) == 3
    assert read_marker(path).database_id == done.report.database_id == report.database_id
    assert (done.set_aside / "terminal.sqlite3").stat().st_size == 0  # kept, never deleted
    assert (done.set_aside / "terminal.marker").exists()


def test_backup_is_a_consistent_copy_while_the_till_writes(tmp_path: Path) -> None:
    path = tmp_path / "terminal.sqlite3"
    live = Database(path)
    _sell(live, 5)
    with live.transaction() as s:  # a sale in flight: begun, not committed, while the copy runs
        receipts.next_receipt_seq(s, "T07")
        report = backup(path, tmp_path / "copy.sqlite3")
    live.close()
    assert report.chain.ok and report.chain.entries == 5
    restored = tmp_path / "elsewhere" / "terminal.sqlite3"
    restore(restored, report.path)
    assert _last_receipt(restored) == 5


def test_backup_never_overwrites_and_refuses_a_damaged_database(tmp_path: Path) -> None:
    path = _till(tmp_path / "terminal.sqlite3")
    taken = tmp_path / "taken.sqlite3"
    taken.write_text("keep me")
    with pytest.raises(Refused, match="already exists"):
        backup(path, taken)
    assert taken.read_text() == "keep me"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(DatabaseUnusable, match="is damaged"):
        backup(path, tmp_path / "new.sqlite3")
    assert not (tmp_path / "new.sqlite3").exists()


def test_backup_keeps_a_copy_of_a_broken_chain_and_says_so(tmp_path: Path) -> None:
    path = _till(tmp_path / "terminal.sqlite3")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE audit_journal SET payload = '{\"i\":99}' WHERE seq = 2")
    raw.close()
    report = backup(path, tmp_path / "copy.sqlite3")
    assert report.path.exists() and report.chain.first_broken == 2
    with pytest.raises(Refused, match="broken audit journal at entry 2"):
        restore(tmp_path / "elsewhere" / "terminal.sqlite3", report.path)


def test_backup_of_a_data_dir_without_a_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="no till database at .* nothing to back up"):
        backup(tmp_path / "terminal.sqlite3")
    assert list(tmp_path.iterdir()) == []


def _flipped(source: Path, target: Path) -> Path:
    data = bytearray(source.read_bytes())
    data[4096] ^= 0xFF  # page 2's b-tree page type
    target.write_bytes(bytes(data))
    return target


def _foreign(target: Path) -> Path:
    with sqlite3.connect(target) as raw:
        raw.execute("CREATE TABLE notes (x)")
    raw.close()
    return target


def _broken_chain(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    with sqlite3.connect(target) as raw:
        raw.execute("UPDATE audit_journal SET payload = '{\"i\":99}' WHERE seq = 2")
    raw.close()
    return target


@pytest.mark.parametrize("bad, words", [
    (lambda good, tmp: _flipped(good, tmp / "flipped.sqlite3"), "is damaged"),
    (lambda good, tmp: _foreign(tmp / "notes.sqlite3"), "is not a till database"),
    (lambda good, tmp: _broken_chain(good, tmp / "edited.sqlite3"), "broken audit journal at entry 2"),
    (lambda good, tmp: tmp / "absent.sqlite3", "there is no backup file"),
    (lambda good, tmp: (tmp / "empty.sqlite3", (tmp / "empty.sqlite3").write_bytes(b""))[0], "is empty"),
], ids=["flipped", "foreign", "broken-chain", "absent", "empty"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path, bad, words) -> None:  # type: ignore[no-untyped-def]
    good = backup(_till(tmp_path / "other" / "terminal.sqlite3"), tmp_path / "good.sqlite3").path
    path = _till(tmp_path / "till" / "terminal.sqlite3", sales=2)
    before, files = _fingerprint(path), sorted((tmp_path / "till").iterdir())
    with pytest.raises(Refused, match=words) as refused:
        restore(path, bad(good, tmp_path))
    assert "nothing was restored" in str(refused.value)
    assert _fingerprint(path) == before and sorted((tmp_path / "till").iterdir()) == files


def test_restore_of_a_backup_from_before_the_marker_gives_it_an_id(tmp_path: Path) -> None:
    old = backup(_till(tmp_path / "old" / "terminal.sqlite3"), tmp_path / "old.sqlite3").path
    with sqlite3.connect(old) as raw:  # what a till before this change wrote: no ids
        raw.execute("PRAGMA application_id=0")
        raw.execute("PRAGMA user_version=0")
    raw.close()
    path = tmp_path / "till" / "terminal.sqlite3"
    done = restore(path, old)
    assert done.set_aside is None and done.report.database_id != 0
    assert read_marker(path).database_id == done.report.database_id
    assert _last_receipt(path) == 3


def test_start_afresh_sets_only_an_unusable_database_aside(tmp_path: Path) -> None:
    path = _till(tmp_path / "terminal.sqlite3")
    with pytest.raises(Refused, match="is sound"):
        start_afresh(path)
    path.write_bytes(b"")
    folder = start_afresh(path)
    assert sorted(p.name for p in folder.iterdir()) == ["terminal.marker", "terminal.sqlite3"]
    assert not marker_path(path).exists()
    Database(path).close()  # the next start is a first start
    assert verify_file(path).orders == 0


def test_verify_file_reports_what_the_database_holds(tmp_path: Path) -> None:
    report = verify_file(_till(tmp_path / "terminal.sqlite3"))
    assert report.chain.ok and report.chain.entries == 3
    assert (report.orders, report.unsent, report.last_receipt, report.terminal_id) == (0, 0, None, None)
    assert report.revision in known_revisions()


def test_restore_over_a_readable_database_continues_its_receipt_numbers(tmp_path: Path) -> None:
    # The backup was taken after 3 sales; the till went on to 8 before it was restored (a bad
    # update rolled back, say). Receipts 4..8 were printed and may be at the server: the
    # restored till must not print a second receipt 4.
    path = _till(tmp_path / "terminal.sqlite3", sales=3)
    report = backup(path)
    live = Database(path)
    _sell(live, 5)
    live.close()

    done = restore(path, report.path)

    assert done.numbering_carried == {"T07": 8}
    assert _last_receipt(path) == 8
    db = Database(path)
    with db.transaction() as s:
        assert receipts.next_receipt_seq(s, "T07") == 9
    with db.reader() as s:
        chain = audit.verify(s)
        last = s.execute(text("SELECT action, payload FROM audit_journal ORDER BY seq DESC LIMIT 1")).one()
    db.close()
    assert chain.ok and chain.entries == 4  # the backup's 3 entries and the restore's own
    assert last.action == "till.restored" and '"receipt_counters_carried":{"T07":8}' in last.payload
    assert not any(p.name.endswith(("-wal", ".restoring")) for p in path.parent.iterdir() if p.name.startswith("terminal.sqlite3."))


def test_restore_over_an_emptied_database_keeps_the_backups_numbering(tmp_path: Path) -> None:
    path = _till(tmp_path / "terminal.sqlite3", sales=3)
    report = backup(path)
    path.write_bytes(b"")  # nothing left to read: only the server knows how far the till got

    done = restore(path, report.path)

    assert done.numbering_carried == {} and _last_receipt(path) == 3
