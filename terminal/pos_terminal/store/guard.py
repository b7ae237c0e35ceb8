"""Opening only the database this till has been keeping.

SQLite turns a missing or 0-byte file into a new, empty database without a word: a till
whose file was emptied would start over as a new till (the config's terminal id, receipt
numbers from 1, its enrolled identity and unsent sales gone). So the database carries an
id in its header (`PRAGMA application_id` says "a till database", `PRAGMA user_version`
is a random database id drawn when it was created), and the marker beside it
(`store.marker`) names that id.

With a marker, `prepare` refuses a database that is missing, empty, not SQLite, damaged
(`PRAGMA quick_check`) or another database, with the recovery steps, and creates nothing.
Without one it behaves as a till always did: a first start creates the database; an
existing sound one (a till from before the marker, a copied template) is adopted.
"""

from __future__ import annotations

import logging
import secrets
import shlex
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .marker import Marker, marker_path, read_marker, write_marker

log = logging.getLogger(__name__)

TILL_APPLICATION_ID = 0x54494C4C  # "TILL"; `file terminal.sqlite3` shows it
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0
# What `mode=ro` says when it cannot get the -shm it needs (a read-only folder).
_NO_SHM_ERRORS = {"SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN", "SQLITE_READONLY_CANTINIT"}


class DatabaseUnusable(RuntimeError):
    """The till's database file cannot be used; `str()` says why and how to recover."""

    def __init__(self, path: Path, problem: str, marker: Marker | None = None, *,
                 recoverable: bool = True) -> None:
        super().__init__(str(path), problem)
        self.path, self.problem, self.marker = Path(path), problem, marker
        self.recoverable = recoverable  # False: the file may be fine, the steps would not help

    def __str__(self) -> str:
        said = f"The till's database {self.path} {self.problem}."
        return f"{said}\n{refusal(self.path, self.marker)}" if self.recoverable else said


def refusal(path: Path, marker: Marker | None) -> str:
    """What the till does about an unusable database, and the operator's way out."""
    data_dir = shlex.quote(str(path.parent))
    held = (f"This till has kept its sales in that file since {_when(marker.since)} "
            f"(see {marker.path}), so it" if marker is not None else "The till")
    return (
        f"{held} will not use it, and nothing has been changed or created.\n"
        f"To recover, with the till stopped, either\n"
        f"  - restore the latest backup:  pos-terminal restore BACKUP_FILE --data-dir {data_dir}\n"
        f"  - or, without a backup, set the file aside and start afresh:  "
        f"pos-terminal start-afresh --data-dir {data_dir}\n"
        f"    then enroll the till again:  pos-terminal enroll --code CODE --server URL --data-dir {data_dir}\n"
        f"    The server keeps the sales it has received; sales not yet sent are only in a backup."
    )


def _when(since: str | None) -> str:
    try:
        return datetime.fromisoformat(since or "").strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return "its first start"


@dataclass(frozen=True)
class FileFacts:
    """What a sound SQLite file says about itself in its header."""

    application_id: int
    database_id: int

    @property
    def is_till_database(self) -> bool:
        return self.application_id == TILL_APPLICATION_ID


def prepare(path: Path) -> None:
    """Make `path` safe to open read-write, or raise DatabaseUnusable.

    Creates a database only on a first start: no marker and no (or a 0-byte) file.
    """
    marker = read_marker(path)
    if marker is None and _never_written(path):
        write_marker(path, stamp_once(path, create=True))
        return
    facts = examine(path, marker)
    if marker is None or marker.database_id is None:
        _adopt(path, facts, marker)


def examine(path: Path, marker: Marker | None = None, *, thorough: bool = False) -> FileFacts:
    """Raise DatabaseUnusable, in words, unless `path` is a sound till database file.

    Opens the file read-only. `thorough` runs `integrity_check` (also compares indexes
    with their tables) instead of the quicker `quick_check`.
    """
    _check_present(path, marker)
    facts = _read_facts(path, marker, "integrity_check" if thorough else "quick_check")
    if facts.application_id not in (0, TILL_APPLICATION_ID):
        raise DatabaseUnusable(path, f"is not a till database (it belongs to another program, "
                                     f"application id {facts.application_id:#x})", marker)
    if marker is not None and marker.database_id not in (None, facts.database_id):
        raise DatabaseUnusable(path, f"is not the database this till has been keeping (it is "
                                     f"database {facts.database_id}, the till's is "
                                     f"{marker.database_id})", marker)
    return facts


def _never_written(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


def _check_present(path: Path, marker: Marker | None) -> None:
    if not path.exists():
        raise DatabaseUnusable(path, "is missing", marker)
    if path.stat().st_size == 0:
        raise DatabaseUnusable(path, "is empty (0 bytes)", marker)
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DatabaseUnusable(path, "is not a database file (it does not start with the "
                                         "SQLite header)", marker)


def _read_facts(path: Path, marker: Marker | None, check: str) -> FileFacts:
    try:
        with closing(open_read_only(path)) as conn:
            found = [row[0] for row in conn.execute(f"PRAGMA {check}(5)")]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            database_id = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(path, damaged(exc), marker) from None
    if found != ["ok"]:
        raise DatabaseUnusable(path, f"is damaged: SQLite's {check} found {'; '.join(found)}", marker)
    return FileFacts(app_id, database_id)


def damaged(exc: BaseException) -> str:
    """How an SQLite error on reading the file reads in a refusal."""
    return f'is damaged: SQLite says "{exc}"'


def _adopt(path: Path, facts: FileFacts, marker: Marker | None) -> None:
    # A sound file and no (readable) marker: a till from before the marker, a database copied
    # in, or a crash between creating the database and writing its marker. Take it on.
    database_id = facts.database_id if facts.is_till_database else stamp_once(path)
    log.warning("till database %s has no readable marker; adopting it as database %s (marker %s)",
                path, database_id, marker_path(path))
    write_marker(path, database_id)


def stamp_once(path: Path, *, create: bool = False) -> int:
    """Give the database its till id, unless it has one; returns the id.

    Under the write lock, so two tills starting at once on a fresh data dir agree on one id.
    """
    with closing(sqlite3.connect(sqlite_uri(path, "rwc" if create else "rw"), uri=True,
                                 timeout=BUSY_TIMEOUT_S, isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA application_id").fetchone()[0] != TILL_APPLICATION_ID:
            conn.execute(f"PRAGMA application_id={TILL_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={secrets.randbelow(2**31 - 1) + 1}")
        database_id = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("COMMIT")
    return database_id


def file_uri(path: Path) -> str:
    return Path(path).resolve().as_uri()  # percent-encoded: a '?' or '#' in a folder name is safe


def sqlite_uri(path: Path, mode: str) -> str:
    """An SQLite URI for `path`; `mode=rw` never creates a missing file, unlike a plain path."""
    return f"{file_uri(path)}?mode={mode}"


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write the database file and creates nothing beside it.

    With no -wal, -shm or -journal beside the file, no connection has it open and the file
    alone is the whole database: `immutable=1` reads it as it is, also in a read-only folder
    (`mode=ro` would create an empty -wal and -shm, which a read-only folder cannot hold).
    Otherwise a till may be running: `mode=ro` reads through its -wal like any reader.
    """
    if not any(companion.exists() for companion in companions(path)):
        return sqlite3.connect(f"{sqlite_uri(path, 'ro')}&immutable=1", uri=True)
    conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", "") not in _NO_SHM_ERRORS:
            raise
    raise DatabaseUnusable(path, "cannot be read here: changes waiting in its -wal file need "
                                 "an -shm file, and its folder is read-only. Verify a copy of "
                                 "the folder in a writable place", recoverable=False)


def companions(path: Path) -> list[Path]:
    """The files SQLite keeps beside a database while it is open or mid-transaction."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
