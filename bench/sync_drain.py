"""Draining a till's outbox backlog to a real sync server: one POST per order vs orders:batch.

    python -m bench.sync_drain [--orders 300] [--batch 100]

Starts `pos-sync-server serve` (SQLite) on an ephemeral port, enrolls two tills, rings the
same number of simulated sales on each while the pump is idle, then drains one till with
single POSTs (the baseline) and the other with `orders:batch`, and prints orders/s and
the ratio. Ringing the sales is not timed; only `pump_once` rounds until empty are.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pos_terminal.config import DEFAULT_CONFIG, RESOURCES, load_config
from pos_terminal.keys import PASSPHRASE_ENV, open_secret_store
from pos_terminal.services import Services, open_services
from pos_terminal.services.simulate import SaleSimulator
from pos_terminal.store import outbox
from pos_terminal.store.db import Database
from pos_terminal.sync.enrollment import client_for, enroll
from pos_terminal.sync.pump import OutboxPump, PumpSettings
from tools.launcher import ServerProcess


def _cli(db_url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", db_url, *args],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _till(root: Path, name: str, db_url: str, url: str, orders: int) -> Services:
    config = load_config(DEFAULT_CONFIG, data_dir=root / name).replace(server_url=url)
    db = Database(config.db_path)
    enroll(db, open_secret_store(config.data_dir), url, _cli(db_url, "enroll-code", "--store", "demo-store"), name)
    db.close()
    services = open_services(config)  # sells under the enrolled identity
    SaleSimulator(services, random.Random(42), lambda _o: None).run(orders)
    return services


def _drain(services: Services, settings: PumpSettings) -> tuple[float, int]:
    client = client_for(services.db, services.config)
    pump = OutboxPump(services.db, client, settings=settings)
    requests = 0
    start = time.perf_counter()
    while True:
        report = pump.pump_once()
        requests += report.requests
        with services.db.reader() as s:
            if outbox.depth(s)[0] == 0:
                break
        if not report.sent_anything:
            raise SystemExit(f"pump stopped with a backlog: {pump.last_error}")
    elapsed = time.perf_counter() - start
    client.close()
    return elapsed, requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)
    os.environ.setdefault(PASSPHRASE_ENV, "bench-only")  # no OS keyring on a CI box
    with tempfile.TemporaryDirectory(prefix="sync-drain-") as tmp:
        root = Path(tmp)
        db_url = f"sqlite:///{root / 'server.sqlite3'}"
        _cli(db_url, "migrate")
        _cli(db_url, "store", "add", "demo-store", "--name", "Bench shop")
        for user_id, role in (("m1", "manager"), ("s1", "supervisor"), ("c1", "cashier")):
            _cli(db_url, "user", "add", user_id, "--store", "demo-store", "--name", user_id, "--role", role)
        _cli(db_url, "catalog", "import", str(RESOURCES / "demo_catalog.csv"), "--store", "demo-store")
        with ServerProcess(db_url) as server:
            url = server.url
            single_till = _till(root, "single", db_url, url, args.orders)
            batch_till = _till(root, "batch", db_url, url, args.orders)
            single_s, single_req = _drain(single_till, PumpSettings(batch_from=10**9))
            batch_s, batch_req = _drain(batch_till, PumpSettings(batch_size=args.batch))
    single_rate, batch_rate = args.orders / single_s, args.orders / batch_s
    print(f"backlog of {args.orders} orders drained to pos-sync-server (SQLite, uvicorn, 127.0.0.1)")
    print(f"  single POST /v1/orders : {single_s:7.2f} s  {single_rate:8.1f} orders/s  ({single_req} requests)")
    print(f"  orders:batch of {args.batch:<4}   : {batch_s:7.2f} s  {batch_rate:8.1f} orders/s  ({batch_req} requests)")
    print(f"  batch / single         : {batch_rate / single_rate:7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
