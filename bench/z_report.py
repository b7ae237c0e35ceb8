"""X and Z report time against the size of the history: 500 older orders vs 200,000.

    python -m bench.z_report [--older 200000] [--period 100] [--repeats 7]

Two tills are built: each rings 500 real 5-line sales and closes them with a Z report;
the big one then gets that closed day copied in SQL until it holds `--older` orders (with
their lines, tenders, outbox entries, drawer sessions and Z reports; the copies are
never read by the reports, which is the point). Then, taking turns so both see the same
machine load, each till runs `--repeats` days: ring `--period` sales, time an X report,
time the Z report. Both reports cover only the open session, so with every query on an
index their cost follows the period, not the history: the ratio should be about 1x.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, TenderInput, open_services
from pos_terminal.services.till import ApproverPin

MANAGER = ApproverPin("m1", "9999")
TEMPLATE = 500  # orders of the one real closed day every till starts with


def _ring(services: Services, sales: int) -> None:
    till = services.till
    skus = [i.sku for i in services.catalog if i.active and i.unit.value == "ea"][:5]
    for n in range(sales):
        for sku in skus:
            till.add_sku(sku)
        gross = till.ticket.totals().gross
        if n % 3:
            till.pay([TenderInput(TenderType.CARD, gross, "bench")])
        else:
            till.pay([TenderInput(TenderType.CASH, Decimal(int(gross) + 1))])


def _open(data_dir: Path) -> Services:
    services = open_services(load_config(data_dir=data_dir))
    services.till.sign_in("c1", "1111")
    return services


def build(data_dir: Path, older: int) -> Path:
    """A till whose history holds `older` orders in closed drawer sessions."""
    services = _open(data_dir)
    services.drawer.open(Decimal("100.00"))
    _ring(services, TEMPLATE)
    services.drawer.close_day(Decimal("100.00"), MANAGER)
    path = services.config.db_path
    services.close()
    copies = max(0, older // TEMPLATE - 1)
    if copies:
        _copy_history(path, copies)
    return data_dir


def _copy_history(path: Path, copies: int) -> None:
    """Copy the first closed day `copies` times (new ids, receipt and Z numbers)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    (s0,) = conn.execute("SELECT session_id FROM drawer_sessions").fetchone()
    (last,) = conn.execute("SELECT max(receipt_seq) FROM orders").fetchone()
    new_id = "substr({col}, 1, 24) || printf('%012d', :k)"
    for k in range(1, copies + 1):
        p = {"k": k, "s0": s0, "sid": f"history-{k:08d}", "off": k * last}
        conn.execute("""INSERT INTO drawer_sessions SELECT :sid, terminal_id, opened_by, opened_at,
                        opening_float, closed_by, closed_at, counted_cash, z_number + :k
                        FROM drawer_sessions WHERE session_id = :s0""", p)
        conn.execute(f"""INSERT INTO z_reports SELECT {new_id.format(col='report_id')}, terminal_id,
                         z_number + :k, :sid, created_at, body FROM z_reports WHERE session_id = :s0""", p)
        conn.execute(f"""INSERT INTO orders (order_id, kind, original_order_id, store_id, terminal_id,
                         receipt_seq, receipt_no, cashier_id, created_at, catalog_version, net, tax,
                         gross, change_given, content_hash, line_count, tender_count, sync_status,
                         drawer_session_id)
                         SELECT {new_id.format(col='order_id')}, kind, NULL, store_id, terminal_id,
                         receipt_seq + :off, terminal_id || '-' || printf('%06d', receipt_seq + :off),
                         cashier_id, created_at, catalog_version, net, tax, gross, change_given,
                         content_hash, line_count, tender_count, 'accepted', :sid
                         FROM orders WHERE drawer_session_id = :s0""", p)
        for table in ("order_lines", "order_tenders"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")][1:]
            conn.execute(f"""INSERT INTO {table} (order_id, {', '.join(cols)})
                             SELECT {new_id.format(col='c.order_id')}, {', '.join('c.' + c for c in cols)}
                             FROM {table} c JOIN orders o ON o.order_id = c.order_id
                             WHERE o.drawer_session_id = :s0""", p)
        conn.execute(f"""INSERT INTO outbox (kind, idempotency_key, method, path, body, created_at,
                         state, attempts, next_attempt_at, last_error, response, depends_on)
                         SELECT kind, {new_id.format(col='idempotency_key')}, method, path, body,
                         created_at, 'done', 1, NULL, NULL, NULL, NULL FROM outbox
                         WHERE kind = 'order' AND idempotency_key IN
                           (SELECT order_id FROM orders WHERE drawer_session_id = :s0)""", p)
    conn.execute("UPDATE receipt_counters SET last_no = (SELECT max(receipt_seq) FROM orders)")
    conn.execute("UPDATE outbox SET state = 'done'")  # the old days were sent long ago
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def one_day(services: Services, period: int) -> tuple[float, float]:
    """Ring a day's sales; the X report's and then the Z report's time in seconds.

    The reports come a moment after the last sale (as in a shop), once the till's
    background WAL checkpoint (store.db.Checkpointer) has copied the day's sales: timed
    are the reports, not the disk still busy with the sales before them."""
    services.drawer.open(Decimal("100.00"))
    _ring(services, period)
    time.sleep(1.5)
    start = time.perf_counter()
    services.drawer.x_report(MANAGER)
    x = time.perf_counter() - start
    start = time.perf_counter()
    services.drawer.close_day(Decimal("100.00"), MANAGER)
    return x, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--older", type=int, default=200_000)
    parser.add_argument("--period", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes = (TEMPLATE, args.older)
        started = time.perf_counter()
        dirs = [build(Path(tmp) / f"till-{n}", n) for n in sizes]
        print(f"built tills with {sizes[0]:,} and {sizes[1]:,} older orders "
              f"in {time.perf_counter() - started:.0f} s")
        tills = [_open(d) for d in dirs]
        times: dict[int, list[tuple[float, float]]] = {n: [] for n in sizes}
        for _ in range(args.repeats):  # taking turns: both tills see the same machine load
            for n, services in zip(sizes, tills):
                times[n].append(one_day(services, args.period))
        for services in tills:
            services.close()
    print(f"{args.period} sales per day, median of {args.repeats} days")
    print(f"{'older orders':>14} {'X ms':>8} {'Z ms':>8}")
    med = {n: (statistics.median(x for x, _ in t), statistics.median(z for _, z in t))
           for n, t in times.items()}
    for n in sizes:
        print(f"{n:>14,} {med[n][0] * 1e3:8.2f} {med[n][1] * 1e3:8.2f}")
    small, big = med[sizes[0]], med[sizes[1]]
    print(f"ratio X: {big[0] / small[0]:.2f}x, Z: {big[1] / small[1]:.2f}x "
          f"({sizes[1]:,} vs {sizes[0]:,} older orders; target ~1x)")


if __name__ == "__main__":
    main()
