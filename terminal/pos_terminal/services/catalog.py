"""The catalog use cases: what the sale screen, its search and its grid ask, and seeding.

Every answer comes from the till's SQLite indexes (`store.catalog.CatalogStore`); nothing
here holds the catalog in memory, so a till with 100,000 items starts as fast as one with
a hundred. A pull applies its pages through the same store (`sync.catalog_pull`), which
empties the store's cache of recently scanned items after each commit.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from pos_terminal.core.catalog import Category, CategoryStyle, Item, ItemError, ScanResult, checked_colour
from pos_terminal.store.catalog import CatalogStore, is_empty
from pos_terminal.store.db import Database


class CatalogService:
    """`Services.catalog`: lookups for ringing up (a `core.catalog.CatalogLookup`), search
    and the category grid for the cashier's screens."""

    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    # ringing up
    def by_barcode(self, code: str) -> ScanResult:
        return self.store.by_barcode(code)

    def by_sku(self, sku: str) -> Item:
        return self.store.by_sku(sku)

    # the search screen and the grid
    def search(self, text: str, limit: int = 20) -> list[Item]:
        """Active items matching every word typed (each a prefix), best first."""
        return self.store.search(text, limit)

    def categories(self) -> list[Category]:
        return self.store.categories()

    def items_in(self, category: str, offset: int = 0, limit: int = 50) -> list[Item]:
        return self.store.items_in(category, offset, limit)

    def weighed_items(self) -> list[Item]:
        return self.store.weighed_items()

    # everything else reads the store on demand
    def count(self) -> int:
        return self.store.count()

    def __len__(self) -> int:
        return self.store.count()

    def __contains__(self, sku: object) -> bool:
        return sku in self.store

    def __iter__(self) -> Iterator[Item]:
        """Every item, streamed from the database (tools and tests; never at start)."""
        return self.store.iter_items()


def iter_catalog_csv(path: Path) -> Iterator[Item]:
    """Items from a CSV with PROTOCOL.md's header, one row at a time; a bad row names
    itself in the error."""
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield Item.from_row(row)


def read_catalog_csv(path: Path) -> list[Item]:
    return list(iter_catalog_csv(path))


def read_categories_csv(path: Path) -> list[CategoryStyle]:
    """Category colours and positions from a CSV with the header `category,colour,position`
    (the server's `catalog import --categories` file); a bad row names itself in the error."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [_category_style(row) for row in csv.DictReader(fh)]


def _category_style(row: dict[str, str]) -> CategoryStyle:
    try:
        position = (row["position"] or "0").strip()
        if not position.isdigit():
            raise ValueError(f"position must be a whole number, got {row['position']!r}")
        return CategoryStyle(row["category"].strip(), checked_colour(row["colour"]), int(position))
    except (KeyError, AttributeError, ValueError) as exc:
        raise ItemError(f"bad category row {dict(row)!r}: {exc}") from None


def seed_catalog(db: Database, csv_path: Path | None, categories_csv: Path | None = None) -> int:
    """Give an empty till the configured catalog so it can sell before it ever syncs
    (in bulk, one transaction), with its categories' colours; how many items went in."""
    if csv_path is None:
        return 0
    store = CatalogStore.of(db)
    with db.reader() as s:
        if not is_empty(s):
            return 0  # the usual start: the CSV is not even opened
    categories = read_categories_csv(categories_csv) if categories_csv is not None else []
    return store.seed(iter_catalog_csv(csv_path), categories)


def open_catalog(db: Database) -> CatalogService:
    return CatalogService(CatalogStore.of(db))
