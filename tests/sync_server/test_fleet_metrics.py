"""The database-backed gauges the alert rules watch (services/fleet.py, GET /metrics)."""

from __future__ import annotations

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sync_server.api.main import create_app
from sync_server.core.config import Settings

from .conftest import ADMIN_TOKEN
from .factories import make_order

pytestmark = pytest.mark.anyio


def _samples(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


async def _scrape(client: httpx.AsyncClient) -> dict[str, list]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200, response.text
    return _samples(response.text)


async def test_last_heartbeats_and_held_orders_come_from_the_database(shop) -> None:
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10")
    heard, orphan, revoked = [await shop.terminal("S1") for _ in range(3)]
    started = time.time()
    beat = {"queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1"}
    assert (await heard.http.post("/v1/terminals/heartbeat", json=beat)).status_code == 204
    assert (await shop.admin.post(f"/v1/admin/terminals/{revoked.terminal_id}/revoke")).status_code == 200
    held = make_order(store_id="S1", terminal_id=heard.terminal_id, lines=[("SKU1", "1", "0.99", "0.19")])
    assert (await heard.post_order(held)).json()["status"] == "held"

    samples = await _scrape(shop.admin)
    assert [s.value for s in samples["pos_sync_database_up"]] == [1]
    seen = {s.labels["terminal_id"]: s for s in samples["pos_sync_terminal_last_heartbeat_timestamp_seconds"]}
    assert set(seen) == {heard.terminal_id, orphan.terminal_id}  # a revoked till is not waited for
    assert seen[heard.terminal_id].labels["store_id"] == "S1"
    assert started - 5 <= seen[heard.terminal_id].value <= time.time() + 1
    assert [(s.labels["store_id"], s.value) for s in samples["pos_sync_held_orders"]] == [("S1", 1)]
    [age] = samples["pos_sync_held_orders_oldest_age_seconds"]
    assert 0 <= age.value < 60


async def test_an_unreadable_database_shows_as_down_and_nothing_else(tmp_path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'no-such-dir' / 'sync.sqlite3'}", admin_token=ADMIN_TOKEN)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sync.test") as client:
        samples = await _scrape(client)
    assert [s.value for s in samples["pos_sync_database_up"]] == [0]
    assert "pos_sync_terminal_last_heartbeat_timestamp_seconds" not in samples
    assert "pos_sync_http_requests_total" in samples  # the process's own counters still come
