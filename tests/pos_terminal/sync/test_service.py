"""SyncService: a worker thread that drains after each sale and publishes events."""

from __future__ import annotations

import threading

from pos_terminal.sync import CatalogUpdated, ConnectionChanged, QueueChanged, SyncService
from pos_terminal.sync.client import Reply
from pos_terminal.sync.pump import Verdict, judge

from .conftest import ring_sales
from .harness import server_orders


def test_service_wakes_after_each_sale_and_drains_off_the_calling_thread(till, client, server):
    events: list = []
    threads: set[str] = set()
    arrived = threading.Event()

    def listen(event) -> None:
        events.append(event)
        threads.add(threading.current_thread().name)
        if isinstance(event, QueueChanged) and event.depth == 0 and len(server_orders(server.db_url)) == 3:
            arrived.set()

    sync = SyncService(till, client, heartbeat_interval_s=3600)
    sync.subscribe(listen)
    sync.start()
    try:
        ids = ring_sales(till, 3)  # Till.on_committed wakes the pump
        assert arrived.wait(30), events
        assert sync.wait_drained(10)
    finally:
        sync.stop()
    assert not sync.thread.is_alive()
    assert threads == {"pos-sync"}  # never the caller's (UI) thread
    assert sorted(o for o, _ in server_orders(server.db_url)) == sorted(ids)
    assert any(isinstance(e, ConnectionChanged) and e.online for e in events)
    pulled = [e for e in events if isinstance(e, CatalogUpdated)]  # catalog pulled on start
    assert pulled and pulled[-1].complete
    assert sum(len(e.upserted) for e in pulled) == len(till.catalog)


def test_request_in_progress_is_retried_not_parked():
    import httpx

    busy = Reply(409, b'{"code":"request_in_progress","detail":"twin in flight"}', "c", httpx.Headers())
    assert judge("order", busy)[0] is Verdict.RETRY
    other_conflict = Reply(409, b'{"code":"something_else"}', "c", httpx.Headers())
    assert judge("order", other_conflict)[0] is Verdict.PARKED
    clock_skew = Reply(401, b'{"code":"stale_timestamp"}', "c", httpx.Headers())
    assert judge("order", clock_skew)[0] is Verdict.FAILED  # the till's clock, not the order
    assert judge("order", Reply(502, b"", "c", httpx.Headers()))[0] is Verdict.FAILED


def test_heartbeat_reports_queue_depth_and_devices_to_the_server(till, client, server):
    import json

    from sqlalchemy import create_engine, text

    ring_sales(till, 2)  # not sent: the pump is not running
    sync = SyncService(till, client, device_status=lambda: {"receipt": "paper_low"})
    sync._heartbeat()
    engine = create_engine(server.db_url)
    with engine.connect() as conn:
        [(raw,)] = conn.execute(text("SELECT last_heartbeat FROM terminals WHERE terminal_id = :t"),
                                {"t": till.config.terminal_id}).all()
    engine.dispose()
    beat = json.loads(raw)
    assert beat["queue_depth"] == 2 and beat["oldest_pending_age_s"] >= 0
    assert beat["devices"] == {"receipt": "paper_low"} and beat["app_version"]


def test_sync_refuses_to_start_for_a_till_selling_under_another_terminal_id(till, client):
    import pytest

    from pos_terminal.sync.service import IdentityMismatch

    till.config = till.config.replace(terminal_id="T01")
    with pytest.raises(IdentityMismatch, match="enrolled_config"):
        SyncService(till, client)
