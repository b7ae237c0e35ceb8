"""The real `pos-sync-server serve` under uvicorn, killed and restarted under the pump.

Proves: sales rung while the server is down drain once it is up; a server SIGKILLed
mid-backlog and restarted still ends with every order exactly once.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from devices.backoff import Backoff
from pos_terminal.keys import KeyringStore
from pos_terminal.store import outbox
from pos_terminal.sync import ConnectionChanged, PumpSettings, QueueChanged, SyncService

from .conftest import ring_sales
from .harness import enrolled_till, enrollment_code, server_orders

pytestmark = pytest.mark.slow

FAST = PumpSettings(batch_size=5, backoff=Backoff(base_s=0.05, cap_s=0.5), probe_interval_s=0.3)


@pytest.fixture
def online_till(tmp_path, uvicorn_server, memory_keyring):
    code = enrollment_code(uvicorn_server.db_url)
    services = enrolled_till(tmp_path / "till", uvicorn_server.url, code, KeyringStore(memory_keyring))
    yield services
    services.close()


def assert_exactly_once(services, db_url: str, order_ids: list[str]) -> None:
    stored = server_orders(db_url)
    counts = Counter(oid for oid, _ in stored)
    assert sorted(counts) == sorted(order_ids) and set(counts.values()) == {1}
    assert {status for _, status in stored} == {"accepted"}
    with services.db.reader() as s:
        assert outbox.depth(s)[0] == 0


def test_sales_rung_offline_drain_when_the_server_comes_back(online_till, uvicorn_server):
    uvicorn_server.kill()
    went_offline = threading.Event()
    sync = SyncService(online_till, pump_settings=FAST, heartbeat_interval_s=3600)
    sync.subscribe(lambda e: isinstance(e, ConnectionChanged) and not e.online and went_offline.set())
    sync.start()
    try:
        ids = ring_sales(online_till, 15)  # each commit wakes the pump: all fail, nothing lost
        assert went_offline.wait(10)
        with online_till.db.reader() as s:
            assert outbox.depth(s)[0] == 15
        uvicorn_server.start()
        assert sync.wait_drained(60)
    finally:
        sync.stop()
    assert_exactly_once(online_till, uvicorn_server.db_url, ids)


def test_server_killed_mid_backlog_every_order_arrives_exactly_once(online_till, uvicorn_server):
    ids = ring_sales(online_till, 60)  # backlog built before sync starts
    first_progress = threading.Event()

    def watch(event) -> None:
        if isinstance(event, QueueChanged) and 0 < event.depth < 60:
            first_progress.set()

    sync = SyncService(online_till, pump_settings=FAST, heartbeat_interval_s=3600)
    sync.subscribe(watch)
    sync.start()
    try:
        assert first_progress.wait(30)
        uvicorn_server.kill()  # lands wherever the pump is: maybe mid-request
        with online_till.db.reader() as s:
            left = outbox.depth(s)[0]
        uvicorn_server.start()
        assert sync.wait_drained(90)
    finally:
        sync.stop()
    assert left > 0, "the kill came after the backlog had drained: the test proved nothing"
    assert_exactly_once(online_till, uvicorn_server.db_url, ids)
