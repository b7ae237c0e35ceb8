from decimal import Decimal

import pytest

from pos_terminal.core.sale import TenderType
from pos_terminal.core.tenders import TenderError, TenderSet

D = Decimal


def test_split_tender_with_cash_change() -> None:
    ts = TenderSet(D("23.69"))
    ts.add(TenderType.CARD, D("10.00"), "auth-1")
    ts.add(TenderType.VOUCHER, D("5.00"), "V-7")
    assert ts.remaining == D("8.69") and not ts.is_complete
    ts.add(TenderType.CASH, D("20"))
    assert ts.is_complete and ts.change_due == D("11.31")
    assert sum(t.amount for t in ts.tenders) - ts.change_due == D("23.69")


@pytest.mark.parametrize("kind", [TenderType.CARD, TenderType.VOUCHER, TenderType.OTHER])
def test_overpayment_other_than_cash_is_refused(kind: TenderType) -> None:
    ts = TenderSet(D("10.00"))
    ts.add(TenderType.CASH, D("4.00"))
    with pytest.raises(TenderError, match="exceeds the 6.00 still due"):
        ts.add(kind, D("6.01"))
    assert ts.tenders[-1].type is TenderType.CASH and len(ts.tenders) == 1


@pytest.mark.parametrize("bad", ["abc", 1.5, D("-1"), D(0), "1.001", None])
def test_bad_amounts_are_refused(bad: object) -> None:
    ts = TenderSet(D("10.00"))
    with pytest.raises(TenderError):
        ts.add(TenderType.CASH, bad)
    assert ts.tenders == ()


def test_unknown_type_and_paid_ticket() -> None:
    ts = TenderSet(D("1.00"))
    with pytest.raises(TenderError, match="unknown tender type"):
        ts.add("cheque", D("1.00"))
    ts.add("card", D("1.00"))
    with pytest.raises(TenderError, match="already paid"):
        ts.add(TenderType.CASH, D("1.00"))


@pytest.mark.parametrize(
    ("due", "cash", "rounding", "change"),
    [
        (D("10.02"), D("10.00"), D("0.02"), D("0.00")),  # rounded down: shop gives 0.02
        (D("10.03"), D("10.05"), D("-0.02"), D("0.00")),  # rounded up
        (D("10.03"), D("20.00"), D("-0.02"), D("9.95")),
    ],
)
def test_cash_rounding_is_a_tender_of_its_own(due, cash, rounding, change) -> None:
    ts = TenderSet(due, cash_rounding=D("0.05"))
    assert ts.cash_due == due + (-rounding)
    ts.add(TenderType.CASH, cash)
    assert ts.is_complete and ts.change_due == change
    rounding_tender = [t for t in ts.tenders if t.is_cash_rounding]
    assert [t.amount for t in rounding_tender] == [rounding]
    assert sum(t.amount for t in ts.tenders) - ts.change_due == due


def test_no_rounding_on_card_or_partial_cash() -> None:
    ts = TenderSet(D("10.03"), cash_rounding=D("0.05"))
    ts.add(TenderType.CASH, D("5.00"))
    assert not any(t.is_cash_rounding for t in ts.tenders)
    ts.add(TenderType.CARD, D("5.03"))
    assert ts.is_complete and not any(t.is_cash_rounding for t in ts.tenders)
    with pytest.raises(TenderError, match="automatically"):
        TenderSet(D("1.00")).add(TenderType.OTHER, D("0.01"), "cash_rounding")
