"""Order intake over the real app and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sync_server.db.models import OrderRow
from pos_protocol.signing import signed_headers

from .factories import make_order

pytestmark = pytest.mark.anyio


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10")
    await shop.add_item("SKU2", "2.50")
    return await shop.terminal("S1")


def _order(till, **kwargs):
    return make_order(**{"store_id": till.store_id, "terminal_id": till.terminal_id, **kwargs})


def _count_orders(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(OrderRow)).scalar_one()


async def test_accepted_then_replayed_with_the_stored_response(till, engine) -> None:
    order = _order(till)
    first = await till.post_order(order)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "accepted" and first.json()["server_seq"] >= 1
    again = await till.post_order(order)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert _count_orders(engine) == 1


async def test_key_may_be_sent_unquoted(till) -> None:
    order = _order(till)
    response = await till.http.post("/v1/orders", content=order.model_dump_json(), headers={"Idempotency-Key": str(order.order_id)})
    assert response.status_code == 201, response.text


async def test_missing_key_is_400(till, engine) -> None:
    response = await till.http.post("/v1/orders", content=_order(till).model_dump_json())
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "idempotency_key_missing"
    assert _count_orders(engine) == 0


async def test_reused_key_with_another_body_is_422(till, engine) -> None:
    order = _order(till)
    assert (await till.post_order(order)).status_code == 201
    other = _order(till, order_id=str(order.order_id), lines=[("SKU2", "1", "2.50", "0.19")])
    response = await till.post_order(other)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert _count_orders(engine) == 1


async def test_key_must_be_the_order_id(till) -> None:
    response = await till.post_order(_order(till), key="8e03a1b2-0000-4000-8000-000000000001")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize("bad", [1.1, "1.1O", "NaN", "1e2", "", "-1.10", "1.100000"])
async def test_malformed_decimals_are_422_and_nothing_is_stored(till, engine, bad) -> None:
    body = _order(till).model_dump(mode="json")
    body["lines"][0]["unit_price"] = bad
    response = await till.http.post("/v1/orders", json=body, headers={"Idempotency-Key": body["order_id"]})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert "unit_price" in response.json()["detail"]
    assert _count_orders(engine) == 0


async def test_totals_that_do_not_add_up_are_422(till, engine) -> None:
    body = _order(till).model_dump(mode="json")
    body["tenders"][0]["amount"] = "1.00"
    response = await till.http.post("/v1/orders", json=body, headers={"Idempotency-Key": body["order_id"]})
    assert response.status_code == 422
    assert "tenders" in response.json()["detail"]
    assert _count_orders(engine) == 0


async def test_more_decimals_than_the_currency_is_422(till) -> None:
    order = _order(till, lines=[("SKU1", "1", "1.105", "0.19")])
    response = await till.post_order(order)
    assert response.status_code == 422
    assert "more than 2 decimals" in response.json()["detail"]


async def test_too_many_lines_is_422_not_500(till) -> None:
    body = _order(till).model_dump(mode="json")
    body["lines"] = [dict(body["lines"][0], line_no=i) for i in range(1, 502)]
    response = await till.http.post("/v1/orders", json=body, headers={"Idempotency-Key": body["order_id"]})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_body_over_the_limit_is_413(till) -> None:
    response = await till.http.post("/v1/orders", content=b"{" + b" " * 600_000 + b"}", headers={"Idempotency-Key": "k"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "x-correlation-id" in response.headers


async def test_another_stores_order_is_403_store_mismatch(shop, till, engine) -> None:
    await shop.add_store("S2")
    for order in (_order(till, store_id="S2"), make_order(store_id="S1", terminal_id="T-someone-else")):
        response = await till.post_order(order)
        assert response.status_code == 403
        assert response.json()["code"] == "store_mismatch"
    assert _count_orders(engine) == 0


async def test_forged_signature_is_401_bad_signature(shop, till) -> None:
    order = _order(till)
    forged = shop.client()
    headers = signed_headers(till.terminal_id, "not-the-secret", "POST", "/v1/orders", order.model_dump_json().encode())
    response = await forged.post("/v1/orders", content=order.model_dump_json(), headers={**headers, "Idempotency-Key": str(order.order_id)})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    response = await forged.post("/v1/orders", content=order.model_dump_json(), headers={"Idempotency-Key": str(order.order_id)})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"


async def test_body_changed_after_signing_is_401(shop, till) -> None:
    order = _order(till)
    headers = signed_headers(till.terminal_id, till.secret, "POST", "/v1/orders", b"{}")
    response = await shop.client().post("/v1/orders", content=order.model_dump_json(), headers={**headers, "Idempotency-Key": str(order.order_id)})
    assert response.json()["code"] == "bad_signature"


async def test_stale_timestamp_is_401(shop, till) -> None:
    order = _order(till)
    body = order.model_dump_json().encode()
    headers = signed_headers(till.terminal_id, till.secret, "POST", "/v1/orders", body, now=time.time() - 301)
    response = await shop.client().post("/v1/orders", content=body, headers={**headers, "Idempotency-Key": str(order.order_id)})
    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"


async def test_revoked_terminal_is_403(shop, till) -> None:
    response = await shop.admin.post(f"/v1/admin/terminals/{till.terminal_id}/revoke")
    assert response.status_code == 200
    response = await till.post_order(_order(till))
    assert response.status_code == 403
    assert response.json()["code"] == "terminal_revoked"


async def test_price_changed_is_held_with_both_values(till, engine) -> None:
    order = _order(till, lines=[("SKU1", "1", "0.99", "0.19"), ("SKU2", "1", "2.50", "0.07")])
    response = await till.post_order(order)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "held"
    assert [(c["line_no"], c["code"], c["field"], c["terminal_value"], c["server_value"]) for c in body["conflicts"]] == [
        (1, "PRICE_CHANGED", "unit_price", "0.99", "1.10"),
        (2, "TAX_CHANGED", "tax_rate", "0.07", "0.19"),
    ]
    status = (await till.http.get(f"/v1/orders/{order.order_id}")).json()
    assert status["status"] == "held" and status["server_seq"] is None
    assert status["conflicts"] == body["conflicts"]


async def test_price_lock_honours_the_price_in_force_at_sale_time(shop, till) -> None:
    sold_at = datetime.now(UTC)
    await shop.add_item("SKU1", "1.30", effective_from=(sold_at + timedelta(seconds=1)).isoformat())
    old_price = _order(till, lines=[("SKU1", "1", "1.10", "0.19")], created_at=sold_at)
    assert (await till.post_order(old_price)).status_code == 201
    later = _order(till, lines=[("SKU1", "2", "1.10", "0.19")], created_at=sold_at + timedelta(minutes=1))
    response = await till.post_order(later)
    assert response.status_code == 202
    assert response.json()["conflicts"][0]["server_value"] == "1.30"


async def test_override_by_a_supervisor_is_honoured_but_not_by_a_cashier(shop, till) -> None:
    await shop.add_user("sup", "supervisor")
    await shop.add_user("cash", "cashier")
    override = {"approved_by": "sup", "reason": "damaged", "original_price": "1.10"}
    ok = _order(till, lines=[("SKU1", "1", "0.50", "0.19")], overrides={1: override})
    assert (await till.post_order(ok)).status_code == 201
    refused = _order(till, lines=[("SKU1", "1", "0.50", "0.19")], overrides={1: {**override, "approved_by": "cash"}})
    response = await till.post_order(refused)
    assert response.status_code == 202
    assert response.json()["conflicts"][0]["code"] == "PRICE_CHANGED"
    assert "price.override" in response.json()["conflicts"][0]["message"]


async def test_unknown_and_inactive_items(shop, till) -> None:
    await shop.add_item("OLD", "3.00", active=False)
    order = _order(till, lines=[("NOPE", "1", "1.00", "0.19"), ("OLD", "1", "3.00", "0.19")])
    response = await till.post_order(order)
    assert response.status_code == 202
    assert [(c["line_no"], c["code"]) for c in response.json()["conflicts"]] == [(1, "ITEM_UNKNOWN"), (2, "ITEM_INACTIVE")]


async def test_receipt_reuse_and_duplicate_content(till) -> None:
    first = _order(till, receipt_no="R-1")
    assert (await till.post_order(first)).status_code == 201
    twin = _order(till, receipt_no="R-1", created_at=first.created_at)  # the same sale, resent under a new order_id
    response = await till.post_order(twin)
    assert response.status_code == 202
    conflicts = response.json()["conflicts"]
    assert [(c["line_no"], c["code"], c["server_value"]) for c in conflicts] == [
        (None, "DUPLICATE_CONTENT", str(first.order_id)),
        (None, "RECEIPT_NO_REUSED", str(first.order_id)),
    ]


async def test_conflict_list_is_byte_identical_on_replay_against_same_state(till) -> None:
    order = _order(till, lines=[("SKU2", "1", "9.99", "0.07"), ("SKU1", "1", "0.10", "0.07")])
    first = await till.post_order(order)
    second = await till.post_order(order)
    assert first.content == second.content
    codes = [(c["line_no"], c["code"], c["field"]) for c in first.json()["conflicts"]]
    assert codes == sorted(codes)


async def test_returns_against_the_original_sale(shop, till) -> None:
    await shop.add_user("m1", "manager")
    sale = _order(till, lines=[("SKU1", "2", "1.10", "0.19")])
    assert (await till.post_order(sale)).status_code == 201
    ret = _order(till, kind="return", original_order_id=str(sale.order_id), lines=[("SKU1", "1", "1.10", "0.19")])
    assert (await till.post_order(ret)).status_code == 201
    too_many = _order(till, kind="return", original_order_id=str(sale.order_id), lines=[("SKU1", "2", "1.10", "0.19")])
    response = await till.post_order(too_many)
    assert response.status_code == 202
    assert [(c["code"], c["server_value"]) for c in response.json()["conflicts"]] == [("RETURN_EXCEEDS_SALE", "1")]
    orphan = _order(till, kind="return", original_order_id="8e03a1b2-0000-4000-8000-00000000dead")
    response = await till.post_order(orphan)
    assert [c["code"] for c in response.json()["conflicts"]] == ["ORIGINAL_ORDER_UNKNOWN"]
    blind = _order(till, kind="return", lines=[("SKU2", "1", "2.50", "0.19")], approved_by="m1")
    assert (await till.post_order(blind)).status_code == 201
    blind_wrong_price = _order(till, kind="return", lines=[("SKU2", "1", "9.50", "0.19")], approved_by="m1")
    response = await till.post_order(blind_wrong_price)
    assert [c["code"] for c in response.json()["conflicts"]] == ["PRICE_CHANGED"]


async def test_stock_is_decremented_and_never_negative(shop, till, engine) -> None:
    await shop.add_store("S1", track_stock=True)
    await shop.set_stock("SKU1", "3")
    assert (await till.post_order(_order(till, lines=[("SKU1", "2", "1.10", "0.19")]))).status_code == 201
    response = await till.post_order(_order(till, lines=[("SKU1", "2", "1.10", "0.19"), ("SKU2", "1", "2.50", "0.19")]))
    assert response.status_code == 202
    assert [(c["code"], c["server_value"]) for c in response.json()["conflicts"]] == [("INSUFFICIENT_STOCK", "1.000")]
    stock = (await shop.admin.get("/v1/admin/stores/S1/stock/SKU1")).json()
    assert stock["on_hand"] == "1.000"


async def test_other_stores_order_is_404_on_read(shop, till) -> None:
    order = _order(till)
    assert (await till.post_order(order)).status_code == 201
    await shop.add_store("S2")
    other = await shop.terminal("S2")
    response = await other.http.get(f"/v1/orders/{order.order_id}")
    assert response.status_code == 404
    assert (await till.http.get(f"/v1/orders/{order.order_id}")).json()["status"] == "accepted"


async def test_batch_processes_each_order_independently(till, engine) -> None:
    good, held = _order(till), _order(till, lines=[("SKU1", "1", "0.01", "0.19")])
    bad = _order(till).model_dump(mode="json")
    bad["totals"]["gross"] = "0.00"
    foreign = _order(till, store_id="S9").model_dump(mode="json")
    body = {"orders": [good.model_dump(mode="json"), bad, held.model_dump(mode="json"), foreign, good.model_dump(mode="json")]}
    response = await till.http.post("/v1/orders:batch", json=body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["http_status"] for r in results] == [201, 422, 202, 403, 201]
    assert [r["replayed"] for r in results] == [False, False, False, False, True]
    assert results[0]["body"] == results[4]["body"]
    assert results[1]["body"]["code"] == "validation_failed"
    assert _count_orders(engine) == 2
    single = await till.post_order(good)  # a batch item and a single POST share one key
    assert single.headers["Idempotent-Replayed"] == "true" and single.json() == results[0]["body"]


async def test_batch_limits(till) -> None:
    response = await till.http.post("/v1/orders:batch", json={"orders": []})
    assert response.status_code == 422
    response = await till.http.post("/v1/orders:batch", json=[1])
    assert response.status_code == 422


async def test_correlation_id_is_echoed_or_made(till) -> None:
    response = await till.http.get("/v1/catalog", headers={"X-Correlation-ID": "abc-123"})
    assert response.headers["X-Correlation-ID"] == "abc-123"
    response = await till.http.get("/v1/catalog")
    assert len(response.headers["X-Correlation-ID"]) == 36


async def test_framework_errors_are_problem_json(shop) -> None:
    for response in (await shop.admin.get("/v1/nowhere"), await shop.admin.delete("/v1/orders")):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] in {"not_found", "method_not_allowed"}
        assert response.json()["status"] == response.status_code
    response = await shop.admin.put("/v1/admin/stores/S1", content=b"{not json")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"


async def test_admin_needs_the_bearer_token(shop) -> None:
    response = await shop.client().put("/v1/admin/stores/S1", json={"name": "x"})
    assert response.status_code == 401
    response = await shop.client(headers={"Authorization": "Bearer wrong"}).put("/v1/admin/stores/S1", json={"name": "x"})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


async def test_batch_sees_its_own_earlier_orders(till) -> None:
    first = _order(till, receipt_no="R-7")
    second = _order(till, receipt_no="R-7", lines=[("SKU2", "1", "2.50", "0.19")])
    response = await till.http.post("/v1/orders:batch", json={"orders": [first.model_dump(mode="json"), second.model_dump(mode="json")]})
    results = response.json()["results"]
    assert [r["http_status"] for r in results] == [201, 202]
    assert [(c["code"], c["server_value"]) for c in results[1]["body"]["conflicts"]] == [("RECEIPT_NO_REUSED", str(first.order_id))]


async def test_batch_with_an_order_id_taken_in_the_store_falls_back_and_keeps_the_rest(shop, till, engine) -> None:
    other = await shop.terminal("S1")
    taken = make_order(store_id="S1", terminal_id=other.terminal_id)
    assert (await other.post_order(taken)).status_code == 201
    clash = _order(till, order_id=str(taken.order_id))
    fine = _order(till, lines=[("SKU2", "1", "2.50", "0.19")])
    body = {"orders": [fine.model_dump(mode="json"), clash.model_dump(mode="json")]}
    results = (await till.http.post("/v1/orders:batch", json=body)).json()["results"]
    assert [r["http_status"] for r in results] == [201, 409]
    assert results[1]["body"]["code"] == "order_id_taken"
    assert _count_orders(engine) == 2
    single = await till.post_order(clash)
    assert single.status_code == 409 and single.json()["code"] == "order_id_taken"


async def test_a_scheduled_price_is_refused_not_sold_early(shop, till) -> None:
    """Tills sell a catalog price as soon as they pull it; a future price would be held on
    every sale until it starts, so the server refuses to schedule one."""
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await shop.admin.put("/v1/admin/stores/S1/items/SKU1", json={
        "name": "Item SKU1", "unit": "ea", "price": "1.30", "tax_code": "A", "tax_rate": "0.19",
        "effective_from": later})
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert "scheduled" in response.json()["detail"]


@pytest.mark.parametrize(("reference", "why"), [
    (None, "a card tender needs a reference"),
    ("  ", "a card tender needs a reference"),
    ("pan 4111111111111111", "looks like a full card number"),
])
async def test_a_card_tender_names_its_terminal_transaction(till, engine, reference, why) -> None:
    body = _order(till).model_dump(mode="json")
    body["tenders"][0]["reference"] = reference
    response = await till.http.post("/v1/orders", json=body, headers={"Idempotency-Key": body["order_id"]})
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert why in response.json()["detail"]
    assert _count_orders(engine) == 0


async def test_cash_tenders_need_no_reference(till) -> None:
    from pos_protocol.wire import sealed_order

    fields = _order(till).model_dump(mode="json", exclude={"content_hash"})
    fields["tenders"][0].update(type="cash", reference=None)
    response = await till.post_order(sealed_order(fields))
    assert response.status_code == 201, response.text
