"""A held order resolved in the back office, against the real server (in-process ASGI): the
till hears of it (sync.held_watch) and settles it as if its own manager's decision had been
accepted; a manager's decision that comes too late (409 order_not_held) settles it too,
without a refusal anyone must look at. And backoffs drawn against a dead server are waived
once it answers again."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from devices.backoff import Backoff
from pos_protocol.codes import ConflictCode
from pos_protocol.permissions import Role
from pos_protocol.wire import ResolutionAction
from pos_terminal.keys import KeyringStore
from pos_terminal.services import ApproverPin, conflicts
from pos_terminal.store import audit, outbox
from pos_terminal.store.models import AuditEntry, Order, OutboxEntry
from pos_terminal.sync import ResolvedElsewhere, SyncError
from pos_terminal.sync.enrollment import client_for
from pos_terminal.sync.held_watch import RESOLVED_ELSEWHERE
from pos_terminal.sync.pump import OutboxPump, PumpSettings
from sync_server.db.session import make_engine, write_transaction
from sync_server.services import office_users, resolution

from .conftest import ring_sale_the_server_will_hold, ring_sales
from .harness import STORE, Clock, server_orders
from .test_conflicts import decisions_for, held  # noqa: F401,F811 - the held-order fixture

ANNA = ("anna", "Anna Office")


def resolve_in_office(db_url: str, order_id: str, action: ResolutionAction = ResolutionAction.ACCEPT_SERVER) -> None:
    """What the back office's form does (backoffice.pages._resolve), by Anna, a manager there."""
    engine = make_engine(db_url, pool_size=1)
    with write_transaction(engine) as conn:
        if office_users.account(conn, ANNA[0]) is None:
            office_users.put_user(conn, ANNA[0], ANNA[1], Role.MANAGER, "correct horse battery")
        resolution.resolve_at_office(conn, STORE, uuid.UUID(order_id), {(1, ConflictCode.PRICE_CHANGED.value): action},
                                     ANNA[0], True, "head office price")
    engine.dispose()


class Switched(httpx.BaseTransport):
    """The real server's transport behind a plug: pulled, every request finds nobody."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.down, self.requests = inner, False, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return self.inner.handle_request(request)


@pytest.fixture
def plug(till, server, memory_keyring):
    switched = Switched(server.transport)
    client = client_for(till.db, till.config, KeyringStore(memory_keyring), transport=switched)
    yield switched, client
    client.close()


def listen(pump: OutboxPump) -> list[object]:
    heard: list[object] = []
    pump.events.subscribe(heard.append)
    return heard


def test_an_order_resolved_in_the_back_office_is_settled_on_the_till(till, server, plug, held):  # noqa: F811
    switched, client = plug
    pump = OutboxPump(till.db, client)
    heard = listen(pump)
    assert pump.held.check_once() == []  # still held on the server: nothing changes
    assert len(conflicts.held_orders(till)) == 1

    resolve_in_office(server.db_url, held)
    [event] = pump.held.check_once()

    receipt_no = _receipt(till, held)
    assert event == ResolvedElsewhere(held, receipt_no, "Anna Office", in_office=True, decided_here=False)
    assert heard == [event]
    assert conflicts.held_orders(till) == []
    with till.db.reader() as s:
        assert s.get_one(Order, held).sync_status == "resolved"
        assert s.scalar(select(OutboxEntry.state).where(OutboxEntry.idempotency_key == held)) == outbox.DONE
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == RESOLVED_ELSEWHERE)).one()
        assert entry.subject == held and entry.actor == "office:anna"
        assert "resolved in the back office by Anna Office" in entry.payload
        assert "accept_server" in entry.payload
        assert audit.verify(s).ok
    # Nothing held any more: the next turns ask the server nothing.
    before = switched.requests
    assert pump.held.check_once() == [] and switched.requests == before
    # The journal entry ships like any other; the server keeps the order resolved.
    pump.pump_once()
    assert server_orders(server.db_url) == [(held, "resolved")]


def test_offline_the_held_order_stays_held_until_the_server_can_be_asked(till, server, plug, held):  # noqa: F811
    switched, client = plug
    resolve_in_office(server.db_url, held)
    switched.down = True
    pump = OutboxPump(till.db, client)
    with pytest.raises(SyncError):
        pump.held.check_once()
    assert [h.order_id for h in conflicts.held_orders(till)] == [held]
    switched.down = False
    [event] = pump.held.check_once()
    assert event.order_id == held and conflicts.held_orders(till) == []


def test_a_managers_decision_after_the_offices_settles_the_order_without_a_refusal(till, server, plug, held):  # noqa: F811
    _, client = plug
    [item] = conflicts.held_orders(till)
    conflicts.resolve(till, held, decisions_for(item), ApproverPin("m1", "9999"))  # queued on the till...
    resolve_in_office(server.db_url, held)  # ...while the office decides first
    pump = OutboxPump(till.db, client)
    heard = listen(pump)

    report = pump.pump_once()  # the decision is answered 409 order_not_held

    assert (report.done, report.parked) == (1, 0)
    [event] = [e for e in heard if isinstance(e, ResolvedElsewhere)]
    assert event.decided_here and event.by == "Anna Office" and event.in_office
    assert conflicts.held_orders(till) == []
    assert pump.queue_state().parked == 0  # nothing for anyone to look at
    with till.db.reader() as s:
        assert s.get_one(Order, held).sync_status == "resolved"
        decision = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == outbox.RESOLUTION)).one()
        assert decision.state == outbox.DONE and "order_not_held" in decision.response
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.subject == held)
                            .order_by(AuditEntry.seq)).all()
        assert actions[-2:] == ["conflict.resolve", RESOLVED_ELSEWHERE]
    # The server kept the office's decision, not the till's.
    assert [r.approved_by for r in client.order_status(held).resolutions] == ["office:anna"]


def test_a_decision_parked_before_is_settled_with_the_order(till, server, plug, held):  # noqa: F811
    _, client = plug
    [item] = conflicts.held_orders(till)
    wrong = [conflicts.Decision(c.line_no, c.code, ResolutionAction.HONOR_TERMINAL, "x") for c in item.conflicts]
    conflicts.resolve(till, held, wrong, ApproverPin("m1", "9999"))
    with till.db.transaction() as s:  # an approver the server does not know: refused, parked
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == outbox.RESOLUTION)).one()
        entry.body = entry.body.replace('"approved_by":"m1"', '"approved_by":"ghost"')
    pump = OutboxPump(till.db, client)
    pump.pump_once()
    assert pump.queue_state().parked == 1
    resolve_in_office(server.db_url, held)
    [event] = pump.held.check_once()
    assert event.decided_here  # a manager here had tried: they are told it is done
    assert pump.queue_state().parked == 0 and conflicts.held_orders(till) == []


def test_every_held_order_is_asked_about_in_turn_however_many_wait(till, server, plug):
    switched, client = plug
    held_ids = [ring_sale_the_server_will_hold(till, server) for _ in range(3)]
    pump = OutboxPump(till.db, client)
    pump.pump_once()
    resolve_in_office(server.db_url, held_ids[2])  # the newest: beyond the first turn's one
    before = switched.requests
    assert pump.held.check_once(limit=1) == [] and switched.requests == before + 1
    assert pump.held.check_once(limit=1) == []
    [event] = pump.held.check_once(limit=1)
    assert event.order_id == held_ids[2]
    resolve_in_office(server.db_url, held_ids[0])
    [again] = pump.held.check_once(limit=1)  # past the end: round again from the oldest
    assert again.order_id == held_ids[0]
    assert [h.order_id for h in conflicts.held_orders(till)] == [held_ids[1]]


def test_sales_that_backed_off_against_a_dead_server_go_as_soon_as_it_answers(till, plug):
    switched, client = plug
    clock = Clock()
    pump = OutboxPump(till.db, client, settings=PumpSettings(backoff=Backoff(base_s=60, cap_s=600)), clock=clock,
                      rng=random.Random(1))  # first draw 0.13: about 8 s
    switched.down = True
    ring_sales(till, 2)
    pump.pump_once()
    assert _backoffs(till) and min(_backoffs(till)) > clock() + timedelta(seconds=1)
    pump.observed(False, "connection refused")  # the heartbeat found nobody either: the server is gone
    switched.down = False
    assert pump.observed(True)  # the heartbeat got an answer: the server is back
    assert _backoffs(till) == []  # waived: nothing waits for its own retry time
    assert pump.pump_once().done == 2


class ResetsOneSale(httpx.BaseTransport):
    """A proxy that resets every POST of one order while the server answers all else."""

    def __init__(self, inner: httpx.BaseTransport, order_id: str) -> None:
        self.inner, self.order_id = inner, order_id

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and self.order_id.encode() in request.read():
            raise httpx.ReadError("connection reset by peer", request=request)
        return self.inner.handle_request(request)


def test_a_request_that_alone_finds_nobody_keeps_its_backoff_while_the_server_answers(
        till, server, memory_keyring):  # type: ignore[no-untyped-def]
    """Found in review: waiving on any answer sent such a request again at every heartbeat."""
    [order_id] = ring_sales(till, 1)
    client = client_for(till.db, till.config, KeyringStore(memory_keyring),
                        transport=ResetsOneSale(server.transport, order_id))
    clock = Clock()
    pump = OutboxPump(till.db, client, settings=PumpSettings(backoff=Backoff(base_s=60, cap_s=600)), clock=clock,
                      rng=random.Random(1))
    try:
        assert pump.pump_once().retried == 1
        waiting = _backoffs(till)
        assert waiting and min(waiting) > clock() + timedelta(seconds=1)
        pump.observed(True)  # heartbeats are answered: the server is there
        assert _backoffs(till) == waiting
        assert pump.pump_once().requests == 0  # it waits for its own retry time
    finally:
        client.close()


def _backoffs(till) -> list:  # type: ignore[no-untyped-def]
    with till.db.reader() as s:
        return list(s.scalars(select(OutboxEntry.next_attempt_at).where(
            OutboxEntry.state == outbox.PENDING, OutboxEntry.next_attempt_at.is_not(None))))


def test_a_server_answering_5xx_keeps_the_backoff(till, server, plug):
    _, client = plug
    clock = Clock()
    pump = OutboxPump(till.db, client, settings=PumpSettings(backoff=Backoff(base_s=60, cap_s=600)), clock=clock,
                      rng=random.Random(1))
    server.flaky.failing = True
    ring_sales(till, 1)
    pump.pump_once()
    waiting = _backoffs(till)
    assert waiting
    server.flaky.failing = False
    pump.observed(True)
    assert _backoffs(till) == waiting  # a live server said "not now": its answer stands


def _receipt(till, order_id: str) -> str:  # type: ignore[no-untyped-def]
    with till.db.reader() as s:
        return s.get_one(Order, order_id).receipt_no


def test_the_sync_service_hears_of_it_within_a_heartbeat_and_recounts_the_queue(till, server, plug, held):  # noqa: F811
    import threading

    from pos_terminal.sync import QueueChanged, SyncService

    _, client = plug
    [item] = conflicts.held_orders(till)
    wrong = [conflicts.Decision(c.line_no, c.code, ResolutionAction.HONOR_TERMINAL, "x") for c in item.conflicts]
    conflicts.resolve(till, held, wrong, ApproverPin("m1", "9999"))
    with till.db.transaction() as s:  # refused by the server, parked: the status bar says "1 parked"
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == outbox.RESOLUTION)).one()
        entry.body = entry.body.replace('"approved_by":"m1"', '"approved_by":"ghost"')
    OutboxPump(till.db, client).pump_once()
    resolve_in_office(server.db_url, held)

    told, recounted = threading.Event(), threading.Event()

    def hear(event) -> None:  # type: ignore[no-untyped-def]
        if isinstance(event, ResolvedElsewhere):
            told.set()
        elif told.is_set() and isinstance(event, QueueChanged) and event.parked == 0:
            recounted.set()

    sync = SyncService(till, client, heartbeat_interval_s=0.5)
    sync.subscribe(hear)
    sync.start()
    try:
        assert told.wait(5) and recounted.wait(5)
    finally:
        sync.stop()
    assert conflicts.held_orders(till) == []
