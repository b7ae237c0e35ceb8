"""The catalog as the sale sees it: items, what a lookup answers, an in-memory index.

`CatalogLookup` is what the till's sale path needs (by barcode, by SKU); the till's
SQLite store implements it with indexes (`store.catalog.CatalogStore`), so a till never
holds every item in memory. `Catalog` is the same contract over dicts, for pure code and
tests. Both parse a scanned code here (`lookup_barcode`): check digits and scale labels
are the core's business, the store only answers "which item has this key".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from .barcodes import DEFAULT_LAYOUT, BarcodeError, VariableMeasureLayout, normalize_key, parse_barcode
from pos_protocol.money import MoneyError, to_decimal


class Unit(StrEnum):
    EA = "ea"
    KG = "kg"


class UnknownItem(LookupError):
    """No item has this SKU or barcode. The ticket is left unchanged."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:  # LookupError would repr() the message
        return self.args[0]


class ItemError(ValueError):
    """An item record that cannot be sold from (bad price, unit, rate...)."""


_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}", re.ASCII)


def checked_colour(text: str | None) -> str | None:
    """A tile colour as the catalog carries it (`#RRGGBB`, upper case), None for none;
    ValueError for anything else (as the wire's `Colour`)."""
    if text is None or not text.strip():
        return None
    if not _COLOUR.fullmatch(text.strip()):
        raise ValueError(f"colour must be #RRGGBB (six hex digits, e.g. #FFE0B2), got {text!r}")
    return text.strip().upper()


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    barcodes: tuple[str, ...]
    unit: Unit
    price: Decimal  # per piece or per kg; in the store's tax mode
    tax_code: str
    tax_rate: Decimal  # fraction: 0.19 is 19 %
    category: str
    active: bool = True
    colour: str | None = None  # the item's own tile colour (#RRGGBB); None: its category's

    def __post_init__(self) -> None:
        if not self.sku:
            raise ItemError("item sku must not be empty")
        if not isinstance(self.price, Decimal) or not self.price.is_finite() or self.price < 0:
            raise ItemError(f"item {self.sku}: price must be a non-negative Decimal, got {self.price!r}")
        if not isinstance(self.tax_rate, Decimal) or not 0 <= self.tax_rate < 1:
            raise ItemError(f"item {self.sku}: tax rate must be a Decimal fraction in [0, 1)")
        object.__setattr__(self, "unit", Unit(self.unit))
        object.__setattr__(self, "barcodes", tuple(self.barcodes))
        if self.colour is not None:
            try:
                object.__setattr__(self, "colour", checked_colour(self.colour))
            except ValueError as exc:
                raise ItemError(f"item {self.sku}: {exc}") from None

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> Item:
        """An item from a catalog CSV row (header as in PROTOCOL.md; barcodes split by '|')."""
        try:
            return cls(
                sku=row["sku"].strip(),
                name=row["name"].strip(),
                barcodes=tuple(b.strip() for b in row["barcodes"].split("|") if b.strip()),
                unit=Unit(row["unit"].strip()),
                price=to_decimal(row["price"], "price"),
                tax_code=row["tax_code"].strip(),
                tax_rate=to_decimal(row["tax_rate"], "tax rate"),
                category=row["category"].strip(),
                active=row.get("active", "true").strip().lower() in ("true", "1", "yes"),
                colour=row.get("colour") or None,
            )
        except (KeyError, MoneyError, ValueError) as exc:
            raise ItemError(f"bad catalog row {dict(row)!r}: {exc}") from None


@dataclass(frozen=True)
class ScanResult:
    """An item found by barcode, with the weight or price a scale label carried."""

    item: Item
    weight: Decimal | None = None  # kg
    price: Decimal | None = None  # embedded label price


@dataclass(frozen=True)
class Category:
    """A category of the sale screen's grid, how many active items it holds, and how the
    catalog wants it shown: its tile colour (None: the till picks one) and its place among
    the categories (by position, then name)."""

    name: str
    items: int
    colour: str | None = None
    position: int = 0


@dataclass(frozen=True)
class CategoryStyle:
    """A category's colour and position as the catalog sets them (a pull or the seed CSV)."""

    name: str
    colour: str | None = None
    position: int = 0


class CatalogLookup(Protocol):
    """What ringing up needs of a catalog. Both raise UnknownItem; by_barcode also
    BarcodeError (a code that is not valid is never looked up)."""

    def by_sku(self, sku: str) -> Item: ...

    def by_barcode(self, code: str) -> ScanResult: ...


def barcode_keys(item: Item) -> list[str]:
    """The keys an item's registered barcodes are found under (see `normalize_key`)."""
    return [normalize_key(code) for code in item.barcodes]


def lookup_barcode(code: str, layout: VariableMeasureLayout,
                   find: Callable[[str], Item | None]) -> ScanResult:
    """Validate `code`, find the item under its key (`find`), and carry a scale label's
    weight or price along; raises BarcodeError or UnknownItem."""
    parsed = parse_barcode(code, layout)
    item = find(parsed.key)
    if item is None:
        raise UnknownItem(f"no item for barcode {code.strip()}", code)
    return ScanResult(item, parsed.weight, parsed.price)


class Catalog:
    """In-memory index. A barcode belongs to one item; the latest upsert wins it."""

    def __init__(self, items: Iterable[Item] = (), layout: VariableMeasureLayout | None = None):
        self.layout = layout or DEFAULT_LAYOUT
        self._by_sku: dict[str, Item] = {}
        self._by_code: dict[str, str] = {}
        for item in items:
            self.upsert(item)

    def __len__(self) -> int:
        return len(self._by_sku)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._by_sku.values())

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def by_sku(self, sku: str) -> Item:
        try:
            return self._by_sku[sku]
        except KeyError:
            raise UnknownItem(f"unknown SKU {sku!r}", sku) from None

    def by_barcode(self, code: str) -> ScanResult:
        """Parse (validating the check digit) and look up; raises BarcodeError or UnknownItem."""
        return lookup_barcode(code, self.layout, self._item_for)

    def _item_for(self, key: str) -> Item | None:
        sku = self._by_code.get(key)
        return None if sku is None else self._by_sku[sku]

    def upsert(self, item: Item) -> None:
        old = self._by_sku.get(item.sku)
        if old is not None:
            self._drop_codes(old)
        self._by_sku[item.sku] = item
        for code in item.barcodes:
            self._by_code[normalize_key(code)] = item.sku

    def remove(self, sku: str) -> None:
        item = self.by_sku(sku)
        self._drop_codes(item)
        del self._by_sku[sku]

    def _drop_codes(self, item: Item) -> None:
        for code in item.barcodes:
            key = normalize_key(code)
            if self._by_code.get(key) == item.sku:
                del self._by_code[key]


__all__ = ["BarcodeError", "Catalog", "CatalogLookup", "Category", "CategoryStyle", "Item", "ItemError",
           "ScanResult", "Unit", "UnknownItem", "barcode_keys", "checked_colour", "lookup_barcode"]
