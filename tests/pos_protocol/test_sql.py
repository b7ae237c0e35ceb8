"""pos_protocol.sql: the one time column of till and server, storing what both stored before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import StatementError
from sqlalchemy.schema import CreateTable

from pos_protocol.sql import UtcDateTime
from pos_terminal.store import models as till
from sync_server.db import models as server

CEST = timezone(timedelta(hours=2))


def _table() -> Table:
    return Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime))


def test_stored_naive_utc_and_read_back_aware() -> None:
    table, engine = _table(), create_engine("sqlite://")
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, at=datetime(2026, 11, 21, 9, 15, tzinfo=CEST)))
        # the stored text, as the till's and the server's SQLite files have always held it
        assert conn.scalar(text("SELECT at FROM t")) == "2026-11-21 07:15:00.000000"
        assert conn.scalar(select(table.c.at)) == datetime(2026, 11, 21, 7, 15, tzinfo=UTC)


def test_a_naive_time_is_refused() -> None:
    table, engine = _table(), create_engine("sqlite://")
    table.metadata.create_all(engine)
    with engine.begin() as conn, pytest.raises(StatementError, match="naive datetime"):
        conn.execute(insert(table).values(id=1, at=datetime(2026, 11, 21, 9, 15)))


def test_both_sides_use_it_and_postgresql_keeps_timestamp_without_time_zone() -> None:
    assert isinstance(till.Order.__table__.c.created_at.type, UtcDateTime)
    assert isinstance(server.OrderRow.__table__.c.created_at.type, UtcDateTime)
    ddl = str(CreateTable(server.OrderRow.__table__).compile(dialect=postgresql.dialect()))
    assert "created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL" in ddl
