from decimal import Decimal

import pytest

from pos_terminal.core.drawer import CashMovement, DrawerError, MovementKind, open_session, summarize
from pos_terminal.core.reports import ReportError, x_report, z_report
from pos_terminal.core.returns import ReceiptReturn
from pos_terminal.core.sale import FinishedSale, TenderType
from pos_protocol.tax import TaxMode
from pos_terminal.core.ticket import Discount, Ticket

from .conftest import make_item

D = Decimal
MODE = TaxMode.INCLUSIVE


@pytest.fixture
def day(cashier, supervisor) -> list[FinishedSale]:
    # Sale 1: 12.03 in cash with 0.05 rounding, paid with 20.00.
    t1 = Ticket(MODE)
    t1.add_item(make_item("A", "10.00"))
    t1.add_item(make_item("B", "2.03", tax_code="B", rate="0.07"))
    ts = t1.tender_set(D("0.05"))
    ts.add(TenderType.CASH, D("20.00"))
    s1 = t1.finish(ts, "c1")
    # Sale 2: card and voucher, a void, an override and a discount.
    t2 = Ticket(MODE)
    t2.add_item(make_item("A", "10.00"), D(2))
    t2.add_item(make_item("C", "5.00"))
    t2.void_line(2, cashier)
    t2.override_price(1, D("9.00"), supervisor, "price match")
    t2.discount_line(1, Discount("percent", D("5")))
    ts = t2.tender_set()
    ts.add(TenderType.VOUCHER, D("7.10"), "V1")
    ts.add(TenderType.CARD, ts.remaining, "auth")
    s2 = t2.finish(ts, "c1")
    # A cash return of line A from sale 1.
    r = ReceiptReturn(s1, "order-1", supervisor, MODE)
    r.add(1)
    ts = r.ticket.tender_set()
    ts.add(TenderType.CASH, D("10.00"))
    return [s1, s2, r.ticket.finish(ts, "c1")]


def test_drawer_expected_cash_and_over_short(day) -> None:
    session = open_session(D("100.00"), "c1")
    session = session.with_movement(CashMovement(MovementKind.PAID_OUT, D("15.00"), "window cleaner", "c1"))
    session = session.with_movement(CashMovement(MovementKind.PAID_IN, D("50"), "change from safe", "m1"))
    summary = summarize(session, day, counted=D("137.00"))
    assert summary.cash_sales == D("12.05")  # 20.00 - 7.95 change; rounding is not cash
    assert summary.cash_refunds == D("10.00")
    assert summary.expected == D("100.00") + D("12.05") - D("10.00") + D("50.00") - D("15.00")
    assert summary.over_short == D("137.00") - D("137.05")


def test_drawer_refuses_bad_amounts() -> None:
    session = open_session(D("100.00"), "c1")
    for amount, reason in ((D("-5"), "x"), ("abc", "x"), (D("5"), " ")):
        with pytest.raises(DrawerError):
            session.with_movement(CashMovement(MovementKind.PAID_IN, amount, reason, "c1"))
    with pytest.raises(DrawerError):
        open_session(D("-1"), "c1")


def test_x_and_z_reports(day) -> None:
    x = x_report(day)
    assert x.kind == "X" and x.number is None
    assert (x.sales.count, x.returns.count) == (2, 1)
    assert x.sales.gross == D("12.03") + D("17.10") and x.returns.gross == D("10.00")
    assert x.net_gross == x.sales.gross - x.returns.gross
    assert sum(r.gross for r in x.by_rate) == x.net_gross
    assert sum(r.tax for r in x.by_rate) == x.sales.tax - x.returns.tax
    tenders = dict(x.by_tender)
    assert tenders == {TenderType.CASH: D("2.05"), TenderType.CARD: D("10.00"), TenderType.VOUCHER: D("7.10")}
    assert sum(tenders.values()) + x.cash_rounding == x.net_gross
    assert (x.void_lines, x.void_total) == (1, D("5.00"))
    assert (x.override_lines, x.override_total) == (1, D("2.00"))
    assert (x.discount_lines, x.discount_total) == (1, D("0.90"))
    z = z_report(day, last_z_number=41)
    assert z.kind == "Z" and z.number == 42 and z.sales == x.sales
    with pytest.raises(ReportError):
        z_report(day, last_z_number=-1)


def test_empty_period() -> None:
    z = z_report([], 0)
    assert z.number == 1 and z.sales.count == 0 and z.by_tender == () and z.net_gross == 0
