"""A till with a 100,000-item catalog: `python -m bench.catalog_scale [--items 100000]`.

Each figure is printed with its target and a baseline measured in the same run:

- seeding an empty till from the CSV, vs a bare executemany of the same rows into a
  plain table (one transaction, WAL, synchronous=FULL);
- a first pull of 100 pages of 1,000 applied in bulk (JSON parsed, one transaction per
  page), vs a bare executemany per page; and the same pull over HTTP from a loopback
  server that pages per README "Catalog paging" (`tools/paging_server.py`), until the
  first page sells and until every item does;
- till start to usable (a fresh process: import, open the services, first scan), and
  the resident memory after a session of scans and searches, vs what the till did before
  (load every item into an in-memory Catalog at start) and vs a bare sqlite3 open and
  one indexed query; plus the whole sale screen (Qt, offscreen) until its first scan;
- scan to line p50/p99 (parse, lookup, add to a ticket of up to 50 lines), with the
  default cache and with none, vs a bare indexed SQLite lookup;
- search of a 3-letter prefix p50/p99 (prefixes of words of item names; also the most
  common one), vs the bare FTS5 query.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

from pos_protocol import wire
from pos_protocol.tax import TaxMode
from pos_terminal.config import load_config
from pos_terminal.core.barcodes import make_variable_label
from pos_terminal.core.catalog import Item
from pos_terminal.core.ticket import Ticket
from pos_terminal.services.catalog import seed_catalog
from pos_terminal.store import catalog as store_catalog
from pos_terminal.store.catalog import CatalogStore
from pos_terminal.store.db import Database
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_terminal.sync.client import SyncClient
from tools.big_catalog import make_items, pages, write_csv
from tools.paging_server import PagingCatalogServer

ROOT = Path(__file__).resolve().parent.parent
TICKET_SIZE = 50
TARGETS = {"pull": 15.0, "start": 1.0, "rss": 150.0, "scan_p99": 5.0, "search_p99": 30.0}


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def verdict(value: float, target: float, unit: str) -> str:
    return f"target < {target:g} {unit}: {'met' if value < target else 'MISSED'}"


def section(title: str) -> None:
    print(f"\n== {title}")


# -- bare baselines ----------------------------------------------------------------------------


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (sku TEXT PRIMARY KEY, name TEXT, barcodes TEXT, unit TEXT, price INTEGER,"
                 " tax_code TEXT, tax_rate INTEGER, category TEXT, active INTEGER)")
    return conn


def bare_rows(rows: list[list[str]]) -> list[tuple]:
    return [(r[0], r[1], r[2], r[3], int(round(float(r[4]) * 100)), r[5], int(round(float(r[6]) * 1e6)), r[7],
             r[8] == "true") for r in rows]


def bare_seed(path: Path, csv_path: Path) -> float:
    conn = bare_connection(path)
    start = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = bare_rows(list(reader))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def bare_pages(path: Path, bodies: list[bytes]) -> float:
    conn = bare_connection(path)
    start = time.perf_counter()
    for body in bodies:
        data = json.loads(body)
        rows = [(i["sku"], i["name"], json.dumps(i["barcodes"]), i["unit"], int(round(float(i["price"]) * 100)),
                 i["tax_code"], 0, i["category"], i["active"]) for i in data["items"]]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


# -- writes ----------------------------------------------------------------------------------


def bench_seed(tmp: Path, csv_path: Path, count: int) -> Path:
    section(f"seeding an empty till from its CSV ({count:,} items)")
    bare = bare_seed(tmp / "bare-seed.sqlite3", csv_path)
    db = Database(tmp / "seed" / "terminal.sqlite3")
    start = time.perf_counter()
    seeded = seed_catalog(db, csv_path)
    elapsed = time.perf_counter() - start
    db.close()
    assert seeded == count
    print(f"till seed (CSV parsed, items, barcodes, FTS index): {elapsed:6.2f} s  "
          f"({count / elapsed:,.0f} items/s)")
    print(f"baseline bare executemany into a plain table:      {bare:6.2f} s  ratio {elapsed / bare:.1f}x")
    print("before (issue 8, per-item ORM merge): 85 s")
    return tmp / "seed"


def bench_apply(tmp: Path, items: list[Item], page_size: int) -> None:
    bodies = [p.model_dump_json().encode() for p in pages(items, page_size)]
    section(f"applying a first pull of {len(bodies)} pages of {page_size:,} (in process)")
    bare = bare_pages(tmp / "bare-pages.sqlite3", bodies)
    store = CatalogStore(Database(tmp / "apply" / "terminal.sqlite3"))
    per_page, parse = [], 0.0
    start = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        page = wire.CatalogDelta.model_validate_json(body)
        t1 = time.perf_counter()
        store.apply_page(page, '"bench"')
        per_page.append(time.perf_counter() - t0)
        parse += t1 - t0
    elapsed = time.perf_counter() - start
    store.db.close()
    print(f"parse + apply, one transaction per page: {elapsed:6.2f} s  (JSON parse {parse:.2f} s); per page "
          f"p50 {percentile(per_page, 50) * 1e3:.0f} ms  p99 {percentile(per_page, 99) * 1e3:.0f} ms")
    print(f"baseline bare executemany per page:      {bare:6.2f} s  ratio {elapsed / bare:.1f}x")


def bench_pull(tmp: Path, items: list[Item], page_size: int) -> None:
    section(f"first pull over HTTP from a loopback paging server ({len(items):,} items, pages of {page_size:,})")
    server = PagingCatalogServer()
    server.load(items)
    server.start()
    config = load_config(data_dir=tmp / "pull").replace(catalog_csv=None)
    from pos_terminal.services import open_services

    services = open_services(config)
    first_sellable: list[float] = []
    probe = sorted(items, key=lambda i: i.sku)[0]
    puller = CatalogPuller(services.catalog.store, SyncClient(server.url), page_size=page_size)
    start = time.perf_counter()

    def sellable_after_first_page(_event: object) -> None:
        if not first_sellable:
            services.catalog.by_sku(probe.sku)
            first_sellable.append(time.perf_counter() - start)

    puller.events.subscribe(sellable_after_first_page)
    result = puller.pull_once()
    elapsed = time.perf_counter() - start
    last = sorted(items, key=lambda i: i.sku)[-1]
    assert services.catalog.by_sku(last.sku) == last and result.pages == -(-len(items) // page_size)
    services.close()
    server.stop()
    print(f"first page sellable after {first_sellable[0]:.2f} s; every item sellable after {elapsed:.2f} s "
          f"({result.pages} pages; {verdict(elapsed, TARGETS['pull'], 's')})")
    print("   (the loopback server serialises from memory; the real server's per-page cost comes on top)")
    print("before (issue 8): 80 s")


# -- start and memory (fresh processes) ---------------------------------------------------------

CHILD = textwrap.dedent("""
    import time
    t0 = time.perf_counter()
    import json, random, sys
    from pathlib import Path
    mode, data_dir, codes, words = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])

    def rss():
        status = dict(l.split(":", 1) for l in Path("/proc/self/status").read_text().splitlines() if ":" in l)
        return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024

    if mode == "bare":
        import sqlite3
        conn = sqlite3.connect(data_dir / "terminal.sqlite3")
        conn.execute("SELECT i.sku FROM catalog_barcodes b JOIN catalog_items i ON i.sku = b.sku WHERE b.code = ?",
                     (codes[0],)).fetchone()
        usable = time.perf_counter() - t0
        print(json.dumps({"usable": usable, "rss": rss()}))
        sys.exit(0)

    from pos_terminal.config import load_config
    from pos_terminal.services import open_services
    from pos_terminal.core.ticket import Ticket
    config = load_config(data_dir=data_dir)
    imported = time.perf_counter() - t0
    if mode == "window":
        import os
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication
        from pos_terminal.app import start_terminal
        app = QApplication([])
        terminal = start_terminal(config, with_devices=False, with_sync=False)
        terminal.window.show()
        app.processEvents()
        shown, shown_rss = time.perf_counter() - t0, rss()
        terminal.services.till.sign_in("c1", "1111")  # the PIN check (scrypt) takes 16 MB for a moment
        terminal.window._signed_in(None)
        terminal.window.sale.ring_up(codes[0])
        app.processEvents()
        assert len(terminal.services.till.ticket) == 1, terminal.window.sale.banner
        usable = time.perf_counter() - t0
        print(json.dumps({"usable": usable, "imported": imported, "rss": rss(), "shown": shown,
                          "shown_rss": shown_rss}))
        sys.exit(0)
    services = open_services(config)
    if mode == "old":  # what every start did before: every item into an in-memory Catalog
        from pos_terminal.core.catalog import Catalog
        from pos_terminal.store.catalog import load_items
        with services.db.reader() as s:
            catalog = Catalog(load_items(s))
        lookup = catalog
    else:
        lookup = services.catalog
    opened = time.perf_counter() - t0
    lookup.by_barcode(codes[0])
    usable = time.perf_counter() - t0
    ticket = Ticket(config.tax_mode)
    for i, code in enumerate(codes):
        if i % 50 == 0:
            ticket = Ticket(config.tax_mode)
        ticket.add_scan(lookup.by_barcode(code))
    if mode == "new":
        for w in words:
            services.catalog.search(w, 20)
    print(json.dumps({"usable": usable, "imported": imported, "opened": opened, "rss": rss()}))
""")


def child(mode: str, data_dir: Path, codes: list[str], words: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(data_dir), json.dumps(codes), json.dumps(words)],
                         env=env, capture_output=True, text=True, check=True, timeout=600)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def bench_start(data_dir: Path, codes: list[str], words: list[str], count: int) -> None:
    section(f"till start to usable, fresh process, {count:,} items (then {len(codes):,} scans, "
            f"{len(words)} searches)")
    child("new", data_dir, codes[:10], [])  # warm the OS file cache for every variant alike
    runs = {mode: [child(mode, data_dir, codes, words) for _ in range(3)] for mode in ("bare", "new", "old")}
    window = [child("window", data_dir, codes[:1], []) for _ in range(3)]

    def best(mode_runs: list[dict], key: str) -> float:
        return min(r[key] for r in mode_runs)

    new_usable, old_usable, bare_usable = best(runs["new"], "usable"), best(runs["old"], "usable"), best(runs["bare"], "usable")
    print(f"{'':44} {'to usable':>10} {'of which imports':>17} {'RSS MB':>8} {'peak MB':>8}")
    for label, mode_runs in (("bare sqlite3 open + 1 indexed query (floor)", runs["bare"]),
                             ("till: open services + first scan", runs["new"]),
                             ("before: + every item into memory", runs["old"]),
                             ("sale screen (Qt offscreen) + first scan", window)):
        fastest = min(mode_runs, key=lambda r: r["usable"])
        print(f"{label:44} {fastest['usable']:9.3f}s {fastest.get('imported', 0):16.3f}s "
              f"{fastest['rss'][0]:8.0f} {fastest['rss'][1]:8.0f}")
    new_rss = max(r["rss"][1] for r in runs["new"])
    window_usable = best(window, "usable")
    print(f"start to usable: {new_usable:.3f} s ({verdict(new_usable, TARGETS['start'], 's')}); "
          f"{old_usable / new_usable:.1f}x faster than before; {new_usable / bare_usable:.1f}x the bare floor")
    shown = min(window, key=lambda r: r["usable"])
    print(f"start to usable sale screen (window shown {shown['shown']:.3f} s; signed in, first scan on it): "
          f"{window_usable:.3f} s ({verdict(window_usable, TARGETS['start'], 's')})")
    print(f"peak resident memory, services + scans + searches: {new_rss:.0f} MB "
          f"({verdict(new_rss, TARGETS['rss'], 'MB')}); before: {max(r['rss'][1] for r in runs['old']):.0f} MB")
    window_rss = max(r["shown_rss"][0] for r in window)
    print(f"sale screen (Qt) resident once shown: {window_rss:.0f} MB ({verdict(window_rss, TARGETS['rss'], 'MB')}); "
          f"after sign-in and a scan {max(r['rss'][0] for r in window):.0f} MB, peak "
          f"{max(r['rss'][1] for r in window):.0f} MB (the PIN check's scrypt: 16 MB for a moment)")


# -- reads ------------------------------------------------------------------------------------


def scan_codes(items: list[Item], scans: int, rng: random.Random) -> list[str]:
    codes = []
    for item in rng.choices(items, k=scans):
        code = rng.choice(item.barcodes)
        codes.append(make_variable_label(code, rng.randrange(50, 5000)) if len(code) == 7 else code)
    return codes


def time_scans(store: CatalogStore, codes: list[str], cpu: list[float] | None = None) -> list[float]:
    """Wall ms per scan (and CPU ms into `cpu`: what the scan costs without this shared
    machine's other processes taking turns)."""
    samples = []
    ticket = Ticket(TaxMode.INCLUSIVE)
    for i, code in enumerate(codes):
        if i % TICKET_SIZE == 0:
            ticket = Ticket(TaxMode.INCLUSIVE)
        start, start_cpu = time.perf_counter(), time.thread_time()
        ticket.add_scan(store.by_barcode(code))
        samples.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - start_cpu) * 1000)
    return samples


def time_bare_lookups(path: Path, codes: list[str]) -> list[float]:
    from pos_terminal.core.barcodes import parse_barcode

    keys = [parse_barcode(c).key for c in codes]
    conn = sqlite3.connect(path)
    sql = ("SELECT i.sku, i.name, i.barcodes, i.unit, i.price, i.tax_code, i.tax_rate, i.category, i.active "
           "FROM catalog_barcodes b JOIN catalog_items i ON i.sku = b.sku WHERE b.code = ?")
    samples = []
    for key in keys:
        start = time.perf_counter()
        conn.execute(sql, (key,)).fetchone()
        samples.append((time.perf_counter() - start) * 1000)
    conn.close()
    return samples


def bench_scans(data_dir: Path, items: list[Item], codes: list[str]) -> None:
    section(f"scan to line: {len(codes):,} scans over {len(items):,} items "
            f"({sum(len(c) == 13 and c[:2] == '28' for c in codes):,} scale labels), tickets of {TICKET_SIZE}")
    path = data_dir / "terminal.sqlite3"
    db = Database(path)
    rows = []
    for label, cache_size in (("till, no cache", 0), ("till, default cache (4,096 items)", 4096)):
        store = CatalogStore(db, cache_size=cache_size)
        time_scans(store, codes[:500])  # warm-up
        cpu: list[float] = []
        rows.append((label, time_scans(store, codes, cpu), cpu))
    db.close()
    time_bare_lookups(path, codes[:500])
    bare = time_bare_lookups(path, codes)
    b50, b99 = percentile(bare, 50), percentile(bare, 99)
    print(f"{'':40} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p99':>8}")
    for label, s, cpu in rows + [("baseline bare indexed SQLite lookup", bare, [])]:
        cpu_cols = f" {percentile(cpu, 50):8.3f} {percentile(cpu, 99):8.3f}" if cpu else ""
        print(f"{label:40} {percentile(s, 50):8.3f} {percentile(s, 99):8.3f} {statistics.fmean(s):8.3f} "
              f"{max(s):8.2f}{cpu_cols}")
    for label, s, _cpu in rows:
        p99 = percentile(s, 99)
        print(f"{label}: ratio to baseline p50 {percentile(s, 50) / b50:.1f}x p99 {p99 / b99:.1f}x; "
              f"{verdict(p99, TARGETS['scan_p99'], 'ms')}")


def prefixes(items: list[Item], count: int, rng: random.Random) -> tuple[list[str], str]:
    words = [w for i in items for w in i.name.split() if w[:3].isalpha() and len(w) >= 3]
    common = Counter(w[:3].lower() for w in words).most_common(1)[0][0]
    return [w[:3].lower() for w in rng.choices(words, k=count)], common


# The same search in one bare statement: every match ranked (no cap), same columns.
BARE_SEARCH = ("SELECT i.sku, i.name, i.barcodes, i.unit, i.price, i.tax_code, i.tax_rate, i.category, i.active "
               "FROM catalog_fts JOIN catalog_items i ON i.id = catalog_fts.rowid "
               "WHERE catalog_fts MATCH ? AND i.active = 1 ORDER BY catalog_fts.rank, i.name, i.sku LIMIT ?")


def bench_search(data_dir: Path, items: list[Item], searches: list[str], common: str) -> None:
    section(f"search of a 3-letter prefix: {len(searches):,} searches (prefixes of words of item names), "
            f"20 results")
    path = data_dir / "terminal.sqlite3"
    db = Database(path)
    store = CatalogStore(db)
    conn = sqlite3.connect(path)
    rows = []
    for label, queries in ((f"random prefixes", searches), (f"the most common, '{common}'", [common] * 200)):
        for q in queries[:50]:
            store.search(q)
        till, bare, hits, cpu = [], [], [], []
        for q in queries:
            start, start_cpu = time.perf_counter(), time.thread_time()
            found = store.search(q, 20)
            till.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            hits.append(len(found))
            start = time.perf_counter()
            conn.execute(BARE_SEARCH, (store_catalog.fts_query(q), 20)).fetchall()
            bare.append((time.perf_counter() - start) * 1000)
        matches = conn.execute("SELECT count(*) FROM catalog_fts WHERE catalog_fts MATCH ?",
                               (store_catalog.fts_query(queries[0]),)).fetchone()[0]
        rows.append((label, till, bare, matches, cpu))
    t0 = time.perf_counter()
    categories = store.categories()
    cat_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    store.items_in(categories[0].name, 500, 50)
    grid_ms = (time.perf_counter() - t0) * 1000
    conn.close()
    db.close()
    print(f"{'':30} {'p50 ms':>8} {'p99 ms':>8} {'CPU p50':>8} {'CPU p99':>8} {'bare p50':>9} {'bare p99':>9} "
          f"{'ratio p99':>9}   (bare: the FTS5 statement alone, every match ranked)")
    for label, till, bare, matches, cpu in rows:
        print(f"{label:30} {percentile(till, 50):8.2f} {percentile(till, 99):8.2f} {percentile(cpu, 50):8.2f} "
              f"{percentile(cpu, 99):8.2f} {percentile(bare, 50):9.2f} "
              f"{percentile(bare, 99):9.2f} {percentile(till, 99) / percentile(bare, 99):8.1f}x"
              + (f"   ({matches:,} items match '{common}')" if "common" in label else ""))
    for label, till, _bare, _m, _cpu in rows:
        print(f"{label}: p99 {percentile(till, 99):.2f} ms, {verdict(percentile(till, 99), TARGETS['search_p99'], 'ms')}")
    print(f"grid: {len(categories)} categories in {cat_ms:.1f} ms (uncached); a page of 50 items at offset 500 "
          f"in {grid_ms:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--scans", type=int, default=20_000)
    parser.add_argument("--searches", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (a shared machine stretches "
          "wall times; CPU columns show what an operation itself costs)")
    rng = random.Random(args.seed)
    items = make_items(args.items, args.seed)
    gc.collect()
    gc.freeze()  # the bench's own copy of the catalog is no till's garbage to scan
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        csv_path = write_csv(tmp / "catalog.csv", items)
        seeded = bench_seed(tmp, csv_path, len(items))
        bench_apply(tmp, items, args.page_size)
        bench_pull(tmp, items, args.page_size)
        codes = scan_codes([i for i in items if i.active], args.scans, rng)
        searches, common = prefixes(items, args.searches, rng)
        bench_start(seeded, codes[:2000], searches[:200], len(items))
        bench_scans(seeded, items, codes)
        bench_search(seeded, items, searches, common)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
