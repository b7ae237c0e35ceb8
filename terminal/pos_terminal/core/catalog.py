"""The local catalog: items and an in-memory index by SKU and by barcode.

Lookups are dict hits after the barcode is validated, so a 100,000-item catalog
answers in microseconds (see bench/barcode_lookup.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Iterable, Iterator, Mapping

from .barcodes import DEFAULT_LAYOUT, BarcodeError, ParsedBarcode, VariableMeasureLayout, normalize_key, parse_barcode
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

    def __post_init__(self) -> None:
        if not self.sku:
            raise ItemError("item sku must not be empty")
        if not isinstance(self.price, Decimal) or not self.price.is_finite() or self.price < 0:
            raise ItemError(f"item {self.sku}: price must be a non-negative Decimal, got {self.price!r}")
        if not isinstance(self.tax_rate, Decimal) or not 0 <= self.tax_rate < 1:
            raise ItemError(f"item {self.sku}: tax rate must be a Decimal fraction in [0, 1)")
        object.__setattr__(self, "unit", Unit(self.unit))
        object.__setattr__(self, "barcodes", tuple(self.barcodes))

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
            )
        except (KeyError, MoneyError, ValueError) as exc:
            raise ItemError(f"bad catalog row {dict(row)!r}: {exc}") from None


@dataclass(frozen=True)
class ScanResult:
    """An item found by barcode, with the weight or price a scale label carried."""

    item: Item
    weight: Decimal | None = None  # kg
    price: Decimal | None = None  # embedded label price


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
        parsed = parse_barcode(code, self.layout)
        return ScanResult(self._item_for(parsed, code), parsed.weight, parsed.price)

    def _item_for(self, parsed: ParsedBarcode, code: str) -> Item:
        sku = self._by_code.get(parsed.key)
        if sku is None:
            raise UnknownItem(f"no item for barcode {code.strip()}", code)
        return self._by_sku[sku]

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


__all__ = ["BarcodeError", "Catalog", "Item", "ItemError", "ScanResult", "Unit", "UnknownItem"]
