"""Barcode-to-line lookup with a 100,000-item catalog: `python -m bench.barcode_lookup`.

Times parse (check digit) + catalog lookup + adding the line to an open ticket, per scan,
and compares with a bare dict lookup measured in the same run. Target: p99 < 5 ms.
A fresh ticket every 50 scans keeps the ticket at a realistic size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

from pos_terminal.core.barcodes import make_ean13, make_variable_label
from pos_terminal.core.catalog import Catalog, Item, Unit
from pos_protocol.tax import TaxMode
from pos_terminal.core.ticket import Ticket

TICKET_SIZE = 50


def build_items(count: int, rng: random.Random) -> list[Item]:
    items = []
    for n in range(count):
        weighed = n % 50 == 0 and n // 50 < 100_000
        code = f"28{n // 50:05d}" if weighed else make_ean13(f"40{n:010d}")
        items.append(Item(
            sku=f"SKU{n:06d}", name=f"Item {n}", barcodes=(code,), unit=Unit.KG if weighed else Unit.EA,
            price=Decimal(rng.randrange(49, 4999)) / 100, tax_code="A" if n % 3 else "B",
            tax_rate=Decimal("0.19") if n % 3 else Decimal("0.07"), category=f"C{n % 40}",
        ))
    return items


def scan_codes(items: list[Item], scans: int, rng: random.Random) -> list[str]:
    codes = []
    for item in rng.choices(items, k=scans):
        code = item.barcodes[0]
        codes.append(make_variable_label(code, rng.randrange(50, 5000)) if len(code) == 7 else code)
    return codes


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def time_scans(catalog: Catalog, codes: list[str]) -> list[float]:
    samples = []
    ticket = Ticket(TaxMode.INCLUSIVE)
    for i, code in enumerate(codes):
        if i % TICKET_SIZE == 0:
            ticket = Ticket(TaxMode.INCLUSIVE)
        start = time.perf_counter()
        ticket.add_scan(catalog.by_barcode(code))
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def time_dict(index: dict[str, Item], codes: list[str]) -> list[float]:
    samples = []
    for code in codes:
        start = time.perf_counter()
        index.get(code)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items = build_items(args.items, rng)
    start = time.perf_counter()
    catalog = Catalog(items)
    build_s = time.perf_counter() - start
    codes = scan_codes(items, args.scans, rng)
    bare = {code: item for item in items for code in item.barcodes}
    time_scans(catalog, codes[:500])  # warm-up
    scans = time_scans(catalog, codes)
    baseline = time_dict(bare, codes)
    p50, p99 = percentile(scans, 50), percentile(scans, 99)
    b50, b99 = percentile(baseline, 50), percentile(baseline, 99)
    print(f"catalog: {len(catalog):,} items indexed in {build_s:.2f} s; {len(codes):,} scans "
          f"({sum(len(c) == 13 and c[:2] == '28' for c in codes):,} scale labels), "
          f"tickets of {TICKET_SIZE} lines")
    print(f"scan -> line (parse + lookup + add): p50 {p50:.4f} ms  p99 {p99:.4f} ms  "
          f"mean {statistics.fmean(scans):.4f} ms  max {max(scans):.3f} ms")
    print(f"baseline bare dict lookup:          p50 {b50:.5f} ms  p99 {b99:.5f} ms")
    print(f"ratio to baseline: p50 {p50 / b50:.0f}x  p99 {p99 / b99:.0f}x")
    print(f"target p99 < 5 ms: {'met' if p99 < 5 else 'MISSED'} ({p99 / 5 * 100:.1f} % of budget)")


if __name__ == "__main__":
    main()
