"""Values at the edges of what the server's columns hold: 422 naming the field, never a 500.

Each case is one signed request (or an admin call) on SQLite and on PostgreSQL; a value at
the edge of the accepted range is stored and read back.
"""

from __future__ import annotations

import json
import uuid

import pytest

from .factories import make_order
from .test_api_terminals import _z

pytestmark = pytest.mark.anyio

INT32_MAX = 2**31 - 1  # an INTEGER column
INT64_MAX = 2**63 - 1  # a BIGINT column

# Year 0 and year 10000 once converted to UTC (datetime cannot hold them), and the first
# instants outside the protocol's range (README: "Times on the wire").
OUT_OF_RANGE_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "1969-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
    "2999-12-31T23:30:00-01:00",
]


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10")
    return await shop.terminal("S1")


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert field in problem["detail"], problem


def _order_body(till, **fields) -> dict:
    body = make_order(store_id="S1", terminal_id=till.terminal_id).model_dump(mode="json")
    return {**body, **fields}


async def _post_order(till, body: dict):
    return await till.http.post("/v1/orders", content=json.dumps(body),
                                headers={"Idempotency-Key": f'"{body["order_id"]}"'})


async def _post_z(till, report: dict):
    return await till.http.post("/v1/z-reports", json=report, headers={"Idempotency-Key": f'"{report["report_id"]}"'})


@pytest.mark.parametrize("when", OUT_OF_RANGE_TIMES)
async def test_order_created_at_out_of_range_is_422(till, when) -> None:
    _refused(await _post_order(till, _order_body(till, created_at=when)), "created_at")


async def test_batch_order_created_at_out_of_range_is_422_for_that_order(till) -> None:
    bad, good = _order_body(till, created_at=OUT_OF_RANGE_TIMES[0]), _order_body(till)
    response = await till.http.post("/v1/orders:batch", content=json.dumps({"orders": [bad, good]}))
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["http_status"] for r in results] == [422, 201]
    assert "created_at" in results[0]["body"]["detail"]


@pytest.mark.parametrize("field", ["opened_at", "closed_at"])
@pytest.mark.parametrize("when", OUT_OF_RANGE_TIMES[:2])
async def test_z_report_times_out_of_range_are_422(till, field, when) -> None:
    _refused(await _post_z(till, {**_z(till, 1), field: when}), field)


@pytest.mark.parametrize("when", OUT_OF_RANGE_TIMES)
async def test_item_effective_from_out_of_range_is_422(till, shop, when) -> None:
    body = {"name": "X", "unit": "ea", "price": "1.00", "tax_code": "A", "tax_rate": "0.19", "effective_from": when}
    _refused(await shop.admin.put("/v1/admin/stores/S1/items/SKU2", json=body), "effective_from")


@pytest.mark.parametrize(("field", "value"), [
    ("queue_depth", 10**400), ("queue_depth", INT32_MAX + 1),
    ("oldest_pending_age_s", 10**400), ("oldest_pending_age_s", 1e300),
])
async def test_heartbeat_numbers_beyond_their_range_are_422(till, field, value) -> None:
    beat = {"queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1", field: value}
    _refused(await till.http.post("/v1/terminals/heartbeat", content=json.dumps(beat)), field)


@pytest.mark.parametrize("field", ["sales_count", "returns_count", "voids_count"])
async def test_z_report_counts_beyond_an_integer_column_are_422(till, field) -> None:
    _refused(await _post_z(till, {**_z(till, 1), field: INT32_MAX + 1}), field)


async def test_z_report_tender_count_beyond_an_integer_column_is_422(till) -> None:
    report = _z(till, 1)
    report["by_tender"][0]["count"] = 10**400
    _refused(await _post_z(till, report), "by_tender.0.count")


async def test_order_catalog_version_beyond_a_bigint_is_422(till) -> None:
    _refused(await _post_order(till, _order_body(till, catalog_version=INT64_MAX + 1)), "catalog_version")


async def test_resolution_line_no_beyond_an_order_line_is_422(till) -> None:
    order = make_order(store_id="S1", terminal_id=till.terminal_id, lines=[("SKU1", "1", "0.99", "0.19")])
    assert (await till.post_order(order)).status_code == 202
    resolution = {"line_no": 10**400, "code": "PRICE_CHANGED", "action": "accept_server", "approved_by": "b", "reason": "r"}
    response = await till.http.post(f"/v1/orders/{order.order_id}/resolution", json={"resolutions": [resolution]},
                                    headers={"Idempotency-Key": f'"{uuid.uuid4()}"'})
    _refused(response, "line_no")


@pytest.mark.parametrize(("sent", "read_back"), [
    ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
    ("2999-12-31T23:59:59.999999Z", "2999-12-31T23:59:59.999999Z"),
    ("3000-01-01T00:59:59+01:00", "2999-12-31T23:59:59Z"),
])
async def test_times_at_the_edges_of_the_range_are_stored_and_read_back(till, sent, read_back) -> None:
    body = _order_body(till, created_at=sent)
    assert (await _post_order(till, body)).status_code in (201, 202)
    stored = await till.http.get(f"/v1/orders/{body['order_id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["order"]["created_at"] == read_back
