"""Issue 11, item 10: the till warns when its clock disagrees with the server's by more than
a minute. The server is the real `pos-sync-server serve` under uvicorn, whose `Date`
header tells the real time; the till's clock is the one injected into the pump."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pos_terminal.keys import KeyringStore
from pos_terminal.sync.clock import server_time
from pos_terminal.sync.enrollment import client_for
from pos_terminal.sync.events import ClockSkewed, EventHub
from pos_terminal.sync.pump import OutboxPump
from pos_protocol import wire

from .conftest import ring_sales
from .harness import Clock, UvicornServer, enrolled_till, enrollment_code, prepare_server_db

pytestmark = pytest.mark.slow
DATE_SLACK_S = 5  # Date has whole seconds and uvicorn refreshes it once a second; plus a busy box


@pytest.fixture(scope="module")
def uvicorn_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clock-server")
    db_url = f"sqlite:///{tmp / 'server.sqlite3'}"
    prepare_server_db(db_url)
    with UvicornServer(db_url, log_path=tmp / "server.log") as server:
        yield server


@pytest.fixture
def till(tmp_path, uvicorn_server, memory_keyring):
    code = enrollment_code(uvicorn_server.db_url)
    services = enrolled_till(tmp_path / "till", uvicorn_server.url, code, KeyringStore(memory_keyring))
    yield services
    services.close()


@pytest.fixture
def client(till, memory_keyring):
    c = client_for(till.db, till.config, KeyringStore(memory_keyring))
    yield c
    c.close()


def skews(events: list) -> list[float]:
    return [e.skew_s for e in events if isinstance(e, ClockSkewed)]


def test_a_till_clock_three_minutes_ahead_is_reported_and_cleared_once_it_agrees(till, client):
    clock = Clock(datetime.now(UTC) + timedelta(minutes=3))
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    pump = OutboxPump(till.db, client, hub, clock=clock)
    ring_sales(till, 1)
    assert pump.pump_once().done == 1  # a wrong clock does not stop the sale going out

    [skew] = skews(events)
    assert 180 - DATE_SLACK_S <= skew <= 180 + DATE_SLACK_S
    assert ClockSkewed(skew).beyond_tolerance

    ring_sales(till, 1, seed=8)
    pump.pump_once()
    assert len(skews(events)) == 1  # the same verdict is not repeated on every answer

    clock.now = datetime.now(UTC)  # a manager set the time
    client.heartbeat(wire.Heartbeat(queue_depth=0, oldest_pending_age_s=0, app_version="t", devices={}))
    [_, back] = [e for e in events if isinstance(e, ClockSkewed)]
    assert not back.beyond_tolerance and abs(back.skew_s) <= DATE_SLACK_S  # any answer counts


def test_a_till_clock_behind_is_reported_with_a_negative_skew(till, client):
    clock = Clock(datetime.now(UTC) - timedelta(minutes=10))
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    pump = OutboxPump(till.db, client, hub, clock=clock)
    ring_sales(till, 1)
    pump.pump_once()
    [skew] = skews(events)
    assert -600 - DATE_SLACK_S <= skew <= -600 + DATE_SLACK_S


def test_a_right_clock_raises_nothing(till, client):
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    pump = OutboxPump(till.db, client, hub)  # the real clock: the server's is the same one
    ring_sales(till, 2)
    assert pump.pump_once().done == 2
    assert skews(events) == []


def test_the_real_server_sends_a_date_on_every_answer(client):
    reply = client.request("GET", "/v1/catalog?since=0")
    at = server_time(reply)
    assert at is not None and abs((datetime.now(UTC) - at).total_seconds()) <= DATE_SLACK_S
