"""Opening the local database: durability pragmas, transactions, migrations.

Every connection runs SQLite in WAL mode with `synchronous=FULL` and foreign keys on.
Write transactions start with `BEGIN IMMEDIATE`, so two writers (the till and the sync
pump) queue for the lock up front instead of failing half-way with "database is locked".
Before anything is opened, `store.guard` refuses a database that is missing, emptied,
damaged or another one while the till's marker says it has held data; connections then
open with `mode=rw`, so SQLite never creates the file behind the till's back either.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .guard import file_uri, prepare, sqlite_uri

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
CHECKPOINT_EVERY_COMMITS = 64  # a 5-line sale adds ~16 WAL pages: ~1000 a pass, SQLite's own cadence
CHECKPOINT_IDLE_S = 1.0  # and every second what was committed since
WAL_AUTOCHECKPOINT_PAGES = 10_000  # SQLite's own checkpoint in a commit (default 1000): the backstop


def make_engine(path: Path, begin: str, mode: str = "rw") -> Engine:
    """An engine on `path`; `mode="rw"` fails on a missing file instead of creating one."""
    url = URL.create("sqlite", database=file_uri(path), query={"mode": mode, "uri": "true"})
    engine = create_engine(url, future=True)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see "begin" below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")  # see Checkpointer
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.connection.driver_connection.execute(begin)  # on the driver: every transaction pays it

    return engine


class Checkpointer:
    """Copies committed pages from the WAL into the database file on a thread of its own.

    By default SQLite checkpoints inside the commit that takes the WAL past 1000 pages, so
    every ~60th sale would pay for copying the sales before it and syncing the database
    file: the p99 of a sale (bench/sale_commit.py). Here a PASSIVE checkpoint runs on a
    connection of its own every CHECKPOINT_EVERY_COMMITS commits, and every
    CHECKPOINT_IDLE_S if anything was committed; it never waits for the till's readers or
    writer, nor they for it. Once it has copied all of the WAL (the till paused for a
    moment) the next commit starts the WAL from its beginning again. SQLite's own
    checkpoint stays on as the backstop at WAL_AUTOCHECKPOINT_PAGES (40 MB of WAL: under
    sales without a pause, and should this thread fail), and then finds all but the last
    few sales copied already. Durability is untouched: a commit is durable once its WAL
    frames are synced (synchronous=FULL); a checkpoint only copies them to the database
    file, and a crash during one loses nothing (the WAL still holds them).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wake, self._stop = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        self._commits = 0
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """One more commit on the till's write engine (called by its commit event)."""
        with self._lock:
            self._commits += 1
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
                self._thread.start()
            if self._commits >= CHECKPOINT_EVERY_COMMITS:
                self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        conn = sqlite3.connect(sqlite_uri(self.path, "rw"), uri=True, isolation_level=None,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            while not self._stop.is_set():
                self._wake.wait(CHECKPOINT_IDLE_S)
                self._wake.clear()
                with self._lock:
                    pending, self._commits = self._commits, 0
                if pending and not self._stop.is_set():
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:  # SQLite's own checkpoint still runs: nothing is lost
            log.exception("background WAL checkpoint stopped")
        finally:
            conn.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema (Alembic) on an open engine; safe to run on every start.

    SQLite rebuilds a table to alter it (Alembic batch mode), which foreign keys would
    block, so they are off during the upgrade and checked in full before it commits.
    """
    cfg = _alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # autocommit mode: outside any transaction
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "pos_terminal.store:migrations")
    return cfg


def known_revisions() -> set[str]:
    """The schema revisions this version of the till can open (and upgrade from)."""
    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


class Database:
    """The terminal's SQLite file: a write session factory and a read-only one."""

    def __init__(self, path: Path | str, *, upgrade: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        prepare(self.path)  # raises guard.DatabaseUnusable, in words; creates only on a first start
        self.engine = make_engine(self.path, "BEGIN IMMEDIATE")
        self.read_engine = make_engine(self.path, "BEGIN")
        if upgrade:
            migrate(self.engine)
        self.checkpointer = Checkpointer(self.path)
        event.listen(self.engine, "commit", lambda _conn: self.checkpointer.committed())
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One atomic unit of work: commits on success, rolls back on any exception."""
        with self._write.begin() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """As `transaction`, on a Core connection without an ORM session: a sale's path
        (services.checkout), which writes with store.prepared and needs no unit of work."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.checkpointer.close()
        self.engine.dispose()
        self.read_engine.dispose()
