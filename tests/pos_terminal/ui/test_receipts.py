"""Receipt content against golden renderings: a discounted, weighed and overridden sale and
its refund, in English and German, at the store's local time, from real sales on a real
till database, laid out by the device SDK and rendered by the printer simulator's parser.

After a deliberate change: POS_REGEN_GOLDEN=1 .venv/bin/pytest tests/pos_terminal/ui/test_receipts.py
and review the .txt diff before committing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from devices.escpos.paper import render_text
from devices.escpos.receipt import render_receipt
from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.core.ticket import Discount
from pos_terminal.services import ApproverPin, CompletedOrder, TenderInput, formatting, open_services
from pos_terminal.services.receipt_content import receipt_for
from pos_terminal.ui.receipt_words import receipt_words

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("POS_REGEN_GOLDEN") == "1"
# 21:48 UTC on a winter evening is 22:48 in Berlin: the receipt prints the shop's time.
SOLD_AT = datetime(2026, 12, 1, 21, 48, tzinfo=timezone.utc)


def golden(name: str, actual: str) -> str:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"missing golden file {path}; run with POS_REGEN_GOLDEN=1 to create it")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def shop(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    config = load_config(data_dir=tmp_path).replace(
        store_name="Bäckerei Sonnenschein", store_address="Hauptstraße 1\n10115 Berlin",
        vat_id="DE123456789", time_zone="Europe/Berlin", receipt_logo=None)
    services = open_services(config, clock=lambda: SOLD_AT)
    yield services
    services.close()


def _sale_and_refund(services) -> tuple[CompletedOrder, CompletedOrder]:  # type: ignore[no-untyped-def]
    till = services.till
    till.sign_in("c1", "1111")
    till.add_sku("SKU00001", Decimal(2))  # Bread Classic 19.71
    till.discount_line(1, Discount("percent", Decimal(10)))  # within the cashier's limit
    till.add_weighed("KG00001", Decimal("1.250"))  # apples 3.01 / kg
    till.add_sku("SKU00003")  # Bread Family Pack 4.06
    till.override_price(3, Decimal("3.50"), ApproverPin("s1", "2222"), "dented box")
    sale = till.pay([TenderInput(TenderType.CASH, Decimal("50.00"))])
    services.returns.start(sale.receipt_no, ApproverPin("m1", "9999"))
    services.returns.add(2)  # the apples
    refund = till.pay([TenderInput(TenderType.CASH, till.ticket.totals().gross)])
    return sale, refund


@pytest.mark.parametrize("locale", ["en_IE", "de_DE"])
def test_sale_and_refund_receipts_match_golden(qtbot, shop, locale: str) -> None:  # type: ignore[no-untyped-def]
    before = formatting.store_locale()
    formatting.use_store_locale(locale)
    try:
        sale, refund = _sale_and_refund(shop)
        words = receipt_words(locale)
        for name, order, copy in (("sale", sale, False), ("refund", refund, False), ("copy", sale, True)):
            text = render_text(render_receipt(receipt_for(order, shop.config, words, copy=copy), 58), 32)
            assert text == golden(f"receipt_{name}_{locale}.txt", text), name
    finally:
        formatting.use_store_locale(str(before))


def test_the_receipt_says_what_the_issue_asked_for(qtbot, shop) -> None:  # type: ignore[no-untyped-def]
    formatting.use_store_locale("de_DE")
    try:
        sale, refund = _sale_and_refund(shop)
        words = receipt_words("de_DE")
        text = render_text(render_receipt(receipt_for(sale, shop.config, words), 80), 48)
        refund_text = render_text(render_receipt(receipt_for(refund, shop.config, words), 80), 48)
        copy_text = render_text(render_receipt(receipt_for(sale, shop.config, words, copy=True), 80), 48)
    finally:
        formatting.use_store_locale("en_IE")
    assert "22:48" in text and "21:48" not in text  # Berlin time, not UTC
    assert "Hauptstraße 1" in text and "USt-IdNr. DE123456789" in text
    assert "1,25 kg" in text or "1,250 kg" in text  # weight with its unit, German decimals
    assert "Rabatt" in text and "Preis geändert von" in text and "dented box" in text
    assert "SUMME" in text and "Rückgeld" in text and "MwSt." in text
    assert "ERSTATTUNG" in refund_text and f"Erstattung zu Bon {sale.receipt_no}" in refund_text
    assert copy_text.count("KOPIE") == 2 and "KOPIE" not in text
    assert "[QR " + sale.receipt_no + "]" in text  # what the return dialog scans


@pytest.mark.parametrize(("locale", "total", "change"), [("de_DE", "42,74\u00a0€", "7,26\u00a0€"),
                                                         ("en_IE", "€42.74", "€7.26")])
def test_printed_amounts_follow_the_store_locale_as_the_screen_does(qtbot, shop, locale, total, change) -> None:  # type: ignore[no-untyped-def]
    """TOTAL and change print as the screen shows them (not "€ 42,74" in a German shop),
    and the euro sign reaches the paper in the printer's code page (PC858: 0xD5), not "?"."""
    formatting.use_store_locale(locale)
    try:
        sale, _refund = _sale_and_refund(shop)
        assert formatting.money(sale.sale.totals.gross, shop.config.currency) == total  # the screen's text
        printed = render_receipt(receipt_for(sale, shop.config, receipt_words(locale)), 80)
    finally:
        formatting.use_store_locale("en_IE")
    text = render_text(printed, 48)
    total_row = next(row for row in text.splitlines() if row.startswith(("SUMME", "TOTAL")))
    change_row = next(row for row in text.splitlines() if row.startswith(("Rückgeld", "Change")))
    assert total in total_row and change in change_row
    assert "€ 42" not in total_row and "?" not in text
    assert total.encode("cp858") in printed and b"\xd5" in printed
