"""What a receipt says: every line as sold, tax per rate, tenders and change, the store's
address and VAT id, the local time in the store's time zone, a refund's original receipt,
a copy's mark; all words passed in translated (`ReceiptWords`), amounts by the store's
locale (`services.formatting`).

This module decides the content only. When and how durably a receipt is printed is
`services.till_devices`' and the print queue's business; the byte layout is the device
SDK's (`devices.escpos.receipt`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from devices.escpos.receipt import Receipt, ReceiptLine, ReceiptWords as LayoutWords, TaxLine
from devices.escpos.receipt import Tender as ReceiptTender
from pos_terminal.config import TerminalConfig
from pos_terminal.core.catalog import Unit
from pos_terminal.core.sale import FinishedSale, SaleLine, TenderType

from . import formatting
from .checkout import CompletedOrder
from .formatting import currency_symbol, money, percent, quantity

__all__ = ["ReceiptWords", "receipt_for", "receipt_of"]


@dataclass(frozen=True)
class ReceiptWords:
    """Every printed word, in English; the app passes them translated into the store's
    language (`app.receipt_words`)."""

    tenders: dict[str, str] = field(default_factory=lambda: {
        "cash": "Cash", "card": "Card", "voucher": "Voucher", "other": "Other", "rounding": "Rounding"})
    tax: str = "Tax"
    footer: tuple[str, ...] = ("Thank you!",)
    refund: str = "REFUND"
    refund_of: str = "Refund of receipt {receipt}"
    receipt: str = "Receipt"
    total: str = "TOTAL"
    change: str = "Change"
    tax_on: str = "{tax} on {net}"
    copy: str = "*** COPY ***"
    discount: str = "Discount {amount}"
    override: str = "Price changed from {price}: {reason}"
    vat_id: str = "VAT id {vat_id}"
    till: str = "Till {till}"

    def layout(self) -> LayoutWords:
        return LayoutWords(receipt=self.receipt, total=self.total, change=self.change,
                           tax_on=self.tax_on, copy=self.copy)


def receipt_for(order: CompletedOrder, config: TerminalConfig, words: ReceiptWords = ReceiptWords(), *,
                copy: bool = False, terminal_lines: tuple[str, ...] = ()) -> Receipt:
    """The receipt of a sale or refund just committed (or, `copy`, reprinted);
    `terminal_lines` are the card terminal's receipt copies, printed below ours."""
    return receipt_of(order.sale, order.receipt_no, order.created_at, config, words,
                      original_receipt_no=order.original_receipt_no, copy=copy, terminal_lines=terminal_lines)


def receipt_of(sale: FinishedSale, receipt_no: str, created_at: datetime, config: TerminalConfig,
               words: ReceiptWords = ReceiptWords(), *, original_receipt_no: str | None = None,
               copy: bool = False, terminal_lines: tuple[str, ...] = ()) -> Receipt:
    currency = config.currency
    return Receipt(
        receipt_id=receipt_no,
        lines=tuple(_line(line, config, words) for line in sale.lines),
        total=sale.totals.gross,
        header=_header(sale, created_at, config, words, original_receipt_no),
        taxes=tuple(TaxLine(f"{words.tax} {r.tax_code} {percent(r.rate)}", r.net, r.tax)
                    for r in sale.totals.by_rate),
        tenders=tuple(ReceiptTender(words.tenders["rounding" if t.is_cash_rounding else TenderType(t.type).value],
                                    t.amount) for t in sale.tenders),
        change=sale.change_given, footer=words.footer + terminal_lines,
        currency=currency_symbol(currency).strip(), logo=config.receipt_logo,
        words=words.layout(), decimal_point=formatting.decimal_separator(), copy=copy,
        money=lambda value: money(value, currency),  # as the screen shows it: "42,74 €", "€42.74"
    )


def _header(sale: FinishedSale, created_at: datetime, config: TerminalConfig, words: ReceiptWords,
            original_receipt_no: str | None) -> tuple[str, ...]:
    header = [config.store_name, *[a for a in config.store_address.split("\n") if a.strip()]]
    if config.vat_id:
        header.append(words.vat_id.format(vat_id=config.vat_id))
    local = formatting.date_time(created_at, ZoneInfo(config.time_zone))
    header.append(f"{words.till.format(till=config.terminal_id)}  {local}")
    if sale.kind == "return":
        header.append(words.refund)
        if original_receipt_no:
            header.append(words.refund_of.format(receipt=original_receipt_no))
    return tuple(header)


def _line(line: SaleLine, config: TerminalConfig, words: ReceiptWords) -> ReceiptLine:
    """The item as sold: quantity and unit with the unit price, its discount, an override."""
    currency = config.currency
    details: list[str] = []
    per = "/kg" if line.unit is Unit.KG else ""
    if line.qty != 1 or line.unit is Unit.KG:
        details.append(f"{quantity(line.qty, line.unit)} x {money(line.unit_price, currency)}{per}")
    if line.override is not None:
        details.append(words.override.format(price=money(line.override.original_price, currency),
                                             reason=line.override.reason))
    if line.discount:
        details.append(words.discount.format(amount=money(-line.discount, currency)))
    return ReceiptLine(line.description, line.qty, line.line_total, None, tuple(details))
