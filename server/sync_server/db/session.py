"""Engines and transactions: `BEGIN IMMEDIATE` on SQLite, short lock waits on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, pool_size: int = 10, lock_timeout_s: float = 10.0, max_overflow: int = 20) -> Engine:
    """`lock_timeout_s`: how long a statement waits for a row lock (PostgreSQL) before failing;
    a duplicate waiting on its in-flight twin then answers `409 request_in_progress`.
    PostgreSQL: each process keeps up to `pool_size` connections open and opens up to
    `max_overflow` more under load (README "Running a chain")."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{int(lock_timeout_s * 1000)}ms'")
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN so that we can make it IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the lock up front: one writer at a time, no upgrade deadlocks.
        # Readers (see read_connection) begin deferred and never wait under WAL.
        reading = conn.get_execution_options().get("read_only", False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def is_lock_wait(exc: OperationalError) -> bool:
    """PostgreSQL gave up waiting for a row lock (`lock_timeout`): a twin holds the claim."""
    return getattr(exc.orig, "sqlstate", None) == "55P03"


def is_retryable(exc: OperationalError) -> bool:
    """A deadlock or serialization failure: the transaction may simply be run again."""
    return getattr(exc.orig, "sqlstate", None) in {"40P01", "40001"}


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for one unit of work (an order, a batch, a report)."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(read_only=True)
        yield conn
