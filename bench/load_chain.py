"""A chain under load: simulated tills against server processes on one PostgreSQL.

    python -m bench.load_chain [--tills 200] [--duration 30] [--workers 2] [--replicas 1] [--db URL]

Starts `pos-sync-server serve --workers W` (`--replicas R` of them, each on its own port,
tills spread over them as behind a load balancer) on a schema of its own in the
PostgreSQL at `--db` or `$POS_TEST_POSTGRES_URL` (dropped afterwards), sets up stores of
20 tills each with a catalog and a manager through the admin API, and enrolls the tills.
Each till is an asyncio task with its own signed httpx client (`TerminalAuth`, the till's
signing) that, until the time is up, rings sales built with the protocol's
`sealed_order` (a few with a wrong price, which the server holds as PRICE_CHANGED),
pulls the catalog (`since` + ETag), sends heartbeats, now and then resends an order
whose answer it "lost" (over a fresh connection, to another replica when there is one)
and races two copies of one order. An order whose request got no answer is resent, as a
till's outbox would, until it gets one.

It prints p50/p99 latency per route as the tills saw it, answers by status, errors
(5xx, and any status a route should never give), orders/s, and then checks the
database: every order posted stored exactly once, held exactly when its price was
wrong. Exit status 1 on any 5xx, unexpected status, or order lost or doubled. The
baseline for the figures is the run's own heartbeat route (no order work at all).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import ssl
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from pos_protocol.tax import TaxMode, compute_totals, line_total
from pos_protocol.wire import Heartbeat, canonical_json, sealed_order
from pos_terminal.sync.auth import TerminalAuth
from sync_server.db import migrations
from tools.launcher import ServerProcess
from tools.pg_schema import scratch_schema

ADMIN_TOKEN = "load-admin"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TILLS_PER_STORE = 20
ITEMS_PER_STORE = 25
TAX = {"A": Decimal("0.19"), "B": Decimal("0.07")}
EXPECTED = {  # route -> statuses it may answer under load; anything else is an error
    "POST /v1/orders": {201, 202},
    "POST /v1/orders (resend)": {201, 202},
    "POST /v1/orders (race)": {201, 202, 409},  # 409 request_in_progress: its twin is in flight
    "GET /v1/catalog": {200, 304},
    "POST /v1/terminals/heartbeat": {200, 202, 204},
}
BASELINE_ROUTE = "POST /v1/terminals/heartbeat"


@dataclass(frozen=True)
class LoadSettings:
    tills: int = 200
    duration_s: float = 30.0
    workers: int = 2
    replicas: int = 1
    pool_size: int = 5
    max_overflow: int = 5
    wrong_price_share: float = 0.03
    resend_share: float = 0.03
    race_share: float = 0.01
    think_s: float = 0.05  # mean pause between a till's requests (exponential)
    heartbeat_every_s: float = 5.0
    catalog_every_s: float = 10.0
    seed: int = 1


@dataclass
class Till:
    store_id: str
    terminal_id: str
    secret: str
    url: str
    other_url: str
    catalog: list[tuple[str, Decimal, str]]  # (sku, price, tax_code)
    receipts: int = 0
    version: int = 0
    etag: str | None = None


@dataclass
class Posted:
    order_id: str
    store_id: str
    body: bytes
    wrong_price: bool
    answered: int | None = None  # first status 201/202 it got


@dataclass
class LoadReport:
    settings: LoadSettings
    elapsed_s: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)  # "route status"
    orders: dict[str, Posted] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)  # stored but never posted
    wrongly_held: list[str] = field(default_factory=list)
    wrongly_accepted: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    replays: int = 0  # resends answered with the first answer (Idempotent-Replayed: true)

    @property
    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.unexpected or self.lost or self.doubled or self.strays
                    or self.wrongly_held or self.wrongly_accepted or self.unanswered)

    def record(self, route: str, status: int, seconds: float) -> None:
        self.latencies[route].append(seconds)
        self.statuses[route][status] += 1
        if status not in EXPECTED[route]:
            self.unexpected[f"{route} {status}"] += 1


# -- set-up -----------------------------------------------------------------------------


async def setup_chain(url: str, settings: LoadSettings, rng: random.Random, urls: list[str]) -> list[Till]:
    """Stores, catalogs and managers through the admin API, then every till enrolled; the
    stores are set up side by side."""
    stores = [f"S{n:02d}" for n in range(1, -(-settings.tills // TILLS_PER_STORE) + 1)]
    prices = {store_id: [Decimal(rng.randrange(49, 2999)) / 100 for _ in range(ITEMS_PER_STORE)]
              for store_id in stores}

    async def store(admin: httpx.AsyncClient, store_id: str, tills: int) -> list[Till]:
        (await admin.put(f"/v1/admin/stores/{store_id}", json={"name": f"Store {store_id}"})).raise_for_status()
        (await admin.put(f"/v1/admin/stores/{store_id}/users/m1",
                         json={"name": "Manager", "role": "manager"})).raise_for_status()
        catalog = []
        for n, price in enumerate(prices[store_id]):
            sku, code = f"{store_id}-{n:03d}", "A" if n % 3 else "B"
            (await admin.put(f"/v1/admin/stores/{store_id}/items/{sku}", json={
                "name": f"Item {n}", "unit": "ea", "price": str(price), "tax_code": code,
                "tax_rate": str(TAX[code]),
            })).raise_for_status()
            catalog.append((sku, price, code))
        enrolled = []
        for _ in range(tills):
            code_ = (await admin.post(f"/v1/admin/stores/{store_id}/enrollment-codes")).json()["code"]
            reply = await admin.post("/v1/terminals/enroll", json={
                "enrollment_code": code_, "terminal_name": f"till {store_id}-{len(enrolled) + 1}"})
            reply.raise_for_status()
            enrolled.append(reply.json())
        return [Till(e["store_id"], e["terminal_id"], e["secret"], "", "", catalog) for e in enrolled]

    sizes = [min(TILLS_PER_STORE, settings.tills - i * TILLS_PER_STORE) for i in range(len(stores))]
    async with httpx.AsyncClient(base_url=url, headers=ADMIN, timeout=60) as admin:
        per_store = await asyncio.gather(*(store(admin, st, n) for st, n in zip(stores, sizes, strict=True)))
    tills = [t for group in per_store for t in group]
    for n, till in enumerate(tills):  # spread over the replicas, as a load balancer would
        till.url, till.other_url = urls[n % len(urls)], urls[(n + 1) % len(urls)]
    return tills


def make_order(till: Till, rng: random.Random, wrong_price: bool) -> tuple[str, bytes]:
    till.receipts += 1
    lines = []
    for no, (sku, price, code) in enumerate(rng.sample(till.catalog, rng.randint(1, 5)), start=1):
        if wrong_price and no == 1:
            price += Decimal("0.10")  # not what the catalog says: PRICE_CHANGED
        qty = Decimal(rng.choice([1, 1, 1, 2, 3]))
        total = line_total(qty, price, Decimal(0))
        lines.append({"line_no": no, "sku": sku, "description": sku, "qty": str(qty), "unit": "ea",
                      "unit_price": str(price), "tax_code": code, "tax_rate": str(TAX[code]),
                      "discount": "0.00", "line_total": str(total), "override": None})
    totals = compute_totals(((l["tax_code"], TAX[l["tax_code"]], Decimal(l["line_total"])) for l in lines),
                            TaxMode.INCLUSIVE)
    order = sealed_order({
        "order_id": str(uuid.uuid4()), "kind": "sale", "original_order_id": None,
        "store_id": till.store_id, "terminal_id": till.terminal_id,
        "receipt_no": f"{till.terminal_id}-{till.receipts:06d}", "cashier_id": "c1",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "catalog_version": till.version, "lines": lines,
        "tenders": [{"type": "card", "amount": str(totals.gross), "reference": "trace 000001 receipt 0001"}],
        "change_given": "0.00",
        "totals": {"net": str(totals.net), "tax": str(totals.tax), "gross": str(totals.gross)},
    })
    return str(order.order_id), canonical_json(order)


# -- the tills ----------------------------------------------------------------------------


async def _timed(report: LoadReport, route: str, send) -> httpx.Response | None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    try:
        response = await send()
    except httpx.TransportError as exc:
        report.transport_errors[f"{route}: {type(exc).__name__}"] += 1
        return None
    report.record(route, response.status_code, time.perf_counter() - start)
    return response


def _order_headers(order_id: str) -> dict[str, str]:
    return {"Idempotency-Key": f'"{order_id}"', "Content-Type": "application/json"}


async def post_order(report: LoadReport, client: httpx.AsyncClient, posted: Posted, route: str) -> int | None:
    answered_before = posted.answered
    response = await _timed(report, route, lambda: client.post(
        "/v1/orders", content=posted.body, headers=_order_headers(posted.order_id)))
    if response is None:
        return None
    if response.status_code in (201, 202):
        if answered_before is None:
            posted.answered = response.status_code
        elif response.headers.get("Idempotent-Replayed") == "true" and response.status_code == answered_before:
            report.replays += 1
        else:  # stored once already: a resend must get the first answer again
            report.unexpected[f"{route} {response.status_code} not a replay of {answered_before}"] += 1
    return response.status_code


def till_clients(till: Till, tls: ssl.SSLContext) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """The till's client, and one that opens a fresh connection for every request (to the
    next replica when there are several) for resends."""
    auth = TerminalAuth(till.terminal_id, till.secret)
    fresh = httpx.Limits(max_keepalive_connections=0)
    return (httpx.AsyncClient(base_url=till.url, auth=auth, timeout=60, verify=tls),
            httpx.AsyncClient(base_url=till.other_url, auth=auth, timeout=60, verify=tls, limits=fresh))


async def run_till(till: Till, clients: tuple[httpx.AsyncClient, httpx.AsyncClient], settings: LoadSettings,
                   report: LoadReport, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    async with clients[0] as client, clients[1] as other:
        next_beat = next_pull = time.monotonic()
        mine: list[Posted] = []
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.expovariate(1 / settings.think_s) if settings.think_s else 0)
            now = time.monotonic()
            if now >= next_pull:
                next_pull = now + settings.catalog_every_s * rng.uniform(0.5, 1.5)
                headers = {"If-None-Match": till.etag} if till.etag else {}
                response = await _timed(report, "GET /v1/catalog", lambda: client.get(
                    f"/v1/catalog?since={till.version}", headers=headers))
                if response is not None and response.status_code == 200:
                    till.version, till.etag = response.json()["version"], response.headers.get("ETag")
            elif now >= next_beat:
                next_beat = now + settings.heartbeat_every_s * rng.uniform(0.5, 1.5)
                beat = Heartbeat(queue_depth=sum(p.answered is None for p in mine), oldest_pending_age_s=0.0,
                                 app_version="load-chain", devices={"printer": "online", "scale": "online"})
                await _timed(report, "POST /v1/terminals/heartbeat", lambda: client.post(
                    "/v1/terminals/heartbeat", content=canonical_json(beat),
                    headers={"Content-Type": "application/json"}))
            elif mine and rng.random() < settings.resend_share:  # the answer was "lost": again
                await post_order(report, other, rng.choice(mine), "POST /v1/orders (resend)")
            else:
                wrong = rng.random() < settings.wrong_price_share
                order_id, body = make_order(till, rng, wrong)
                posted = Posted(order_id, till.store_id, body, wrong)
                report.orders[order_id] = posted
                mine.append(posted)
                if rng.random() < settings.race_share:  # a retry racing its first attempt
                    await asyncio.gather(post_order(report, client, posted, "POST /v1/orders (race)"),
                                         post_order(report, other, posted, "POST /v1/orders (race)"))
                else:
                    await post_order(report, client, posted, "POST /v1/orders")
        # What never got an answer is resent, as the outbox would, until it does.
        for posted in mine:
            for _ in range(20):
                if posted.answered is not None:
                    break
                await post_order(report, client, posted, "POST /v1/orders (resend)")
                if posted.answered is None:
                    await asyncio.sleep(0.5)


# -- checking -----------------------------------------------------------------------------


def check_database(db_url: str, report: LoadReport) -> None:
    engine = create_engine(db_url)
    stores = sorted({p.store_id for p in report.orders.values()})
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT order_id, status, count(*) FROM orders WHERE store_id = ANY(:stores) "
            "GROUP BY order_id, status"), {"stores": stores}).all() if stores else []
    engine.dispose()
    stored: dict[str, list[str]] = defaultdict(list)
    for order_id, status, count in rows:
        stored[str(order_id)] += [status] * count
    for order_id, posted in report.orders.items():
        statuses = stored.get(order_id, [])
        if posted.answered is None:
            report.unanswered.append(order_id)
        if not statuses:
            report.lost.append(order_id)
        elif len(statuses) > 1:
            report.doubled.append(order_id)
        elif statuses[0] == "held" and not posted.wrong_price:
            report.wrongly_held.append(order_id)
        elif statuses[0] == "accepted" and posted.wrong_price:
            report.wrongly_accepted.append(order_id)
    report.strays = sorted(set(stored) - set(report.orders))


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def print_report(report: LoadReport) -> None:
    s = report.settings
    held = sum(p.answered == 202 for p in report.orders.values())
    print(f"chain load: {s.tills} tills in {-(-s.tills // TILLS_PER_STORE)} stores for {s.duration_s:.0f} s "
          f"against {s.replicas} x `serve --workers {s.workers}` on PostgreSQL "
          f"(pool {s.pool_size}+{s.max_overflow} per process), {os.cpu_count()} CPUs")
    print(f"  {'route':28} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    for route in EXPECTED:
        samples = report.latencies.get(route)
        if not samples:
            continue
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(report.statuses[route].items()))
        print(f"  {route:28} {len(samples):8} {percentile(samples, 50) * 1e3:8.1f} "
              f"{percentile(samples, 99) * 1e3:8.1f} {max(samples) * 1e3:8.1f}  {statuses}")
    base = report.latencies.get(BASELINE_ROUTE)
    sales = report.latencies.get("POST /v1/orders")
    rate = len(report.orders) / report.elapsed_s if report.elapsed_s else 0.0
    if base and sales:
        print(f"  ratio POST /v1/orders / heartbeat (baseline): p50 {percentile(sales, 50) / percentile(base, 50):.2f}x  "
              f"p99 {percentile(sales, 99) / percentile(base, 99):.2f}x (sales p50 {percentile(sales, 50) * 1e3:.0f} ms, "
              f"p99 {percentile(sales, 99) * 1e3:.0f} ms; {rate:.0f} orders/s, {report.server_errors} 5xx, "
              f"{'nothing lost or doubled' if report.ok else 'FAILED checks'})")
    print(f"  orders: {len(report.orders)} posted ({held} held as conflicts, {report.replays} resends replayed), "
          f"{rate:.1f} orders/s; "
          f"{sum(len(v) for v in report.latencies.values()) / max(report.elapsed_s, 1e-9):.1f} requests/s")
    errors = {f"{r} {st}": n for r, c in report.statuses.items() for st, n in c.items() if st >= 500}
    print(f"  errors: 5xx {report.server_errors} {errors or ''}; unexpected {dict(report.unexpected) or 0}; "
          f"transport {dict(report.transport_errors) or 0} (resent until answered)")
    print(f"  database: lost {len(report.lost)}, doubled {len(report.doubled)}, strays {len(report.strays)}, "
          f"held wrongly {len(report.wrongly_held)}, accepted wrongly {len(report.wrongly_accepted)}, "
          f"never answered {len(report.unanswered)}: {'ok' if report.ok else 'FAILED'}")


# -- running ------------------------------------------------------------------------------


async def _drive(url: str, urls: list[str], settings: LoadSettings, report: LoadReport) -> None:
    tills = await setup_chain(url, settings, random.Random(settings.seed), urls)
    tls = ssl.create_default_context()  # plain HTTP here; made once, not per client
    clients = [till_clients(t, tls) for t in tills]
    start = time.monotonic()
    deadline = start + settings.duration_s
    tasks = [asyncio.create_task(run_till(t, c, settings, report, deadline, settings.seed * 100_003 + n))
             for n, (t, c) in enumerate(zip(tills, clients, strict=True))]
    # Bounded: each till stops at the deadline; its last resends get a minute at most.
    done, pending = await asyncio.wait(tasks, timeout=settings.duration_s + 60)
    for task in pending:
        task.cancel()
    report.elapsed_s = time.monotonic() - start
    for task in done:
        task.result()  # a till that crashed is a bug in this load test: say so
    if pending:
        raise RuntimeError(f"{len(pending)} tills still busy a minute after the deadline")


def run(db_url: str, settings: LoadSettings, log_dir: Path) -> LoadReport:
    """Set up a chain on a fresh schema of `db_url`, load it, check it, drop the schema."""
    with scratch_schema(db_url, "load") as url:
        return _run_on(url, settings, log_dir)


def _run_on(url: str, settings: LoadSettings, log_dir: Path) -> LoadReport:
    env = {"POS_SYNC_ADMIN_TOKEN": ADMIN_TOKEN, "POS_SYNC_LOG_LEVEL": "WARNING",
           "POS_SYNC_DB_POOL_SIZE": str(settings.pool_size),
           "POS_SYNC_DB_MAX_OVERFLOW": str(settings.max_overflow),
           # Every simulated till enrolls from 127.0.0.1, where a real chain's come from their
           # own addresses: the per-address enrollment limit would stop the set-up, not a guesser.
           "POS_SYNC_RATE_LIMIT_ENROLL": "", "POS_SYNC_RATE_LIMIT_ENROLL_TOTAL": ""}
    servers = [ServerProcess(url, env=env, workers=settings.workers, log_path=log_dir / f"server-{n}.log")
               for n in range(settings.replicas)]
    report = LoadReport(settings)
    try:
        migrations.upgrade(url)
        for server in servers:
            server.start()
        asyncio.run(_drive(servers[0].url, [s.url for s in servers], settings, report))
        check_database(url, report)
    finally:
        for server in servers:
            server.stop()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = LoadSettings()
    parser.add_argument("--tills", type=int, default=defaults.tills)
    parser.add_argument("--duration", type=float, default=defaults.duration_s, help="seconds of load")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="uvicorn workers per server")
    parser.add_argument("--replicas", type=int, default=defaults.replicas, help="servers, each on its own port")
    parser.add_argument("--pool-size", type=int, default=defaults.pool_size)
    parser.add_argument("--max-overflow", type=int, default=defaults.max_overflow)
    parser.add_argument("--db", default=os.environ.get("POS_TEST_POSTGRES_URL"),
                        help="PostgreSQL URL (default $POS_TEST_POSTGRES_URL); a schema of its own is made and dropped")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)
    if not args.db:
        print("load_chain skipped: no PostgreSQL (set POS_TEST_POSTGRES_URL or pass --db)")
        return 0
    if not args.db.startswith("postgresql"):
        parser.error(f"--db must be a PostgreSQL URL, not {args.db.split(':', 1)[0]}")
    settings = LoadSettings(tills=args.tills, duration_s=args.duration, workers=args.workers,
                            replicas=args.replicas, pool_size=args.pool_size,
                            max_overflow=args.max_overflow, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="load-chain-") as tmp:
        report = run(args.db, settings, Path(tmp))
    print_report(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
