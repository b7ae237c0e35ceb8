"""Durable sale commit (5 lines) against the floor of a bare one-row SQLite insert.

    python -m bench.sale_commit [--sales 1000]

Both run in the same process on the same disk, WAL with synchronous=FULL, and take
turns (one bare insert, one sale, ...), so both see the same load of a shared machine and
the ratio says what our transaction (order, lines, tenders, receipt counter, audit entry,
outbox entry with the frozen body) costs over the fsync that any durable write pays.
The sale is timed as the cashier waits for it: `Till.pay`, from the tenders to the
committed order. Target: ratio <= 5 at p50 and at p99.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, TenderInput, open_services

WARM_UP = 20  # samples of each kind dropped: first pages, statement caches


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bare_insert(path: Path) -> tuple[Callable[[], float], Callable[[], None]]:
    """One timed durable one-row insert per call, and a close."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    count = 0

    def one() -> float:
        nonlocal count
        count += 1
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (f"row {count}",))
        conn.execute("COMMIT")
        return time.perf_counter() - start

    return one, conn.close


def sale_commit(data_dir: Path) -> tuple[Callable[[], float], Callable[[], None]]:
    """One timed durable 5-line sale per call (ringing it up is not timed), and a close."""
    services: Services = open_services(load_config(data_dir=data_dir))
    till = services.till
    till.sign_in("c1", "1111")
    skus = [i.sku for i in services.catalog if i.active and i.unit.value == "ea"][:5]

    def one() -> float:
        for sku in skus:
            till.add_sku(sku)
        tenders = [TenderInput(TenderType.CARD, till.ticket.totals().gross, "bench")]
        start = time.perf_counter()
        till.pay(tenders)
        return time.perf_counter() - start

    return one, services.close


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=1000)
    args = parser.parse_args()
    floor: list[float] = []
    sale: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        bare, close_bare = bare_insert(Path(tmp) / "bare.sqlite3")
        durable, close_till = sale_commit(Path(tmp) / "till")
        for i in range(WARM_UP + args.sales):  # taking turns: the same load for both
            f, s = bare(), durable()
            if i >= WARM_UP:
                floor.append(f)
                sale.append(s)
        close_till()
        close_bare()
    rows = [("bare 1-row insert (floor)", floor), ("durable sale, 5 lines", sale)]
    print(f"{args.sales} of each, taking turns")
    print(f"{'':28} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, s in rows:
        print(f"{name:28} {percentile(s, 50) * 1e3:8.3f} {percentile(s, 99) * 1e3:8.3f} "
              f"{statistics.fmean(s) * 1e3:8.3f}")
    for p in (50, 99):
        ratio = percentile(sale, p) / percentile(floor, p)
        print(f"ratio p{p}: {ratio:.2f}x the floor (target <= 5x)")


if __name__ == "__main__":
    main()
