"""Conflict inbox round trip against the real server: held -> manager decides -> resolved."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from pos_protocol.permissions import PermissionDenied
from pos_terminal.core.users import WrongPin
from pos_terminal.services import ApproverPin, conflicts
from pos_terminal.store import audit
from pos_terminal.store.models import AuditEntry, Order, OutboxEntry
from pos_terminal.store.outbox import OutboxState
from pos_terminal.sync.pump import OutboxPump
from pos_protocol.wire import ResolutionAction

from .conftest import ring_sale_the_server_will_hold
from .harness import server_orders


@pytest.fixture
def held(till, client, server) -> str:
    order_id = ring_sale_the_server_will_hold(till, server)
    OutboxPump(till.db, client).pump_once()
    return order_id


def decisions_for(item: conflicts.HeldOrder) -> list[conflicts.Decision]:
    return [conflicts.Decision(c.line_no, c.code, ResolutionAction.HONOR_TERMINAL, "sold at shelf price")
            for c in item.conflicts]


def test_resolution_round_trip(till, client, server, held):
    [item] = conflicts.held_orders(till)
    assert item.order_id == held and item.conflicts[0].code == "PRICE_CHANGED"
    assert not item.resolution_pending

    key = conflicts.resolve(till, held, decisions_for(item), ApproverPin("m1", "9999"))

    assert conflicts.held_orders(till)[0].resolution_pending
    with till.db.reader() as s:
        assert s.get_one(Order, held).sync_status == "resolving"
    with till.db.reader() as s:
        journal = s.scalars(select(AuditEntry).where(AuditEntry.action == "conflict.resolve")).one()
        assert journal.subject == held and key in journal.payload
        assert audit.verify(s).ok
    report = OutboxPump(till.db, client).pump_once()
    assert report.done == 1
    assert conflicts.held_orders(till) == []
    with till.db.reader() as s:
        assert s.get_one(Order, held).sync_status == "resolved"
        states = [e.state for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))]
    assert set(states) == {OutboxState.DONE}  # the order, its resolution and the journal's entries
    assert server_orders(server.db_url) == [(held, "resolved")]
    assert client.order_status(held).status == "resolved"


def test_wrong_pin_or_missing_permission_queues_nothing(till, held):
    [item] = conflicts.held_orders(till)
    with pytest.raises(WrongPin):
        conflicts.resolve(till, held, decisions_for(item), ApproverPin("m1", "0000"))
    with pytest.raises(PermissionDenied):  # a supervisor may override prices, not resolve
        conflicts.resolve(till, held, decisions_for(item), ApproverPin("s1", "2222"))
    with till.db.reader() as s:
        assert s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "resolution")).all() == []


def test_incomplete_decisions_are_refused_before_anything_is_written(till, held):
    with pytest.raises(conflicts.ConflictError, match="exactly one decision"):
        conflicts.resolve(till, held, [], ApproverPin("m1", "9999"))
    with pytest.raises(conflicts.ConflictError, match="not waiting"):
        conflicts.resolve(till, "no-such-order", [], ApproverPin("m1", "9999"))


def test_server_refusal_parks_the_decision_and_keeps_the_order_in_the_inbox(till, client, held):
    [item] = conflicts.held_orders(till)
    wrong = [conflicts.Decision(c.line_no, c.code, ResolutionAction.HONOR_TERMINAL, "x")
             for c in item.conflicts]
    conflicts.resolve(till, held, wrong, ApproverPin("m1", "9999"))
    with till.db.transaction() as s:  # the manager's id the server does not know
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "resolution")).one()
        entry.body = entry.body.replace('"approved_by":"m1"', '"approved_by":"ghost"')
    OutboxPump(till.db, client).pump_once()
    [again] = conflicts.held_orders(till)
    assert not again.resolution_pending and again.last_refusal.startswith(("403", "422"))
    # A second, correct decision still goes through with a fresh key.
    conflicts.resolve(till, held, decisions_for(again), ApproverPin("m1", "9999"))
    assert OutboxPump(till.db, client).pump_once().done == 1
    assert conflicts.held_orders(till) == []
