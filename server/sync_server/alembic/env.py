"""Alembic environment: the URL comes from the config (set by sync_server.db.migrations)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, text

from sync_server.db.models import Base
from sync_server.db.session import make_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with _sqlite_foreign_keys_off(connection), context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Replicas starting together migrate one at a time.
            connection.execute(text("SELECT pg_advisory_xact_lock(7064525)"))
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite alters a table by rebuilding it (batch mode), and dropping a table that other
    rows refer to fails while foreign keys are on (`orders` <- `order_lines`). So they are
    off during the upgrade and checked in full before it commits. The pragma is a no-op
    inside a transaction: it goes to the driver's connection, in autocommit, before BEGIN."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"), pool_size=1)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
