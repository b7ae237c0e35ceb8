"""Order ingest throughput of the sync server, against a bare insert of the same rows.

    python -m bench.server_ingest            # SQLite, plus PostgreSQL if POS_TEST_POSTGRES_URL is set

For each database: a real `pos-sync-server serve` process (uvicorn) receives orders of 5
lines over HTTP, first one POST per order (8 in flight), then `orders:batch` of 500. The
baseline inserts the same order and line rows through the same SQLAlchemy driver, one
transaction per order for single POSTs and in bulk per 500 for batches, with no validation
and no HTTP (see bare_insert). Ratio = floor / server, lower is better.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import insert

from pos_protocol.tax import TaxMode, compute_totals, line_total
from sync_server.db import migrations
from sync_server.db.models import OrderLineRow, OrderRow
from sync_server.db.session import make_engine
from tools.launcher import ServerProcess
from tools.pg_schema import scratch_schema
from pos_terminal.sync.auth import TerminalAuth
from pos_protocol.wire import Order, canonical_json, sealed_order

ADMIN_TOKEN = "bench-admin"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SKUS = [(f"B{n}", f"{n + 1}.25") for n in range(5)]
SINGLE_ORDERS = int(os.environ.get("BENCH_SINGLE_ORDERS", "1000"))
BATCH_ORDERS = int(os.environ.get("BENCH_BATCH_ORDERS", "5000"))
BATCH_SIZE = 500


def make_order(terminal_id: str, n: int) -> Order:
    lines = []
    for no, (sku, price) in enumerate(SKUS, start=1):
        qty = Decimal(1 + (n + no) % 3)
        total = line_total(qty, Decimal(price), Decimal(0))
        lines.append({"line_no": no, "sku": sku, "description": sku, "qty": str(qty), "unit": "ea",
                      "unit_price": price, "tax_code": "A", "tax_rate": "0.19", "discount": "0.00",
                      "line_total": f"{total:.2f}", "override": None})
    totals = compute_totals((("A", Decimal("0.19"), Decimal(l["line_total"])) for l in lines), TaxMode.INCLUSIVE)
    body = {
        "order_id": str(uuid.uuid4()), "kind": "sale", "original_order_id": None, "store_id": "S1",
        "terminal_id": terminal_id, "receipt_no": f"R{n}", "cashier_id": f"c{n}",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "catalog_version": 1, "lines": lines,
        "tenders": [{"type": "card", "amount": f"{totals.gross:.2f}", "reference": "trace 000001 receipt 0001"}], "change_given": "0.00",
        "totals": {"net": f"{totals.net:.2f}", "tax": f"{totals.tax:.2f}", "gross": f"{totals.gross:.2f}"},
    }
    return sealed_order(body)


def setup_shop(base: str) -> tuple[str, str]:
    with httpx.Client(base_url=base, headers=ADMIN) as admin:
        admin.put("/v1/admin/stores/S1", json={"name": "Bench"}).raise_for_status()
        for sku, price in SKUS:
            body = {"name": sku, "unit": "ea", "price": price, "tax_code": "A", "tax_rate": "0.19"}
            admin.put(f"/v1/admin/stores/S1/items/{sku}", json=body).raise_for_status()
        code = admin.post("/v1/admin/stores/S1/enrollment-codes").json()["code"]
        enrolled = admin.post("/v1/terminals/enroll", json={"enrollment_code": code, "terminal_name": "bench"}).json()
    return enrolled["terminal_id"], enrolled["secret"]


async def post_singles(base: str, auth: TerminalAuth, orders: list[Order], in_flight: int = 8) -> float:
    limits = asyncio.Semaphore(in_flight)
    async with httpx.AsyncClient(base_url=base, auth=auth, timeout=60) as client:
        async def one(order: Order) -> None:
            async with limits:
                response = await client.post("/v1/orders", content=order.model_dump_json(), headers={"Idempotency-Key": f'"{order.order_id}"'})
                assert response.status_code == 201, response.text
        start = time.perf_counter()
        await asyncio.gather(*(one(o) for o in orders))
        return time.perf_counter() - start


def post_batches(base: str, auth: TerminalAuth, orders: list[Order]) -> float:
    bodies = [
        b'{"orders":[' + b",".join(o.model_dump_json().encode() for o in orders[i : i + BATCH_SIZE]) + b"]}"
        for i in range(0, len(orders), BATCH_SIZE)
    ]
    with httpx.Client(base_url=base, auth=auth, timeout=120) as client:
        start = time.perf_counter()
        for body in bodies:
            response = client.post("/v1/orders:batch", content=body)
            response.raise_for_status()
            assert all(r["http_status"] == 201 for r in response.json()["results"]), response.text[:500]
        return time.perf_counter() - start


def _order_row(order: Order, now: datetime) -> dict:
    return {
        "order_id": str(order.order_id), "store_id": "S1", "terminal_id": "bare", "kind": "sale",
        "original_order_id": None, "receipt_no": order.receipt_no, "content_hash": order.content_hash,
        "created_at": order.created_at, "received_at": now, "status": "accepted", "gross": order.totals.gross,
        "body": canonical_json(order).decode(), "conflicts": "[]",
    }


def _line_rows(order: Order, seq: int) -> list[dict]:
    return [
        {"server_seq": seq, "line_no": l.line_no, "sku": l.sku, "qty": l.qty, "unit_price": l.unit_price,
         "tax_rate": l.tax_rate, "line_total": l.line_total, "voided": False}
        for l in order.lines
    ]


def bare_insert(db_url: str, orders: list[Order], bulk: bool) -> float:
    """The floor: the same order and line rows through the same driver. Not bulk: one
    transaction per order (INSERT the order, executemany its lines), the shape of a single
    POST. Bulk: one transaction per 500 orders with one multi-row INSERT of the orders and
    one executemany of all their lines, the shape of a batch."""
    engine = make_engine(db_url, pool_size=1)
    now = datetime.now(UTC)
    insert_orders = insert(OrderRow.__table__).returning(OrderRow.server_seq, sort_by_parameter_order=True)
    start = time.perf_counter()
    for i in range(0, len(orders), BATCH_SIZE if bulk else 1):
        chunk = orders[i : i + BATCH_SIZE] if bulk else [orders[i]]
        with engine.begin() as conn:
            seqs = list(conn.execute(insert_orders, [_order_row(o, now) for o in chunk]).scalars())
            conn.execute(insert(OrderLineRow.__table__), [r for o, seq in zip(chunk, seqs, strict=True) for r in _line_rows(o, seq)])
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def run(name: str, db_url: str, workdir: Path) -> None:
    migrations.upgrade(db_url)
    env = {"POS_SYNC_ADMIN_TOKEN": ADMIN_TOKEN, "POS_SYNC_LOG_LEVEL": "WARNING"}
    with ServerProcess(db_url, env=env, log_path=workdir / f"{name}.log") as server:
        base = server.url
        terminal_id, secret = setup_shop(base)
        auth = TerminalAuth(terminal_id, secret)
        singles = [make_order(terminal_id, n) for n in range(SINGLE_ORDERS)]
        batched = [make_order(terminal_id, SINGLE_ORDERS + n) for n in range(BATCH_ORDERS)]
        single_s = asyncio.run(post_singles(base, auth, singles))
        batch_s = post_batches(base, auth, batched)
    row_floor = SINGLE_ORDERS / bare_insert(db_url, [make_order("bare", n) for n in range(SINGLE_ORDERS)], bulk=False)
    bulk_floor = BATCH_ORDERS / bare_insert(db_url, [make_order("bare", n) for n in range(BATCH_ORDERS)], bulk=True)
    for label, count, seconds, floor_label, floor in (
        ("single POST", SINGLE_ORDERS, single_s, "insert, tx/order", row_floor),
        ("orders:batch", BATCH_ORDERS, batch_s, "bulk insert, tx/500", bulk_floor),
    ):
        rate = count / seconds
        print(f"{name:10} {label:13} {rate:7.0f} orders/s | {floor_label:20} {floor:7.0f} orders/s | ratio {floor / rate:5.2f}x")


def main() -> None:
    print(f"orders of {len(SKUS)} lines; {SINGLE_ORDERS} single POSTs (8 in flight), {BATCH_ORDERS} in batches of {BATCH_SIZE}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        run("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        pg = os.environ.get("POS_TEST_POSTGRES_URL")
        if not pg:
            print("postgresql skipped: POS_TEST_POSTGRES_URL is not set")
            return
        with scratch_schema(pg, "bench") as url:
            run("postgresql", url, workdir)


if __name__ == "__main__":
    main()
