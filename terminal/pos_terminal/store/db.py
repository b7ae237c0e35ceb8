"""Opening the local database: durability pragmas, transactions, migrations.

Every connection runs SQLite in WAL mode with `synchronous=FULL` and foreign keys on.
Write transactions start with `BEGIN IMMEDIATE`, so two writers (the till and the sync
pump) queue for the lock up front instead of failing half-way with "database is locked".
Before anything is opened, `store.guard` refuses a database that is missing, emptied,
damaged or another one while the till's marker says it has held data; connections then
open with `mode=rw`, so SQLite never creates the file behind the till's back either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .guard import file_uri, prepare

BUSY_TIMEOUT_MS = 10_000


def _make_engine(path: Path, begin: str, mode: str = "rw") -> Engine:
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
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql(begin)

    return engine


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
        self.engine = _make_engine(self.path, "BEGIN IMMEDIATE")
        self.read_engine = _make_engine(self.path, "BEGIN")
        if upgrade:
            migrate(self.engine)
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One atomic unit of work: commits on success, rolls back on any exception."""
        with self._write.begin() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
