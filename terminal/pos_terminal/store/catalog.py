"""The till's local copy of the catalog: it sells from this when the server is away."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pos_terminal.core.catalog import Item, Unit

from .models import CatalogItemRow, CatalogState


def load_items(session: Session) -> list[Item]:
    return [
        Item(sku=r.sku, name=r.name, barcodes=tuple(json.loads(r.barcodes)), unit=Unit(r.unit),
             price=r.price, tax_code=r.tax_code, tax_rate=r.tax_rate, category=r.category,
             active=r.active)
        for r in session.scalars(select(CatalogItemRow))
    ]


def upsert_items(session: Session, items: list[Item]) -> None:
    for item in items:
        session.merge(CatalogItemRow(
            sku=item.sku, name=item.name, barcodes=json.dumps(list(item.barcodes)),
            unit=item.unit.value, price=item.price, tax_code=item.tax_code,
            tax_rate=item.tax_rate, category=item.category, active=item.active))


def remove_items(session: Session, skus: list[str]) -> None:
    if skus:
        session.execute(delete(CatalogItemRow).where(CatalogItemRow.sku.in_(skus)))


_VERSION = select(CatalogState.version).where(CatalogState.id == 1)  # built once: per-sale path


def catalog_version(session: Session) -> int:
    return session.connection().execute(_VERSION).scalar() or 0


def set_catalog_version(session: Session, version: int, etag: str | None = None) -> None:
    state = session.get(CatalogState, 1) or CatalogState(id=1)
    state.version, state.etag = version, etag
    session.add(state)


def is_empty(session: Session) -> bool:
    return session.scalars(select(CatalogItemRow.sku).limit(1)).first() is None
