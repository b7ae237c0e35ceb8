"""DUPLICATE_CONTENT only for a resend that lost its id; honest identical sales are accepted.

Issue 11, item 5 (PROTOCOL.md's rule as changed): the same content_hash AND the same
created_at from the same terminal under another order_id is held as DUPLICATE_CONTENT.
The same goods sold twice at different moments within 10 minutes are both accepted and
only counted in `pos_sync_similar_orders_total` for review.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from sync_server.services import order_checks
from sync_server.services.order_checks import EarlierOrder, StoreView

from .factories import make_order

pytestmark = pytest.mark.anyio


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10")
    return await shop.terminal("S1")


def _order(till, **kwargs):
    return make_order(**{"store_id": till.store_id, "terminal_id": till.terminal_id, **kwargs})


async def _similar_count(shop) -> float:
    metrics = (await shop.admin.get("/metrics")).text
    found = re.search(r"^pos_sync_similar_orders_total (\S+)$", metrics, re.M)
    return float(found.group(1)) if found else 0.0


async def test_two_honest_identical_sales_at_different_moments_are_both_accepted_and_counted(shop, till) -> None:
    before = await _similar_count(shop)
    now = datetime.now(UTC)
    first = _order(till, created_at=now - timedelta(minutes=2))
    second = _order(till, created_at=now - timedelta(minutes=1))
    assert first.content_hash == second.content_hash
    assert (await till.post_order(first)).status_code == 201
    response = await till.post_order(second)
    assert response.status_code == 201, response.text
    assert await _similar_count(shop) == before + 1
    assert (await till.post_order(second)).headers["Idempotent-Replayed"] == "true"
    assert await _similar_count(shop) == before + 1  # a replay is not a new order


async def test_identical_sales_in_one_batch_are_both_accepted(shop, till) -> None:
    before = await _similar_count(shop)
    now = datetime.now(UTC)
    orders = [_order(till, created_at=now - timedelta(seconds=s)).model_dump(mode="json") for s in (30, 20)]
    results = (await till.http.post("/v1/orders:batch", json={"orders": orders})).json()["results"]
    assert [r["http_status"] for r in results] == [201, 201], results
    assert await _similar_count(shop) == before + 1


async def test_a_resend_that_lost_its_id_is_held_as_duplicate_content(shop, till) -> None:
    before = await _similar_count(shop)
    first = _order(till)
    assert (await till.post_order(first)).status_code == 201
    resent = _order(till, created_at=first.created_at)  # same content, same moment, new id and receipt
    response = await till.post_order(resent)
    assert response.status_code == 202
    assert [(c["line_no"], c["code"], c["field"], c["server_value"]) for c in response.json()["conflicts"]] == [
        (None, "DUPLICATE_CONTENT", "content_hash", str(first.order_id)),
    ]
    assert await _similar_count(shop) == before  # a duplicate is a conflict, not a similar order


def test_similar_means_the_same_content_at_another_moment_within_ten_minutes() -> None:
    sold_at = datetime(2026, 11, 21, 9, 15, tzinfo=UTC)
    order = make_order(created_at=sold_at)

    def similar_to(earlier_at: datetime) -> str | None:
        earlier = EarlierOrder("earlier-id", "R-0", order.content_hash, earlier_at)
        return order_checks.similar_order(StoreView({}, {}, [earlier]), order)

    assert similar_to(sold_at - timedelta(minutes=10)) == "earlier-id"
    assert similar_to(sold_at + timedelta(seconds=1)) == "earlier-id"
    assert similar_to(sold_at - timedelta(minutes=10, microseconds=1)) is None
    assert similar_to(sold_at) is None  # the same moment: a DUPLICATE_CONTENT, not a similar sale
