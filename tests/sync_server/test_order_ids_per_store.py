"""Order ids are unique per store: another store's terminal cannot squat a genuine order's id.

Issue 11, item 4: with ids global, a terminal of store S2 that posted an order under an id
first made S1's genuine order fail with 422, and that answer told S2 the id existed in
another store. Every lookup by order_id (GET, resolution, a return's original and the
returns already made against it) is scoped to the caller's store.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from sync_server.db import migrations
from sync_server.db.models import ORDER_LINES, ORDERS
from sync_server.db.session import make_engine

from tools.pg_schema import scratch_schema
from .factories import make_order

pytestmark = pytest.mark.anyio
SALE = [("SKU1", "2", "1.10", "0.19")]


@pytest.fixture
async def stores(shop):
    """The genuine till of S1 and a squatting terminal of S2 selling the same item."""
    for store_id in ("S1", "S2"):
        await shop.add_store(store_id)
        await shop.add_item("SKU1", "1.10", store_id=store_id)
        await shop.add_user("m1", "manager", store_id=store_id)
    return await shop.terminal("S1"), await shop.terminal("S2")


def _order(terminal, **kwargs):
    return make_order(**{"store_id": terminal.store_id, "terminal_id": terminal.terminal_id, **kwargs})


async def test_a_squatted_order_id_does_not_refuse_or_reveal_the_genuine_order(stores) -> None:
    genuine, squatter = stores
    order_id = str(uuid.uuid4())
    squatted = _order(squatter, order_id=order_id, lines=[("SKU1", "5", "1.10", "0.19")])
    assert (await squatter.post_order(squatted)).status_code == 201
    sale = _order(genuine, order_id=order_id, lines=SALE)
    response = await genuine.post_order(sale)
    assert response.status_code == 201, response.text
    mine = (await genuine.http.get(f"/v1/orders/{order_id}")).json()
    theirs = (await squatter.http.get(f"/v1/orders/{order_id}")).json()
    assert (mine["order"]["store_id"], mine["order"]["lines"][0]["qty"]) == ("S1", "2")
    assert (theirs["order"]["store_id"], theirs["order"]["lines"][0]["qty"]) == ("S2", "5")


async def test_a_squatted_order_id_in_a_batch_is_accepted_too(stores) -> None:
    genuine, squatter = stores
    squatted = _order(squatter)
    assert (await squatter.post_order(squatted)).status_code == 201
    clash = _order(genuine, order_id=str(squatted.order_id))
    other = _order(genuine, lines=[("SKU1", "1", "1.10", "0.19")])
    body = {"orders": [other.model_dump(mode="json"), clash.model_dump(mode="json")]}
    results = (await genuine.http.post("/v1/orders:batch", json=body)).json()["results"]
    assert [r["http_status"] for r in results] == [201, 201], results


async def test_returns_count_only_the_callers_store(stores) -> None:
    """S2 returns everything of its own 'sale X'; S1's sale X still has all of its goods."""
    genuine, squatter = stores
    order_id = str(uuid.uuid4())
    assert (await squatter.post_order(_order(squatter, order_id=order_id, lines=SALE))).status_code == 201
    squatter_return = _order(squatter, kind="return", original_order_id=order_id, lines=SALE)
    assert (await squatter.post_order(squatter_return)).status_code == 201
    assert (await genuine.post_order(_order(genuine, order_id=order_id, lines=SALE))).status_code == 201
    own_return = _order(genuine, kind="return", original_order_id=order_id, lines=[("SKU1", "1", "1.10", "0.19")])
    response = await genuine.post_order(own_return)
    assert response.status_code == 201, response.text


async def test_resolution_touches_only_the_callers_store(stores) -> None:
    genuine, squatter = stores
    order_id = str(uuid.uuid4())
    cheap = [("SKU1", "1", "0.50", "0.19")]  # PRICE_CHANGED: held in both stores
    assert (await squatter.post_order(_order(squatter, order_id=order_id, lines=cheap))).status_code == 202
    assert (await genuine.post_order(_order(genuine, order_id=order_id, lines=cheap))).status_code == 202
    body = {"resolutions": [{"line_no": 1, "code": "PRICE_CHANGED", "action": "honor_terminal",
                             "approved_by": "m1", "reason": "shelf label"}]}
    response = await genuine.http.post(f"/v1/orders/{order_id}/resolution", json=body,
                                       headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    assert (await genuine.http.get(f"/v1/orders/{order_id}")).json()["status"] == "resolved"
    assert (await squatter.http.get(f"/v1/orders/{order_id}")).json()["status"] == "held"


async def test_a_taken_id_in_the_same_store_is_409_and_names_no_other_order(shop, stores) -> None:
    """Two terminals of one store with one id (never for honest UUIDv4s): refused, not 500,
    and the answer names neither the other terminal nor its order."""
    genuine, _ = stores
    neighbour = await shop.terminal("S1")
    first = _order(neighbour, lines=[("SKU1", "3", "1.10", "0.19")])
    assert (await neighbour.post_order(first)).status_code == 201
    response = await genuine.post_order(_order(genuine, order_id=str(first.order_id)))
    assert response.status_code == 409
    assert response.json()["code"] == "order_id_taken"
    assert neighbour.terminal_id not in response.text
    stored = (await neighbour.http.get(f"/v1/orders/{first.order_id}")).json()
    assert (stored["status"], stored["order"]["lines"][0]["qty"]) == ("accepted", "3")  # untouched


# -- the migration ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A database with no schema yet (PostgreSQL: a schema of its own, dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    with scratch_schema(request.getfixturevalue("postgres_url"), "sync_mig") as url:
        yield url


def _order_row(order_id: str, store_id: str) -> dict:
    now = datetime.now(UTC)
    return {"order_id": order_id, "store_id": store_id, "terminal_id": f"T-{store_id}", "kind": "sale",
            "receipt_no": "R-1", "content_hash": "0" * 64, "created_at": now, "received_at": now,
            "status": "accepted", "gross": Decimal("1.10"), "body": "{}", "conflicts": "[]"}


def test_upgrading_a_shop_with_orders_keeps_them_and_scopes_ids_by_store(empty_db_url) -> None:
    """SQLite rebuilds `orders` to drop the old constraint while `order_lines` refer to it."""
    migrations.upgrade(empty_db_url, "0001")
    engine = make_engine(empty_db_url, pool_size=1)
    try:
        order_id = str(uuid.uuid4())
        with engine.begin() as conn:
            seq = conn.execute(insert(ORDERS).returning(ORDERS.c.server_seq), _order_row(order_id, "S1")).scalar_one()
            conn.execute(insert(ORDER_LINES), {"server_seq": seq, "line_no": 1, "sku": "SKU1", "qty": Decimal(1), "voided": False,
                                               "unit_price": Decimal("1.10"), "tax_rate": Decimal("0.19"),
                                               "line_total": Decimal("1.10")})
        migrations.upgrade(empty_db_url)
        with engine.begin() as conn:
            assert conn.execute(select(func.count()).select_from(ORDER_LINES)).scalar_one() == 1
            conn.execute(insert(ORDERS), _order_row(order_id, "S2"))  # another store: fine now
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(ORDERS), _order_row(order_id, "S1"))  # the same store: still unique
    finally:
        engine.dispose()
