"""The receipt a sale prints, and its pure layout into ESC/POS bytes.

The model is plain dataclasses with Decimal amounts already computed by the
sale (this module formats, it never rounds or does tax math). Layout is one
column grid: 32 characters on 58 mm paper, 48 on 80 mm (font A).

Text is encoded in code page PC858 (ESC t 19): it is PC850 plus the euro
sign, so "€" and the accented letters of western Europe print. Characters it
lacks become "?" instead of failing the sale's receipt. The no-break space CLDR puts
between a German amount and its "€" ("42,74 €") is in PC858 too (0xFF, printed blank).
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from escpos.printer import Dummy

CODE_PAGE = "CP858"
COLUMNS = {58: 32, 80: 48}  # paper width in mm -> characters per line, font A


class ReceiptError(ValueError):
    """A receipt that cannot be laid out (bad width, float money, ...)."""


@dataclass(frozen=True)
class ReceiptLine:
    description: str
    quantity: Decimal
    amount: Decimal  # line total
    unit_price: Decimal | None = None
    details: tuple[str, ...] = ()
    """Indented lines under the item as the caller words them ("1,250 kg x 2,99 €",
    "Discount -0,50"); when given they replace the plain "quantity x unit price" line."""


@dataclass(frozen=True)
class ReceiptWords:
    """The receipt's own printed words, passed in so the caller can translate them."""

    receipt: str = "Receipt"
    total: str = "TOTAL"
    change: str = "Change"
    tax_on: str = "{tax} on {net}"
    copy: str = "*** COPY ***"


@dataclass(frozen=True)
class TaxLine:
    label: str  # e.g. "VAT 20%"
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Tender:
    kind: str  # shown as is: "Cash", "Card", ...
    amount: Decimal


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    lines: tuple[ReceiptLine, ...]
    total: Decimal
    header: tuple[str, ...] = ()
    taxes: tuple[TaxLine, ...] = ()
    tenders: tuple[Tender, ...] = ()
    change: Decimal = Decimal("0.00")
    footer: tuple[str, ...] = ()
    currency: str = "€"
    logo: Path | None = None
    """A PNG printed above the header: the shop's own (the till passes its configured logo)."""
    words: ReceiptWords = ReceiptWords()
    decimal_point: str = "."
    """The store locale's decimal separator for the amount column ("," in a German shop)."""
    copy: bool = False
    """A reprint: marked as a copy at its top and bottom."""
    money: Callable[[Decimal], str] | None = None
    """How an amount with its currency prints (TOTAL, change), worded by the caller as on
    its screen: "42,74 €" in a German shop, "€42.74" in an Irish one. Without it, the
    symbol, a space and the amount."""

    def __post_init__(self) -> None:
        amounts = [self.total, self.change]
        for line in self.lines:
            amounts += [line.quantity, line.amount] + ([line.unit_price] if line.unit_price is not None else [])
        amounts += [x for t in self.taxes for x in (t.net, t.tax)] + [t.amount for t in self.tenders]
        if any(not isinstance(a, Decimal) for a in amounts):
            raise ReceiptError("receipt amounts and quantities must be Decimal, never float")
        if not self.receipt_id or not self.receipt_id.isprintable():
            raise ReceiptError(f"receipt id must be printable text, got {self.receipt_id!r}")


def columns_for(width_mm: int) -> int:
    try:
        return COLUMNS[width_mm]
    except KeyError:
        raise ReceiptError(f"paper width must be one of {sorted(COLUMNS)} mm, got {width_mm}") from None


def two_columns(left: str, right: str, cols: int) -> list[str]:
    """Left text and a right-aligned amount; the left side wraps, the amount stays on the last line."""
    room = cols - len(right) - 1
    wrapped = textwrap.wrap(left, room) or [""]
    *first, last = wrapped
    return first + [last.ljust(room) + " " + right]


def _money(value: Decimal, point: str = ".") -> str:
    return f"{value:.2f}".replace(".", point)


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


class _Layout:
    """Writes receipt sections through python-escpos' Dummy (which keeps the bytes)."""

    def __init__(self, cols: int) -> None:
        self.cols = cols
        self.p = Dummy(profile="default")
        # Dots per line of a 203 dpi head. python-escpos prints a warning to stdout
        # without it; the profile dict is shared, so change a copy.
        self.p.profile.profile_data = copy.deepcopy(self.p.profile.profile_data)
        self.p.profile.profile_data["media"]["width"]["pixels"] = 384 if cols <= 32 else 576
        self.p.hw("INIT")
        self.p.charcode(CODE_PAGE)

    def style(self, **kw: object) -> None:
        self.p.set_with_default(**kw)

    def line(self, text: str = "") -> None:
        # magic encode writes "?" for unencodable characters; keep lines within the grid
        self.p.text(text[: self.cols] + "\n")

    def rule(self, char: str = "-") -> None:
        self.line(char * self.cols)

    def pair(self, left: str, right: str) -> None:
        for row in two_columns(left, right, self.cols):
            self.line(row)

    def bytes(self) -> bytes:
        return self.p.output


def render_receipt(receipt: Receipt, width: int = 80) -> bytes:
    """Lay out `receipt` for paper `width` mm (58 or 80) as ESC/POS bytes, ending with a cut."""
    out = _Layout(columns_for(width))
    _head(out, receipt)
    _body(out, receipt)
    _totals(out, receipt)
    _tail(out, receipt)
    return out.bytes()


def _head(out: _Layout, r: Receipt) -> None:
    if r.logo is not None:
        out.style(align="center")
        out.p.image(str(r.logo))
    for i, text in enumerate(r.header):
        if i == 0:  # shop name: bold and double size, so half the columns
            out.style(align="center", bold=True, double_width=True, double_height=True)
            for row in textwrap.wrap(text, out.cols // 2):
                out.p.text(row + "\n")
        else:
            out.style(align="center")
            out.line(text)
    out.style()
    if r.copy:
        _copy_mark(out, r)
    out.line(f"{r.words.receipt} {r.receipt_id}")
    out.rule()


def _copy_mark(out: _Layout, r: Receipt) -> None:
    out.style(align="center", bold=True)
    out.line(r.words.copy)
    out.style()


def _body(out: _Layout, r: Receipt) -> None:
    point = r.decimal_point
    for item in r.lines:
        out.pair(item.description, _money(item.amount, point))
        if item.details:
            for text in item.details:
                for row in textwrap.wrap(text, out.cols - 2) or [""]:
                    out.line(f"  {row}")
        elif item.quantity != 1 or item.unit_price is not None:
            price = f" x {_money(item.unit_price, point)}" if item.unit_price is not None else ""
            out.line(f"  {_qty(item.quantity).replace('.', point)}{price}")
    out.rule("=")


def _with_currency(r: Receipt, value: Decimal) -> str:
    return r.money(value) if r.money is not None else f"{r.currency} {_money(value, r.decimal_point)}"


def _totals(out: _Layout, r: Receipt) -> None:
    point, words = r.decimal_point, r.words
    out.style(bold=True, double_height=True)
    out.pair(words.total, _with_currency(r, r.total))
    out.style()
    for tax in r.taxes:
        out.pair(words.tax_on.format(tax=tax.label, net=_money(tax.net, point)), _money(tax.tax, point))
    if r.tenders:
        out.rule()
    for tender in r.tenders:
        out.pair(tender.kind, _money(tender.amount, point))
    if r.change:
        out.style(bold=True)
        out.pair(words.change, _with_currency(r, r.change))
        out.style()


def _tail(out: _Layout, r: Receipt) -> None:
    out.rule()
    out.style(align="center")
    for text in r.footer:
        out.line(text)
    out.p.qr(r.receipt_id, native=True, size=4)  # GS ( k: the return dialog scans it
    out.line(r.receipt_id)
    out.style()
    if r.copy:
        _copy_mark(out, r)
    out.p.cut()


def render_report(title: str, rows: tuple[tuple[str, str], ...], width: int = 80) -> bytes:
    """A till report (X or Z) as label/value rows under a bold title, ending with a cut."""
    out = _Layout(columns_for(width))
    out.style(align="center", bold=True, double_height=True)
    out.line(title)
    out.style()
    out.rule()
    for label, value in rows:
        out.pair(label, value)
    out.rule()
    out.p.cut()
    return out.bytes()
