"""The till's local copy of the catalog: it sells from this when the server is away.

`CatalogStore` answers the sale path from SQLite indexes instead of an in-memory copy of
every item (a till with 100,000 items starts in well under a second and stays small):

- by barcode: `catalog_barcodes` (normalized code -> sku, primary key), the code parsed
  and validated by the core first (`core.catalog.lookup_barcode`), scale labels included;
- by SKU: the unique index on `catalog_items.sku`;
- search: the FTS5 index `catalog_fts` over name, sku, barcodes and category, every word
  a prefix (`bre mil` finds "Bread, milk ..."), ranked by bm25 (a match in the name
  counts most), limited;
- the grid: categories with their item counts, colours and positions (`catalog_categories`,
  as the catalog sets them), by position and name, and a category's items by name, paged.
  An item's own colour is a column of its row, read with it: painting a tile asks nothing more.

A small LRU cache keeps recently scanned items; every write through the store empties it
after its commit, so a sale never rings up a price older than the last applied page.

Lookups read through a connection of their own per thread (autocommit, `query_only`):
each is one indexed statement on committed rows, with none of the ORM's per-statement
cost, and never waits for a writer (WAL).

Writes come in bulk: a pulled page (`apply_page`) or the seed CSV (`seed`) go in with
`executemany`, one transaction each. A page is applied together with the pull's cursor,
and the pull's target version is recorded only with its last page (README "Catalog
paging"). This module is the one writer of `catalog_items`: it keeps `catalog_barcodes`
and the FTS index in step in the same transaction, with set-based statements over the
page's SKUs (per-row triggers cost four times as much on a 100,000-item pull).
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pos_protocol import wire
from pos_terminal.core.barcodes import DEFAULT_LAYOUT, VariableMeasureLayout
from pos_terminal.core.catalog import (
    Category, CategoryStyle, Item, ItemError, ScanResult, Unit, UnknownItem, barcode_keys, lookup_barcode,
)

from .db import BUSY_TIMEOUT_MS, Database
from .guard import sqlite_uri
from .types import Money, Rate

_MONEY, _RATE = Money(), Rate()
_COLUMNS = "sku, name, barcodes, unit, price, tax_code, tax_rate, category, active, colour"
_ITEM = f"SELECT {_COLUMNS} FROM catalog_items"
_BY_SKU = f"{_ITEM} WHERE sku = ?"
_BY_CODE = (f"SELECT {', '.join('i.' + c.strip() for c in _COLUMNS.split(','))} "
            "FROM catalog_barcodes b JOIN catalog_items i ON i.sku = b.sku WHERE b.code = ?")
# Ranked inside the FTS index (it sorts rowids by rank), so only the best few are joined
# to their items; inactive ones are dropped after (a search fetches a few more than asked).
_SEARCH = (f"SELECT {', '.join('i.' + c.strip() for c in _COLUMNS.split(','))} "
           "FROM (SELECT rowid, rank FROM catalog_fts WHERE catalog_fts MATCH ? AND rowid <= ? "
           "ORDER BY rank LIMIT ?) f JOIN catalog_items i ON i.id = f.rowid WHERE i.active = 1 "
           "ORDER BY f.rank, i.name, i.sku")
# How many matches a search ranks at most (bm25 costs about 1 us a match): beyond, the
# first RANKED_MATCHES in catalog order are ranked, so a 3-letter prefix that matches a
# sixth of a 100,000-item catalog still answers in a few milliseconds.
RANKED_MATCHES = 4000
_MATCHES = "SELECT count(*) FROM (SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH ? LIMIT ?)"
_NTH_MATCH = "SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH ? ORDER BY rowid LIMIT 1 OFFSET ?"
_IN_PAGE = "sku IN (SELECT value FROM json_each(?))"
_FTS_DELETE = ("INSERT INTO catalog_fts (catalog_fts, rowid, name, sku, barcodes, category) "
               f"SELECT 'delete', id, name, sku, barcodes, category FROM catalog_items WHERE {_IN_PAGE}")
_FTS_INSERT = ("INSERT INTO catalog_fts (rowid, name, sku, barcodes, category) "
               f"SELECT id, name, sku, barcodes, category FROM catalog_items WHERE {_IN_PAGE}")
_UPSERT_ITEM = (f"INSERT INTO catalog_items ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, barcodes = excluded.barcodes, "
                "unit = excluded.unit, price = excluded.price, tax_code = excluded.tax_code, "
                "tax_rate = excluded.tax_rate, category = excluded.category, active = excluded.active, "
                "colour = excluded.colour")
_DROP_CODES = f"DELETE FROM catalog_barcodes WHERE {_IN_PAGE}"
_UPSERT_CODE = ("INSERT INTO catalog_barcodes (code, sku) VALUES (?, ?) "
                "ON CONFLICT (code) DO UPDATE SET sku = excluded.sku")
_UPSERT_RATE = ("INSERT INTO catalog_tax_rates (tax_code, rate) VALUES (?, ?) "
                "ON CONFLICT (tax_code) DO UPDATE SET rate = excluded.rate")
_RERATE = "UPDATE catalog_items SET tax_rate = ? WHERE tax_code = ? AND tax_rate != ?"
_UPSERT_CATEGORY = ("INSERT INTO catalog_categories (name, colour, position) VALUES (?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET colour = excluded.colour, position = excluded.position")
# Counted per category through ix_catalog_items_grid, then each group's style looked up by
# its primary key: one lookup per category, not per item. A category without a style row
# sits at position 0 (as the server's default), so positions order the styled ones.
_CATEGORIES = ("SELECT g.category, g.items, c.colour, coalesce(c.position, 0) AS position FROM "
               "(SELECT category, count(*) AS items FROM catalog_items WHERE active = 1 GROUP BY category) g "
               "LEFT JOIN catalog_categories c ON c.name = g.category ORDER BY position, g.category")
_STATE = "SELECT version, etag, pull_cursor FROM catalog_state WHERE id = 1"

SEED_CHUNK = 5000
MAX_SEARCH_TERMS = 8
_WORD = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer calls a token


class CatalogDeltaError(ValueError):
    """A delta the till cannot apply (e.g. an item whose tax code has no known rate)."""


@dataclass(frozen=True)
class PullState:
    version: int
    etag: str | None
    cursor: str | None  # the next page of a pull under way, else None


@dataclass(frozen=True)
class PageApplied:
    """What one committed page changed."""

    upserted: list[Item]
    removed: list[str]
    rerated: dict[str, Decimal]  # tax code -> its new rate (stored items re-rated too)
    version: int | None  # the catalog version recorded with this page: only the last page's
    next_cursor: str | None


def fts_query(text: str) -> str | None:
    """The FTS5 query for what a cashier typed: every word must match, each as a prefix
    (`"bre"* AND "mil"*`); a word of digits only matches whole (a barcode or a number in a
    name), since a prefix of digits ("400") would match nearly every barcode. None when
    there is no word to look for."""
    terms = _WORD.findall(text.lower())[:MAX_SEARCH_TERMS]
    return " AND ".join(f'"{t}"' if t.isdigit() else f'"{t}"*' for t in terms) or None


class CatalogStore:
    """The catalog in the till's SQLite file; implements `core.catalog.CatalogLookup`.

    Safe to call from several threads (each lookup takes a pooled read connection); the
    cache is guarded by a lock. One store per database (`CatalogStore.of(db)`), so every
    writer empties the cache every reader uses.
    """

    _stores: weakref.WeakKeyDictionary[Database, CatalogStore] = weakref.WeakKeyDictionary()
    _stores_lock = threading.Lock()

    def __init__(self, db: Database, layout: VariableMeasureLayout | None = None,
                 cache_size: int = 4096) -> None:
        self.db = db
        self.layout = layout or DEFAULT_LAYOUT
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], Item] = OrderedDict()
        self._categories: list[Category] | None = None
        self._generation = 0
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []

    @classmethod
    def of(cls, db: Database) -> CatalogStore:
        """The one store of `db` in this process (made on first use)."""
        with cls._stores_lock:
            store = cls._stores.get(db)
            if store is None:
                store = cls._stores[db] = cls(db)
            return store

    # -- lookups (the sale path) ------------------------------------------------------------

    def by_barcode(self, code: str) -> ScanResult:
        """Validate `code` (check digit, scale label) and find its item; raises BarcodeError
        or UnknownItem."""
        return lookup_barcode(code, self.layout, self.find_key)

    def by_sku(self, sku: str) -> Item:
        item = self.find_sku(sku)
        if item is None:
            raise UnknownItem(f"unknown SKU {sku!r}", sku)
        return item

    def find_sku(self, sku: str) -> Item | None:
        return self._cached(("s", sku), _BY_SKU, sku)

    def find_key(self, key: str) -> Item | None:
        """The item whose barcode has this lookup key (`ParsedBarcode.key`), or None."""
        return self._cached(("k", key), _BY_CODE, key)

    def __contains__(self, sku: object) -> bool:
        return isinstance(sku, str) and self.find_sku(sku) is not None

    # -- search and the grid ----------------------------------------------------------------

    def search(self, text: str, limit: int = 20) -> list[Item]:
        """Active items matching every word of `text` as a prefix, best first (bm25: name,
        then SKU, barcode, category), at most `limit`. An exact SKU or a whole valid barcode
        comes first."""
        if limit <= 0:
            return []
        hits = {i.sku: i for i in self._exact(text.strip()) if i.active}
        query = fts_query(text)
        if query is not None:
            for item in self._ranked(query, limit + len(hits)):
                hits.setdefault(item.sku, item)
        return list(hits.values())[:limit]

    def _ranked(self, query: str, want: int) -> list[Item]:
        """The `want` best active matches of `query`, best first."""
        matches = self._rows(_MATCHES, query, RANKED_MATCHES + 1)[0][0]
        if matches > RANKED_MATCHES:
            bound = self._rows(_NTH_MATCH, query, RANKED_MATCHES - 1)[0][0]
            matches = RANKED_MATCHES
        else:
            bound = 2**63 - 1
        fetch = want + 8
        while True:
            rows = self._rows(_SEARCH, query, bound, fetch)
            if len(rows) >= want or fetch >= matches:  # enough, or no more to fetch
                return [_item(r) for r in rows[:want]]
            fetch *= 4  # many of the best were inactive: look further down

    def _exact(self, text: str) -> list[Item]:
        if not text:
            return []
        found = [self.find_sku(text)]
        if text.isdigit():
            try:
                found.append(self.by_barcode(text).item)
            except (UnknownItem, ValueError):  # BarcodeError is a ValueError
                pass
        return [i for i in found if i is not None]

    def categories(self) -> list[Category]:
        """Every category that has an active item, with its count, colour and position, by
        position then name (cached until the catalog changes)."""
        with self._lock:
            cached, generation = self._categories, self._generation
        if cached is not None:
            return list(cached)
        found = [Category(name, count, colour, position)
                 for name, count, colour, position in self._rows(_CATEGORIES)]
        with self._lock:
            if generation == self._generation:
                self._categories = found
        return list(found)

    def items_in(self, category: str, offset: int = 0, limit: int = 50) -> list[Item]:
        """A page of a category's active items, by name."""
        return [_item(r) for r in self._rows(
            f"{_ITEM} WHERE category = ? AND active = 1 ORDER BY name, sku LIMIT ? OFFSET ?",
            category, max(0, limit), max(0, offset))]

    def weighed_items(self, limit: int = 1000) -> list[Item]:
        """Active items sold by weight, by name (the weigh dialog's list)."""
        return [_item(r) for r in self._rows(
            f"{_ITEM} INDEXED BY ix_catalog_items_weighed WHERE unit = 'kg' AND active = 1 "
            "ORDER BY name, sku LIMIT ?", limit)]

    def count(self) -> int:
        return self._rows("SELECT count(*) FROM catalog_items")[0][0]

    def __len__(self) -> int:
        return self.count()

    def iter_items(self, batch: int = 1000) -> Iterator[Item]:
        """Every item in the order it was first stored, read `batch` at a time (for tools and
        tests: the till itself never needs them all)."""
        last = 0
        while True:
            rows = self._rows(f"SELECT id, {_COLUMNS} FROM catalog_items WHERE id > ? ORDER BY id LIMIT ?",
                              last, batch)
            if not rows:
                return
            last = rows[-1][0]
            yield from (_item(r[1:]) for r in rows)

    def __iter__(self) -> Iterator[Item]:
        return self.iter_items()

    # -- pull state ------------------------------------------------------------------------

    def pull_state(self) -> PullState:
        rows = self._rows(_STATE)
        return PullState(*rows[0]) if rows else PullState(0, None, None)

    def drop_cursor(self) -> None:
        """Forget a pull under way (the server no longer knows its cursor): the next pull
        starts again from the recorded version."""
        with self.db.transaction() as s:
            s.connection().exec_driver_sql("UPDATE catalog_state SET pull_cursor = NULL WHERE id = 1")

    # -- writes ------------------------------------------------------------------------------

    def apply_page(self, page: wire.CatalogDelta, etag: str | None = None) -> PageApplied:
        """Write one page of a pull in one transaction, with its cursor; on the last page
        (no `next_cursor`) also its version and `etag`. A crash leaves the page all or
        nothing, and the pull resumes at the first page not committed."""
        with self.db.transaction() as s:
            applied = apply_page(s, page, etag)
        self.invalidate()
        return applied

    def seed(self, items: Iterable[Item], categories: Iterable[CategoryStyle] = ()) -> int:
        """Give an empty till its first catalog (one transaction, written in chunks), with
        its categories' colours and positions; returns how many items went in (0: the till
        had items already, nothing written)."""
        with self.db.transaction() as s:
            conn = s.connection()
            if conn.exec_driver_sql("SELECT 1 FROM catalog_items LIMIT 1").first() is not None:
                return 0
            rates: dict[str, Decimal] = {}
            written = 0
            for chunk in _batched(items, SEED_CHUNK):
                unique = {item.sku: item for item in chunk}  # a SKU twice: the later row wins
                for item in unique.values():
                    rates[item.tax_code] = item.tax_rate
                _write_items(conn, list(unique.values()))
                written += len(unique)
            _write_rates(conn, rates)
            _write_categories(conn, categories)
        self.invalidate()
        return written

    def invalidate(self) -> None:
        """Forget cached items and categories (called after every committed write)."""
        with self._lock:
            self._generation += 1
            self._cache.clear()
            self._categories = None

    # -- internals ---------------------------------------------------------------------------

    def _cached(self, key: tuple[str, str], sql: str, value: str) -> Item | None:
        with self._lock:
            item = self._cache.get(key)
            if item is not None:
                self._cache.move_to_end(key)
                return item
            generation = self._generation
        rows = self._rows(sql, value)
        if not rows:
            return None
        item = _item(rows[0])
        with self._lock:
            # A write committed while we read: what we read may be older than it; don't keep it.
            if generation == self._generation:
                self._cache[key] = item
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return item

    def _rows(self, sql: str, *params: Any) -> Sequence[Any]:
        return self._connection().execute(sql, params).fetchall()

    def _connection(self) -> sqlite3.Connection:
        """This thread's read connection: autocommit (each statement reads the latest
        committed rows), `query_only`, and `mode=rw` like the till's engines (never creates
        the file)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(sqlite_uri(self.db.path, "rw"), uri=True, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA query_only=1")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close the read connections (the database's own engines close with it)."""
        with self._lock:
            connections, self._connections = self._connections, []
            self._local = threading.local()
        for conn in connections:
            conn.close()


# -- the write path (inside the caller's transaction) ------------------------------------------


def apply_page(session: Session, page: wire.CatalogDelta, etag: str | None = None) -> PageApplied:
    """`CatalogStore.apply_page` inside the caller's transaction (the store's cache is the
    caller's to empty after commit)."""
    conn = session.connection()
    changed_rates = {r.tax_code: r.rate for r in page.tax_rates}
    rerated = _write_rates(conn, changed_rates)
    rates = {code: _RATE.process_result_value(rate, None) for code, rate in
             conn.exec_driver_sql("SELECT tax_code, rate FROM catalog_tax_rates")}
    items: dict[str, Item] = {}
    for row in page.items:
        rate = rates.get(row.tax_code)
        if rate is None:
            raise CatalogDeltaError(f"item {row.sku}: tax code {row.tax_code!r} has no rate")
        try:
            items[row.sku] = Item(sku=row.sku, name=row.name, barcodes=tuple(row.barcodes),
                                  unit=Unit(row.unit), price=row.price, tax_code=row.tax_code,
                                  tax_rate=rate, category=row.category, active=row.active, colour=row.colour)
        except ItemError as exc:
            raise CatalogDeltaError(str(exc)) from None
    removed = sorted(set(page.removed) - set(items))
    _write_items(conn, list(items.values()))
    _write_categories(conn, (CategoryStyle(c.name, c.colour, c.position) for c in page.categories))
    if removed:
        gone = (json.dumps(removed),)
        conn.exec_driver_sql(_FTS_DELETE, gone)
        conn.exec_driver_sql(_DROP_CODES, gone)
        conn.exec_driver_sql(f"DELETE FROM catalog_items WHERE {_IN_PAGE}", gone)
    last = page.next_cursor is None
    if last:
        conn.exec_driver_sql(
            "INSERT INTO catalog_state (id, version, etag, pull_cursor) VALUES (1, ?, ?, NULL) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version, etag = excluded.etag, "
            "pull_cursor = NULL", (page.version, etag))
    else:
        conn.exec_driver_sql(
            "INSERT INTO catalog_state (id, version, etag, pull_cursor) VALUES (1, 0, NULL, ?) "
            "ON CONFLICT (id) DO UPDATE SET pull_cursor = excluded.pull_cursor", (page.next_cursor,))
    return PageApplied(list(items.values()), removed, {c: changed_rates[c] for c in rerated},
                       page.version if last else None, page.next_cursor)


def _write_items(conn: Connection, items: Sequence[Item]) -> None:
    """Upsert `items` (distinct SKUs), give each its barcodes (a barcode another item had
    moves to the later one, as in the in-memory index) and re-index them for search (the
    old text out of the FTS index first: an external-content index forgets a row only
    when told exactly what it indexed)."""
    if not items:
        return
    skus = (json.dumps([item.sku for item in items]),)
    rows, codes = [], []
    for item in items:
        try:
            price, rate = _MONEY.process_bind_param(item.price, None), _RATE.process_bind_param(item.tax_rate, None)
        except ValueError as exc:
            raise CatalogDeltaError(f"item {item.sku}: {exc}") from None
        rows.append((item.sku, item.name, json.dumps(list(item.barcodes)), item.unit.value, price,
                     item.tax_code, rate, item.category, item.active, item.colour))
        codes.extend((key, item.sku) for key in barcode_keys(item))
    conn.exec_driver_sql(_FTS_DELETE, skus)
    conn.exec_driver_sql(_UPSERT_ITEM, rows)
    conn.exec_driver_sql(_FTS_INSERT, skus)
    conn.exec_driver_sql(_DROP_CODES, skus)
    if codes:
        conn.exec_driver_sql(_UPSERT_CODE, codes)


def _write_categories(conn: Connection, categories: Iterable[CategoryStyle]) -> None:
    """Record the categories' colours and positions (a category the catalog no longer
    styles keeps its row: the server never unstyles one, it sets another colour)."""
    rows = [(c.name, c.colour, c.position) for c in categories]
    if rows:
        conn.exec_driver_sql(_UPSERT_CATEGORY, rows)


def _write_rates(conn: Connection, rates: dict[str, Decimal]) -> list[str]:
    """Record tax rates and re-rate the stored items of every code whose rate changed;
    the codes that re-rated something."""
    if not rates:
        return []
    params = [(code, _RATE.process_bind_param(rate, None)) for code, rate in rates.items()]
    conn.exec_driver_sql(_UPSERT_RATE, params)
    rerated = []
    for code, rate in params:
        if conn.exec_driver_sql(_RERATE, (rate, code, rate)).rowcount:
            rerated.append(code)
    return rerated


def _item(row: Sequence[Any]) -> Item:
    sku, name, barcodes, unit, price, tax_code, tax_rate, category, active, colour = row
    return Item(sku=sku, name=name, barcodes=tuple(json.loads(barcodes)), unit=Unit(unit),
                price=_MONEY.process_result_value(price, None), tax_code=tax_code,
                tax_rate=_RATE.process_result_value(tax_rate, None), category=category,
                active=bool(active), colour=colour)


def _batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# -- small helpers other modules use inside their own transactions ----------------------------

_VERSION = "SELECT version FROM catalog_state WHERE id = 1"


def catalog_version(session: Session) -> int:
    """The catalog version the till sells from (recorded with a pull's last page)."""
    return session.connection().exec_driver_sql(_VERSION).scalar() or 0


def is_empty(session: Session) -> bool:
    return session.connection().exec_driver_sql("SELECT 1 FROM catalog_items LIMIT 1").first() is None


def load_items(session: Session) -> list[Item]:
    """Every item at once: what the till did at every start before migration 0004 (the
    benchmark's baseline); the till itself never calls it."""
    return [_item(r) for r in session.connection().exec_driver_sql(f"{_ITEM} ORDER BY id")]


__all__ = ["CatalogDeltaError", "CatalogStore", "PageApplied", "PullState", "apply_page", "catalog_version",
           "fts_query", "is_empty", "load_items"]
