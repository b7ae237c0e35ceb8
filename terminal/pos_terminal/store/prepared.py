"""Statements of the per-sale path, compiled once and run on the driver's cursor.

A sale runs a handful of statements inside one transaction, and a Core `execute` costs
several times the SQLite statement it runs: a cache key walk of the statement, an
execution context, a result object, event dispatch (bench/sale_commit.py). A `Prepared`
statement is a Core statement compiled once for SQLite; each run binds its values
positionally, every value through its column's type (exact decimals as integers, times
as UTC: the same bind processor Core uses; tests/pos_terminal/store/test_prepared.py),
and executes on the DBAPI connection of the caller's transaction, so it commits or rolls
back with everything else the transaction holds. SQLAlchemy's cursor events do not see
these statements; SQLite's trace does (tests/pos_terminal/store/query_plans.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.orm import Session

_DIALECT = SQLiteDialect_pysqlite()  # the till's engines are sqlite+pysqlite (store.db)


class Prepared:
    """A statement compiled once. For an INSERT, `columns` names its parameters: all of
    them must be given (a missing one is a KeyError, never a silent NULL or default)."""

    def __init__(self, statement: Executable, columns: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=_DIALECT, column_keys=list(columns) if columns else None)
        self.sql: str = compiled.string
        names: list[str] = list(compiled.positiontup or [])
        binds = [compiled.binds[name] for name in names]
        # What the statement carries itself (LIMIT 1, `last_no + 1`); the rest is the caller's.
        self._fixed = {n: b.effective_value for n, b in zip(names, binds) if not b.required}
        self._get: Callable[[Mapping[str, Any]], Any] = (
            itemgetter(*names) if len(names) > 1 else (lambda v: (v[names[0]],)) if names else (lambda v: ()))
        # Public API (what Core's own cached lookup resolves to): the type as the dialect
        # implements it, then its bind processor; once per statement, at import.
        processors: list[Callable[[Any], Any] | None] = [
            b.type.dialect_impl(_DIALECT).bind_processor(_DIALECT) for b in binds]
        self._processed = [(i, p) for i, p in enumerate(processors) if p is not None]

    def params(self, values: Mapping[str, Any]) -> list[Any]:
        if self._fixed:
            values = {**self._fixed, **values}
        row = list(self._get(values))
        for i, process in self._processed:
            row[i] = process(row[i])
        return row

    def run(self, on: On, values: Mapping[str, Any] | None = None) -> sqlite3.Cursor:
        return driver(on).execute(self.sql, self.params(values or {}))

    def run_many(self, on: On, rows: Iterable[Mapping[str, Any]]) -> None:
        """One `executemany` for all rows (none: nothing is run)."""
        params = [self.params(row) for row in rows]
        if params:
            driver(on).executemany(self.sql, params)


On = Session | Connection | sqlite3.Connection
"""Where a statement runs: the caller's transaction, by its ORM session, its Core
connection or (looked up once per sale) the driver connection under either."""


def driver(on: On) -> sqlite3.Connection:
    """The sqlite3 connection under the caller's transaction (begun, if it was not yet)."""
    if isinstance(on, sqlite3.Connection):
        return on
    conn = on.connection() if isinstance(on, Session) else on
    return conn.connection.driver_connection  # type: ignore[return-value]
