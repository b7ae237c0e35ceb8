"""A till that has held data refuses a missing, emptied, damaged or swapped database with
words and creates nothing; a first start still creates, an old till's database is adopted."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_terminal.store import audit, guard, receipts
from pos_terminal.store.db import Database, make_engine
from pos_terminal.store.guard import TILL_APPLICATION_ID, DatabaseUnusable
from pos_terminal.store.marker import marker_path, read_marker
from pos_terminal.store.models import ReceiptCounter

NOW = datetime(2026, 11, 21, 9, 15, tzinfo=timezone.utc)


def _till_with_sales(path: Path, sales: int = 3) -> Path:
    db = Database(path)
    for i in range(sales):
        with db.transaction() as s:
            receipts.next_receipt_seq(s, "T07")
            audit.append(s, at=NOW, actor="c1", action="order.sale", subject=f"o{i}", payload={"i": i})
    db.close()  # the last connection checkpoints the WAL into the file
    return path


def _fingerprint(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _refused(path: Path) -> DatabaseUnusable:
    before, files = _fingerprint(path), sorted(path.parent.iterdir())
    with pytest.raises(DatabaseUnusable) as refused:
        Database(path)
    assert _fingerprint(path) == before, "the refused file was changed or recreated"
    assert sorted(path.parent.iterdir()) == files, "a file was created beside it"
    message = str(refused.value)
    assert str(path) in message and "nothing has been changed or created" in message
    assert "pos-terminal restore BACKUP_FILE" in message and "pos-terminal start-afresh" in message
    return refused.value


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_first_start_creates_the_database_and_its_marker(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    marker = read_marker(path)
    assert marker is not None and marker.path == tmp_path / "terminal.marker"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == TILL_APPLICATION_ID
        assert raw.execute("PRAGMA user_version").fetchone()[0] == marker.database_id
    db = Database(path)  # and it opens again, with its data
    with db.reader() as s:
        assert s.get(ReceiptCounter, "T07").last_no == 3
    db.close()


def test_emptied_database_is_refused_and_not_recreated(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    path.write_bytes(b"")
    refused = _refused(path)
    assert refused.problem == "is empty (0 bytes)"
    assert path.stat().st_size == 0
    assert "kept its sales in that file since" in str(refused)


def test_deleted_database_is_refused_and_stays_absent(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    path.unlink()
    assert _refused(path).problem == "is missing"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["terminal.marker"]


def test_half_truncated_database_is_refused_in_words(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert _refused(path).problem.startswith("is damaged")


def test_flipped_header_byte_is_refused_in_words(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    _flip(path, 0)
    assert _refused(path).problem.startswith("is not a database file")


def test_flipped_page_byte_is_refused_in_words(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    with sqlite3.connect(path) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    _flip(path, page_size)  # page 2's b-tree page type: the structure SQLite walks
    assert _refused(path).problem.startswith("is damaged")


def test_another_tills_database_is_refused(tmp_path: Path) -> None:
    ours = _till_with_sales(tmp_path / "ours" / "terminal.sqlite3")
    theirs = _till_with_sales(tmp_path / "theirs" / "terminal.sqlite3")
    ours.write_bytes(theirs.read_bytes())
    assert "is not the database this till has been keeping" in _refused(ours).problem


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    path.unlink()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA application_id=42")
        raw.execute("CREATE TABLE t(x)")
    raw.close()
    assert "is not" in _refused(path).problem


def test_damaged_file_without_marker_is_refused_in_words_too(tmp_path: Path) -> None:
    path = tmp_path / "terminal.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    assert _refused(path).problem.startswith("is not a database file")
    assert not marker_path(path).exists()


def test_database_from_before_the_marker_is_adopted_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "terminal.sqlite3"
    old = make_engine(path, "BEGIN IMMEDIATE", mode="rwc")
    with old.begin() as conn:
        conn.execute(text("CREATE TABLE receipt_counters (terminal_id VARCHAR(64) PRIMARY KEY, "
                          "last_no INTEGER)"))
        conn.execute(text("INSERT INTO receipt_counters VALUES ('T01', 41)"))
    old.dispose()
    db = Database(path, upgrade=False)
    with db.reader() as s:
        assert s.get(ReceiptCounter, "T01").last_no == 41
    db.close()
    marker = read_marker(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == marker.database_id != 0


def test_damaged_marker_still_guards_and_is_rewritten_for_a_sound_database(tmp_path: Path) -> None:
    path = _till_with_sales(tmp_path / "terminal.sqlite3")
    database_id = read_marker(path).database_id
    marker_path(path).write_text("{not json")
    Database(path).close()
    assert json.loads(marker_path(path).read_text())["database_id"] == database_id
    marker_path(path).write_text("{not json")
    path.write_bytes(b"")
    _refused(path)


def test_no_marker_and_an_empty_file_is_a_first_start(tmp_path: Path) -> None:
    # A crash between SQLite creating the file and the first write leaves 0 bytes and no
    # marker: nothing was ever kept there, so the till starts as it always did.
    path = tmp_path / "terminal.sqlite3"
    path.write_bytes(b"")
    Database(path).close()
    assert read_marker(path) is not None


def test_two_first_starts_at_once_agree_on_one_database_id(tmp_path: Path) -> None:
    path = tmp_path / "terminal.sqlite3"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            guard.prepare(path)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    guard.prepare(path)  # the marker and the file agree, or this refuses


def test_engine_never_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.sqlite3"
    engine = make_engine(path, "BEGIN")
    with pytest.raises(Exception, match="unable to open database file"):
        engine.connect()
    engine.dispose()
    assert not path.exists()
