"""Draining a till's outbox backlog against the server's own batch ingest of the same orders.

    python -m bench.sync_drain [--orders 10000] [--profile FILE]

One server database (SQLite) is set up with the demo shop and one till is enrolled; the
database is then copied (SQLite's backup API), so two servers know the same terminal with
the same secret. The till rings `--orders` simulated sales and returns (not timed) while
its pump is idle. Then, each against a fresh `pos-sync-server serve` process (uvicorn,
127.0.0.1):

- baseline, on the copy: the server's batch ingest of exactly the outbox's frozen bodies,
  posted in `orders:batch` requests of the pump's batch size, one after another from one
  signed client, with no till work at all;
- the drain, on the original: `OutboxPump.pump_once` rounds until nothing is pending
  (reading due entries, sending, filing the answers in the till's database).

The two are interleaved (a pump round, then the baseline's batches for as many orders),
and each is timed on its own, so a machine shared with other work loads both alike.

It prints orders/s for both and the ratio drain / ingest (target >= 0.7), and checks that
every order the till rang is stored by the server exactly once and settled on the till.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

from pos_terminal.core import users
from pos_terminal.config import DEFAULT_CONFIG, RESOURCES, load_config
from pos_terminal.keys import PASSPHRASE_ENV, open_secret_store
from pos_terminal.services import Services, open_services
from pos_terminal.services.simulate import SaleSimulator
from pos_terminal.store import outbox
from pos_terminal.store.db import Database
from pos_terminal.store.models import OutboxEntry
from pos_terminal.sync.auth import TerminalAuth
from pos_terminal.sync.enrollment import client_for, enroll
from pos_terminal.sync.pump import OutboxPump, PumpSettings
from tools.launcher import ServerProcess

STORE = "demo-store"
TARGET = 0.7


def _cli(db_url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", db_url, *args],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _setup_server_db(db_url: str) -> None:
    _cli(db_url, "migrate")
    _cli(db_url, "store", "add", STORE, "--name", "Bench shop")
    for user_id, role in (("m1", "manager"), ("s1", "supervisor"), ("c1", "cashier")):
        _cli(db_url, "user", "add", user_id, "--store", STORE, "--name", user_id, "--role", role)
    _cli(db_url, "catalog", "import", str(RESOURCES / "demo_catalog.csv"), "--store", STORE)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _enroll_till(root: Path, db_url: str, url: str) -> tuple[Path, str, str]:
    """Enroll a till with the server at `url`; (data dir, terminal id, secret)."""
    config = load_config(DEFAULT_CONFIG, data_dir=root / "till").replace(server_url=url)
    db = Database(config.db_path)
    secrets = open_secret_store(config.data_dir)
    identity = enroll(db, secrets, url, _cli(db_url, "enroll-code", "--store", STORE), "bench till")
    db.close()
    secret = secrets.get(identity.terminal_id)
    assert secret is not None
    return config.data_dir, identity.terminal_id, secret


def _open_till(data_dir: Path, url: str) -> Services:
    config = load_config(DEFAULT_CONFIG, data_dir=data_dir).replace(server_url=url)
    return open_services(config)  # sells under the enrolled identity


@contextmanager
def _pin_checks_memoized() -> Iterator[None]:
    """Ringing is not timed, but the simulator's manager approvals (returns, discounts,
    overrides) each verify a PIN with scrypt (~25 ms, over half of ringing); the same
    PIN and hash give the same answer, so remember it while the backlog is rung."""
    original = users.verify_pin
    users.verify_pin = functools.lru_cache(maxsize=None)(original)
    try:
        yield
    finally:
        users.verify_pin = original


def _frozen_bodies(services: Services) -> list[bytes]:
    with services.db.reader() as s:
        rows = s.execute(select(OutboxEntry.body).where(OutboxEntry.kind == outbox.ORDER)
                         .order_by(OutboxEntry.seq)).scalars().all()
    return [r.encode("utf-8") for r in rows]


class Ingest:
    """The baseline: the server ingesting the same bodies in batches, back to back, from one
    signed client with no till work at all; sent slice by slice (`until`), timed per request."""

    def __init__(self, url: str, auth: TerminalAuth, bodies: list[bytes], batch: int) -> None:
        self.requests = [(min(len(bodies), i + batch), b'{"orders":[' + b",".join(bodies[i:i + batch]) + b"]}")
                         for i in range(0, len(bodies), batch)]
        self.client = httpx.Client(base_url=url, auth=auth, timeout=120,
                                   headers={"Content-Type": "application/json"})
        self.sent = self.done = 0  # requests sent, orders covered
        self.seconds = 0.0
        self.outcomes: set[int] = set()

    def until(self, orders: int) -> None:
        """Send batches until at least `orders` orders are in (or all are)."""
        while self.sent < len(self.requests) and self.done < orders:
            self.done, body = self.requests[self.sent]
            start = time.perf_counter()
            reply = self.client.post("/v1/orders:batch", content=body)
            self.seconds += time.perf_counter() - start
            reply.raise_for_status()
            self.outcomes.update(r["http_status"] for r in reply.json()["results"])
            self.sent += 1

    def close(self) -> None:
        self.client.close()
        if self.outcomes - {201, 202}:
            raise SystemExit(f"baseline ingest refused orders: {sorted(self.outcomes)}")


def drain(services: Services, settings: PumpSettings, baseline: Ingest,
          profile: Path | None) -> tuple[float, int, int]:
    """`pump_once` rounds until nothing is pending: (seconds, requests, rounds). After each
    round the baseline catches up by as many orders, untimed here, so both are measured
    slice by slice under the same load on the machine."""
    client = client_for(services.db, services.config)
    pump = OutboxPump(services.db, client, settings=settings)
    requests = rounds = 0
    elapsed = 0.0
    profiler = cProfile.Profile() if profile else None
    with services.db.reader() as s:
        total = outbox.depth(s)[0]
    while True:
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        report = pump.pump_once()
        with services.db.reader() as s:
            depth = outbox.depth(s)[0]
        elapsed += time.perf_counter() - start
        if profiler:
            profiler.disable()
        rounds += 1
        requests += report.requests
        baseline.until(total - depth)
        if depth == 0:
            break
        if not report.sent_anything:
            raise SystemExit(f"pump stopped with a backlog: {pump.last_error}")
    if profiler:
        profiler.dump_stats(profile)
    client.close()
    return elapsed, requests, rounds


def _stored(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT order_id, count(*) FROM orders GROUP BY order_id").fetchall()
    conn.close()
    return dict(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=PumpSettings().batch_size,
                        help="orders per orders:batch, for both (default: the pump's, %(default)s)")
    parser.add_argument("--round-limit", type=int, default=PumpSettings().round_limit,
                        help="entries per pump round (default: the pump's, %(default)s)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the drain to FILE")
    args = parser.parse_args(argv)
    os.environ.setdefault(PASSPHRASE_ENV, "bench-only")  # no OS keyring on a CI box
    env = {"POS_SYNC_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="sync-drain-") as tmp:
        root = Path(tmp)
        drain_db, ingest_db = root / "drain.sqlite3", root / "ingest.sqlite3"
        drain_url, ingest_url = f"sqlite:///{drain_db}", f"sqlite:///{ingest_db}"
        _setup_server_db(drain_url)
        server = ServerProcess(drain_url, env=env, log_path=root / "drain.log")
        with server:
            data_dir, terminal_id, secret = _enroll_till(root, drain_url, server.url)
            _copy_sqlite(drain_db, ingest_db)
        till = _open_till(data_dir, server.url)
        start = time.perf_counter()
        with _pin_checks_memoized():
            SaleSimulator(till, random.Random(42), lambda _o: None).run(args.orders)
        ring_s = time.perf_counter() - start
        bodies = _frozen_bodies(till)
        returns = sum(b'"kind":"return"' in b for b in bodies)

        with ServerProcess(ingest_url, env=env, log_path=root / "ingest.log") as ingest_server, server:
            # `server` again: on the port the till was enrolled with
            baseline = Ingest(ingest_server.url, TerminalAuth(terminal_id, secret), bodies, args.batch)
            settings = PumpSettings(batch_size=args.batch, round_limit=args.round_limit)
            drain_s, drain_req, rounds = drain(till, settings, baseline, args.profile)
            baseline.until(len(bodies))
            baseline.close()
            ingest_s, ingest_req = baseline.seconds, baseline.sent
        with till.db.reader() as s:
            states = dict(s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all())
            unsettled = s.scalar(select(OutboxEntry.seq).where(OutboxEntry.state.not_in(outbox.SETTLED)).limit(1))
        till.close()
        stored = _stored(drain_db)
        wanted = {json.loads(b)["order_id"] for b in bodies}
        doubled = [o for o, n in stored.items() if n > 1]
        missing = wanted - set(stored)
    n = len(bodies)
    ingest_rate, drain_rate = n / ingest_s, n / drain_s
    ratio = drain_rate / ingest_rate
    print(f"backlog of {n:,} orders ({returns:,} returns; rung in {ring_s:.0f} s, not timed), "
          f"orders:batch of {args.batch}, pos-sync-server on SQLite (uvicorn, 127.0.0.1), {os.cpu_count()} CPUs")
    print(f"  server batch ingest (baseline): {ingest_s:7.2f} s  {ingest_rate:8.1f} orders/s  ({ingest_req} requests)")
    print(f"  till drain (OutboxPump)       : {drain_s:7.2f} s  {drain_rate:8.1f} orders/s  "
          f"({drain_req} requests, {rounds} rounds)")
    print(f"  ratio drain / ingest: {ratio:.2f}x ({drain_rate:.0f} vs {ingest_rate:.0f} orders/s; "
          f"target >= {TARGET}x: {'met' if ratio >= TARGET else 'MISSED'})")
    if missing or doubled or unsettled is not None:
        print(f"  FAILED: {len(missing)} orders missing, {len(doubled)} doubled on the server; "
              f"outbox entry {unsettled} unsettled (states: {states})")
        return 1
    print(f"  every order stored once on the server and settled on the till (outbox: {states})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
