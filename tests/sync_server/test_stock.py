"""Stock integrity over the real app and database (SQLite and PostgreSQL), issue 11.

Stock moves only for what is final: a held return puts nothing back until it is resolved,
a blind return is bounded by the store's limit and needs an approver with `return.blind`,
on-hand never goes below zero nor past what the wire can carry (README "Returns and stock").
"""

from __future__ import annotations

from contextlib import ExitStack

import uuid

import pytest
from sqlalchemy import create_engine, text

from sync_server.db import migrations

from tools.pg_schema import scratch_schema
from .factories import make_order

pytestmark = pytest.mark.anyio


@pytest.fixture
async def till(shop):
    await shop.add_store("S1", track_stock=True)
    await shop.add_item("SKU1", "1.10")
    await shop.add_item("SKU2", "2.50")
    await shop.add_user("m1", "manager")
    await shop.add_user("s1", "supervisor")
    await shop.add_user("c1", "cashier")
    return await shop.terminal("S1")


def _order(till, lines, **kwargs):
    return make_order(store_id=till.store_id, terminal_id=till.terminal_id, lines=lines, **kwargs)


def _sale(till, sku: str, qty: str, price: str = "1.10"):
    return _order(till, [(sku, qty, price, "0.19")])


def _return(till, sale, *lines, approved_by: str | None = "m1"):
    return _order(till, [(sku, qty, price, "0.19") for sku, qty, price in lines], kind="return",
                  original_order_id=str(sale.order_id), approved_by=approved_by)


def _blind(till, *lines, approved_by: str | None = "m1"):
    return _order(till, [(sku, qty, price, "0.19") for sku, qty, price in lines], kind="return", approved_by=approved_by)


async def _on_hand(shop, sku: str = "SKU1") -> str:
    response = await shop.admin.get(f"/v1/admin/stores/S1/stock/{sku}")
    assert response.status_code == 200, response.text
    return response.json()["on_hand"]


async def _post(till, order, status: int) -> list[tuple]:
    response = await till.post_order(order)
    assert response.status_code == status, response.text
    return [(c["line_no"], c["code"], c["server_value"]) for c in response.json().get("conflicts", [])]


async def _resolve(till, order, *decisions, approved_by: str = "m1"):
    """`decisions` are (line_no, code, action)."""
    body = {"resolutions": [{"line_no": line_no, "code": code, "action": action, "approved_by": approved_by,
                             "reason": "checked"} for line_no, code, action in decisions]}
    response = await till.http.post(f"/v1/orders/{order.order_id}/resolution", json=body,
                                    headers={"Idempotency-Key": f'"{uuid.uuid4()}"'})
    assert response.status_code == 201, response.text


async def test_a_held_over_return_puts_nothing_back_and_its_goods_cannot_be_sold(shop, till) -> None:
    """The issue's case: 2 left, a signed return of 1,000 against a sale of 1, then a sale of 1,000."""
    await shop.set_stock("SKU1", "3")
    sale = _sale(till, "SKU1", "1")
    await _post(till, sale, 201)
    assert await _on_hand(shop) == "2.000"
    over = _return(till, sale, ("SKU1", "1000", "1.10"))
    assert await _post(till, over, 202) == [(1, "RETURN_EXCEEDS_SALE", "1")]
    assert await _on_hand(shop) == "2.000"
    assert await _post(till, _sale(till, "SKU1", "1000"), 202) == [(1, "INSUFFICIENT_STOCK", "2.000")]
    assert await _on_hand(shop) == "2.000"


async def test_a_blind_return_over_the_limit_is_held_and_puts_nothing_back(shop, till) -> None:
    await shop.set_stock("SKU2", "2")
    blind = _blind(till, ("SKU2", "500", "2.50"))
    assert await _post(till, blind, 202) == [(1, "BLIND_RETURN_EXCEEDS_LIMIT", "10")]
    assert await _on_hand(shop, "SKU2") == "2.000"
    assert await _post(till, _sale(till, "SKU2", "500", "2.50"), 202) == [(1, "INSUFFICIENT_STOCK", "2.000")]
    assert await _on_hand(shop, "SKU2") == "2.000"


@pytest.mark.parametrize(("approver", "role"), [(None, None), ("nobody", None), ("c1", "cashier"), ("s1", "supervisor")])
async def test_a_blind_return_needs_an_approver_with_return_blind_on_the_server(shop, till, approver, role) -> None:
    await shop.set_stock("SKU2", "2")
    blind = _blind(till, ("SKU2", "1", "2.50"), approved_by=approver)
    assert await _post(till, blind, 202) == [(None, "BLIND_RETURN_NOT_APPROVED", role)]
    assert await _on_hand(shop, "SKU2") == "2.000"


async def test_an_approved_blind_return_within_the_limit_is_accepted_and_goes_back(shop, till) -> None:
    await shop.set_stock("SKU2", "2")
    await _post(till, _blind(till, ("SKU2", "4", "2.50"), ("SKU1", "10", "1.10")), 201)
    assert await _on_hand(shop, "SKU2") == "6.000"


async def test_the_blind_return_limit_counts_an_item_over_all_its_lines(shop, till) -> None:
    await shop.set_stock("SKU2", "0")
    blind = _blind(till, ("SKU2", "6", "2.50"), ("SKU2", "6", "2.50"), ("SKU2", "1", "2.50"))
    # Each over line gets its own share of the limit as server_value: 10 - 6, then nothing.
    assert await _post(till, blind, 202) == [(2, "BLIND_RETURN_EXCEEDS_LIMIT", "4"), (3, "BLIND_RETURN_EXCEEDS_LIMIT", "0")]
    await _resolve(till, blind, (2, "BLIND_RETURN_EXCEEDS_LIMIT", "accept_server"), (3, "BLIND_RETURN_EXCEEDS_LIMIT", "accept_server"))
    assert await _on_hand(shop, "SKU2") == "10.000"


async def test_the_limit_is_a_store_setting(shop, till) -> None:
    response = await shop.admin.put("/v1/admin/stores/S1", json={"name": "Shop", "track_stock": True})
    assert response.json()["max_blind_return_qty"] == "10"
    response = await shop.admin.put("/v1/admin/stores/S1", json={"name": "Shop", "track_stock": True, "max_blind_return_qty": "0"})
    assert response.status_code == 200 and response.json()["max_blind_return_qty"] == "0"
    assert await _post(till, _blind(till, ("SKU2", "1", "2.50")), 202) == [(1, "BLIND_RETURN_EXCEEDS_LIMIT", "0")]
    bad = await shop.admin.put("/v1/admin/stores/S1", json={"name": "Shop", "max_blind_return_qty": "-1"})
    assert bad.status_code == 422


async def test_the_limit_and_approver_hold_blind_returns_also_where_stock_is_not_tracked(shop, till) -> None:
    await shop.add_store("S1", track_stock=False)
    assert await _post(till, _blind(till, ("SKU2", "11", "2.50"), approved_by=None), 202) == [
        (None, "BLIND_RETURN_NOT_APPROVED", None), (1, "BLIND_RETURN_EXCEEDS_LIMIT", "10")]


async def test_a_sale_never_carries_approved_by(till) -> None:
    body = _sale(till, "SKU1", "1").model_dump(mode="json")
    body["approved_by"] = "m1"
    response = await till.http.post("/v1/orders", json=body, headers={"Idempotency-Key": f'"{body["order_id"]}"'})
    assert response.status_code == 422 and "approved_by" in response.text


# -- resolution: goods go back only as far as the decision accepts them ----------------------


@pytest.mark.parametrize(("action", "back"), [("honor_terminal", "5.000"), ("accept_server", "5.000"), ("void_line", "0.000")])
async def test_a_resolved_over_return_puts_back_at_most_what_the_sale_had_left(shop, till, action, back) -> None:
    await shop.set_stock("SKU1", "5")
    sale = _sale(till, "SKU1", "5")
    await _post(till, sale, 201)
    over = _return(till, sale, ("SKU1", "8", "1.10"))
    assert await _post(till, over, 202) == [(1, "RETURN_EXCEEDS_SALE", "5")]
    assert await _on_hand(shop) == "0.000"
    await _resolve(till, over, (1, "RETURN_EXCEEDS_SALE", action))
    assert await _on_hand(shop) == back


async def test_two_over_return_lines_of_one_item_share_what_the_sale_had_left(shop, till) -> None:
    await shop.set_stock("SKU1", "2")
    sale = _sale(till, "SKU1", "2")
    await _post(till, sale, 201)
    over = _return(till, sale, ("SKU1", "5", "1.10"), ("SKU1", "5", "1.10"))
    assert await _post(till, over, 202) == [(1, "RETURN_EXCEEDS_SALE", "2"), (2, "RETURN_EXCEEDS_SALE", "0")]
    await _resolve(till, over, (1, "RETURN_EXCEEDS_SALE", "honor_terminal"), (2, "RETURN_EXCEEDS_SALE", "honor_terminal"))
    assert await _on_hand(shop) == "2.000"


@pytest.mark.parametrize(("action", "back"), [("honor_terminal", "12.000"), ("accept_server", "10.000"), ("void_line", "0.000")])
async def test_a_resolved_blind_return_over_the_limit(shop, till, action, back) -> None:
    await shop.set_stock("SKU2", "0")
    blind = _blind(till, ("SKU2", "12", "2.50"))
    await _post(till, blind, 202)
    await _resolve(till, blind, (1, "BLIND_RETURN_EXCEEDS_LIMIT", action))
    assert await _on_hand(shop, "SKU2") == back


@pytest.mark.parametrize(("action", "back"), [("honor_terminal", "3.000"), ("accept_server", "0.000")])
async def test_a_resolved_unapproved_blind_return(shop, till, action, back) -> None:
    await shop.set_stock("SKU2", "0")
    blind = _blind(till, ("SKU2", "3", "2.50"), approved_by=None)
    await _post(till, blind, 202)
    await _resolve(till, blind, (None, "BLIND_RETURN_NOT_APPROVED", action))
    assert await _on_hand(shop, "SKU2") == back


@pytest.mark.parametrize(("action", "back"), [("honor_terminal", "2.000"), ("accept_server", "0.000")])
async def test_a_resolved_return_of_an_unknown_sale(shop, till, action, back) -> None:
    await shop.set_stock("SKU1", "0")
    ret = _order(till, [("SKU1", "2", "1.10", "0.19")], kind="return", approved_by="s1",
                 original_order_id="8e03a1b2-0000-4000-8000-00000000dead")
    assert await _post(till, ret, 202) == [(None, "ORIGINAL_ORDER_UNKNOWN", None)]
    await _resolve(till, ret, (None, "ORIGINAL_ORDER_UNKNOWN", action))
    assert await _on_hand(shop) == back


async def test_a_return_held_for_its_price_goes_back_when_resolved_except_voided_lines(shop, till) -> None:
    await shop.set_stock("SKU1", "4")
    await shop.set_stock("SKU2", "4")
    sale = _order(till, [("SKU1", "2", "1.10", "0.19"), ("SKU2", "2", "2.50", "0.19")])
    await _post(till, sale, 201)
    ret = _return(till, sale, ("SKU1", "1", "1.00"), ("SKU2", "2", "2.00"))
    assert await _post(till, ret, 202) == [(1, "PRICE_CHANGED", "1.10"), (2, "PRICE_CHANGED", "2.50")]
    assert (await _on_hand(shop), await _on_hand(shop, "SKU2")) == ("2.000", "2.000")
    await _resolve(till, ret, (1, "PRICE_CHANGED", "accept_server"), (2, "PRICE_CHANGED", "void_line"))
    assert (await _on_hand(shop), await _on_hand(shop, "SKU2")) == ("3.000", "2.000")


# -- the bound: on-hand always reads back ------------------------------------------------------


async def test_a_put_back_stops_at_the_largest_quantity_and_reads_back(shop, till) -> None:
    await shop.add_store("S1", track_stock=True, max_blind_return_qty="999999999")
    await shop.set_stock("SKU2", "999999998")
    await _post(till, _blind(till, ("SKU2", "5", "2.50")), 201)
    assert await _on_hand(shop, "SKU2") == "999999999.999"
    await _post(till, _blind(till, ("SKU2", "999999999", "2.50")), 201)
    assert await _on_hand(shop, "SKU2") == "999999999.999"
    await _post(till, _sale(till, "SKU2", "999999999", "2.50"), 201)
    assert await _on_hand(shop, "SKU2") == "0.999"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migration_brings_stock_rows_into_bounds(request, tmp_path, backend) -> None:
    """Rows the old put-back left below zero or past the wire's maximum read back after 0002."""
    with ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        else:
            url = stack.enter_context(scratch_schema(request.getfixturevalue("postgres_url"), "sync_mig"))
        migrations.upgrade(url, "0001")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO stores VALUES ('S1', 'Old shop', 'EUR', 2, 'inclusive', true, 0)"))
            conn.execute(text("INSERT INTO stock VALUES ('S1', 'NEG', -1000000), ('S1', 'BIG', 10000000000000), ('S1', 'OK', 2500)"))
        migrations.upgrade(url, "0004_stock")
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT sku, on_hand_milli FROM stock")).all())
            limit = conn.execute(text("SELECT max_blind_return_qty FROM stores")).scalar_one()
        engine.dispose()
        assert rows == {"NEG": 0, "BIG": 999_999_999_999, "OK": 2500}
        assert limit == "10"
