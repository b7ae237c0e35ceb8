"""Catalog pull: fetch what changed since the local version and store it atomically.

The till keeps selling from its local copy; a delta (items, tax rates, removals) and the
new version/ETag land in one transaction, so a crash mid-apply leaves the old catalog
whole. The changed items are then announced (`CatalogUpdated`) for the in-memory
`Catalog`, which the UI thread updates with `upsert`/`remove`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_terminal.core.catalog import Catalog, Item, Unit
from pos_terminal.store import catalog as repo
from pos_terminal.store.db import Database
from pos_terminal.store.models import CatalogItemRow, CatalogState
from pos_protocol import wire

from .client import SyncClient
from .events import CatalogUpdated, EventHub

log = logging.getLogger(__name__)


class CatalogDeltaError(ValueError):
    """A delta the till cannot apply (e.g. an item whose tax code has no known rate)."""


@dataclass(frozen=True)
class PullResult:
    version: int
    changed: bool
    update: CatalogUpdated


class CatalogPuller:
    def __init__(self, db: Database, client: SyncClient, events: EventHub | None = None) -> None:
        self.db, self.client = db, client
        self.events = events or EventHub()

    def pull_once(self) -> PullResult:
        """Ask for changes since the local version; apply and announce them if any."""
        with self.db.reader() as s:
            version, etag = _state(s)
        pulled = self.client.catalog_delta(version, etag)
        if pulled.delta is None:
            return PullResult(version, False, CatalogUpdated())
        with self.db.transaction() as s:
            update = apply_delta(s, pulled.delta, pulled.etag)
        log.info("catalog %s -> %s: %d upserted, %d removed", version, pulled.delta.version,
                 len(update.upserted), len(update.removed))
        if update.upserted or update.removed or pulled.delta.version != version:
            self.events.emit(update)
        return PullResult(pulled.delta.version, True, update)


def apply_delta(session: Session, delta: wire.CatalogDelta, etag: str | None) -> CatalogUpdated:
    """Write the delta into the local catalog inside the caller's transaction."""
    rates = _known_rates(session)
    changed_rates = {r.tax_code: r.rate for r in delta.tax_rates}
    rates.update(changed_rates)
    items: dict[str, Item] = {}
    for row in delta.items:
        if row.tax_code not in rates:
            raise CatalogDeltaError(f"item {row.sku}: tax code {row.tax_code!r} has no rate")
        items[row.sku] = Item(sku=row.sku, name=row.name, barcodes=tuple(row.barcodes),
                              unit=Unit(row.unit), price=row.price, tax_code=row.tax_code,
                              tax_rate=rates[row.tax_code], category=row.category,
                              active=row.active)
    # A new rate for a code also re-prices the tax of items the delta did not list.
    for stored in repo.load_items(session):
        new_rate = changed_rates.get(stored.tax_code)
        if stored.sku not in items and new_rate is not None and new_rate != stored.tax_rate:
            items[stored.sku] = replace(stored, tax_rate=new_rate)
    removed = sorted(set(delta.removed) - set(items))
    repo.upsert_items(session, list(items.values()))
    repo.remove_items(session, removed)
    repo.set_catalog_version(session, delta.version, etag)
    return CatalogUpdated(list(items.values()), removed)


def apply_to_catalog(catalog: Catalog, update: CatalogUpdated) -> None:
    """What the UI thread does with a `CatalogUpdated` event."""
    for item in update.upserted:
        catalog.upsert(item)
    for sku in update.removed:
        if sku in catalog:
            catalog.remove(sku)


def _state(session: Session) -> tuple[int, str | None]:
    state = session.get(CatalogState, 1)
    return (state.version, state.etag) if state else (0, None)


def _known_rates(session: Session) -> dict[str, Decimal]:
    return {code: rate for code, rate in session.execute(
        select(CatalogItemRow.tax_code, CatalogItemRow.tax_rate).distinct())}
