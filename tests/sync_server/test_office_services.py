"""The back office's services on SQLite and PostgreSQL: held orders with their diffs,
resolution in the office (permission, completeness, one winner of a race), the shared
session key (one winner of a race), catalog search and a price change."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_protocol import paths
from pos_protocol.codes import ConflictCode, ErrorCode, OrderStatus
from pos_protocol.permissions import Role
from pos_protocol.wire import OrderStatusOut, ResolutionAction, Resolver
from sync_server.core.errors import DomainError
from sync_server.db.models import ItemPrice, OrderRow
from sync_server.db.session import read_connection, write_transaction
from sync_server.services import catalog, office_users, office_views, resolution

from .factories import make_order

pytestmark = pytest.mark.anyio
D = Decimal
HONOR = ResolutionAction.HONOR_TERMINAL


async def held_order(shop, till_price: str = "1.10", server_price: str = "1.25") -> tuple[str, str]:
    await shop.add_store()
    await shop.add_item("SKU1", server_price)
    terminal = await shop.terminal()
    order = make_order(terminal_id=terminal.terminal_id, lines=[("SKU1", "3", till_price, "0.19")])
    answer = await terminal.post_order(order)
    assert answer.status_code == 202, answer.text
    return str(order.order_id), terminal.terminal_id


async def test_a_held_order_reads_with_its_item_values_and_money_difference(shop, engine):
    order_id, terminal_id = await held_order(shop)
    with read_connection(engine) as conn:
        [held] = office_views.held_orders(conn, "S1")
        [store] = office_views.list_stores(conn)
    [diff] = held.conflicts
    assert (held.order_id, held.terminal_id, held.currency) == (order_id, terminal_id, "EUR")
    assert (diff.code, diff.item_name, diff.terminal_value, diff.server_value, diff.money_difference) == (
        ConflictCode.PRICE_CHANGED, "item SKU1", "1.10", "1.25", D("-0.45"))
    assert (store.held_orders, store.terminals) == (1, 1)


async def test_the_office_resolves_only_with_conflict_resolve_and_every_conflict_decided(shop, engine):
    order_id, _ = await held_order(shop)
    decide = {(1, ConflictCode.PRICE_CHANGED.value): HONOR}

    def resolve(decisions, may_resolve=True):
        with write_transaction(engine) as conn:
            return resolution.resolve_at_office(conn, "S1", uuid.UUID(order_id), decisions, "anna", may_resolve, "label")

    with pytest.raises(DomainError) as refused:
        resolve(decide, may_resolve=False)
    assert refused.value.code == ErrorCode.NOT_PERMITTED
    with pytest.raises(DomainError) as incomplete:
        resolve({(2, ConflictCode.PRICE_CHANGED.value): HONOR})
    assert incomplete.value.code == ErrorCode.RESOLUTION_INCOMPLETE
    resolved = resolve(decide)
    assert [(r.approved_by, r.reason) for r in resolved.resolutions] == [("office:anna", "label")]
    with pytest.raises(DomainError) as again:
        resolve(decide)
    assert again.value.code == ErrorCode.ORDER_NOT_HELD
    with read_connection(engine) as conn:
        row = conn.execute(select(OrderRow.status, OrderRow.resolutions).where(OrderRow.order_id == order_id)).one()
        assert office_views.held_orders(conn, "S1") == []
    assert row.status == OrderStatus.RESOLVED and json.loads(row.resolutions)[0]["action"] == HONOR.value


async def test_two_offices_resolving_one_order_at_once_give_one_decision(shop, engine):
    order_id, _ = await held_order(shop)
    start = threading.Barrier(2)

    def resolve(user: str) -> str:
        start.wait()
        try:
            with write_transaction(engine) as conn:
                resolution.resolve_at_office(conn, "S1", uuid.UUID(order_id), {(1, ConflictCode.PRICE_CHANGED.value): HONOR},
                                             user, True, f"by {user}")
            return "resolved"
        except DomainError as error:
            return error.code.value

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(resolve, ["anna", "bert"]))
    assert outcomes == [ErrorCode.ORDER_NOT_HELD.value, "resolved"]
    with read_connection(engine) as conn:
        stored = json.loads(conn.execute(select(OrderRow.resolutions).where(OrderRow.order_id == order_id)).scalar_one())
    assert len(stored) == 1


async def test_every_process_draws_the_same_session_key(shop, engine):
    start = threading.Barrier(4)

    def draw(_: int) -> str:
        start.wait()
        with write_transaction(engine) as conn:
            return office_users.session_key(conn)

    with ThreadPoolExecutor(4) as pool:
        keys = set(pool.map(draw, range(4)))
    assert len(keys) == 1 and len(keys.pop()) >= 48


async def test_search_matches_every_word_literally(shop, engine):
    await shop.add_store()
    await shop.add_item("RYE-50", "3.20", name="Rye bread 50% whole grain", category="Bakery", barcodes=["4001234000015"])
    await shop.add_item("RYE-500", "3.40", name="Rye bread 500 g", category="Bakery")
    await shop.add_item("MILK_1", "0.99", name="Milk", category="Dairy")
    with read_connection(engine) as conn:
        def skus(text: str) -> list[str]:
            return [i.sku for i in catalog.search_items(conn, "S1", text)]

        assert skus("rye") == ["RYE-50", "RYE-500"]  # by name ("50%" before "500")
        assert skus("50%") == ["RYE-50"]  # % is a character, not a wildcard
        assert skus("k_1") == ["MILK_1"] and skus("bakery whole") == ["RYE-50"]
        assert skus("4001234000015") == ["RYE-50"] and skus("nothing") == []


async def test_a_price_change_is_a_new_catalog_version_with_history(shop, engine):
    await shop.add_store()
    before = await shop.add_item("SKU1", "1.10", tax_rate="0.07", tax_code="B", category="Bakery")
    with write_transaction(engine) as conn:
        version = catalog.change_price(conn, "S1", "SKU1", D("1.35"))
    with read_connection(engine) as conn:
        delta = catalog.delta(conn, "S1", before, version)
        prices = conn.execute(select(ItemPrice.price, ItemPrice.tax_rate).where(ItemPrice.sku == "SKU1")
                              .order_by(ItemPrice.id)).all()
    assert version == before + 1
    assert [(i.sku, i.price, i.tax_code, i.category) for i in delta.items] == [("SKU1", D("1.35"), "B", "Bakery")]
    assert [tuple(p) for p in prices] == [(D("1.10"), D("0.07")), (D("1.35"), D("0.07"))]
    for sku, price, code in (("SKU1", D("1.355"), ErrorCode.VALIDATION_FAILED), ("NOPE", D("1"), ErrorCode.ITEM_UNKNOWN)):
        with pytest.raises(DomainError) as refused, write_transaction(engine) as conn:
            catalog.change_price(conn, "S1", sku, price)
        assert refused.value.code == code
    with read_connection(engine) as conn:
        assert catalog.search_items(conn, "S1", "SKU1")[0].price == D("1.35")  # the refusals changed nothing


async def test_orders_and_z_reports_by_utc_day(shop, engine):
    order_id, _ = await held_order(shop)
    today = datetime.now(UTC).date()
    with read_connection(engine) as conn:
        [listed] = office_views.orders_between(conn, "S1", today, today)
        assert office_views.orders_between(conn, "S1", today.replace(year=today.year - 1),
                                           today.replace(year=today.year - 1)) == []
        assert office_views.z_reports(conn, "S1", today, today) == []
    assert (listed.order_id, listed.status, listed.conflicts) == (order_id, OrderStatus.HELD, [ConflictCode.PRICE_CHANGED])
    with pytest.raises(ValueError, match="at most 366 days"):
        office_views.day_range(today.replace(year=today.year - 2), today)


async def test_a_resolved_order_names_who_resolved_it_by_name(shop, engine):
    """`GET /v1/orders/{id}` says who resolved it (office account or staff member, by name):
    the till tells its manager "resolved in the back office by Anna Office"."""
    order_id, _ = await held_order(shop)
    terminal = (await shop.terminal())  # another till of the store may look it up too
    held = (await terminal.http.get(paths.order(order_id))).json()
    assert held["status"] == OrderStatus.HELD and held["resolved_by"] is None
    with write_transaction(engine) as conn:
        office_users.put_user(conn, "anna", "Anna Office", Role.MANAGER, "correct horse battery")
        resolution.resolve_at_office(conn, "S1", uuid.UUID(order_id), {(1, ConflictCode.PRICE_CHANGED.value): HONOR},
                                     "anna", True, "shelf price")
    answer = OrderStatusOut.model_validate_json((await terminal.http.get(paths.order(order_id))).content)
    assert answer.status == OrderStatus.RESOLVED
    assert answer.resolved_by == Resolver(user_id="anna", name="Anna Office", in_office=True)
    assert answer.resolver() == answer.resolved_by


async def test_a_till_managers_resolution_names_the_staff_member(shop, engine):
    order_id, _ = await held_order(shop)
    await shop.add_user("maria", "manager")  # named "Maria" by the admin API
    terminal = await shop.terminal()
    body = {"resolutions": [{"line_no": 1, "code": ConflictCode.PRICE_CHANGED.value, "action": HONOR.value,
                             "approved_by": "maria", "reason": "shelf price"}]}
    done = await terminal.http.post(paths.order_resolution(order_id), json=body,
                                    headers={"Idempotency-Key": f'"{uuid.uuid4()}"'})
    assert done.status_code == 201, done.text
    answer = OrderStatusOut.model_validate_json((await terminal.http.get(paths.order(order_id))).content)
    assert answer.resolved_by == Resolver(user_id="maria", name="Maria", in_office=False)


async def test_an_older_servers_answer_still_names_the_resolver_by_id():
    """A server from before `resolved_by`: the till reads the approver from the resolutions."""
    older = {"order_id": str(uuid.uuid4()), "status": "resolved", "server_seq": 7, "received_at": "2026-12-01T09:00:00Z",
             "order": json.loads(make_order().model_dump_json()), "conflicts": [],
             "resolutions": [{"line_no": 1, "code": "PRICE_CHANGED", "action": "honor_terminal",
                              "approved_by": "office:anna", "reason": "x"}]}
    answer = OrderStatusOut.model_validate(older)
    assert answer.resolved_by is None
    assert answer.resolver() == Resolver(user_id="anna", name="anna", in_office=True)
