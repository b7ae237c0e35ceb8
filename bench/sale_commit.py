"""Durable sale commit (5 lines) against the floor of a bare one-row SQLite insert.

    python -m bench.sale_commit [--sales 300]

Both run in the same process on the same disk, WAL with synchronous=FULL, so the ratio
says what our transaction (order, lines, tenders, receipt counter, audit entry, outbox
entry, ORM) costs over the fsync that any durable write pays. Target: ratio <= 5.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import TenderInput, open_services


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bare_inserts(path: Path, n: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    samples = []
    for i in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - start)
    conn.close()
    return samples


def sale_commits(data_dir: Path, n: int) -> list[float]:
    services = open_services(load_config(data_dir=data_dir))
    till = services.till
    till.sign_in("c1", "1111")
    skus = [i.sku for i in services.catalog if i.active and i.unit.value == "ea"][:5]
    samples = []
    for _ in range(n):
        for sku in skus:
            till.add_sku(sku)
        tenders = [TenderInput(TenderType.CARD, till.ticket.totals().gross, "bench")]
        start = time.perf_counter()
        till.pay(tenders)
        samples.append(time.perf_counter() - start)
    services.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor = bare_inserts(Path(tmp) / "bare.sqlite3", args.sales)
        sale = sale_commits(Path(tmp) / "till", args.sales)
    rows = [("bare 1-row insert (floor)", floor), ("durable sale, 5 lines", sale)]
    print(f"{'':28} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, s in rows:
        print(f"{name:28} {percentile(s, 50) * 1e3:8.3f} {percentile(s, 99) * 1e3:8.3f} "
              f"{statistics.fmean(s) * 1e3:8.3f}")
    for p in (50, 99):
        ratio = percentile(sale, p) / percentile(floor, p)
        print(f"ratio p{p}: {ratio:.2f}x the floor (target <= 5x)")


if __name__ == "__main__":
    main()
