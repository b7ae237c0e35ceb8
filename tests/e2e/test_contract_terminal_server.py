"""Contract: every kind of sale the till can ring up is ACCEPTED by the real sync server.

Real components on both sides: `pos-sync-server serve` under uvicorn (one process for the
module, with a VAT-inclusive and a US-exclusive store built from the demo catalog), and
enrolled tills on real SQLite files whose outbox is drained by the real pump over HTTP.
Every till mode is run: prices including / excluding tax, without and with cash rounding
to 0.05. `ContractTill.verify` then checks, on the till, that no outbox entry is parked,
held or pending and, on the server (`GET /v1/orders/{id}`), that each order is accepted
without conflicts and stored exactly as sent. It allows no hold at all: the same goods
sold twice within minutes are two honest sales (PROTOCOL.md keeps DUPLICATE_CONTENT for a
resend under a new id with the same created_at, which a till never sends).
Catalog changes the server publishes (a new rate for a tax code) must keep the till's
sales acceptable too. A hypothesis mix of random tickets closes the module.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos_terminal.core.barcodes import make_variable_label
from pos_terminal.core.catalog import Item, Unit
from pos_terminal.core.returns import ReturnExceedsSale
from pos_terminal.core.sale import TenderType
from pos_protocol.tax import TaxMode
from pos_terminal.core.ticket import Discount, Ticket, TicketError
from pos_terminal.services import CompletedOrder, TenderInput
from pos_terminal.services.catalog import read_catalog_csv
from pos_terminal.store.models import Order, OutboxEntry
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_protocol import wire
from tests.pos_terminal.sync.harness import DEMO_CSV

from .contract_shop import MANAGER, SUPERVISOR, ContractServer, ContractTill

D = Decimal
NICKEL = D("0.05")
TILL_MODES = [
    pytest.param((TaxMode.INCLUSIVE, D("0.00")), id="vat"),
    pytest.param((TaxMode.EXCLUSIVE, D("0.00")), id="us"),
    pytest.param((TaxMode.INCLUSIVE, NICKEL), id="vat-cash0.05"),
    pytest.param((TaxMode.EXCLUSIVE, NICKEL), id="us-cash0.05"),
]
ROUNDING_MODES = [p for p in TILL_MODES if p.values[0][1] == NICKEL]
pytestmark = pytest.mark.slow  # ~45 s: one server process, a fresh till per test

# Demo catalog items by what makes them interesting.
BREAD_B = "SKU00001"  # 19.71, 7 %
ROLL_B = "SKU00011"  # 0.57, 7 %
WATER_A = "SKU00099"  # 9.93, 19 %
COLA_A = "SKU00110"  # 0.64, 19 %
WATER_PREMIUM_A = "SKU00103"  # 2.45, 19 %
APPLES_KG = "KG00001"  # 3.01 / kg: 1 g is 0.00301, a 0.00 line
GRAPES_KG = "KG00006"  # 29.14 / kg: 1 g is 0.03
PORK_KG = "KG00024"  # 1.65 / kg: 5 g is 0.00825 -> 0.01
POTATOES_KG = "KG00004"  # 23.17 / kg


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ContractServer]:
    srv = ContractServer.start(tmp_path_factory.mktemp("contract-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def till_template(tmp_path_factory) -> Path:
    return ContractTill.template(tmp_path_factory.mktemp("till-template"))


def _open_till(server: ContractServer, template: Path, data_dir: Path,
               mode: tuple[TaxMode, Decimal]) -> Iterator[ContractTill]:
    till = ContractTill.open(server, data_dir, *mode, template=template)
    yield till
    till.close()


@pytest.fixture(params=TILL_MODES)
def till(request, server, till_template, tmp_path) -> Iterator[ContractTill]:
    """A fresh till (its own terminal id) per test, in each tax and cash-rounding mode."""
    yield from _open_till(server, till_template, tmp_path / "till", request.param)


@pytest.fixture(params=ROUNDING_MODES)
def rounding_till(request, server, till_template, tmp_path) -> Iterator[ContractTill]:
    yield from _open_till(server, till_template, tmp_path / "till", request.param)


def rounding_tender(order: CompletedOrder) -> Decimal:
    """The cash-rounding tender's amount (positive: rounded down in the customer's favour)."""
    return sum((t.amount for t in order.sale.tenders if t.is_cash_rounding), D("0.00"))


# -- sales ---------------------------------------------------------------------------------


def test_piece_items_paid_cash_with_change_and_by_card(till):
    t = till.till
    t.add_sku(BREAD_B, D(2))
    t.add_sku(WATER_A)
    t.add_sku(COLA_A, D(3))
    cash = till.pay_cash()
    assert cash.sale.change_given > 0
    t.add_sku(ROLL_B, D(7))
    t.add_sku(WATER_PREMIUM_A)
    till.pay_card()
    t.add_sku(COLA_A)  # a single cheap item, exact cash
    till.pay_cash(note=False)
    answers = till.verify()
    assert [a.status for a in answers] == ["accepted"] * 3
    shelf = D(2) * D("19.71") + D("9.93") + D(3) * D("0.64")
    if till.tax_mode is TaxMode.EXCLUSIVE:  # tax on top of the shelf prices
        assert cash.sale.totals.net == shelf and cash.sale.totals.gross > shelf
    else:
        assert cash.sale.totals.gross == shelf


def test_weighed_items_tiny_and_odd_weights(till):
    t = till.till
    t.add_weighed(APPLES_KG, D("0.001"))  # 0.00301 -> a 0.00 line
    t.add_weighed(GRAPES_KG, D("0.001"))  # 0.02914 -> 0.03
    t.add_weighed(PORK_KG, D("0.005"))  # 0.00825 -> 0.01
    t.add_weighed(POTATOES_KG, D("0.737"))  # 17.07629 -> 17.08
    t.add_weighed(APPLES_KG, D("1.999"))
    t.add_sku(WATER_A)
    lines = t.ticket.lines()
    assert [l.line_total for l in lines[:4]] == [D("0.00"), D("0.03"), D("0.01"), D("17.08")]
    till.pay_card()
    t.add_weighed(POTATOES_KG, D("0.737"))
    t.add_weighed(GRAPES_KG, D("0.333"))
    till.pay_cash()
    till.verify()


def test_scanned_codes_weight_labels_and_changed_quantities(till):
    t = till.till
    t.scan(till.services.catalog.by_sku(WATER_A).barcodes[0])
    t.scan(make_variable_label("2800001", 1))  # 1 g of apples from the scale's label
    t.scan(make_variable_label("2800004", 737))
    t.scan(make_variable_label("2800006", 99_999))  # 99.999 kg of grapes
    t.set_quantity(1, D(4))
    t.set_quantity(3, D("0.738"))
    assert [l.qty for l in t.ticket.lines()] == [D(4), D("0.001"), D("0.738"), D("99.999")]
    till.pay_cash()
    till.verify()


def test_a_sale_worth_nothing_a_single_gram_of_apples(till):
    till.till.add_weighed(APPLES_KG, D("0.001"))
    assert till.till.ticket.totals().gross == 0
    order = till.pay_cash()
    assert order.sale.tenders == () and order.sale.totals.gross == 0
    till.verify()


def test_line_discounts_percent_and_amount(till):
    t = till.till
    t.add_sku(BREAD_B, D(3))
    t.discount_line(1, Discount("percent", D("10")))  # within the cashier's limit
    t.add_weighed(POTATOES_KG, D("0.737"))
    t.discount_line(2, Discount("percent", D("33.3")), approver=MANAGER)
    t.add_sku(WATER_A)
    t.discount_line(3, Discount("amount", D("0.99")))  # 9.97 % of 9.93
    t.add_sku(COLA_A, D(2))
    t.discount_line(4, Discount("percent", D("100")), approver=MANAGER)  # given away
    t.add_weighed(GRAPES_KG, D("0.001"))
    t.discount_line(5, Discount("percent", D("50")), approver=MANAGER)  # 0.03 -> 0.015 rounds to 0.02
    t.add_weighed(PORK_KG, D("0.005"))
    t.discount_line(6, Discount("percent", D("50")), approver=MANAGER)  # capped: 0.00825 has no whole cent
    t.add_sku(ROLL_B)
    t.discount_line(7, Discount("amount", D("0.57")), approver=MANAGER)  # the whole line
    lines = {l.line_no: l for l in t.ticket.lines()}
    assert lines[4].line_total == 0 and lines[7].line_total == 0 and lines[6].discount == 0
    till.pay_cash()
    till.verify()


def test_ticket_discounts_allocated_over_lines_with_different_tax_rates(till):
    t = till.till
    t.add_sku(BREAD_B)
    t.add_sku(WATER_A, D(2))
    t.add_weighed(POTATOES_KG, D("0.737"))
    t.add_sku(COLA_A)
    t.discount_ticket(Discount("percent", D("15")), approver=MANAGER)
    lines = t.ticket.lines()
    assert {l.tax_rate for l in lines if l.discount > 0} == {D("0.07"), D("0.19")}
    till.pay_card()

    t.add_sku(ROLL_B, D(3))
    t.add_sku(WATER_PREMIUM_A)
    t.add_weighed(GRAPES_KG, D("0.001"))
    t.add_weighed(PORK_KG, D("0.005"))  # no whole cent to give: gets no share
    t.discount_line(1, Discount("amount", D("0.10")))
    t.discount_ticket(Discount("amount", D("1.01")), approver=MANAGER)
    assert sum(l.discount for l in t.ticket.lines()) == D("1.11")
    till.pay_cash()

    t.add_sku(COLA_A)
    t.add_sku(ROLL_B)
    t.discount_ticket(Discount("percent", D("100")), approver=MANAGER)  # everything free
    assert t.ticket.totals().gross == 0
    till.pay_cash()
    till.verify()


def test_manager_and_supervisor_price_overrides(till):
    t = till.till
    t.add_sku(BREAD_B, D(2))
    t.override_price(1, D("15.00"), MANAGER, "day-old bread")
    t.add_weighed(POTATOES_KG, D("0.737"))
    t.override_price(2, D("9.99"), MANAGER, "price match")  # per kg
    t.add_sku(WATER_A)
    t.override_price(3, D("12.49"), SUPERVISOR, "shelf label said so")  # a higher price
    t.add_sku(COLA_A)
    t.override_price(4, D("0.00"), MANAGER, "free sample")
    t.discount_line(1, Discount("percent", D("5")))  # a discount on an overridden line
    order = till.pay_cash()
    assert {l.override.approved_by for l in order.sale.lines} == {"m1", "s1"}

    till.till.sign_out()
    till.till.sign_in("s1", "2222")  # a supervisor overrides on their own authority
    t.add_sku(WATER_PREMIUM_A)
    t.override_price(1, D("2.00"), None, "damaged")  # type: ignore[arg-type]
    t.override_price(1, D("1.50"), None, "more damaged")  # type: ignore[arg-type]
    order = till.pay_card()
    assert order.sale.lines[0].override.original_price == D("2.45")
    till.verify()


def test_voided_lines_are_not_sent_but_keep_line_numbers(till):
    t = till.till
    t.add_sku(BREAD_B)
    t.add_sku(WATER_A, D(2))
    t.add_weighed(POTATOES_KG, D("0.737"))
    t.override_price(3, D("20.00"), MANAGER, "price match")
    t.add_sku(COLA_A)
    t.void_line(1)
    t.void_line(3)
    order = till.pay_cash()
    assert [l.line_no for l in order.sale.lines] == [2, 4]
    assert [v.line_no for v in order.sale.voids] == [1, 3]
    till.verify()


def test_split_tenders_with_change(till):
    t = till.till
    t.add_sku(BREAD_B, D(2))
    t.add_sku(WATER_A)
    t.pay([TenderInput(TenderType.CARD, D("20.00"), "card-1"), TenderInput(TenderType.CASH, D("50"))])

    t.add_weighed(POTATOES_KG, D("0.737"))
    t.add_sku(COLA_A, D(2))
    t.pay([TenderInput(TenderType.VOUCHER, D("5.00"), "GIFT-0042"), TenderInput(TenderType.CASH, D("20"))])

    t.add_sku(BREAD_B)
    t.add_sku(ROLL_B, D(3))
    first = D("3.33")
    t.pay([TenderInput(TenderType.VOUCHER, first, "GIFT-7"), TenderInput(TenderType.CARD, D("10.00"), "card-2"),
           TenderInput(TenderType.CASH, D("2.00")), TenderInput(TenderType.CASH, D("50"))])

    t.add_sku(WATER_A)  # a voucher that covers it all
    t.pay([TenderInput(TenderType.VOUCHER, t.ticket.totals().gross, "GIFT-9")])
    orders = till.committed
    assert all(o.sale.change_given > 0 for o in orders[:3])
    till.verify()


# -- cash rounding ---------------------------------------------------------------------------


def _item_with_cents(till: ContractTill, wanted: set[int]) -> Item:
    """A piece item whose one-piece ticket has a gross ending in one of `wanted` cents mod 5."""
    for item in till.services.catalog:
        if item.unit is Unit.EA and item.active:
            probe = Ticket(till.tax_mode, till.services.config.currency)
            probe.add_item(item)
            if int(probe.totals().gross * 100) % 5 in wanted:
                return item
    raise AssertionError(f"no demo item with a gross of {wanted} cents mod 5")


@pytest.mark.parametrize("cents, direction", [({1, 2}, "down"), ({3, 4}, "up"), ({0}, "none")])
def test_cash_rounding_to_five_cents(rounding_till, cents, direction):
    till = rounding_till
    item = _item_with_cents(till, cents)
    till.till.add_sku(item.sku)
    exact = till.pay_cash(note=False)  # the rounded amount, no change
    till.till.add_sku(item.sku)
    with_change = till.pay_cash()  # a note, change given
    for order in (exact, with_change):
        gross, rounding = order.sale.totals.gross, rounding_tender(order)
        cash = sum(t.amount for t in order.sale.tenders if t.type is TenderType.CASH)
        assert (cash - order.sale.change_given) % NICKEL == 0
        assert {"down": rounding > 0, "up": rounding < 0, "none": rounding == 0}[direction], (gross, rounding)
        assert abs(rounding) < D("0.03")
    assert exact.sale.change_given == 0 and with_change.sale.change_given > 0
    till.verify()


def test_cash_rounding_after_a_card_part_and_on_a_refund(rounding_till):
    till = rounding_till
    t = till.till
    for card_part in ("10.01", "10.02", "10.03", "10.04"):  # every remainder mod 5 on the cash
        t.add_sku(WATER_A)
        t.add_weighed(POTATOES_KG, D("0.737"))
        t.pay([TenderInput(TenderType.CARD, D(card_part), "card"), TenderInput(TenderType.CASH, till.cash_due())])
    t.add_sku(WATER_A, D(3))
    t.pay([TenderInput(TenderType.VOUCHER, D("7.77"), "GIFT"), TenderInput(TenderType.CASH, D(50))])
    sale = till.committed[0]
    till.services.returns.start(sale.receipt_no, MANAGER)
    till.services.returns.add(2, D("0.100"))
    refund = till.pay_cash(note=False)  # the refund paid out in cash, rounded
    assert (refund.sale.totals.gross - rounding_tender(refund)) % NICKEL == 0
    assert any(rounding_tender(o) != 0 for o in till.committed)
    till.verify()


# -- returns ---------------------------------------------------------------------------------


def _sale_for_returns(till: ContractTill) -> CompletedOrder:
    t = till.till
    t.add_sku(WATER_A, D(3))  # 1
    t.add_weighed(POTATOES_KG, D("0.737"))  # 2
    t.add_sku(BREAD_B, D(6))  # 3
    t.discount_line(3, Discount("percent", D("10")))
    t.add_sku(COLA_A, D(2))  # 4
    t.override_price(4, D("0.50"), MANAGER, "promo")
    t.add_weighed(GRAPES_KG, D("0.413"))  # 5
    t.discount_ticket(Discount("amount", D("2.37")), approver=MANAGER)  # pro rata matters
    return till.pay_card()


def test_receipt_returns_full_and_partial_until_exhausted(till):
    sale = _sale_for_returns(till)
    returns = till.services.returns
    refunded: dict[int, Decimal] = {}

    def give_back(parts: list[tuple[int, Decimal | None]]) -> None:
        returns.start(sale.receipt_no, MANAGER)
        for line_no, qty in parts:
            returns.add(line_no, qty)
        order = till.pay_cash(note=False)
        for line in order.sale.lines:
            refunded[line.line_no] = refunded.get(line.line_no, D(0)) + line.line_total

    give_back([(1, None)])  # a whole piece line
    give_back([(2, D("0.100")), (3, D(1))])  # part of a weighed line and of a piece line
    give_back([(2, D("0.237")), (3, D(2)), (5, D("0.013"))])
    give_back([(2, None), (3, D(3)), (4, D(1))])  # the rest of lines 2 and 3
    give_back([(4, None), (5, D("0.4"))])  # everything left
    returns.start(sale.receipt_no, MANAGER)
    assert returns.returnable() == {}
    with pytest.raises(ReturnExceedsSale):
        returns.add(3, D(1))
    till.till.cancel_ticket()
    sold = {l.line_no: l.line_total for l in sale.sale.lines}
    assert refunded == sold  # partial refunds add up to exactly what each line was sold for
    till.verify()


def test_full_return_of_a_whole_receipt_in_one_go(till):
    sale = _sale_for_returns(till)
    till.services.returns.start(sale.receipt_no, MANAGER)
    for line_no in sorted(till.services.returns.returnable()):
        till.services.returns.add(line_no)
    refund = till.pay_cash(note=False)
    assert refund.sale.totals.gross == sale.sale.totals.gross
    till.verify()


def test_return_of_a_sale_with_a_voided_line(till):
    t = till.till
    t.add_sku(BREAD_B)
    t.add_sku(WATER_A, D(2))
    t.void_line(1)
    t.add_weighed(POTATOES_KG, D("0.737"))
    sale = till.pay_cash()
    till.services.returns.start(sale.receipt_no, MANAGER)
    assert set(till.services.returns.returnable()) == {2, 3}
    till.services.returns.add(3, D("0.5"))
    till.services.returns.add(2, D(1))
    till.pay_cash(note=False)
    till.verify()


def test_return_of_one_of_two_lines_of_one_item_sold_at_different_prices(till):
    """The same item twice on one receipt, one line overridden: its refund is at the price
    of ITS line (return lines keep the sale's line_no), not of the item's first line."""
    t = till.till
    t.add_sku(WATER_A, D(2))
    t.add_sku(WATER_A)
    t.override_price(2, D("5.00"), MANAGER, "dented")
    t.add_weighed(POTATOES_KG, D("0.500"))
    t.add_weighed(POTATOES_KG, D("0.250"))
    t.override_price(4, D("20.00"), MANAGER, "price match")
    sale = till.pay_card()
    returns = till.services.returns
    returns.start(sale.receipt_no, MANAGER)
    returns.add(2)
    returns.add(4, D("0.100"))
    till.pay_cash(note=False)
    returns.start(sale.receipt_no, MANAGER)
    returns.add(1, D(1))
    returns.add(4)
    returns.add(3)
    till.pay_cash(note=False)
    till.verify()


def test_blind_returns(till):
    t = till.till
    till.services.returns.start_blind(MANAGER)
    t.add_sku(WATER_A)
    t.add_weighed(POTATOES_KG, D("0.737"))
    t.add_sku(BREAD_B, D(2))
    t.discount_line(3, Discount("percent", D("10")))
    order = till.pay_cash(note=False)
    assert order.sale.kind == "return" and order.sale.original_order_id is None
    till.services.returns.start_blind(MANAGER)
    t.add_sku(COLA_A, D(4))
    t.override_price(1, D("0.40"), MANAGER, "bought on promo")
    till.pay_cash(note=False)
    till.verify()


def test_returns_of_one_sale_in_one_batch_are_counted_together(server, till_template, tmp_path):
    """README: in `orders:batch` an order sees the batch's earlier orders. The till never
    over-returns by itself, so the second return here is its own refund re-sealed under a
    new id (as a till restored from an old backup would send it): 1 sold, 2 returned."""
    till = ContractTill.open(server, tmp_path / "till", TaxMode.INCLUSIVE, template=till_template)
    try:
        till.till.add_sku(WATER_A)
        sale = till.pay_card()
        till.drain()
        till.services.returns.start(sale.receipt_no, MANAGER)
        till.services.returns.add(1)
        refund = till.pay_cash(note=False)
        with till.services.db.reader() as s:
            body = s.scalar(select(OutboxEntry.body).where(OutboxEntry.idempotency_key == refund.order_id))
        twin = {k: v for k, v in json.loads(body).items() if k != "content_hash"}
        twin.update(order_id=str(uuid.uuid4()), receipt_no="RESTORED-1", cashier_id="s1")
        reply = till.client.post_orders_batch([body.encode(), wire.canonical_json(wire.sealed_order(twin))])
        results = json.loads(reply.body)["results"]
        assert [r["http_status"] for r in results] == [201, 202]
        assert [c["code"] for c in results[1]["body"]["conflicts"]] == ["RETURN_EXCEEDS_SALE"]
        till.verify()  # the till's own refund: accepted (its resend replays the batch's answer)
    finally:
        till.close()


def test_identical_sales_and_returns_within_minutes_are_all_accepted(till):
    """Two identical sales and two identical partial returns, seconds apart, carry the same
    content hash each; they are honest (created_at differs) and must not be held."""
    t = till.till
    for _ in range(2):
        t.add_sku(WATER_A, D(4))
        sale = till.pay_card()
    for _ in range(2):
        till.services.returns.start(sale.receipt_no, MANAGER)
        till.services.returns.add(1, D(1))
        till.pay_cash(note=False)
    with till.services.db.reader() as s:
        hashes = list(s.scalars(select(Order.content_hash).order_by(Order.receipt_seq)))
    assert hashes[0] == hashes[1] and hashes[2] == hashes[3]
    answers = till.verify()
    assert [a.status for a in answers] == ["accepted"] * 4


# -- catalog ---------------------------------------------------------------------------------


def test_a_catalog_price_the_currency_cannot_carry_is_refused_and_the_till_keeps_syncing(server, till_template, tmp_path):
    """A 1.999 price would be refused by the till's exact-cents catalog (every later pull
    failing) and, if sold, by the server's own order arithmetic: the server refuses it."""
    sku = "CONTRACT-SAFFRON"
    # A name that tests the content hash's canonical JSON (non-ASCII, quotes, backslash).
    item = {"name": 'Safran «La Mancha» crème brûlée 🍮 "1 g" \\ pot', "unit": "ea", "tax_code": "A",
            "tax_rate": "0.19"}
    refused = server.put_item("vat-store", sku, price="1.999", **item)
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed", refused.text
    assert "more than 2 decimals" in refused.text
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("sku,name,barcodes,unit,price,tax_code,tax_rate,category,active\n"
                       f"{sku},Saffron,,ea,2.005,A,0.19,Spices,true\n", encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", server.db_url, "catalog", "import",
                          str(bad_csv), "--store", "vat-store"], check=False, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 1 and "2.005 has more than 2 decimals" in cli.stderr
    assert server.put_item("vat-store", sku, price="1.99", **item).status_code == 200

    till = ContractTill.open(server, tmp_path / "till", TaxMode.INCLUSIVE, template=till_template)
    try:
        assert CatalogPuller(till.services.db, till.client).pull_once().changed
        assert till.services.catalog.by_sku(sku).price == D("1.99")  # sold from what the pull stored
        till.till.add_sku(sku, D(3))
        till.pay_card()
        till.verify()
    finally:
        till.close()


def test_a_tax_rate_change_reaches_every_item_of_the_code_on_both_sides(server, till_template, tmp_path):
    """The catalog delta carries rates per tax code and the till re-rates every item of a
    changed code; the server's price lock must agree, before and after the change."""
    item = {"unit": "ea", "tax_code": "R", "category": "Reduced"}
    for sku, price in (("CONTRACT-R1", "3.00"), ("CONTRACT-R2", "4.99")):
        assert server.put_item("vat-store", sku, name=sku, price=price, tax_rate="0.10", **item).status_code == 200
    till = ContractTill.open(server, tmp_path / "till", TaxMode.INCLUSIVE, template=till_template)
    try:
        puller = CatalogPuller(till.services.db, till.client)

        def pull() -> None:
            assert puller.pull_once().changed

        pull()
        till.till.add_sku("CONTRACT-R2", D(2))
        before = till.pay_card()  # rung at 10 %, sent after the change below
        assert server.put_item("vat-store", "CONTRACT-R1", name="CONTRACT-R1", price="3.00", tax_rate="0.12",
                               **item).status_code == 200
        pull()
        assert till.services.catalog.by_sku("CONTRACT-R2").tax_rate == D("0.12")  # not in the delta's items
        till.till.add_sku("CONTRACT-R2")
        till.till.add_sku("CONTRACT-R1")
        after = till.pay_card()
        assert {l.tax_rate for l in before.sale.lines} == {D("0.10")}
        assert {l.tax_rate for l in after.sale.lines} == {D("0.12")}
        till.verify()
    finally:
        till.close()


# -- randomized mix ---------------------------------------------------------------------------

ITEMS = [item for item in read_catalog_csv(DEMO_CSV) if item.active]
cents = st.integers(min_value=1, max_value=5000).map(lambda c: D(c) / 100)
discounts = st.one_of(
    st.none(),
    st.builds(Discount, st.just("percent"), st.integers(1, 1000).map(lambda p: D(p) / 10)),
    st.builds(Discount, st.just("amount"), cents),
)
line_specs = st.fixed_dictionaries({
    "item": st.sampled_from(ITEMS),
    "pieces": st.integers(1, 12),
    "grams": st.one_of(st.integers(1, 9), st.integers(10, 4000)),
    "discount": discounts,
    "override": st.one_of(st.none(), st.integers(0, 6000).map(lambda c: D(c) / 100)),
    "approver": st.sampled_from([MANAGER, SUPERVISOR]),
    "void": st.integers(0, 9).map(lambda n: n == 0),
})
tender_plans = st.fixed_dictionaries({
    "first": st.sampled_from([None, TenderType.CARD, TenderType.VOUCHER]),
    "share": st.integers(0, 100),  # percent of the total the first tender pays
    "cash": st.sampled_from(["exact", "note", "none"]),
})
return_plans = st.one_of(
    st.none(),
    st.fixed_dictionaries({"blind": st.just(False), "parts": st.lists(st.tuples(st.integers(0, 20), st.integers(1, 100)), max_size=4)}),
    st.fixed_dictionaries({"blind": st.just(True), "lines": st.lists(line_specs, min_size=1, max_size=3)}),
)
tickets = st.fixed_dictionaries({
    "lines": st.lists(line_specs, min_size=1, max_size=6),
    "ticket_discount": discounts,
    "tenders": tender_plans,
    "refund": return_plans,
})


def _ring(till: ContractTill, specs: list[dict]) -> None:
    """Ring up the lines; an operation the till refuses (a discount larger than its line)
    leaves the ticket unchanged, as it would for the cashier."""
    t = till.till
    for spec in specs:
        item = spec["item"]
        line = (t.add_weighed(item.sku, D(spec["grams"]) / 1000) if item.unit is Unit.KG
                else t.add_sku(item.sku, D(spec["pieces"])))
        if spec["override"] is not None:
            t.override_price(line.line_no, spec["override"], spec["approver"], "random override")
        if spec["discount"] is not None:
            try:
                t.discount_line(line.line_no, spec["discount"], approver=MANAGER)
            except TicketError:
                pass
        if spec["void"]:
            t.void_line(line.line_no, MANAGER)  # many voids on one ticket need a manager (core.voids)


def _pay(till: ContractTill, plan: dict) -> CompletedOrder:
    t = till.till
    tender_set = t.ticket.tender_set(till.services.config.cash_rounding or None)
    inputs: list[TenderInput] = []
    gross = t.ticket.totals().gross
    part = (gross * plan["share"] / 100).quantize(D("0.01"))
    if plan["first"] is not None and part > 0:
        if plan["cash"] == "none":
            part = gross  # nothing left for cash
        inputs.append(TenderInput(plan["first"], part, "ref-" + plan["first"].value))
        tender_set.add(plan["first"], part, "ref")
    if not tender_set.is_complete:
        due = tender_set.cash_due or NICKEL  # a remainder that rounds to 0.00 is paid with a coin
        if plan["cash"] == "note":
            due = next(n for n in (D(5), D(10), D(20), D(50), D(100), D(500), D(10_000)) if n >= due)
        inputs.append(TenderInput(TenderType.CASH, due))
    return t.pay(inputs)


def _refund(till: ContractTill, sale: CompletedOrder, plan: dict) -> None:
    t, returns = till.till, till.services.returns
    if plan["blind"]:
        returns.start_blind(MANAGER)
        _ring(till, plan["lines"])
    else:
        returns.start(sale.receipt_no, MANAGER)
        for index, percent in plan["parts"]:
            left = returns.returnable()
            if not left:
                break
            line_no = sorted(left)[index % len(left)]
            step = D(1) if any(l.line_no == line_no and l.unit is Unit.EA for l in returns.original_lines()) else D("0.001")
            qty = max(step, (left[line_no] * percent / 100).quantize(step))
            try:
                returns.add(line_no, qty)
            except TicketError:  # a few grams too small to refund exactly: the till says so
                pass
    if len(t.ticket) == 0:
        t.cancel_ticket(MANAGER)
        return
    _pay(till, {"first": None, "share": 0, "cash": "exact"})


def test_random_tickets_are_all_accepted(server, till_template, tmp_path):
    tills = {}
    for param in TILL_MODES:
        tills[param.id] = ContractTill.open(server, tmp_path / param.id, *param.values[0], template=till_template)
    try:
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(mode=st.sampled_from(sorted(tills)), plans=st.lists(tickets, min_size=1, max_size=3))
        def ring_and_sync(mode: str, plans: list[dict]) -> None:
            till = tills[mode]
            for plan in plans:
                _ring(till, plan["lines"])
                if plan["ticket_discount"] is not None and len(till.till.ticket):
                    try:
                        till.till.discount_ticket(plan["ticket_discount"], approver=MANAGER)
                    except TicketError:
                        pass
                if len(till.till.ticket) == 0:  # every line voided
                    till.till.cancel_ticket(MANAGER)
                    continue
                sale = _pay(till, plan["tenders"])
                if plan["refund"] is not None:
                    _refund(till, sale, plan["refund"])
            till.verify()

        ring_and_sync()
    finally:
        for till in tills.values():
            till.close()
    assert sum(len(t.verified) for t in tills.values()) >= 30
