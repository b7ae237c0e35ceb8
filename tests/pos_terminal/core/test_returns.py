from decimal import Decimal

import pytest

from pos_terminal.core.catalog import Unit
from pos_protocol.permissions import PermissionDenied
from pos_terminal.core.returns import ReceiptReturn, ReturnExceedsSale, returned_quantities, start_blind_return
from pos_terminal.core.sale import FinishedSale, TenderType
from pos_protocol.tax import TaxMode
from pos_terminal.core.ticket import Discount, QuantityError, Ticket, TicketError, UnknownLine

from .conftest import make_item

D = Decimal
MODE = TaxMode.INCLUSIVE


def pay(ticket: Ticket) -> FinishedSale:
    tenders = ticket.tender_set()
    if not tenders.is_complete:  # a zero total is complete with no tender
        tenders.add(TenderType.CARD, ticket.totals().gross)
    return ticket.finish(tenders, "c1")


@pytest.fixture
def original(supervisor) -> FinishedSale:
    t = Ticket(MODE, discount_limit_pct=D(100))
    t.add_item(make_item("A", "1.00"), D(3))
    t.add_weighed(make_item("KG", "2.99", unit=Unit.KG, tax_code="B", rate="0.07"), D("0.750"))
    t.add_item(make_item("C", "10.00"))
    t.override_price(3, D("8.00"), supervisor, "damaged")
    t.discount_ticket(Discount("amount", D("1.00")))
    return pay(t)


def test_partial_returns_add_up_to_the_line_exactly(original, supervisor) -> None:
    sold = original.lines[0]
    refunds = []
    returned: list[FinishedSale] = []
    for _ in range(3):
        r = ReceiptReturn(original, "order-1", supervisor, MODE,
                          already_returned=returned_quantities(returned))
        r.add(1, D(1))
        returned.append(pay(r.ticket))
        refunds.append(returned[-1].lines[0].line_total)
    assert sum(refunds) == sold.line_total
    r = ReceiptReturn(original, "order-1", supervisor, MODE, already_returned=returned_quantities(returned))
    with pytest.raises(ReturnExceedsSale, match="already fully returned"):
        r.add(1)


def test_return_keeps_price_lock_and_override(original, supervisor) -> None:
    r = ReceiptReturn(original, "order-1", supervisor, MODE)
    r.add(3)
    r.add(2)
    sale = pay(r.ticket)
    assert sale.kind == "return" and sale.original_order_id == "order-1"
    by_no = {l.line_no: l for l in sale.lines}
    assert by_no[3].unit_price == D("8.00") and by_no[3].override == original.lines[2].override
    assert by_no[3].line_total == original.lines[2].line_total
    assert by_no[2].qty == D("0.750") and by_no[2].line_total == original.lines[1].line_total
    assert all(l.line_total >= 0 and l.discount >= 0 for l in sale.lines)


def test_more_than_sold_is_refused_and_nothing_changes(original, supervisor) -> None:
    r = ReceiptReturn(original, "order-1", supervisor, MODE, already_returned={1: D(2)})
    with pytest.raises(ReturnExceedsSale, match="2 requested, only 1 of 3 left"):
        r.add(1, D(2))
    r.add(1, D(1))
    assert r.returnable_lines() == {2: D("0.750"), 3: D(1)}
    with pytest.raises(ReturnExceedsSale):
        r.add(1, D(1))
    assert [l.qty for l in r.ticket.lines()] == [D(1)]
    for bad, error in ((D(-1), QuantityError), (D("0.5"), QuantityError), ("x", QuantityError)):
        with pytest.raises(error):
            r.add(3, bad)
    with pytest.raises(UnknownLine):
        r.add(9, D(1))
    with pytest.raises(TicketError, match="original receipt"):
        r.ticket.add_item(make_item("Z", "100.00"))
    assert [l.qty for l in r.ticket.lines()] == [D(1)]


def test_refund_and_blind_return_permissions(original, cashier, supervisor, manager) -> None:
    with pytest.raises(PermissionDenied):
        ReceiptReturn(original, "order-1", cashier, MODE)
    with pytest.raises(PermissionDenied):
        start_blind_return(MODE, supervisor)  # refund yes, blind return no
    blind = start_blind_return(MODE, manager)
    blind.add_item(make_item("A", "3.00"))
    sale = pay(blind)
    assert sale.kind == "return" and sale.original_order_id is None
    assert blind.refund_approved_by == "manager"


def test_a_return_cannot_be_returned(original, supervisor) -> None:
    r = ReceiptReturn(original, "order-1", supervisor, MODE)
    r.add(1)
    with pytest.raises(TicketError, match="only a sale"):
        ReceiptReturn(pay(r.ticket), "order-2", supervisor, MODE)


def test_weighed_line_returned_in_parts_never_refunds_more(supervisor) -> None:
    t = Ticket(MODE)
    t.add_weighed(make_item("KG", "0.01", unit=Unit.KG), D("0.500"))  # 0.005 -> 0.01
    original = pay(t)
    returned: list[FinishedSale] = []
    for _ in range(2):
        r = ReceiptReturn(original, "o", supervisor, MODE, already_returned=returned_quantities(returned))
        r.add(1, D("0.250"))
        returned.append(pay(r.ticket))
    refunds = [s.lines[0] for s in returned]
    assert all(l.discount >= 0 for l in refunds)
    assert sum(l.line_total for l in refunds) <= original.lines[0].line_total
