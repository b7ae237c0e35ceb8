"""The pump's pipelining: the next batch is on the wire while the last one's answers are
filed, and causal order still holds (against the REAL server app, in-process over ASGI)."""

from __future__ import annotations

import json
import random
import threading
import time

import httpx
from sqlalchemy import select

from pos_terminal.keys import KeyringStore
from pos_terminal.store import outbox
from pos_terminal.store.models import OutboxEntry
from pos_terminal.sync.enrollment import client_for
from pos_terminal.sync.pump import OutboxPump, PumpSettings

from .conftest import ring_sales
from .harness import journal_shipped, server_orders


class Watching(httpx.BaseTransport):
    """The real in-process transport, with a hook called with each request as it leaves."""

    def __init__(self, inner: httpx.BaseTransport, on_send) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.on_send = inner, on_send

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.on_send(request)
        return self.inner.handle_request(request)


def orders_in(request: httpx.Request) -> list[dict]:
    body = json.loads(request.content)
    return body.get("orders", [body])


def audit_keys(till) -> set[str]:
    with till.db.reader() as s:
        return set(s.scalars(select(OutboxEntry.idempotency_key).where(OutboxEntry.kind == outbox.AUDIT)))


def settled_keys(till) -> set[str]:
    with till.db.reader() as s:
        return set(s.scalars(select(OutboxEntry.idempotency_key).where(OutboxEntry.state.in_(outbox.SETTLED))))


def watched_pump(till, server, memory_keyring, on_send, clock=None, **settings) -> OutboxPump:  # type: ignore[no-untyped-def]
    client = client_for(till.db, till.config, KeyringStore(memory_keyring),
                        transport=Watching(server.transport, on_send))
    return OutboxPump(till.db, client, settings=PumpSettings(**settings), rng=random.Random(1),
                      **({"clock": clock} if clock else {}))


def test_the_next_batch_is_on_the_wire_while_the_last_ones_answers_are_filed(till, server, memory_keyring):
    order_ids = ring_sales(till, 40, seed=3)
    journal_shipped(till)
    sent: list[tuple[list[dict], set[str]]] = []  # each request's orders, what was settled as it left

    def on_send(request: httpx.Request) -> None:
        if request.url.path.startswith("/v1/orders"):
            sent.append((orders_in(request), settled_keys(till)))

    pump = watched_pump(till, server, memory_keyring, on_send, batch_size=5)
    filing = pump._file
    overlapped: list[bool] = []

    def file_once_the_next_batch_left(answers, report):  # type: ignore[no-untyped-def]
        # Filing request k waits (bounded) for request k+1 to leave: only a pipelined pump
        # gets there. (At the end of a chunk of due entries nothing may be ahead: then the
        # next chunk, read meanwhile, holds only what waits for nothing in flight.)
        k = len(overlapped) + 1
        overlapped.append(_within(2.0, lambda: len(sent) > k))
        return filing(answers, report)

    pump._file = file_once_the_next_batch_left  # type: ignore[method-assign]
    while pump.pump_once().sent_anything:
        pass

    assert sum(overlapped) >= 5 and sum(overlapped) >= len(overlapped) - 3, overlapped
    returns = 0
    for orders, settled in sent:  # a return leaves only once its sale's answer is filed
        for order in orders:
            if order["original_order_id"]:
                returns += 1
                assert order["original_order_id"] in settled
    assert returns >= 2
    stored = [oid for oid, _ in server_orders(server.db_url)]
    assert sorted(stored) == sorted(order_ids)  # each exactly once
    assert settled_keys(till) - audit_keys(till) == set(order_ids)


def test_a_failure_while_a_batch_is_ahead_files_both_answers_and_stops(till, server, memory_keyring, clock):
    order_ids = ring_sales(till, 30, seed=5)
    journal_shipped(till)
    requests: list[list[dict]] = []
    second_left = threading.Event()

    def on_send(request: httpx.Request) -> None:
        if request.url.path.startswith("/v1/orders"):
            requests.append(orders_in(request))
            if len(requests) == 2:  # the server dies as the batch sent ahead arrives
                server.flaky.failing = True
                second_left.set()

    pump = watched_pump(till, server, memory_keyring, on_send, clock, batch_size=5, breaker_threshold=1,
                        probe_interval_s=60)
    report = pump.pump_once()

    assert second_left.is_set() and len(requests) == 2  # one failed request, then the round stops
    assert report.done + len(report.held) == 5 and report.retried == 5
    with till.db.reader() as s:
        states = dict(s.execute(select(OutboxEntry.idempotency_key, OutboxEntry.state)
                                .where(OutboxEntry.kind != outbox.AUDIT)).all())
    first, second = ({o["order_id"] for o in r} for r in requests)
    assert {states[k] for k in first} <= set(outbox.SETTLED)
    assert {states[k] for k in second} == {outbox.PENDING}
    assert sum(s == outbox.PENDING for s in states.values()) == len(order_ids) - 5  # nothing dropped

    assert pump.pump_once().requests == 0  # the breaker is open: not even a probe yet
    server.flaky.failing = False
    clock.advance(3600)
    assert pump.pump_once().requests == 1  # the probe, one entry
    while pump.pump_once().sent_anything:
        pass
    assert sorted(oid for oid, _ in server_orders(server.db_url)) == sorted(order_ids)
    assert settled_keys(till) - audit_keys(till) == set(order_ids)


def _within(seconds: float, condition) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
