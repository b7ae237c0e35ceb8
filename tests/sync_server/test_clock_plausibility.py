"""CLOCK_IMPLAUSIBLE: an order dated ahead of the server's clock or before its terminal's
enrollment (beyond POS_SYNC_CLOCK_TOLERANCE_S) is held, never refused: the sale happened,
but the price lock trusts created_at. Issue 11, item 10 (server side).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from sync_server.api.main import create_app
from sync_server.core.config import Settings
from sync_server.db.models import Terminal
from pos_protocol.wire import format_time

from .conftest import ADMIN_TOKEN, Shop
from .factories import make_order

pytestmark = pytest.mark.anyio
TOLERANCE = timedelta(seconds=300)  # the default of POS_SYNC_CLOCK_TOLERANCE_S


async def _open_till(shop: Shop):
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10")
    await shop.add_user("m1", "manager")
    return await shop.terminal("S1")


@pytest.fixture
async def till(shop):
    return await _open_till(shop)


def _order(till, **kwargs):
    return make_order(**{"store_id": till.store_id, "terminal_id": till.terminal_id, **kwargs})


def _clock_conflicts(response: httpx.Response) -> list[tuple]:
    return [(c["line_no"], c["code"], c["field"], c["terminal_value"], c["server_value"])
            for c in response.json()["conflicts"]]


def _enrolled_at(engine, till) -> datetime:
    with engine.connect() as conn:
        return conn.execute(select(Terminal.enrolled_at).where(Terminal.terminal_id == till.terminal_id)).scalar_one()


async def test_an_order_dated_twenty_years_ahead_is_held_with_the_bound_it_broke(till) -> None:
    order = _order(till, created_at=datetime.now(UTC) + timedelta(days=20 * 365))
    before = datetime.now(UTC)
    response = await till.post_order(order)
    after = datetime.now(UTC)
    assert response.status_code == 202, response.text
    [(line_no, code, field, terminal_value, server_value)] = _clock_conflicts(response)
    assert (line_no, code, field, terminal_value) == (None, "CLOCK_IMPLAUSIBLE", "created_at", format_time(order.created_at))
    assert before + TOLERANCE <= datetime.fromisoformat(server_value) <= after + TOLERANCE
    assert (await till.http.get(f"/v1/orders/{order.order_id}")).json()["status"] == "held"  # stored, not refused


async def test_an_order_dated_before_the_terminal_was_enrolled_is_held(till, engine) -> None:
    order = _order(till, created_at=datetime.now(UTC) - timedelta(days=1))
    response = await till.post_order(order)
    assert response.status_code == 202, response.text
    bound = format_time(_enrolled_at(engine, till) - TOLERANCE)
    assert _clock_conflicts(response) == [(None, "CLOCK_IMPLAUSIBLE", "created_at", format_time(order.created_at), bound)]


async def test_a_clock_off_by_less_than_the_tolerance_is_fine(till, engine) -> None:
    ahead = _order(till, created_at=datetime.now(UTC) + TOLERANCE - timedelta(seconds=30))
    behind = _order(till, created_at=_enrolled_at(engine, till) - TOLERANCE + timedelta(seconds=1),
                    lines=[("SKU1", "1", "1.10", "0.19")])
    for order in (ahead, behind):
        response = await till.post_order(order)
        assert response.status_code == 201, response.text


async def test_the_tolerance_is_a_setting(db_url, engine) -> None:
    settings = Settings(db_url=db_url, admin_token=ADMIN_TOKEN, clock_tolerance_s=3600)
    app = create_app(settings, engine)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sync.test", headers=headers) as admin:
        till = await _open_till(Shop(app, admin))
        assert (await till.post_order(_order(till, created_at=datetime.now(UTC) + timedelta(minutes=30)))).status_code == 201
        response = await till.post_order(_order(till, created_at=datetime.now(UTC) + timedelta(minutes=61)))
        assert [c["code"] for c in response.json()["conflicts"]] == ["CLOCK_IMPLAUSIBLE"]


async def test_a_held_order_in_a_batch_does_not_hold_the_others(till) -> None:
    future = _order(till, created_at=datetime.now(UTC) + timedelta(days=1))
    fine = _order(till, lines=[("SKU1", "1", "1.10", "0.19")])
    body = {"orders": [future.model_dump(mode="json"), fine.model_dump(mode="json")]}
    results = (await till.http.post("/v1/orders:batch", json=body)).json()["results"]
    assert [r["http_status"] for r in results] == [202, 201]


@pytest.mark.parametrize("action", ["honor_terminal", "accept_server"])
async def test_resolved_like_any_order_level_conflict(till, action) -> None:
    order = _order(till, created_at=datetime.now(UTC) + timedelta(days=2))
    assert (await till.post_order(order)).status_code == 202

    async def resolve(**resolution) -> httpx.Response:
        body = {"resolutions": [{"line_no": None, "code": "CLOCK_IMPLAUSIBLE", "approved_by": "m1",
                                 "reason": "till clock was wrong", **resolution}]}
        return await till.http.post(f"/v1/orders/{order.order_id}/resolution", json=body,
                                    headers={"Idempotency-Key": str(uuid.uuid4())})

    refused = await resolve(action="void_line")
    assert refused.status_code == 422 and refused.json()["code"] == "resolution_incomplete"
    response = await resolve(action=action)
    assert response.status_code == 201, response.text
    assert (await till.http.get(f"/v1/orders/{order.order_id}")).json()["status"] == "resolved"


def test_the_tolerance_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("POS_SYNC_CLOCK_TOLERANCE_S", raising=False)
    monkeypatch.setenv("POS_SYNC_CONFIG", "/nonexistent/config.toml")
    assert Settings().clock_tolerance_s == 300
    monkeypatch.setenv("POS_SYNC_CLOCK_TOLERANCE_S", "60")
    assert Settings().clock_tolerance_s == 60
