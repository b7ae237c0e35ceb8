"""Query plans of the statements the till really runs: capture them on its engines while
the code under test works, then ask SQLite how it would run each (`EXPLAIN QUERY PLAN`).

    with captured(db) as ran:
        outbox.due(...)
    assert not full_scans(plans(db, ran))
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event

from pos_terminal.store.db import Database

HISTORY_TABLES = frozenset({
    "orders", "order_lines", "order_tenders", "order_voids", "outbox", "audit_journal",
    "drawer_sessions", "cash_movements", "z_reports",
})
"""Tables that keep every row the till ever wrote: a scan of one costs the whole history.
The others hold a row or a few per till (receipt_counters, catalog_state,
terminal_identity, users), or the catalog (catalog_items), which is not history."""

UNBOUNDED_COLUMNS = frozenset({"terminal_id", "store_id", "kind", "cashier_id", "sync_status"})
"""Columns most old rows share a value of: a search bounded by these alone (say
uq_orders_receipt_seq on terminal_id=?) walks the history as a scan would. (The outbox's
`state` is asked for pending, held and parked, the backlog: never for done.)"""

_QUERY = re.compile(r"^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b", re.IGNORECASE)
_SCAN = re.compile(r"^SCAN (\w+)")  # "SCAN orders", "... USING (COVERING) INDEX ...", "... AS x"
_SEARCH = re.compile(r"^SEARCH (\w+) .*USING .*\((.*)\)$")  # "SEARCH t [AS x] USING ... (a=? AND b>?)"
# A lone min() or max() under equality terms only is one seek to the end of the index
# range (SQLite's min/max optimization), though its plan reads like a walk of the range.
_MIN_MAX = re.compile(r"^SELECT (coalesce\()?(min|max)\([\w.]+\)(, \S+\))?( AS \w+)?\s+FROM \w+\s+"
                      r"WHERE [\w.]+ = {v}( AND [\w.]+ = {v})*\s*$".format(v=r"(\?|'[^']*'|-?\d+)"),
                      re.IGNORECASE)


@dataclass(frozen=True)
class Ran:
    statement: str
    parameters: object


@dataclass(frozen=True)
class Plan:
    statement: str
    steps: tuple[str, ...]  # the `detail` column of EXPLAIN QUERY PLAN


@contextmanager
def captured(db: Database, keep: Callable[[str], bool] = lambda _sql: True) -> Iterator[list[Ran]]:
    """Record every query SQLite runs for the till's write and read engines inside the
    block: the driver's trace of each connection the block checks out, so statements run
    on the DBAPI cursor (store.prepared) count as much as Core's and the ORM's. The
    trace gives each statement with its values in place (`parameters` is empty)."""
    ran: list[Ran] = []
    traced: list[sqlite3.Connection] = []

    def trace(statement: str) -> None:
        if _QUERY.match(statement) and keep(statement):
            ran.append(Ran(statement, ()))

    def checkout(dbapi_conn, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.set_trace_callback(trace)
        traced.append(dbapi_conn)

    engines = (db.engine, db.read_engine)
    for engine in engines:
        event.listen(engine, "checkout", checkout)
    try:
        yield ran
    finally:
        for engine in engines:
            event.remove(engine, "checkout", checkout)
        for conn in traced:
            conn.set_trace_callback(None)


def plans(db: Database, ran: list[Ran]) -> list[Plan]:
    """How SQLite would run each captured statement (it runs none of them again)."""
    with db.read_engine.connect() as conn:
        return [Plan(r.statement, tuple(row[3] for row in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + r.statement, r.parameters)))
                for r in ran]


def full_scans(found: list[Plan], tables: frozenset[str] = HISTORY_TABLES) -> list[Plan]:
    """The plans that read one of `tables` in full: a scan of the table or of a whole
    index of it, or a search bounded only by UNBOUNDED_COLUMNS."""
    return [p for p in found
            if any(_reads_all(step, tables) for step in p.steps[1 if _MIN_MAX.match(p.statement) else 0:])]


def _reads_all(step: str, tables: frozenset[str]) -> bool:
    if (m := _SCAN.match(step)) is not None:
        return m.group(1) in tables
    if (m := _SEARCH.match(step)) is not None and m.group(1) in tables:
        columns = set(re.findall(r"(\w+)[=<>]", m.group(2)))
        return columns <= UNBOUNDED_COLUMNS
    return False
