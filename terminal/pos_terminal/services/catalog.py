"""Loading the sellable catalog into memory, seeding a new till, applying server deltas."""

from __future__ import annotations

import csv
from pathlib import Path

from pos_terminal.core.catalog import Catalog, Item
from pos_terminal.store import catalog as repo
from pos_terminal.store.db import Database


def read_catalog_csv(path: Path) -> list[Item]:
    """Items from a CSV with PROTOCOL.md's header; a bad row names itself in the error."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [Item.from_row(row) for row in csv.DictReader(fh)]


def seed_catalog(db: Database, csv_path: Path | None) -> None:
    """Give an empty till the configured catalog so it can sell before it ever syncs."""
    if csv_path is None:
        return
    with db.transaction() as s:
        if repo.is_empty(s):
            repo.upsert_items(s, read_catalog_csv(csv_path))


def load_catalog(db: Database) -> Catalog:
    with db.reader() as s:
        return Catalog(repo.load_items(s))
