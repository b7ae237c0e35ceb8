"""Keeping the till's database safe: a consistent online backup, a checked restore, and
setting an unusable database aside so the till can start afresh.

`backup` copies with SQLite's online backup API in one step: one read transaction, so the
copy is a consistent snapshot while the till keeps selling (WAL lets writers go on).
`restore` refuses a file that is not a sound till database of a schema this till knows,
or whose audit chain is broken; it never deletes the database it replaces but moves it
(with its -wal and -shm) to `<data dir>/set-aside/<time>/`, then points the marker at the
restored database. Receipt numbers never run backwards: when the replaced database can
still be read, its counters carry over (a backup's counter is older than the receipts the
till has printed since), and the restore is journalled, so the server and the office see it. `verify_file` is the read-only check behind all of them and behind
`pos-terminal audit verify`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import NullPool, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from . import audit
from .db import make_engine, known_revisions, migrate
from .guard import DatabaseUnusable, companions, damaged, examine, open_read_only, stamp_once
from .marker import Marker, fsync_dir, marker_path, read_marker, write_marker
from .outbox import AUDIT, OutboxState

TILL_TABLES = {"alembic_version", "audit_journal", "orders", "outbox", "receipt_counters"}


class Refused(RuntimeError):
    """A backup, restore or start-afresh that was not done; the message says why."""


@dataclass(frozen=True)
class FileReport:
    """What a sound till database file holds."""

    path: Path
    database_id: int
    revision: str
    chain: audit.ChainReport
    orders: int
    unsent: int  # outbox entries the server has not accepted (pending, held or parked), audit ones aside
    last_receipt: str | None
    terminal_id: str | None  # the enrolled terminal, None when the till never enrolled

    def summary(self) -> str:
        till = f"terminal {self.terminal_id}" if self.terminal_id else "a till not enrolled"
        return (f"{till}, {self.orders} sales (last receipt {self.last_receipt or 'none'}), "
                f"{self.unsent} not yet accepted by the server, {self.chain.entries} audit entries")


def verify_file(path: Path, marker: Marker | None = None) -> FileReport:
    """Read-only: SQLite's integrity_check, the till's tables and the audit chain.

    Raises DatabaseUnusable, in words, when the file is not a sound till database; a
    broken audit chain is reported in `chain`, not raised.
    """
    facts = examine(path, marker, thorough=True)
    engine = create_engine("sqlite://", creator=lambda: open_read_only(path), poolclass=NullPool)
    try:
        with Session(engine) as s:
            _require_till_tables(path, s, marker)
            return FileReport(path, facts.database_id, _revision(s), audit.verify(s), *_contents(s))
    except (sqlite3.DatabaseError, DBAPIError) as exc:
        raise DatabaseUnusable(path, damaged(getattr(exc, "orig", exc)), marker) from None
    finally:
        engine.dispose()


def _require_till_tables(path: Path, s: Session, marker: Marker | None) -> None:
    tables = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
    missing = TILL_TABLES - tables
    if missing:
        raise DatabaseUnusable(path, f"is not a till database (it has no {', '.join(sorted(missing))} "
                                     f"table)", marker)


def _revision(s: Session) -> str:
    return s.scalar(text("SELECT version_num FROM alembic_version")) or ""


def _contents(s: Session) -> tuple[int, int, str | None, str | None]:
    # Plain SQL over columns every schema revision has: a backup may predate the latest one.
    orders = s.scalar(text("SELECT count(*) FROM orders"))
    # Audit entries are not counted: "not yet accepted" speaks of the books (orders, Z reports).
    unsent = s.scalar(text("SELECT count(*) FROM outbox WHERE state != :done AND kind != :audit"),
                      {"done": OutboxState.DONE.value, "audit": AUDIT})
    last = s.scalar(text("SELECT receipt_no FROM orders ORDER BY created_at DESC, receipt_seq DESC LIMIT 1"))
    terminal = s.scalar(text("SELECT terminal_id FROM terminal_identity WHERE id = 1 AND server_url != ''"))
    return orders, unsent, last, terminal


def backup(db_path: Path, target: Path | None = None) -> FileReport:
    """Copy the till's database to `target` (default `<data dir>/backups/terminal-<time>.sqlite3`),
    also while the till runs; the copy is checked before it gets its name."""
    db_path = Path(db_path)
    marker = read_marker(db_path)
    if marker is None and not db_path.exists():
        raise Refused(f"there is no till database at {db_path}; nothing to back up")
    examine(db_path, marker)  # a damaged database gives a damaged backup: say so now
    target = Path(target) if target else db_path.parent / "backups" / f"{db_path.stem}-{_stamp()}.sqlite3"
    if target.exists():
        raise Refused(f"{target} already exists; a backup never overwrites a file. Choose another --to")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(db_path, partial)
        # A broken audit chain is no reason to keep no copy: the report says so, restore refuses it.
        report = _checked(partial, f"the copy of {db_path}", "no backup was written", chain=False)
        os.replace(partial, target)
        fsync_dir(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return replace(report, path=target)


def _copy(source: Path, dest: Path) -> None:
    dest.unlink(missing_ok=True)  # only ever our own .partial / .restoring file from a crash
    with closing(open_read_only(source)) as src, closing(sqlite3.connect(dest, isolation_level=None)) as dst:
        src.backup(dst)  # all pages in one step: one read transaction, one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def _checked(path: Path, called: str, outcome: str, *, chain: bool = True) -> FileReport:
    """verify_file, with its refusal in the words of a backup rather than the till's database."""
    try:
        report = verify_file(path)
    except DatabaseUnusable as exc:
        raise Refused(f"{called} {exc.problem}; {outcome}") from None
    if chain and not report.chain.ok:
        raise Refused(f"{called} has a broken audit journal at entry {report.chain.first_broken} "
                      f"({report.chain.reason}); {outcome}")
    if report.revision not in known_revisions():
        raise Refused(f"{called} was written by another version of the till software (schema "
                      f"revision {report.revision!r}); {outcome}")
    return report


@dataclass(frozen=True)
class Restored:
    report: FileReport
    set_aside: Path | None  # where the replaced database now is (None: there was none)
    # Per till, the receipt number the restored database continues after, where the replaced
    # database had printed beyond the backup; empty when the backup was already as far.
    numbering_carried: dict[str, int] = field(default_factory=dict)


def restore(db_path: Path, source: Path) -> Restored:
    """Replace the till's database with the checked backup `source`. Run it with the till stopped."""
    db_path, source = Path(db_path), Path(source)
    if not source.is_file():
        raise Refused(f"there is no backup file at {source}; nothing was restored")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    staging = db_path.with_name(db_path.name + ".restoring")
    try:
        report = _checked(source, f"the backup {source}", "nothing was restored")
        printed = _receipt_counters(db_path)  # before it is set aside: what the till got to
        _copy(source, staging)
        database_id = stamp_once(staging)  # a backup from before the marker gets its id now
        carried = _continue_numbering(staging, printed, source)
        aside = set_aside(db_path)
        os.replace(staging, db_path)
        fsync_dir(db_path.parent)
        write_marker(db_path, database_id)  # last: until here the till refuses, never starts over
    finally:
        staging.unlink(missing_ok=True)
    return Restored(replace(report, path=db_path, database_id=database_id), aside, carried)


def _receipt_counters(db_path: Path) -> dict[str, int]:
    """The receipt counters of the database a restore replaces, if it can still be read.

    A damaged, emptied or missing database gives none: then only the server knows how far
    the till got, and receipts it already holds under a number come back as
    `RECEIPT_NO_REUSED` (README "Backup, restore, start afresh")."""
    if not db_path.is_file():
        return {}
    try:
        with closing(open_read_only(db_path)) as conn:
            return {till: int(last) for till, last in conn.execute(
                "SELECT terminal_id, last_no FROM receipt_counters")}
    except (sqlite3.Error, OSError, ValueError):
        return {}


def _continue_numbering(staging: Path, printed: dict[str, int], source: Path) -> dict[str, int]:
    """Bring the restored copy to this version's schema (the till would at its next start),
    move each receipt counter up to what the replaced database had printed, and journal the
    restore, all in one transaction. Returns the counters that moved."""
    engine = make_engine(staging, "BEGIN IMMEDIATE")
    try:
        migrate(engine)
        with Session(engine) as s, s.begin():
            backed_up = {till: last for till, last in s.execute(
                text("SELECT terminal_id, last_no FROM receipt_counters"))}
            carried = {till: last for till, last in printed.items() if last > backed_up.get(till, 0)}
            for till, last in carried.items():
                moved = s.execute(text("UPDATE receipt_counters SET last_no = :last WHERE terminal_id = :till"),
                                  {"last": last, "till": till}).rowcount
                if not moved:
                    s.execute(text("INSERT INTO receipt_counters (terminal_id, last_no) VALUES (:till, :last)"),
                              {"last": last, "till": till})
            audit.append(s, at=datetime.now(timezone.utc), actor="system", action="till.restored",
                         payload={"backup": source.name, "receipt_counters_backed_up": backed_up,
                                  "receipt_counters_carried": carried})
    finally:
        engine.dispose()
    with closing(sqlite3.connect(staging, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # checkpoints: one self-contained file again
    return carried


def start_afresh(db_path: Path) -> Path | None:
    """Set an unusable database and its marker aside, so the next start is a first start.

    Refuses while the database is sound: replacing good data is `restore`'s job.
    """
    db_path = Path(db_path)
    try:
        examine(db_path, read_marker(db_path))
    except DatabaseUnusable as exc:
        if not exc.recoverable:
            raise
        return set_aside(db_path, with_marker=True)
    raise Refused(f"the till's database {db_path} is sound, so nothing was set aside; to replace "
                  f"it with a backup use `pos-terminal restore BACKUP_FILE`")


def set_aside(db_path: Path, *, with_marker: bool = False) -> Path | None:
    """Move the database with its -wal, -shm and -journal into a new `set-aside/<time>` folder.

    A rename on the same disk: nothing is copied, nothing deleted. The marker is moved
    last (start afresh) or copied for the record (restore), so a crash half-way leaves a
    till that refuses to start, never one that starts over.
    """
    files = [p for p in (db_path, *companions(db_path)) if p.exists()]
    marker = marker_path(db_path)
    if not files and not (with_marker and marker.exists()):
        return None
    folder = _new_folder(db_path.parent / "set-aside")
    for path in files:
        os.replace(path, folder / path.name)
    if marker.exists():
        (os.replace if with_marker else shutil.copy2)(marker, folder / marker.name)
    fsync_dir(folder)
    fsync_dir(db_path.parent)
    return folder


def _new_folder(parent: Path) -> Path:
    stamp = _stamp()
    for n in range(1, 1000):
        folder = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise Refused(f"cannot make a new folder in {parent}")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
