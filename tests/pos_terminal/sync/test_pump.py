"""The outbox pump against the REAL sync server app (in-process over ASGI)."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlalchemy import select

from devices.backoff import Backoff
from pos_terminal.store.models import Order, OutboxEntry
from pos_terminal.store import outbox
from pos_terminal.store.outbox import OutboxState
from pos_terminal.sync.breaker import BreakerState
from pos_terminal.sync.client import SyncClient
from pos_terminal.sync.events import ConflictsArrived, ConnectionChanged, EventHub, Parked, QueueChanged
from pos_terminal.sync.pump import OutboxPump, PumpSettings

from .conftest import ring_sale_and_its_return, ring_sale_the_server_will_hold, ring_sales
from .harness import free_port, journal_shipped, server_orders


def entries(services) -> list[OutboxEntry]:
    """The books' entries (the audit journal's travel beside them: test_audit_shipping)."""
    with services.db.reader() as s:
        return list(s.scalars(select(OutboxEntry).where(OutboxEntry.kind != outbox.AUDIT).order_by(OutboxEntry.seq)))


def statuses(services) -> dict[str, str]:
    with services.db.reader() as s:
        return dict(s.execute(select(Order.order_id, Order.sync_status)).all())


def test_accepted_orders_clear_in_one_batch_and_arrive_once(till, client, server):
    order_ids = ring_sales(till, 5)
    seen: list = []
    hub = EventHub()
    hub.subscribe(seen.append)
    pump = OutboxPump(till.db, client, hub)

    report = pump.pump_once()

    assert report.done == 5
    sent = [json.loads(body).get("orders", [json.loads(body)]) for _, path, body, _ in server.flaky.seen
            if path in ("/v1/orders", "/v1/orders:batch")]
    assert report.requests == len(sent) == 2 and len(sent[0]) > 1  # the backlog went batched...
    earlier: set[str] = set()
    returns = 0
    for request in sent:  # ...and a return waits for the request that carries its sale
        returns += sum(o["kind"] == "return" for o in request)
        assert {o["original_order_id"] for o in request if o["original_order_id"]} <= earlier
        earlier |= {o["order_id"] for o in request}
    assert returns >= 1
    assert set(statuses(till).values()) == {"accepted"}
    assert sorted(oid for oid, _ in server_orders(server.db_url)) == sorted(order_ids)
    assert seen[-1] == QueueChanged(0, None, 0)
    assert ConnectionChanged(True, "closed", None) in seen
    assert pump.pump_once().requests == 0  # nothing left to send


def test_a_single_due_order_goes_alone_with_an_rfc8941_idempotency_key(till, client, server):
    [order_id] = ring_sales(till, 1)
    OutboxPump(till.db, client).pump_once()
    method, path, body, headers = [seen for seen in server.flaky.seen if seen[1] != "/v1/audit-entries"][-1]
    assert (method, path) == ("POST", "/v1/orders")
    assert headers["idempotency-key"] == f'"{order_id}"'
    assert body == entries(till)[0].body.encode()


def test_lost_answer_is_resent_byte_identical_and_stored_once(till, client, server, clock):
    [order_id] = ring_sales(till, 1)
    pump = OutboxPump(till.db, client, clock=clock, rng=random.Random(1))
    server.flaky.failing = server.flaky.after_processing = True  # server stores it, answer lost

    report = pump.pump_once()

    assert report.retried == 1 and entries(till)[0].state == OutboxState.PENDING
    server.flaky.failing = False
    clock.advance(3600)
    assert pump.pump_once().done == 1
    first, second = [seen for seen in server.flaky.seen if seen[1] == "/v1/orders"][-2:]
    assert first[2] == second[2] and first[3]["idempotency-key"] == second[3]["idempotency-key"]
    assert json.loads(entries(till)[0].response)["status"] == "accepted"
    assert server_orders(server.db_url) == [(order_id, "accepted")]


def test_5xx_retries_with_full_jitter_backoff_then_succeeds(till, client, server, clock):
    # The real server never answers 5xx on purpose, so FlakyApp wraps the real app and
    # answers 503 while switched on; everything else is the real server.
    ring_sales(till, 1)
    journal_shipped(till)
    draws = iter([0.5, 0.25])
    settings = PumpSettings(backoff=Backoff(base_s=10, cap_s=1000), breaker_threshold=5)
    pump = OutboxPump(till.db, client, settings=settings, clock=clock, rng=lambda: next(draws))
    server.flaky.failing = True

    pump.pump_once()
    [entry] = entries(till)
    assert entry.state == OutboxState.PENDING and entry.attempts == 1
    assert entry.next_attempt_at == clock.now + timedelta(seconds=5)  # 0.5 * 10 * 2**0
    assert "503" in entry.last_error

    clock.advance(4)
    assert pump.pump_once().requests == 0  # still backing off
    clock.advance(1)
    pump.pump_once()
    [entry] = entries(till)
    assert entry.attempts == 2 and entry.next_attempt_at == clock.now + timedelta(seconds=5)  # 0.25*10*2

    server.flaky.failing = False
    clock.advance(5)
    assert pump.pump_once().done == 1


def test_breaker_opens_and_a_dead_server_costs_one_probe_per_interval(till, clock):
    import httpx

    from pos_terminal.sync.auth import TerminalAuth

    ring_sales(till, 12)
    sent: list = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request):
            sent.append(request.url.path)
            return super().handle_request(request)

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
    client = SyncClient(dead, TerminalAuth(till.config.terminal_id, "secret"), transport=Counting())
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    settings = PumpSettings(batch_from=100, breaker_threshold=3, probe_interval_s=30)
    pump = OutboxPump(till.db, client, hub, settings=settings, clock=clock, rng=random.Random(3))

    for _ in range(10):
        pump.pump_once()
    assert len(sent) == 3 and pump.breaker.state is BreakerState.OPEN
    assert ConnectionChanged(False, "open", pump.last_error) in events

    for interval in range(3):  # three intervals: exactly one probe each
        clock.advance(29)
        pump.pump_once()
        assert len(sent) == 3 + interval
        clock.advance(1)
        pump.pump_once()
        pump.pump_once()
        assert len(sent) == 4 + interval
    assert all(e.state == OutboxState.PENDING for e in entries(till))  # nothing dropped


def test_4xx_parks_with_reason_and_does_not_block_the_rest(till, client, server):
    ids = ring_sales(till, 3)
    with till.db.transaction() as s:  # a body the server can never accept, in the middle
        bad = s.get_one(OutboxEntry, bad_seq := entries(till)[1].seq)
        bad.body = bad.body.replace('"lines":[', '"lines":[{"bogus":1},', 1)
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    OutboxPump(till.db, client, hub).pump_once()

    states = [e.state for e in entries(till)]
    assert states == [OutboxState.DONE, OutboxState.PARKED, OutboxState.DONE]
    assert "422 validation_failed" in entries(till)[1].last_error
    assert statuses(till)[ids[1]] == "parked"
    assert any(isinstance(e, Parked) and e.seq == bad_seq for e in events)
    assert events[-1] == QueueChanged(0, None, 1)
    assert sorted(o for o, _ in server_orders(server.db_url)) == sorted([ids[0], ids[2]])


def test_4xx_parks_when_sent_singly_too(till, client, server):
    ring_sales(till, 2)
    with till.db.transaction() as s:
        s.get_one(OutboxEntry, entries(till)[0].seq).body = "{}"
    pump = OutboxPump(till.db, client, settings=PumpSettings(batch_from=100))
    report = pump.pump_once()
    assert report.requests == 2 and report.parked == 1 and report.done == 1


def test_held_order_goes_to_the_conflict_inbox(till, client, server):
    order_id = ring_sale_the_server_will_hold(till, server)
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    OutboxPump(till.db, client, hub).pump_once()

    [entry] = entries(till)
    assert entry.state == OutboxState.HELD
    assert statuses(till)[order_id] == "held"
    assert ConflictsArrived([order_id]) in events
    assert json.loads(entry.response)["conflicts"][0]["code"] == "PRICE_CHANGED"
    assert server_orders(server.db_url) == [(order_id, "held")]


def test_z_report_from_day_close_is_uploaded_through_the_outbox(till, client, server):
    from decimal import Decimal

    from pos_terminal.services import ApproverPin
    from pos_terminal.services.drawer import DrawerService
    from pos_terminal.sync.pump import PumpSettings
    from sqlalchemy import create_engine, text

    drawer = DrawerService(till.till)
    till.till.sign_in("c1", "1111")
    drawer.open(Decimal("100.00"))
    till.till.sign_out()
    ring_sales(till, 2)
    till.till.sign_in("c1", "1111")
    drawer.close_day(Decimal("100.00"), ApproverPin("m1", "9999"))
    report = OutboxPump(till.db, client, settings=PumpSettings(batch_from=100)).pump_once()
    assert report.done == 3 and [e.kind for e in entries(till)] == ["order", "order", "z_report"]
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM z_reports")).scalar() == 1
    engine.dispose()


def order_posts(server) -> list[list[str]]:
    """The order ids of each order request the server received, in arrival order."""
    return [[o["order_id"] for o in json.loads(body).get("orders", [json.loads(body)])]
            for _, path, body, _ in server.flaky.seen if path in ("/v1/orders", "/v1/orders:batch")]


def test_a_return_waits_while_its_sales_first_send_failed_then_follows_it(till, client, server, clock):
    """Issue 11 item 2: the sale's first send fails, so it backs off; the return rung
    after it must not overtake it (the server would hold it as ORIGINAL_ORDER_UNKNOWN)."""
    sale_id, return_id = ring_sale_and_its_return(till)
    pump = OutboxPump(till.db, client, clock=clock, rng=random.Random(1))
    server.flaky.failing = True

    assert pump.pump_once().retried == 1
    server.flaky.failing = False
    assert pump.pump_once().requests == 0  # the sale still backs off: so does its return
    assert pump.next_due() == entries(till)[0].next_attempt_at > clock.now
    clock.advance(3600)
    report = pump.pump_once()

    assert (report.done, report.requests) == (2, 2)  # in one round, the return after the sale
    assert order_posts(server) == [[sale_id], [sale_id], [return_id]]
    assert server_orders(server.db_url) == [(sale_id, "accepted"), (return_id, "accepted")]
    assert statuses(till) == {sale_id: "accepted", return_id: "accepted"}
    sale_entry, return_entry = entries(till)
    assert return_entry.depends_on == sale_entry.seq  # recorded when the return was rung


def test_a_parked_sale_parks_its_return_which_is_never_sent(till, client, server):
    sale_id, return_id = ring_sale_and_its_return(till)
    [other] = ring_sales(till, 1, seed=8)
    with till.db.transaction() as s:  # a sale body the server can never accept
        bad = s.get_one(OutboxEntry, entries(till)[0].seq)
        bad.body = bad.body.replace('"lines":[', '"lines":[{"bogus":1},', 1)
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)

    report = OutboxPump(till.db, client, hub).pump_once()

    assert report.parked == 2 and report.done == 1
    assert [e.state for e in entries(till)] == [OutboxState.PARKED, OutboxState.PARKED, OutboxState.DONE]
    assert entries(till)[1].last_error.startswith(f"not sent: the order it depends on ({sale_id}, "
                                                  f"outbox entry {entries(till)[0].seq}) is parked: 422 validation_failed")
    assert statuses(till) == {sale_id: "parked", return_id: "parked", other: "accepted"}
    assert [e.key for e in events if isinstance(e, Parked)] == [sale_id, return_id]
    assert events[-1] == QueueChanged(0, None, 2)  # shown as parked, not as "to send"
    assert return_id not in sum(order_posts(server), [])
    assert server_orders(server.db_url) == [(other, "accepted")]


def test_a_z_report_waits_until_the_orders_of_its_day_are_settled(till, client, server, clock):
    from decimal import Decimal

    from pos_terminal.services import ApproverPin
    from pos_terminal.services.drawer import DrawerService

    drawer = DrawerService(till.till)
    till.till.sign_in("c1", "1111")
    drawer.open(Decimal("100.00"))
    till.till.sign_out()
    first, second = ring_sales(till, 2)
    till.till.sign_in("c1", "1111")
    drawer.close_day(Decimal("100.00"), ApproverPin("m1", "9999"))
    pump = OutboxPump(till.db, client, settings=PumpSettings(batch_from=100), clock=clock,
                      rng=random.Random(1))
    server.flaky.failing = True
    pump.pump_once()  # the first order's send fails and backs off
    server.flaky.failing = False

    assert pump.pump_once().done == 1  # the second order; the Z report waits for the first
    assert [e.state for e in entries(till)] == [OutboxState.PENDING, OutboxState.DONE, OutboxState.PENDING]
    clock.advance(3600)
    assert pump.pump_once().done == 2
    paths = [path for _, path, _, _ in server.flaky.seen if path.startswith(("/v1/orders", "/v1/z"))]
    assert paths == ["/v1/orders"] * 3 + ["/v1/z-reports"]
