"""Barcode parsing: EAN-13, EAN-8, UPC-A and GS1 variable-measure (scale label) codes.

A code is always validated (length, digits, check digit) before it is used as a lookup
key, so a misread never rings up the wrong item. Variable-measure codes (13 digits,
prefix 20-29) carry an embedded weight or price; which prefixes carry which, and how
the 13 digits are split, is a per-store `VariableMeasureLayout`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class BarcodeError(ValueError):
    """A scanned code that is not a valid barcode (length, characters, check digit)."""


class Symbology(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    VARIABLE_WEIGHT = "variable_weight"
    VARIABLE_PRICE = "variable_price"


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of `body` (weights 3,1,3,... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


# GS1 General Specifications 7.9.2: per-digit products for the price verifier digit.
_WEIGHT_2_MINUS = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_WEIGHT_3 = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_WEIGHT_5_MINUS = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


def price_verifier_digit(value4: str) -> int:
    """Verifier digit of a 4-digit price/measure field (weights 2-, 2-, 3, 5-)."""
    d = [int(c) for c in value4]
    total = _WEIGHT_2_MINUS[d[0]] + _WEIGHT_2_MINUS[d[1]] + _WEIGHT_3[d[2]] + _WEIGHT_5_MINUS[d[3]]
    return (total * 3) % 10


def _default_price_prefixes() -> frozenset[str]:
    return frozenset(f"{p}" for p in range(21, 26))


def _default_weight_prefixes() -> frozenset[str]:
    return frozenset(f"{p}" for p in range(26, 30))


@dataclass(frozen=True)
class VariableMeasureLayout:
    """How a store's scale labels split 13 digits: prefix(2) ref [verifier] value check(1).

    Weights are encoded in grams, prices in minor units of the currency (`price_scale`).
    Prefixes in neither set (e.g. "20") are read as ordinary EAN-13 codes.
    """

    price_prefixes: frozenset[str] = field(default_factory=_default_price_prefixes)
    weight_prefixes: frozenset[str] = field(default_factory=_default_weight_prefixes)
    item_ref_length: int = 5
    value_length: int = 5
    price_check_digit: bool = False
    price_scale: int = 2

    def __post_init__(self) -> None:
        used = 2 + self.item_ref_length + self.value_length + int(self.price_check_digit) + 1
        if used != 13:
            raise ValueError(
                f"variable-measure layout must fill 13 digits, fills {used} "
                f"(item ref {self.item_ref_length}, value {self.value_length}, "
                f"verifier {int(self.price_check_digit)})"
            )
        if self.price_check_digit and self.value_length != 4:
            raise ValueError("a price verifier digit is supported for 4-digit values only")
        bad = [p for p in self.price_prefixes | self.weight_prefixes
               if len(p) != 2 or not p.isdigit() or not "20" <= p <= "29"]
        if bad:
            raise ValueError(f"variable-measure prefixes must be 20-29, got {sorted(bad)}")
        if self.price_prefixes & self.weight_prefixes:
            raise ValueError("a prefix cannot carry both price and weight")

    @property
    def key_length(self) -> int:
        return 2 + self.item_ref_length

    def is_variable(self, code13: str) -> bool:
        prefix = code13[:2]
        return prefix in self.price_prefixes or prefix in self.weight_prefixes


DEFAULT_LAYOUT = VariableMeasureLayout()


@dataclass(frozen=True)
class ParsedBarcode:
    """A validated code. `key` is what the catalog is indexed by.

    For fixed codes the key is the EAN-13 form (UPC-A gets a leading 0) or the EAN-8;
    for variable-measure labels it is prefix + item reference (e.g. "2800025").
    """

    key: str
    symbology: Symbology
    weight: Decimal | None = None  # kg, 3 decimals
    price: Decimal | None = None  # currency units


def _check_gs1(code: str, name: str) -> None:
    expected = gs1_check_digit(code[:-1])
    if int(code[-1]) != expected:
        raise BarcodeError(f"{name} {code}: bad check digit {code[-1]} (expected {expected})")


def normalize_key(code: str) -> str:
    """Catalog index form of a registered code: UPC-A gets a leading 0, others as is."""
    code = code.strip()
    return "0" + code if len(code) == 12 and code.isdigit() else code


def parse_barcode(code: str, layout: VariableMeasureLayout = DEFAULT_LAYOUT) -> ParsedBarcode:
    """Validate a scanned code and return its lookup key and any embedded measure."""
    if not isinstance(code, str):
        raise BarcodeError(f"barcode must be text, not {type(code).__name__}")
    code = code.strip()
    if not code:
        raise BarcodeError("empty barcode")
    if not code.isascii() or not code.isdigit():
        raise BarcodeError(f"barcode {code!r} contains non-digit characters")
    if len(code) == 8:
        _check_gs1(code, "EAN-8")
        return ParsedBarcode(code, Symbology.EAN8)
    if len(code) == 12:
        _check_gs1(code, "UPC-A")
        return ParsedBarcode("0" + code, Symbology.UPCA)
    if len(code) == 13:
        _check_gs1(code, "EAN-13")
        if layout.is_variable(code):
            return _parse_variable(code, layout)
        return ParsedBarcode(code, Symbology.EAN13)
    raise BarcodeError(
        f"barcode {code!r} has {len(code)} digits; expected 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13)"
    )


def _parse_variable(code: str, layout: VariableMeasureLayout) -> ParsedBarcode:
    key = code[: layout.key_length]
    value_start = layout.key_length + int(layout.price_check_digit)
    value = code[value_start : value_start + layout.value_length]
    if layout.price_check_digit:
        expected = price_verifier_digit(value)
        if int(code[layout.key_length]) != expected:
            raise BarcodeError(
                f"scale label {code}: bad price verifier digit {code[layout.key_length]} "
                f"(expected {expected})"
            )
    if code[:2] in layout.weight_prefixes:
        grams = int(value)
        if grams == 0:
            raise BarcodeError(f"scale label {code} carries a zero weight")
        weight = (Decimal(grams) / 1000).quantize(Decimal("0.001"))
        return ParsedBarcode(key, Symbology.VARIABLE_WEIGHT, weight=weight)
    price = Decimal(int(value)).scaleb(-layout.price_scale)
    return ParsedBarcode(key, Symbology.VARIABLE_PRICE, price=price)


def make_variable_label(key: str, value: int, layout: VariableMeasureLayout = DEFAULT_LAYOUT) -> str:
    """Build a valid scale label (what a label printer does); used by simulators and tests."""
    if len(key) != layout.key_length or not key.isdigit():
        raise BarcodeError(f"variable-measure key {key!r} must be {layout.key_length} digits")
    digits = f"{value:0{layout.value_length}d}"
    if len(digits) != layout.value_length or value < 0:
        raise BarcodeError(f"value {value} does not fit {layout.value_length} digits")
    verifier = str(price_verifier_digit(digits)) if layout.price_check_digit else ""
    body = key + verifier + digits
    return body + str(gs1_check_digit(body))


def make_ean13(body12: str) -> str:
    """Append the check digit to a 12-digit body."""
    return body12 + str(gs1_check_digit(body12))
