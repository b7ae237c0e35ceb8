"""The store's catalog: item upserts with price history, category colours, paged deltas by version,
bulk CSV import."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, Row, func, insert, literal, select, true, update

from pos_protocol.money import round_money

from pos_protocol.codes import ErrorCode

from ..core.errors import DomainError, store_unknown, validation_failed
from ..db import bulk
from ..db.models import ITEM_PRICES, ITEMS, CategoryRow, Item, ItemPrice, Store, TaxRateRow
from pos_protocol.wire import (CatalogCategory, CatalogDelta, CatalogItem, CategoryOut, CategorySet, Id, ItemUpsert,
                               TaxRate)

CSV_HEADER = ["sku", "name", "barcodes", "unit", "price", "tax_code", "tax_rate", "category", "active"]
CSV_HEADER_COLOUR = [*CSV_HEADER, "colour"]
"""The header with the items' own tile colours (`#RRGGBB`, or empty for the category's)."""
CATEGORIES_HEADER = ["category", "colour", "position"]


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
        "version": version, "colour": item.colour,
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


# ---------------------------------------------------------------------------- deltas


@dataclass(frozen=True)
class PageCursor:
    """Where a paged pull stands: its store, `since` and target version, and the last SKU sent."""

    store_id: str
    since: int
    target: int
    after: str


_CURSOR_CHECK = b"pos-sync catalog cursor v1\n"


def encode_cursor(cursor: PageCursor) -> str:
    """Opaque to tills: URL-safe base64 of the JSON fields and 8 bytes of their SHA-256 (so a
    cursor damaged on the way or in the till's database is refused, never misread)."""
    payload = json.dumps([cursor.store_id, cursor.since, cursor.target, cursor.after], separators=(",", ":")).encode()
    check = hashlib.sha256(_CURSOR_CHECK + payload).digest()[:8]
    return base64.urlsafe_b64encode(payload + check).rstrip(b"=").decode()


def decode_cursor(text: str) -> PageCursor:
    """The cursor `encode_cursor` made; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
        payload, check = raw[:-8], raw[-8:]
        if len(raw) <= 8 or not hmac.compare_digest(check, hashlib.sha256(_CURSOR_CHECK + payload).digest()[:8]):
            raise ValueError("checksum")
        store_id, since, target, after = json.loads(payload)
    except (ValueError, TypeError, UnicodeError) as exc:  # binascii.Error and JSONDecodeError are ValueErrors
        raise ValueError("not a catalog cursor") from exc
    if not (isinstance(store_id, str) and isinstance(after, str) and type(since) is int and type(target) is int
            and 0 <= since < target):
        raise ValueError("not a catalog cursor")
    return PageCursor(store_id, since, target, after)


SPARSE_RANGE = 10_000
"""A delta range with fewer rows than this is read through the version index and sorted, page
by page; a larger one by walking the primary key in SKU order (see `delta`)."""

ANALYZE_AFTER = 5_000
"""A PostgreSQL import that adds or changes this many items refreshes the table's statistics."""

_ITEM_FIELDS = (ITEMS.c.sku, ITEMS.c.name, ITEMS.c.barcodes, ITEMS.c.unit, ITEMS.c.price, ITEMS.c.tax_code,
                 ITEMS.c.category, ITEMS.c.active, ITEMS.c.removed, ITEMS.c.colour)


def delta(conn: Connection, store_id: str, since: int, version: int, *, after: str | None = None,
          limit: int | None = None) -> CatalogDelta:
    """One page of what changed in (since, version] (README "Catalog paging").

    Items and removed SKUs with a version in that range, in one scan ordered by SKU, after
    the SKU `after` (the first page: none), at most `limit` of them (None: all, one page).
    `next_cursor` asks for the rest. The first page also carries the tax rates changed after
    `since`, also those changed after `version`: the pull's items may need them and the
    next pull brings them again."""
    sku, item_version = ITEMS.c.sku, ITEMS.c.version
    if limit is not None:
        # Two ways to a page, chosen by how many rows the range holds. A few are found
        # through ix_items_store_version and sorted (`sku || ''` keeps the planner from
        # walking the primary key for the ORDER BY, which reads the whole store for them).
        # Many, by walking the primary key (store_id, sku) from the cursor on and filtering
        # versions, so a full pull reads the table once; through the version index every
        # page would sort the whole range. SQLite, without statistics of ranges, is kept off
        # that index (`version + 0`); PostgreSQL's planner picks the primary key itself from
        # its statistics, which a bulk import refreshes (ANALYZE_AFTER).
        in_range = (select(literal(1)).where(ITEMS.c.store_id == store_id, item_version > since,
                                             item_version <= version).limit(SPARSE_RANGE))
        if conn.execute(select(func.count()).select_from(in_range.subquery())).scalar_one() < SPARSE_RANGE:
            sku = sku.concat("")
        elif conn.dialect.name == "sqlite":
            item_version = item_version + 0
    query = (select(*_ITEM_FIELDS)
             .where(ITEMS.c.store_id == store_id, item_version > since, item_version <= version)
             .order_by(sku))
    if after is not None:
        query = query.where(sku > after)
    if limit is not None:
        query = query.limit(limit + 1)  # one more tells whether another page follows
    rows = conn.execute(query).all()
    next_cursor = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(PageCursor(store_id, since, version, rows[-1].sku))
    rates = [] if after is not None else conn.execute(
        select(TaxRateRow.tax_code, TaxRateRow.rate)
        .where(TaxRateRow.store_id == store_id, TaxRateRow.version > since)
        .order_by(TaxRateRow.tax_code)
    ).all()
    return CatalogDelta(
        version=version,
        items=[_catalog_item(r) for r in rows if not r.removed],
        tax_rates=[TaxRate(tax_code=code, rate=rate) for code, rate in rates],
        removed=[r.sku for r in rows if r.removed],
        next_cursor=next_cursor,
        categories=[] if after is not None else changed_categories(conn, store_id, since),
    )


def _catalog_item(r: Row) -> CatalogItem:
    return CatalogItem(sku=r.sku, name=r.name, barcodes=json.loads(r.barcodes), unit=r.unit, price=r.price,
                       tax_code=r.tax_code, category=r.category, active=r.active, colour=r.colour)


# ---------------------------------------------------------------------------- categories


def changed_categories(conn: Connection, store_id: str, since: int = 0) -> list[CatalogCategory]:
    """The store's categories changed after catalog version `since` (0: all), by position and
    name: what a delta's first page carries. Like tax rates, also those changed after the
    pull's target version: the next pull brings them again, which changes nothing."""
    rows = conn.execute(
        select(CategoryRow.name, CategoryRow.colour, CategoryRow.position)
        .where(CategoryRow.store_id == store_id, CategoryRow.version > since)
        .order_by(CategoryRow.position, CategoryRow.name)
    ).all()
    return [CatalogCategory(name=r.name, colour=r.colour, position=r.position) for r in rows]


def list_categories(conn: Connection, store_id: str) -> list[CatalogCategory]:
    """Every category of the store with a colour or position set, by position and name."""
    if conn.execute(select(Store.store_id).where(Store.store_id == store_id)).first() is None:
        raise store_unknown(store_id)
    return changed_categories(conn, store_id)


def set_category(conn: Connection, store_id: str, category: CategorySet) -> CategoryOut:
    """Give a category its tile colour and position under a new catalog version, so every
    till gets it with its next pull. The category need not have items yet."""
    version = next_version(conn, store_id)
    _write_categories(conn, store_id, [category], version)
    return CategoryOut(store_id=store_id, name=category.name, colour=category.colour, position=category.position,
                       catalog_version=version)


def _write_categories(conn: Connection, store_id: str, categories: list[CategorySet], version: int) -> None:
    for category in categories:
        values = {"colour": category.colour, "position": category.position, "version": version}
        where = (CategoryRow.store_id == store_id, CategoryRow.name == category.name)
        if conn.execute(update(CategoryRow).where(*where).values(**values)).rowcount == 0:
            conn.execute(insert(CategoryRow).values(store_id=store_id, name=category.name, **values))


def _changed_categories(conn: Connection, store_id: str, categories: list[CategorySet]) -> list[CategorySet]:
    """Of `categories`, those whose colour or position differ from what the store has."""
    current = {r.name: (r.colour, r.position) for r in conn.execute(
        select(CategoryRow.name, CategoryRow.colour, CategoryRow.position).where(CategoryRow.store_id == store_id))}
    return [c for c in categories if current.get(c.name) != (c.colour, c.position)]


# ---------------------------------------------------------------------------- CSV import

_SKU = TypeAdapter(Id)


def read_csv(path: Path, currency_scale: int | None = None) -> list[tuple[str, ItemUpsert]]:
    """Parse a catalog CSV; every bad row is reported with its line number, nothing is imported.

    Beyond each row's fields: a SKU the protocol can carry (an order line's `sku`), each SKU
    once, one rate per tax code, and, given the store's `currency_scale`, prices at that scale."""
    items: list[tuple[str, ItemUpsert]] = []
    errors: list[str] = []
    sku_line: dict[str, int] = {}
    code_rate: dict[str, tuple[Decimal, int]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames not in (CSV_HEADER, CSV_HEADER_COLOUR):
            raise ValueError(f"header must be {','.join(CSV_HEADER)} (optionally followed by ,colour), "
                             f"got {','.join(reader.fieldnames or [])}")
        fields = len(reader.fieldnames)
        for row in reader:
            line_no = reader.line_num
            if None in row or None in row.values():  # DictReader's marks for too many, too few fields
                count = fields + len(row[None]) if None in row else sum(v is not None for v in row.values())
                errors.append(f"line {line_no}: expected {fields} fields, got {count}")
                continue
            try:
                sku = _SKU.validate_python(row["sku"])
            except ValidationError:
                errors.append(f"line {line_no}: sku {row['sku']!r} must be 1 to 64 of A-Z a-z 0-9 . _ : -")
                continue
            try:
                item = _row_item(row)
            except (ValidationError, ValueError) as exc:
                errors.append(f"line {line_no}: {_error_text(exc)}")
                continue
            if (first := sku_line.setdefault(sku, line_no)) != line_no:
                errors.append(f"line {line_no}: sku {sku} is already on line {first}")
            rate, rate_line = code_rate.setdefault(item.tax_code, (item.tax_rate, line_no))
            if rate != item.tax_rate:
                errors.append(f"line {line_no}: tax code {item.tax_code} has rate {item.tax_rate} here but {rate} "
                              f"on line {rate_line}; a tax code has one rate")
            if currency_scale is not None and item.price != round_money(item.price, currency_scale):
                errors.append(f"line {line_no}: price {item.price} has more than {currency_scale} decimals")
            items.append((sku, item))
    if errors:
        raise ValueError(_errors_text(errors))
    return items


def _errors_text(errors: list[str], shown: int = 50) -> str:
    """A file's bad lines, one a line: the first `shown` of them, and how many more."""
    more = f"\n... and {len(errors) - shown} more" if len(errors) > shown else ""
    return "\n".join(errors[:shown]) + more


def _row_item(row: dict[str, str]) -> ItemUpsert:
    active = row["active"].strip().lower()
    if active not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValueError(f"active must be true or false, got {row['active']!r}")
    return ItemUpsert(
        name=row["name"], barcodes=[b for b in row["barcodes"].split("|") if b], unit=row["unit"],
        price=row["price"], tax_code=row["tax_code"], tax_rate=row["tax_rate"], category=row["category"],
        active=active in {"true", "1", "yes"}, colour=row.get("colour", "").strip() or None,
    )


def read_categories_csv(path: Path) -> list[CategorySet]:
    """Parse a categories CSV (`category,colour,position`: the tile colour `#RRGGBB` or empty
    for the till's own, the place among the categories, empty for 0); every bad row is
    reported with its line number, nothing is imported."""
    categories: list[CategorySet] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != CATEGORIES_HEADER:
            raise ValueError(f"header must be {','.join(CATEGORIES_HEADER)}, got {','.join(reader.fieldnames or [])}")
        for row in reader:
            line_no = reader.line_num
            if None in row or None in row.values():
                errors.append(f"line {line_no}: expected {len(CATEGORIES_HEADER)} fields")
                continue
            try:
                category = _row_category(row)
            except (ValidationError, ValueError) as exc:
                errors.append(f"line {line_no}: {_error_text(exc)}")
                continue
            if (first := seen.setdefault(category.name, line_no)) != line_no:
                errors.append(f"line {line_no}: category {category.name} is already on line {first}")
            categories.append(category)
    if errors:
        raise ValueError(_errors_text(errors))
    return categories


def _row_category(row: dict[str, str]) -> CategorySet:
    position = row["position"].strip() or "0"
    if not position.isdigit():
        raise ValueError(f"position must be a whole number, got {row['position']!r}")
    return CategorySet(name=row["category"], colour=row["colour"].strip() or None, position=int(position))


def _error_text(exc: Exception) -> str:
    """A pydantic error as `field: message; field: message` (one line, for a line of a
    file), anything else as it is."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(part) for part in error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
                         for error in exc.errors())
    return str(exc)


@dataclass(frozen=True)
class ImportResult:
    version: int
    """The store's catalog version after the import: a new one, or the old one if nothing changed."""
    added: int
    updated: int
    """Items whose catalog fields (what the delta carries) changed: they have the new version."""
    unchanged: int
    """Items of the file whose catalog fields are as they were (their price may still have a new row)."""
    price_rows: int
    """item_prices rows appended: new items, price/tax/active changes, items re-rated by a code's new rate."""
    rerated: int
    """Of those, the rows of items the file does not list, re-rated by their code's new rate."""
    tax_codes: int
    """Tax codes added or given a new rate."""
    categories: int = 0
    """Categories added or given a new colour or position."""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.price_rows or self.tax_codes or self.categories)


def import_items(conn: Connection, store_id: str, items: list[tuple[str, ItemUpsert]],
                 now: datetime | None = None, categories: Sequence[CategorySet] = ()) -> ImportResult:
    """Upsert many items under one new catalog version, in the caller's transaction.

    Existing rows are read in bulk and only real changes are written: an item whose catalog
    fields differ gets the new version, a price, tax or active state that differs from the
    one in force gets a price row (effective now), and a tax code's new rate re-rates every
    item of that code, as `upsert_item` does. Items not in `items` are left alone; so are
    categories not in `categories`, and those given a new colour or position get the new
    version. Nothing changed: nothing is written and the version stays (README "Catalog import")."""
    store = conn.execute(
        select(Store.catalog_version, Store.currency_scale).where(Store.store_id == store_id).with_for_update()
    ).first()  # the row lock serializes catalog writers per store (SQLite: BEGIN IMMEDIATE)
    if store is None:
        raise store_unknown(store_id)
    _check_items(items, store.currency_scale)
    version = store.catalog_version + 1
    effective = now or datetime.now(UTC)
    current = {row.sku: row for row in conn.execute(select(*_ITEM_FIELDS).where(ITEMS.c.store_id == store_id)).all()}
    in_force = prices_in_force(conn, store_id, effective, list(current))
    rates = dict(conn.execute(select(TaxRateRow.tax_code, TaxRateRow.rate).where(TaxRateRow.store_id == store_id)).all())

    added, updated, price_rows = [], [], []
    unchanged = 0
    for sku, item in items:
        barcodes = json.dumps(item.barcodes)
        old = current.get(sku)
        values = {"store_id": store_id, "sku": sku, "name": item.name, "barcodes": barcodes, "unit": item.unit,
                  "price": item.price, "tax_code": item.tax_code, "category": item.category, "active": item.active,
                  "removed": False, "version": version, "colour": item.colour}
        if old is None:
            added.append(values)
        elif _item_differs(old, item, barcodes):
            updated.append(values)
        else:
            unchanged += 1
        price = in_force.get(sku)
        if price is None or (price.price, price.tax_code, price.tax_rate, price.active) != (
                item.price, item.tax_code, item.tax_rate, item.active):
            price_rows.append({"store_id": store_id, "sku": sku, "price": item.price, "tax_code": item.tax_code,
                               "tax_rate": item.tax_rate, "active": item.active, "catalog_version": version,
                               "effective_from": item.effective_from or effective})

    file_rates = {item.tax_code: item.tax_rate for _, item in items}
    new_codes = {code: rate for code, rate in file_rates.items() if code not in rates}
    rerated = {code: rate for code, rate in file_rates.items() if code in rates and rates[code] != rate}
    rerate_rows = []
    if rerated:
        # A code's new rate applies to every item of that code (README "Price lock (server)"):
        # the items not in the file keep their price in force, with the new rate from now.
        in_file = {sku for sku, _ in items}
        rerate_rows = [
            {"store_id": store_id, "sku": sku, "price": row.price, "tax_code": row.tax_code,
             "tax_rate": rerated[row.tax_code], "active": row.active, "catalog_version": version,
             "effective_from": effective}
            for sku, row in in_force.items() if row.tax_code in rerated and sku not in in_file
        ]
        price_rows.extend(rerate_rows)
    new_categories = _changed_categories(conn, store_id, list(categories))
    result = ImportResult(version=version, added=len(added), updated=len(updated), unchanged=unchanged,
                          price_rows=len(price_rows), rerated=len(rerate_rows),
                          tax_codes=len(new_codes) + len(rerated), categories=len(new_categories))
    if not result.changed:
        return replace(result, version=store.catalog_version)

    conn.execute(update(Store).where(Store.store_id == store_id).values(catalog_version=version))
    bulk.insert_rows(conn, ITEMS, added)
    bulk.update_rows(conn, ITEMS, ("store_id", "sku"), updated)
    bulk.insert_rows(conn, ITEM_PRICES, price_rows)
    _write_categories(conn, store_id, new_categories, version)
    if new_codes:
        conn.execute(insert(TaxRateRow), [{"store_id": store_id, "tax_code": code, "rate": rate, "version": version}
                                          for code, rate in new_codes.items()])
    for code, rate in rerated.items():
        conn.execute(update(TaxRateRow).where(TaxRateRow.store_id == store_id, TaxRateRow.tax_code == code)
                     .values(rate=rate, version=version))
        # Prices scheduled after the change are not in force yet: they take the new rate too.
        conn.execute(update(ItemPrice).where(ItemPrice.store_id == store_id, ItemPrice.tax_code == code,
                                             ItemPrice.effective_from > effective).values(tax_rate=rate))
    if conn.dialect.name == "postgresql" and len(added) + len(updated) >= ANALYZE_AFTER:
        # "Run ANALYZE afterwards" (PostgreSQL manual, Populating a Database): without fresh
        # statistics on the new versions the planner pages a full pull through the version
        # index and a sort, page after page, instead of walking the primary key (delta()).
        conn.exec_driver_sql("ANALYZE items")
    return result


def _check_items(items: list[tuple[str, ItemUpsert]], scale: int) -> None:
    """What read_csv checks with line numbers, again by SKU for callers that did not read a CSV."""
    errors, seen, code_rate = [], set(), {}
    for sku, item in items:
        if sku in seen:
            errors.append(f"{sku}: more than once")
        seen.add(sku)
        if code_rate.setdefault(item.tax_code, item.tax_rate) != item.tax_rate:
            errors.append(f"{sku}: tax code {item.tax_code} with rate {item.tax_rate} and {code_rate[item.tax_code]}")
        if item.price != round_money(item.price, scale):
            errors.append(f"{sku}: price {item.price} has more than {scale} decimals")
        if item.effective_from is not None and item.effective_from > datetime.now(UTC) + MAX_FUTURE_EFFECTIVE:
            errors.append(f"{sku}: effective_from {item.effective_from.isoformat()} is in the future")
    if errors:
        raise validation_failed(errors)


def _item_differs(old: Row, item: ItemUpsert, barcodes: str) -> bool:
    return (
        old.removed or old.name != item.name or old.unit != item.unit or old.price != item.price
        or old.tax_code != item.tax_code or old.category != item.category or old.active != item.active
        or old.colour != item.colour or (old.barcodes != barcodes and json.loads(old.barcodes) != item.barcodes)
    )


def prices_in_force(conn: Connection, store_id: str, at: datetime, skus: list[str]) -> dict[str, Row]:
    """The price row in force at `at` (see price_in_force) of each of the store's items
    `skus`, all at once: one probe of ix_item_prices_lookup per item, however long the history."""
    p = ITEM_PRICES.alias("p")
    fields = (p.c.sku, p.c.price, p.c.tax_code, p.c.tax_rate, p.c.active)
    last = (select(*fields)
            .where(p.c.store_id == ITEMS.c.store_id, p.c.sku == ITEMS.c.sku, p.c.effective_from <= at)
            .order_by(p.c.effective_from.desc(), p.c.id.desc()).limit(1))
    if conn.dialect.name == "postgresql":
        # A LATERAL subquery per item; PostgreSQL would hash a scalar subquery in the join
        # condition against a scan of the whole history.
        chosen = last.lateral("in_force")
        query = select(*chosen.c).select_from(ITEMS.join(chosen, true()))
    else:  # SQLite has no LATERAL; it probes the index for a scalar subquery per item
        t = ITEM_PRICES
        query = select(t.c.sku, t.c.price, t.c.tax_code, t.c.tax_rate, t.c.active).select_from(
            ITEMS.join(t, t.c.id == last.with_only_columns(p.c.id).scalar_subquery()))
    found = {row.sku: row for row in conn.execute(query.where(ITEMS.c.store_id == store_id)).all()}
    # An item priced only from a moment after `at` (within the allowed clock skew): its first row.
    later = [sku for sku in skus if sku not in found]
    for start in range(0, len(later), 500):
        history = conn.execute(select(*fields).where(p.c.store_id == store_id, p.c.sku.in_(later[start:start + 500]))
                               .order_by(p.c.sku, p.c.effective_from.desc(), p.c.id.desc())).all()
        found.update((row.sku, row) for row in history)  # the last one written per SKU is its earliest
    return found


# -- the back office: search and one price change ------------------------------------------

SEARCH_LIMIT = 50


def search_items(conn: Connection, store_id: str, text: str, limit: int = SEARCH_LIMIT) -> list[CatalogItem]:
    """Items (removed ones left out) whose SKU, name, category or barcodes contain every
    word of `text`, case-insensitively; by name. A plain LIKE scan: an office search runs
    now and then over one store's catalog, not at a till's pace."""
    if conn.execute(select(Store.store_id).where(Store.store_id == store_id)).first() is None:
        raise store_unknown(store_id)
    query = select(Item).where(Item.store_id == store_id, Item.removed.is_(False))
    for word in text.split()[:8]:
        pattern = f"%{_like_escape(word.lower())}%"
        query = query.where(func.lower(Item.sku + " " + Item.name + " " + Item.category + " " + Item.barcodes)
                            .like(pattern, escape="\\"))
    return [_catalog_item(r) for r in conn.execute(query.order_by(Item.name, Item.sku).limit(limit)).all()]


def office_categories(conn: Connection, store_id: str) -> list[CatalogCategory]:
    """The back office's list: every category of the store's items (removed ones left out)
    and every one with a colour or position set, by position and name. An unstyled one is
    at position 0 without a colour, as tills show it."""
    styled = {c.name: c for c in list_categories(conn, store_id)}
    named = conn.execute(select(Item.category).distinct()
                         .where(Item.store_id == store_id, Item.removed.is_(False))).scalars()
    every = {name: CatalogCategory(name=name) for name in named if name} | styled
    return sorted(every.values(), key=lambda c: (c.position, c.name))


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def change_price(conn: Connection, store_id: str, sku: str, price: Decimal) -> int:
    """Give an item a new price under a new catalog version, as the admin API's item upsert
    does (price history kept, tills get it with their next pull); everything else stays."""
    row = conn.execute(select(Item).where(Item.store_id == store_id, Item.sku == sku, Item.removed.is_(False))
                       ).mappings().first()
    if row is None:
        raise DomainError(ErrorCode.ITEM_UNKNOWN, f"no item {sku} in store {store_id}")
    rate = conn.execute(select(TaxRateRow.rate).where(TaxRateRow.store_id == store_id,
                                                      TaxRateRow.tax_code == row["tax_code"])).scalar_one()
    try:
        item = ItemUpsert(name=row["name"], barcodes=json.loads(row["barcodes"]), unit=row["unit"], price=price,
                          tax_code=row["tax_code"], tax_rate=rate, category=row["category"], active=row["active"],
                          colour=row["colour"])
    except ValidationError as exc:
        raise validation_failed([f"price: {e['msg']}" for e in exc.errors()]) from None
    version = next_version(conn, store_id)
    upsert_item(conn, store_id, sku, item, version)
    return version
