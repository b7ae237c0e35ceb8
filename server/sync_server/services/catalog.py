"""The store's catalog: item upserts with price history, deltas by version, CSV import."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Connection, Row, insert, select, update

from pos_protocol.money import round_money

from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError, store_unknown, validation_failed
from ..db.models import Item, ItemPrice, Store, TaxRateRow
from pos_protocol.wire import CatalogDelta, CatalogItem, ItemUpsert, TaxRate

CSV_HEADER = ["sku", "name", "barcodes", "unit", "price", "tax_code", "tax_rate", "category", "active"]


def price_in_force(history: list[Row], at: datetime) -> Row:
    """Of one item's price rows (oldest first), the last effective at `at`; the first one if
    `at` predates them all (a till's clock running behind)."""
    in_force = [row for row in history if row.effective_from <= at]
    return in_force[-1] if in_force else history[0]


def next_version(conn: Connection, store_id: str) -> int:
    """Bump the store's catalog version; the row lock serializes catalog writers per store."""
    version = conn.execute(
        update(Store)
        .where(Store.store_id == store_id)
        .values(catalog_version=Store.catalog_version + 1)
        .returning(Store.catalog_version)
    ).scalar_one_or_none()
    if version is None:
        raise store_unknown(store_id)
    return version


def check_price_scale(conn: Connection, store_id: str, items: list[tuple[str, ItemUpsert]]) -> None:
    """422 for a price with more decimals than the store's currency: tills keep prices at
    that scale (a 1.999 price would break every catalog pull and, if sold, every order)."""
    scale = conn.execute(select(Store.currency_scale).where(Store.store_id == store_id)).scalar_one_or_none()
    if scale is None:
        return  # next_version reports the unknown store
    bad = [f"{sku}: price {item.price} has more than {scale} decimals" for sku, item in items
           if item.price != round_money(item.price, scale)]
    if bad:
        raise validation_failed(bad)


# Tills take a price as soon as it is in the catalog delta, so a price that starts later
# would be sold early and every such sale held: scheduling is refused (beyond clock skew).
MAX_FUTURE_EFFECTIVE = timedelta(seconds=5)


def upsert_item(conn: Connection, store_id: str, sku: str, item: ItemUpsert, version: int) -> None:
    check_price_scale(conn, store_id, [(sku, item)])
    if item.effective_from is not None and item.effective_from > datetime.now(UTC) + MAX_FUTURE_EFFECTIVE:
        raise validation_failed(
            f"{sku}: effective_from {item.effective_from.isoformat()} is in the future; scheduled "
            "price changes are not supported, send the change when it takes effect")
    _upsert_item(conn, store_id, sku, item, version)


def _upsert_item(conn: Connection, store_id: str, sku: str, item: ItemUpsert, version: int) -> None:
    values = {
        "name": item.name, "barcodes": json.dumps(item.barcodes), "unit": item.unit, "price": item.price,
        "tax_code": item.tax_code, "category": item.category, "active": item.active, "removed": False,
        "version": version,
    }
    where = (Item.store_id == store_id, Item.sku == sku)
    if conn.execute(update(Item).where(*where).values(**values)).rowcount == 0:
        conn.execute(insert(Item).values(store_id=store_id, sku=sku, **values))
    effective = item.effective_from or datetime.now(UTC)
    conn.execute(
        insert(ItemPrice).values(
            store_id=store_id, sku=sku, price=item.price, tax_code=item.tax_code, tax_rate=item.tax_rate,
            active=item.active, catalog_version=version, effective_from=effective,
        )
    )
    _upsert_tax_rate(conn, store_id, sku, item, version, effective)


def _upsert_tax_rate(conn: Connection, store_id: str, sku: str, item: ItemUpsert, version: int,
                     effective: datetime) -> None:
    current = conn.execute(
        select(TaxRateRow.rate).where(TaxRateRow.store_id == store_id, TaxRateRow.tax_code == item.tax_code)
    ).scalar_one_or_none()
    if current is None:
        conn.execute(insert(TaxRateRow).values(store_id=store_id, tax_code=item.tax_code, rate=item.tax_rate, version=version))
    elif current != item.tax_rate:
        conn.execute(
            update(TaxRateRow)
            .where(TaxRateRow.store_id == store_id, TaxRateRow.tax_code == item.tax_code)
            .values(rate=item.tax_rate, version=version)
        )
        _rerate_code(conn, store_id, item.tax_code, item.tax_rate, version, effective, sku)


def _rerate_code(conn: Connection, store_id: str, tax_code: str, rate: Decimal, version: int,
                 effective: datetime, changed_sku: str) -> None:
    """A code's new rate applies to every item of that code: the delta's `tax_rates` tells
    the tills so and they re-rate them all. Give each other item of the code a price row
    with the new rate from the same moment (its price unchanged), else the price lock would
    hold every later sale of those items as TAX_CHANGED."""
    # A subquery, not a list of skus: a code can cover more items than a statement takes parameters.
    skus = select(Item.sku).where(Item.store_id == store_id, Item.tax_code == tax_code, Item.sku != changed_sku)
    history: dict[str, list[Row]] = defaultdict(list)
    for row in conn.execute(
        select(ItemPrice.sku, ItemPrice.price, ItemPrice.tax_code, ItemPrice.active, ItemPrice.effective_from)
        .where(ItemPrice.store_id == store_id, ItemPrice.sku.in_(skus))
        .order_by(ItemPrice.sku, ItemPrice.effective_from, ItemPrice.id)
    ):
        history[row.sku].append(row)
    in_force = [price_in_force(prices, effective) for prices in history.values()]
    rows = [
        {"store_id": store_id, "sku": row.sku, "price": row.price, "tax_code": tax_code, "tax_rate": rate,
         "active": row.active, "catalog_version": version, "effective_from": effective}
        for row in in_force if row.tax_code == tax_code
    ]
    if rows:
        conn.execute(insert(ItemPrice), rows)
    # Prices scheduled after the change are not in force yet: they take the new rate too.
    conn.execute(
        update(ItemPrice)
        .where(ItemPrice.store_id == store_id, ItemPrice.sku.in_(skus), ItemPrice.tax_code == tax_code,
               ItemPrice.effective_from > effective)
        .values(tax_rate=rate)
    )


def remove_item(conn: Connection, store_id: str, sku: str) -> int:
    version = next_version(conn, store_id)
    if conn.execute(
        update(Item).where(Item.store_id == store_id, Item.sku == sku).values(removed=True, active=False, version=version)
    ).rowcount == 0:
        raise DomainError(ErrorCode.ITEM_UNKNOWN, f"no item {sku} in store {store_id}")
    return version


def delta(conn: Connection, store_id: str, since: int, version: int) -> CatalogDelta:
    rows = conn.execute(
        select(Item).where(Item.store_id == store_id, Item.version > since).order_by(Item.sku)
    ).mappings().all()
    rates = conn.execute(
        select(TaxRateRow.tax_code, TaxRateRow.rate)
        .where(TaxRateRow.store_id == store_id, TaxRateRow.version > since)
        .order_by(TaxRateRow.tax_code)
    ).all()
    return CatalogDelta(
        version=version,
        items=[
            CatalogItem(
                sku=r["sku"], name=r["name"], barcodes=json.loads(r["barcodes"]), unit=r["unit"], price=r["price"],
                tax_code=r["tax_code"], category=r["category"], active=r["active"],
            )
            for r in rows
            if not r["removed"]
        ],
        tax_rates=[TaxRate(tax_code=code, rate=rate) for code, rate in rates],
        removed=[r["sku"] for r in rows if r["removed"]],
    )


def read_csv(path: Path) -> list[tuple[str, ItemUpsert]]:
    """Parse a catalog CSV; every bad row is reported with its line number, nothing is imported."""
    items, errors = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != CSV_HEADER:
            raise ValueError(f"header must be {','.join(CSV_HEADER)}, got {','.join(reader.fieldnames or [])}")
        for line_no, row in enumerate(reader, start=2):
            try:
                items.append((row["sku"], _row_item(row)))
            except (ValidationError, ValueError) as exc:
                errors.append(f"line {line_no}: {exc}")
    if errors:
        raise ValueError("\n".join(errors[:50]))
    return items


def _row_item(row: dict[str, str]) -> ItemUpsert:
    active = row["active"].strip().lower()
    if active not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValueError(f"active must be true or false, got {row['active']!r}")
    return ItemUpsert(
        name=row["name"], barcodes=[b for b in row["barcodes"].split("|") if b], unit=row["unit"],
        price=row["price"], tax_code=row["tax_code"], tax_rate=row["tax_rate"], category=row["category"],
        active=active in {"true", "1", "yes"},
    )


def import_items(conn: Connection, store_id: str, items: list[tuple[str, ItemUpsert]]) -> int:
    """All rows under one new catalog version, in the caller's transaction."""
    version = next_version(conn, store_id)
    check_price_scale(conn, store_id, items)
    for sku, item in items:
        _upsert_item(conn, store_id, sku, item, version)
    return version
