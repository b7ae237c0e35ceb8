"""Receipt lookup for returns across tills: another till's sale, with every return counted."""

from __future__ import annotations

import pytest

from .factories import make_order

pytestmark = pytest.mark.anyio


@pytest.fixture
async def tills(shop):
    await shop.add_store("S1")
    await shop.add_store("S2")
    await shop.add_item("SKU1", "1.10")
    await shop.add_item("SKU2", "2.50")
    return await shop.terminal("S1"), await shop.terminal("S1"), await shop.terminal("S2")


async def test_another_till_finds_the_sale_and_what_was_returned(shop, tills) -> None:
    a, b, _ = tills
    sale = make_order(store_id=a.store_id, terminal_id=a.terminal_id, receipt_no="A-000001",
                      lines=[("SKU1", "3", "1.10", "0.19"), ("SKU2", "1", "2.50", "0.19")])
    assert (await a.post_order(sale)).status_code == 201
    ret = make_order(store_id=a.store_id, terminal_id=a.terminal_id, kind="return", original_order_id=str(sale.order_id),
                     lines=[("SKU1", "1", "1.10", "0.19")])
    assert (await a.post_order(ret)).status_code == 201
    found = await b.http.get("/v1/receipts/A-000001")
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["order"]["order_id"] == str(sale.order_id) and body["status"] == "accepted"
    assert body["returns"] == [{"order_id": str(ret.order_id), "lines": {"1": "1"}}]
    assert body["voided_lines"] == []


async def test_unknown_and_other_stores_receipts_are_not_found(shop, tills) -> None:
    a, _, other = tills
    sale = make_order(store_id=a.store_id, terminal_id=a.terminal_id, receipt_no="A-000002")
    assert (await a.post_order(sale)).status_code == 201
    for till, receipt in ((other, "A-000002"), (a, "nope")):
        response = await till.http.get(f"/v1/receipts/{receipt}")
        assert response.status_code == 404 and response.json()["code"] == "receipt_not_found"
