"""Races across two real server processes on one database (PostgreSQL and SQLite files)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from sync_server.db.models import OrderRow
from pos_terminal.sync.auth import TerminalAuth

from .conftest import ADMIN_TOKEN
from .factories import make_order
from .servers import serve_many

pytestmark = [pytest.mark.slow, pytest.mark.anyio]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _setup_shop(base_url: str, stock: str, terminals: int) -> list[tuple[str, str]]:
    with httpx.Client(base_url=base_url, headers=ADMIN, timeout=30) as admin:
        admin.put("/v1/admin/stores/S1", json={"name": "Race shop", "track_stock": True}).raise_for_status()
        admin.put("/v1/admin/stores/S1/items/LAST", json={"name": "Last one", "unit": "ea", "price": "5.00", "tax_code": "A", "tax_rate": "0.19"}).raise_for_status()
        admin.put("/v1/admin/stores/S1/stock/LAST", json={"on_hand": stock}).raise_for_status()
        enrolled = []
        for n in range(terminals):
            code = admin.post("/v1/admin/stores/S1/enrollment-codes").json()["code"]
            body = admin.post("/v1/terminals/enroll", json={"enrollment_code": code, "terminal_name": f"till {n}"}).json()
            enrolled.append((body["terminal_id"], body["secret"]))
        return enrolled


async def test_fifty_concurrent_orders_never_oversell_ten_units(db_url, engine, tmp_path) -> None:
    with serve_many(db_url, tmp_path, ADMIN_TOKEN) as servers:
        terminals = _setup_shop(servers[0], stock="10", terminals=5)
        clients = [
            httpx.AsyncClient(base_url=servers[i % 2], auth=TerminalAuth(tid, secret), timeout=60)
            for i, (tid, secret) in enumerate(terminals)
        ]
        orders = [
            (clients[n % 5], make_order(store_id="S1", terminal_id=terminals[n % 5][0], cashier_id=f"c{n}",
                                        lines=[("LAST", "1", "5.00", "0.19")]))
            for n in range(50)
        ]
        responses = await asyncio.gather(
            *(client.post("/v1/orders", content=o.model_dump_json(), headers={"Idempotency-Key": f'"{o.order_id}"'}) for client, o in orders)
        )
        for client in clients:
            await client.aclose()
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {201: 10, 202: 40}, [r.text for r in responses if r.status_code not in (201, 202)][:3]
        for response in responses:
            if response.status_code == 202:
                assert [c["code"] for c in response.json()["conflicts"]] == ["INSUFFICIENT_STOCK"]
        with httpx.Client(base_url=servers[1], headers=ADMIN) as admin:
            assert admin.get("/v1/admin/stores/S1/stock/LAST").json()["on_hand"] == "0.000"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OrderRow)).scalar_one() == 50


async def test_same_order_twenty_times_on_two_processes_is_written_once(db_url, engine, tmp_path) -> None:
    with serve_many(db_url, tmp_path, ADMIN_TOKEN) as servers:
        (tid, secret), = _setup_shop(servers[0], stock="100", terminals=1)
        order = make_order(store_id="S1", terminal_id=tid, lines=[("LAST", "1", "5.00", "0.19")])
        clients = [httpx.AsyncClient(base_url=url, auth=TerminalAuth(tid, secret), timeout=60) for url in servers]
        headers = {"Idempotency-Key": f'"{order.order_id}"'}
        responses = await asyncio.gather(
            *(clients[n % 2].post("/v1/orders", content=order.model_dump_json(), headers=headers) for n in range(20))
        )
        for client in clients:
            await client.aclose()
    stored = [r for r in responses if r.status_code == 201]
    assert stored, [r.text for r in responses]
    assert all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    assert all(r.json() == stored[0].json() for r in stored)
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in stored) == len(stored) - 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["code"] == "request_in_progress"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OrderRow)).scalar_one() == 1


async def test_held_returns_move_no_stock_across_two_processes(db_url, engine, tmp_path) -> None:
    """Issue 11: over-returns, blind returns beyond the limit or without an approver, and
    oversized sales arrive all at once on two processes; only the one sale of the last unit
    moves stock. Resolving the over-returns together then puts back what the sale had left
    to return, once, not once per return."""
    with serve_many(db_url, tmp_path, ADMIN_TOKEN) as servers:
        terminals = _setup_shop(servers[0], stock="2", terminals=4)
        with httpx.Client(base_url=servers[0], headers=ADMIN, timeout=30) as admin:
            admin.put("/v1/admin/stores/S1/users/m1", json={"name": "Manager", "role": "manager"}).raise_for_status()
        clients = [httpx.AsyncClient(base_url=servers[i % 2], auth=TerminalAuth(tid, secret), timeout=60)
                   for i, (tid, secret) in enumerate(terminals)]

        def order(n: int, qty: str, **kwargs):
            """Order n comes from terminal n % 4, through server n % 2."""
            return make_order(store_id="S1", terminal_id=terminals[n % 4][0], cashier_id=f"c{n}",
                              lines=[("LAST", qty, "5.00", "0.19")], **kwargs)

        async def post(n: int, order) -> httpx.Response:
            return await clients[n % 4].post("/v1/orders", content=order.model_dump_json(),
                                             headers={"Idempotency-Key": f'"{order.order_id}"'})

        sale = order(0, "1")
        assert (await post(0, sale)).status_code == 201  # 1 left
        kinds = ([{"qty": "1000", "kind": "return", "original_order_id": str(sale.order_id), "approved_by": "m1"}] * 10
                 + [{"qty": "500", "kind": "return", "approved_by": "m1"}] * 5  # blind, beyond the limit
                 + [{"qty": "1", "kind": "return"}] * 5  # blind, nobody approved it
                 + [{"qty": "1000"}] * 10 + [{"qty": "1"}] * 5)
        everything = [order(n, **kind) for n, kind in enumerate(kinds)]
        over = list(enumerate(everything[:10]))
        responses = await asyncio.gather(*(post(n, o) for n, o in enumerate(everything)))
        assert Counter(r.status_code for r in responses) == {202: 34, 201: 1}, [r.text for r in responses if r.status_code >= 400][:3]
        codes = Counter(c["code"] for r in responses for c in r.json().get("conflicts", []))
        assert codes == {"RETURN_EXCEEDS_SALE": 10, "BLIND_RETURN_EXCEEDS_LIMIT": 5, "BLIND_RETURN_NOT_APPROVED": 5,
                         "INSUFFICIENT_STOCK": 14}
        # The returns against the sale were serialized: only the first saw the 1 left to return.
        left = sorted(r.json()["conflicts"][0]["server_value"] for r in responses[:10])
        assert left == ["0"] * 9 + ["1"]
        with httpx.Client(base_url=servers[1], headers=ADMIN) as admin:
            assert admin.get("/v1/admin/stores/S1/stock/LAST").json()["on_hand"] == "0.000"

        async def honour(n: int, ret) -> httpx.Response:
            body = {"resolutions": [{"line_no": 1, "code": "RETURN_EXCEEDS_SALE", "action": "honor_terminal",
                                     "approved_by": "m1", "reason": "customer had the goods"}]}
            return await clients[n % 4].post(f"/v1/orders/{ret.order_id}/resolution", json=body,
                                             headers={"Idempotency-Key": f'"resolve-{ret.order_id}"'})

        # All ten at once, through both servers: the held returns' goods go back only now.
        resolved = await asyncio.gather(*(honour(n, ret) for n, ret in over))
        assert [r.status_code for r in resolved] == [201] * 10, [r.text for r in resolved if r.status_code != 201][:3]
        for client in clients:
            await client.aclose()
        with httpx.Client(base_url=servers[0], headers=ADMIN) as admin:
            assert admin.get("/v1/admin/stores/S1/stock/LAST").json()["on_hand"] == "1.000"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OrderRow)).scalar_one() == 36
