from decimal import Decimal

import pytest

from pos_terminal.core.catalog import ScanResult, Unit
from pos_protocol.permissions import PermissionDenied
from pos_terminal.core.sale import TenderType
from pos_protocol.tax import TaxMode
from pos_terminal.core.tenders import TenderSet
from pos_terminal.core.ticket import (
    Discount, DiscountError, ItemInactive, PaymentError, PriceError, QuantityError, Ticket,
    TicketError, UnknownLine,
)

from .conftest import make_item

D = Decimal
APPLE = make_item("KG1", "2.99", unit=Unit.KG, tax_code="B", rate="0.07")


def snapshot(t: Ticket) -> tuple:
    return (t.lines(), t.totals(), t.ticket_discount, t.voided_lines())


def test_lines_and_totals_inclusive() -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"), D(2))
    t.add_weighed(APPLE, D("1.234"))
    lines = t.lines()
    assert [l.line_total for l in lines] == [D("20.00"), D("3.69")]  # 1.234 * 2.99 = 3.68966
    totals = t.totals()
    assert totals.gross == D("23.69")
    assert {r.tax_code: r.tax for r in totals.by_rate} == {"A": D("3.19"), "B": D("0.24")}


def test_exclusive_mode_adds_tax_on_top() -> None:
    t = Ticket(TaxMode.EXCLUSIVE)
    t.add_item(make_item("A", "10.00"), D(1))
    assert (t.totals().net, t.totals().tax, t.totals().gross) == (D("10.00"), D("1.90"), D("11.90"))


def test_weighed_scan_and_price_label() -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_scan(ScanResult(APPLE, weight=D("0.500")))
    t.add_scan(ScanResult(make_item("P", "0.00"), price=D("4.37")))
    assert [(l.qty, l.unit_price, l.line_total) for l in t.lines()] == [
        (D("0.500"), D("2.99"), D("1.50")), (D(1), D("4.37"), D("4.37"))]


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (lambda t: t.add_item(make_item("A"), D(-1)), QuantityError),
        (lambda t: t.add_item(make_item("A"), D(0)), QuantityError),
        (lambda t: t.add_item(make_item("A"), D("1.5")), QuantityError),
        (lambda t: t.add_item(make_item("A"), 1.0), QuantityError),
        (lambda t: t.add_weighed(APPLE, D(0)), QuantityError),
        (lambda t: t.add_weighed(APPLE, D("-0.2")), QuantityError),
        (lambda t: t.add_weighed(APPLE, D("0.1234")), QuantityError),
        (lambda t: t.add_weighed(make_item("A"), D("0.5")), QuantityError),
        (lambda t: t.set_quantity(1, D(-3)), QuantityError),
        (lambda t: t.set_quantity(1, "abc"), QuantityError),
        (lambda t: t.set_quantity(99, D(1)), UnknownLine),
        (lambda t: t.add_item(make_item("X", active=False)), ItemInactive),
        (lambda t: t.discount_line(1, Discount("amount", D("50"))), DiscountError),
        (lambda t: t.discount_ticket(Discount("amount", D("500"))), DiscountError),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(action, error) -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"), D(2))
    before = snapshot(t)
    with pytest.raises(error) as info:
        action(t)
    assert isinstance(info.value, TicketError) and str(info.value)
    assert snapshot(t) == before


def test_non_numeric_and_negative_override_price(supervisor) -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"))
    before = snapshot(t)
    for bad in ("ten", "1.999", -1, 2.5, None):
        with pytest.raises(PriceError):
            t.override_price(1, bad, supervisor, "damaged")
    with pytest.raises(PriceError, match="reason"):
        t.override_price(1, D("8.00"), supervisor, "  ")
    assert snapshot(t) == before


def test_discount_kinds_are_validated() -> None:
    for kind, value in (("percent", D("120")), ("percent", D(0)), ("amount", D(-1)),
                        ("bogus", D(1)), ("amount", "x")):
        with pytest.raises(DiscountError):
            Discount(kind, value)


def test_line_discount_within_limit_needs_no_approval() -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"))
    t.discount_line(1, Discount("percent", D("10")))
    assert t.lines()[0].discount == D("1.00") and t.lines()[0].line_total == D("9.00")


def test_discount_above_limit_needs_an_approver_with_permission(cashier, supervisor) -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"))
    with pytest.raises(DiscountError, match="needs approval"):
        t.discount_line(1, Discount("amount", D("2.00")))
    with pytest.raises(PermissionDenied):
        t.discount_line(1, Discount("amount", D("2.00")), approved_by=cashier)
    assert t.lines()[0].discount == 0
    t.discount_line(1, Discount("amount", D("2.00")), approved_by=supervisor)
    assert t.lines()[0].line_total == D("8.00")


def test_ticket_discount_is_allocated_to_the_cent() -> None:
    t = Ticket(TaxMode.INCLUSIVE, discount_limit_pct=D(100))
    for sku in "ABC":
        t.add_item(make_item(sku, "1.00"))
    t.discount_ticket(Discount("amount", D("1.00")))
    lines = t.lines()
    assert [l.discount for l in lines] == [D("0.34"), D("0.33"), D("0.33")]
    assert sum(l.line_total for l in lines) == t.totals().gross == D("2.00")
    for l in lines:
        assert l.line_total == (l.qty * l.unit_price - l.discount).quantize(D("0.01"))


def test_change_that_breaks_an_amount_ticket_discount_is_refused(cashier) -> None:
    t = Ticket(TaxMode.INCLUSIVE, discount_limit_pct=D(100))
    t.add_item(make_item("A", "10.00"))
    t.add_item(make_item("B", "1.00"))
    t.discount_ticket(Discount("amount", D("5.00")))
    before = snapshot(t)
    with pytest.raises(DiscountError):
        t.void_line(1, cashier)
    assert snapshot(t) == before


def test_price_override_carries_approver_and_original(cashier, supervisor) -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"))
    with pytest.raises(PermissionDenied):
        t.override_price(1, D("7.50"), cashier, "damaged box")
    t.override_price(1, D("7.50"), supervisor, "damaged box")
    t.override_price(1, D("7.00"), supervisor, "more damage")
    line = t.lines()[0]
    assert line.unit_price == D("7.00") and line.line_total == D("7.00")
    assert line.override.approved_by == "supervisor"
    assert line.override.original_price == D("10.00")  # the catalog price, not the first override


def test_void_line_keeps_numbers_and_records_the_void(cashier) -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    t.add_item(make_item("A", "10.00"))
    t.add_item(make_item("B", "3.00"))
    t.void_line(1, cashier)
    assert [l.line_no for l in t.lines()] == [2]
    assert t.voided_lines()[0].amount == D("10.00")
    with pytest.raises(UnknownLine):
        t.set_quantity(1, D(2))
    t.add_item(make_item("C", "1.00"))
    assert [l.line_no for l in t.lines()] == [2, 3]


def test_finish_validates_payment(cashier) -> None:
    t = Ticket(TaxMode.INCLUSIVE)
    with pytest.raises(PaymentError, match="no lines"):
        t.finish(TenderSet(D(0)), "c1")
    t.add_item(make_item("A", "10.00"))
    tenders = t.tender_set()
    with pytest.raises(PaymentError, match="still due"):
        t.finish(tenders, "c1")
    with pytest.raises(PaymentError, match="ticket total"):
        t.finish(TenderSet(D("5.00")), "c1")
    tenders.add(TenderType.CASH, D("20"))
    sale = t.finish(tenders, "c1")
    assert sale.change_given == D("10.00") and sale.totals.gross == D("10.00")
    assert sale.kind == "sale" and sale.original_order_id is None


def test_a_return_ticket_needs_refund_approval() -> None:
    t = Ticket(TaxMode.INCLUSIVE, kind="return")
    t.add_item(make_item("A", "10.00"))
    tenders = t.tender_set()
    tenders.add(TenderType.CASH, D("10.00"))
    with pytest.raises(PaymentError, match="refund"):
        t.finish(tenders, "c1")


def test_voids_beyond_the_ticket_limit_need_a_manager(cashier, manager) -> None:
    from pos_terminal.core.ticket import NeedsApproval
    from pos_terminal.core.voids import VoidLimit

    t = Ticket(TaxMode.INCLUSIVE, void_limit=VoidLimit(free_lines=1, free_amount=D("100")))
    for sku in ("A", "B", "C"):
        t.add_item(make_item(sku, "2.00"))
    t.void_line(1, cashier)  # within the limit: the cashier alone
    with pytest.raises(NeedsApproval, match="more than 1 voided lines"):
        t.void_line(2, cashier)
    with pytest.raises(PermissionDenied):  # another cashier is no approval
        t.void_line(2, cashier, approved=cashier)
    t.void_line(2, cashier, approved=manager)
    assert [v.voided_by for v in t.voided_lines()] == [cashier.user_id, manager.user_id]

    by_amount = Ticket(TaxMode.INCLUSIVE, void_limit=VoidLimit(free_lines=9, free_amount=D("3.00")))
    by_amount.add_item(make_item("A", "2.00"))
    by_amount.add_item(make_item("B", "2.00"))
    by_amount.void_line(1, cashier)
    with pytest.raises(NeedsApproval):  # 4.00 voided would pass the 3.00 limit
        by_amount.void_line(2, cashier)
