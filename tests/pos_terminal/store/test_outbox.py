"""The outbox's causal order on the till's real SQLite file: what `due` hands out, what
parks together, and that the queries stay on indexes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pos_terminal.store import outbox
from pos_terminal.store.db import Database
from pos_terminal.store.models import OutboxEntry

from .query_plans import captured, plans

NOW = datetime(2026, 11, 21, 9, 15, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "till.sqlite3")
    yield database
    database.close()


def put(db: Database, kind: str, key: str, depends_on: int | None = None) -> int:
    with db.transaction() as s:
        outbox.enqueue(s, kind=kind, key=key, path=f"/v1/{kind}", body=b"{}", at=NOW,
                       depends_on=depends_on)
        return outbox.seq_of(s, kind, key)


def due_keys(db: Database, now: datetime = NOW) -> list[str]:
    with db.reader() as s:
        return [e.idempotency_key for e in outbox.due(s, now)]


def state_of(db: Database, seq: int) -> tuple[str, str | None]:
    with db.reader() as s:
        entry = s.get_one(OutboxEntry, seq)
        return entry.state, entry.last_error


def test_a_return_is_due_only_once_its_sale_is_accepted_or_held(db):
    sale = put(db, outbox.ORDER, "sale")
    put(db, outbox.ORDER, "return", depends_on=sale)
    put(db, outbox.ORDER, "other sale")
    assert due_keys(db) == ["sale", "other sale"]
    with db.transaction() as s:
        outbox.retry_later(s, sale, NOW + timedelta(seconds=30), "503")
    assert due_keys(db) == ["other sale"]  # the sale backs off: its return waits with it
    with db.reader() as s:
        assert outbox.earliest_due(s, NOW) == NOW  # "other sale"
    for state in outbox.SETTLED:
        with db.transaction() as s:
            outbox.settle(s, sale, state, response="{}")
        assert due_keys(db) == ["return", "other sale"]


def test_the_next_due_time_ignores_entries_waiting_for_a_dependency(db):
    sale = put(db, outbox.ORDER, "sale")
    put(db, outbox.ORDER, "return", depends_on=sale)
    with db.transaction() as s:
        outbox.retry_later(s, sale, NOW + timedelta(seconds=30), "503")
    with db.reader() as s:
        assert outbox.earliest_due(s, NOW) == NOW + timedelta(seconds=30)  # not "now": no busy loop


def test_a_parked_sale_parks_its_return_with_the_reason(db):
    sale = put(db, outbox.ORDER, "sale")
    ret = put(db, outbox.ORDER, "return", depends_on=sale)
    with db.transaction() as s:
        waiting = outbox.park(s, sale, response="{}", error="422 validation_failed: bad")
        assert [w.seq for w in waiting] == [ret]
    state, reason = state_of(db, ret)
    assert state == outbox.PARKED
    assert reason == f"not sent: the order it depends on (sale, outbox entry {sale}) is parked: " \
                     "422 validation_failed: bad"
    assert due_keys(db) == []
    later = put(db, outbox.ORDER, "late return", depends_on=sale)  # rung after the sale parked
    assert state_of(db, later) == (outbox.PARKED, reason)


def test_a_z_report_waits_for_everything_written_before_it_but_not_for_parked_entries(db):
    first = put(db, outbox.ORDER, "sale 1")
    second = put(db, outbox.ORDER, "sale 2")
    put(db, outbox.Z_REPORT, "z 1")
    put(db, outbox.ORDER, "next day's sale")
    assert due_keys(db) == ["sale 1", "sale 2", "next day's sale"]
    with db.transaction() as s:
        outbox.settle(s, first, outbox.DONE)
        outbox.park(s, second, response=None, error="422 refused")
    assert due_keys(db) == ["z 1", "next day's sale"]


def test_due_the_next_due_time_and_parking_are_served_by_indexes(db):
    """No full scan of the outbox: a till keeps every entry it ever wrote. The plans are
    those of the statements the functions really run."""
    sale = put(db, outbox.ORDER, "sale")
    put(db, outbox.ORDER, "return", depends_on=sale)
    put(db, outbox.Z_REPORT, "z")
    with captured(db, lambda sql: "FROM outbox" in sql) as ran:
        with db.reader() as s:
            outbox.due(s, NOW)
            outbox.earliest_due(s, NOW)
        with db.transaction() as s:
            outbox.park(s, sale, response=None, error="422 refused")
    found = plans(db, ran)
    steps = [step for p in found for step in p.steps]
    assert len(ran) >= 3 and not [step for step in steps if step.startswith("SCAN")], steps
    assert "SEARCH outbox USING INDEX ix_outbox_state_seq (state=?)" in steps
    assert "SEARCH outbox USING INDEX ix_outbox_depends_on (depends_on=?)" in steps
