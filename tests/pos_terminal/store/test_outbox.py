"""The outbox on the till's real SQLite file: what `due` hands out, what parks together,
that the queries stay on indexes, and that its transitions are the only writers of state."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_terminal.store import outbox
from pos_terminal.store.db import Database
from pos_terminal.store.models import Order, OutboxEntry
from pos_terminal.store.outbox import OutboxState

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
    assert state == OutboxState.PARKED
    assert reason == f"not sent: the order it depends on (sale, outbox entry {sale}) is parked: " \
                     "422 validation_failed: bad"
    assert due_keys(db) == []
    later = put(db, outbox.ORDER, "late return", depends_on=sale)  # rung after the sale parked
    assert state_of(db, later) == (OutboxState.PARKED, reason)


def test_a_z_report_waits_for_everything_written_before_it_but_not_for_parked_entries(db):
    first = put(db, outbox.ORDER, "sale 1")
    second = put(db, outbox.ORDER, "sale 2")
    put(db, outbox.Z_REPORT, "z 1")
    put(db, outbox.ORDER, "next day's sale")
    assert due_keys(db) == ["sale 1", "sale 2", "next day's sale"]
    with db.transaction() as s:
        outbox.settle(s, first, OutboxState.DONE)
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


def _order_row(db: Database, order_id: str, receipt_seq: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO orders (order_id, kind, store_id, terminal_id, receipt_seq, receipt_no,"
            " cashier_id, created_at, catalog_version, net, tax, gross, change_given,"
            " content_hash, line_count, tender_count, sync_status) VALUES (:id, 'sale', 's', 'T01',"
            " :n, 'T01-' || :n, 'c1', '2026-11-21 09:15:00', 1, 840, 160, 1000, 0, 'h', 0, 0,"
            " 'pending')"), dict(id=order_id, n=receipt_seq))


def sync_status(db: Database, order_id: str) -> str:
    with db.reader() as s:
        return s.get_one(Order, order_id).sync_status


def test_the_transitions_keep_each_orders_sync_status(db):
    for n, order_id in enumerate(["sale", "late return", "held", "accepted"], start=1):
        _order_row(db, order_id, n)
    sale, held, accepted = (put(db, outbox.ORDER, key) for key in ("sale", "held", "accepted"))
    with db.transaction() as s:
        outbox.park(s, sale, response=None, error="422 refused")
        outbox.settle(s, held, outbox.HELD, response="{}")
        outbox.settle(s, accepted, outbox.DONE, response="{}")
    put(db, outbox.ORDER, "late return", depends_on=sale)  # parked at once, and shown so
    assert [sync_status(db, o) for o in ("sale", "late return", "held", "accepted")] == [
        outbox.SyncStatus.PARKED, outbox.SyncStatus.PARKED, outbox.SyncStatus.HELD, outbox.SyncStatus.ACCEPTED]

    resolution = put(db, outbox.RESOLUTION, "r-1", depends_on=held)
    assert sync_status(db, "held") == outbox.SyncStatus.RESOLVING
    with db.transaction() as s:
        outbox.settle(s, resolution, outbox.DONE, response="{}")
    assert state_of(db, held) == (outbox.DONE, None)
    assert sync_status(db, "held") == outbox.SyncStatus.RESOLVED


def test_only_store_outbox_writes_an_outbox_or_sync_state() -> None:
    """The state machine has one home: no other module of the till assigns `state` or
    `sync_status` on a row, or sets them in an UPDATE's `.values(...)`."""
    root = Path(outbox.__file__).resolve().parents[1]
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == Path(outbox.__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if (isinstance(t, ast.Attribute) and t.attr in {"state", "sync_status"}
                            and not (isinstance(t.value, ast.Name) and t.value.id == "self")):
                        found.append(f"{path.relative_to(root)}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values"
                    and any(k.arg in {"state", "sync_status"} for k in node.keywords)):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not found, found


def test_requeue_sends_a_parked_sale_again_with_what_parked_because_of_it(db):
    sale = put(db, outbox.ORDER, "sale")
    ret = put(db, outbox.ORDER, "return", depends_on=sale)
    other = put(db, outbox.ORDER, "other sale")
    _order_row(db, "sale", 1)
    with db.transaction() as s:
        outbox.park(s, sale, response="{}", error="422 validation_failed: bad")
        outbox.park(s, other, response="{}", error="422 refused")
    with db.transaction() as s:
        assert [e.seq for e in outbox.parked(s)] == [sale, ret, other]
        assert [e.seq for e in outbox.requeue(s, sale)] == [sale, ret]
    assert due_keys(db) == ["sale"]  # the return still waits for its sale to be stored
    assert state_of(db, sale) == (OutboxState.PENDING, "sent again by hand; it was parked: 422 validation_failed: bad")
    assert state_of(db, other)[0] == OutboxState.PARKED  # only what was asked for
    with db.reader() as s:
        assert s.get_one(Order, "sale").sync_status == outbox.SyncStatus.PENDING


@pytest.mark.parametrize("state", [None, OutboxState.PENDING, OutboxState.DONE])
def test_requeue_refuses_an_entry_that_is_not_parked(db, state):
    seq = put(db, outbox.ORDER, "sale")
    if state == OutboxState.DONE:
        with db.transaction() as s:
            outbox.settle(s, seq, OutboxState.DONE)
    with pytest.raises(ValueError, match="nothing to send again"), db.transaction() as s:
        outbox.requeue(s, seq if state else seq + 99)
