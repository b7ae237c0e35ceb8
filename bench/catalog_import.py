"""Catalog at scale on the server: bulk CSV import and the full paged delta.

    python -m bench.catalog_import [--items 100000] [--pg URL]   # PostgreSQL also from POS_TEST_POSTGRES_URL

A deterministic CSV of `--items` items (EAN-13 barcodes, every 7th item with two, every
20th weighed with a GS1 variable-measure key) is imported with `pos-sync-server catalog
import` (its `main()`, in process: reading and checking the CSV included) into a fresh
database, then imported again unchanged, then again with every price changed. Baseline:
reading and checking the same CSV (`read_csv`, which every import does first) plus the rows
the first import writes (one item row and one price row per item) in a bare executemany of
the driver into two plain tables without keys or indexes, in one transaction; ratio =
import / baseline (lower is better; COPY can beat the bare executemany on PostgreSQL).
Then a real `pos-sync-server serve` answers a till's full pull (all pages) over HTTP,
against a bare SELECT of the same rows in SKU order. Target: import < 10 s for 100,000
items on both databases.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import BigInteger, Boolean, Column, MetaData, String, Table, Text, select

from pos_terminal.sync.auth import TerminalAuth
from sync_server.cli import main as server_cli
from sync_server.db import migrations
from sync_server.db.models import ITEMS
from sync_server.db.session import make_engine
from pos_protocol.sql import UtcDateTime
from sync_server.db.types import DecimalText
from sync_server.services.catalog import CSV_HEADER, read_csv
from tools.launcher import ServerProcess
from tools.pg_schema import scratch_schema
from tools.make_demo_catalog import ean13

ADMIN_TOKEN = "bench-admin"
RATES = {"A": "0.19", "B": "0.07"}


def write_catalog(path: Path, count: int, cents: int = 0, seed: int = 20261121) -> Path:
    """The bench catalog; `cents` is added to every price (a re-import that changes them all)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for n in range(count):
            weighed = n % 20 == 0
            codes = [f"28{n // 20:05d}"] if weighed else [ean13(f"41{n:010d}")] + ([ean13(f"42{n:010d}")] if n % 7 == 0 else [])
            code = "A" if n % 3 else "B"
            price = Decimal(rng.randrange(49, 4999) + cents) / 100
            writer.writerow([f"SKU{n:06d}", f"Item {n}", "|".join(codes), "kg" if weighed else "ea", f"{price:.2f}",
                             code, RATES[code], f"Category {n % 40}", "false" if n % 97 == 5 else "true"])
    return path


def timed_cli(*args: str) -> tuple[float, str]:
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = server_cli(list(args))
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"pos-sync-server {' '.join(args)} failed")
    return elapsed, out.getvalue().strip().replace("\n", "; ")


def bare_executemany(db_url: str, csv_path: Path) -> float:
    """The floor: the same item and price rows, bound beforehand, in the driver's own
    executemany (sqlite3; psycopg 3, which pipelines it) into plain tables without keys or
    indexes, one transaction (commit not timed)."""
    now = datetime.now(UTC)
    items, prices = [], []
    for sku, item in read_csv(csv_path):
        items.append({"store_id": "S1", "sku": sku, "name": item.name, "barcodes": json.dumps(item.barcodes),
                      "unit": item.unit, "price": item.price, "tax_code": item.tax_code, "category": item.category,
                      "active": item.active, "removed": False, "version": 1})
        prices.append({"store_id": "S1", "sku": sku, "price": item.price, "tax_code": item.tax_code,
                       "tax_rate": item.tax_rate, "active": item.active, "catalog_version": 1, "effective_from": now})
    meta = MetaData()
    plain_items = Table("bench_plain_items", meta, *(Column(n, t) for n, t in [
        ("store_id", String(64)), ("sku", String(64)), ("name", String(200)), ("barcodes", Text()), ("unit", String(4)),
        ("price", DecimalText()), ("tax_code", String(16)), ("category", String(100)), ("active", Boolean()),
        ("removed", Boolean()), ("version", BigInteger())]))
    plain_prices = Table("bench_plain_prices", meta, *(Column(n, t) for n, t in [
        ("store_id", String(64)), ("sku", String(64)), ("price", DecimalText()), ("tax_code", String(16)),
        ("tax_rate", DecimalText()), ("active", Boolean()), ("catalog_version", BigInteger()),
        ("effective_from", UtcDateTime())]))
    engine = make_engine(db_url, pool_size=1)
    meta.create_all(engine)
    try:
        with engine.begin() as conn:
            marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            statements = []
            for table, rows in ((plain_items, items), (plain_prices, prices)):
                columns = list(table.c)
                processors = [c.type.bind_processor(conn.dialect) for c in columns]
                values = [tuple(p(row[c.name]) if p else row[c.name] for c, p in zip(columns, processors)) for row in rows]
                sql = f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) VALUES ({', '.join(marker for _ in columns)})"
                statements.append((sql, values))
            cursor = conn.connection.driver_connection.cursor()
            start = time.perf_counter()
            for sql, values in statements:
                cursor.executemany(sql, values)
            elapsed = time.perf_counter() - start
            cursor.close()
        return elapsed
    finally:
        meta.drop_all(engine)
        engine.dispose()


def bare_select(db_url: str) -> float:
    engine = make_engine(db_url, pool_size=1)
    try:
        with engine.connect() as conn:
            start = time.perf_counter()
            rows = conn.execute(select(ITEMS).where(ITEMS.c.store_id == "S1").order_by(ITEMS.c.sku)).all()
            elapsed = time.perf_counter() - start
        assert rows
        return elapsed
    finally:
        engine.dispose()


def full_pull(client: httpx.Client, limit: int | None) -> tuple[float, int, int]:
    """Seconds, entries and pages of a till's first pull (since=0), all pages."""
    params = {"since": 0} if limit is None else {"since": 0, "limit": limit}
    start = time.perf_counter()
    page = client.get("/v1/catalog", params=params).raise_for_status().json()
    entries, pages = len(page["items"]) + len(page["removed"]), 1
    while page["next_cursor"]:
        page = client.get("/v1/catalog", params={**params, "cursor": page["next_cursor"]}).raise_for_status().json()
        entries, pages = entries + len(page["items"]) + len(page["removed"]), pages + 1
    return time.perf_counter() - start, entries, pages


def run(name: str, db_url: str, workdir: Path, first: Path, changed: Path, count: int) -> None:
    migrations.upgrade(db_url)
    timed_cli("--db", db_url, "store", "add", "S1", "--name", "Bench")
    start = time.perf_counter()
    read_csv(first, currency_scale=2)
    parse = time.perf_counter() - start
    insert = bare_executemany(db_url, first)
    baseline = parse + insert
    print(f"{name:10} {'baseline':18} {baseline:6.2f} s {count / baseline:8.0f} items/s | read + check the CSV "
          f"{parse:.2f} s, bare executemany of its {2 * count} rows {insert:.2f} s")
    for label, path in (("import", first), ("re-import, same", first), ("re-import, prices", changed)):
        seconds, said = timed_cli("--db", db_url, "catalog", "import", str(path), "--store", "S1")
        print(f"{name:10} {label:18} {seconds:6.2f} s {count / seconds:8.0f} items/s | ratio {seconds / baseline:5.2f}x "
              f"| {said}")

    floor = bare_select(db_url)
    env = {"POS_SYNC_ADMIN_TOKEN": ADMIN_TOKEN, "POS_SYNC_LOG_LEVEL": "WARNING"}
    with ServerProcess(db_url, env=env, log_path=workdir / f"{name}.log") as server:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
            code = admin.post("/v1/admin/stores/S1/enrollment-codes").raise_for_status().json()["code"]
            enrolled = admin.post("/v1/terminals/enroll", json={"enrollment_code": code, "terminal_name": "bench"}).json()
        auth = TerminalAuth(enrolled["terminal_id"], enrolled["secret"])
        with httpx.Client(base_url=server.url, auth=auth, timeout=300) as till:
            for limit in (1000, 5000, None):
                seconds, entries, pages = full_pull(till, limit)
                assert entries == count, (entries, count)
                label = f"pull, limit {limit}" if limit else "pull, unpaged"
                print(f"{name:10} {label:18} {seconds:6.2f} s {entries / seconds:8.0f} items/s | bare SELECT "
                      f"{floor:6.2f} s | ratio {seconds / floor:5.2f}x | {pages} pages over HTTP")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("POS_TEST_POSTGRES_URL"), help="PostgreSQL URL (default: $POS_TEST_POSTGRES_URL)")
    args = parser.parse_args()
    print(f"catalog of {args.items} items; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        first = write_catalog(workdir / "catalog.csv", args.items)
        changed = write_catalog(workdir / "catalog-prices.csv", args.items, cents=1)
        run("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, first, changed, args.items)
        if not args.pg:
            print("postgresql skipped: give --pg URL or set POS_TEST_POSTGRES_URL")
            return
        with scratch_schema(args.pg, "bench") as url:
            run("postgresql", url, workdir, first, changed, args.items)


if __name__ == "__main__":
    main()
