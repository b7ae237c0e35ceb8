"""Parked tickets on a real SQLite file: park, list, resume, pay; across a restart; and
never a sale (no order, no outbox entry) until paid, never sold twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pos_terminal.config import load_config
from pos_terminal.core.parked import CannotPark
from pos_terminal.core.sale import TenderType
from pos_terminal.core.ticket import Discount
from pos_terminal.services import ApproverPin, Services, TenderInput, open_services
from pos_terminal.services.till import NotParked, TicketStillOpen
from pos_terminal.store.models import Order, OutboxEntry, ParkedTicketRow

BREAD = "4001234000015"  # SKU00001, 19.71
MANAGER = ApproverPin("m1", "9999")


def _count(svc: Services, table: type) -> int:
    with svc.db.reader() as s:
        return s.scalar(select(func.count()).select_from(table))  # type: ignore[return-value]


def _sent(svc: Services) -> int:
    """Outbox entries of the books (orders, resolutions, Z reports): the journal's own
    entries ship too (store.outbox AUDIT), parking is journalled, and it is no sale."""
    with svc.db.reader() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.kind != "audit"))  # type: ignore[return-value]


def test_park_sets_the_ticket_aside_without_selling_it(services: Services) -> None:
    till = services.till
    till.scan(BREAD)
    till.add_sku("SKU00002", Decimal(2))
    gross = till.ticket.totals().gross
    entry = till.park()
    assert len(till.ticket) == 0  # a fresh ticket for the next customer
    assert entry.line_count == 2 and entry.gross == gross
    assert [p.park_id for p in till.parked()] == [entry.park_id]
    assert _count(services, Order) == 0 and _sent(services) == 0


def test_resume_brings_back_lines_discounts_and_locked_prices(services: Services) -> None:
    till = services.till
    till.scan(BREAD)
    till.add_sku("SKU00002")
    till.discount_line(1, Discount("percent", Decimal("5")))
    till.void_line(2, MANAGER)
    till.add_sku("SKU00003")
    before = till.ticket.lines(), till.ticket.totals()
    entry = till.park()
    till.resume(entry.park_id)
    assert (till.ticket.lines(), till.ticket.totals()) == before
    assert till.parked() == []  # back on the till, not in the list
    line = till.add_sku("SKU00001")
    assert line.line_no == 4  # numbering continues after the voided line


def test_an_empty_ticket_or_a_return_cannot_be_parked(services: Services) -> None:
    with pytest.raises(CannotPark, match="no lines"):
        services.till.park()


def test_resume_needs_an_empty_till_and_a_waiting_ticket(services: Services) -> None:
    till = services.till
    till.scan(BREAD)
    entry = till.park()
    till.scan(BREAD)
    with pytest.raises(TicketStillOpen):
        till.resume(entry.park_id)
    till.park()
    till.resume(entry.park_id)
    till.park()  # parked again: the same entry, not a second one
    assert len(till.parked()) == 2
    till.resume(entry.park_id)
    till.pay([TenderInput(TenderType.CASH, Decimal("20"))])
    with pytest.raises(NotParked):  # sold: a second tap on Resume finds nothing
        till.resume(entry.park_id)


def test_paying_a_resumed_ticket_removes_it_in_the_sale_transaction(services: Services) -> None:
    till = services.till
    till.scan(BREAD)
    entry = till.park()
    till.resume(entry.park_id)
    till.pay([TenderInput(TenderType.CASH, Decimal("20"))])
    assert _count(services, ParkedTicketRow) == 0 and _count(services, Order) == 1


def test_cancelling_a_resumed_ticket_discards_it(services: Services) -> None:
    till = services.till
    till.scan(BREAD)
    till.resume(till.park().park_id)
    till.cancel_ticket(MANAGER)
    assert _count(services, ParkedTicketRow) == 0


def test_parked_tickets_survive_a_restart_even_one_that_was_resumed(tmp_path: Path) -> None:
    config = load_config(data_dir=tmp_path)
    first = open_services(config)
    first.till.sign_in("c1", "1111")
    first.till.scan(BREAD)
    one = first.till.park()
    first.till.add_sku("SKU00002")
    two = first.till.park()
    first.till.resume(one.park_id)  # on the till when it stops: the process's memory is lost
    first.close()
    second = open_services(config)
    second.till.sign_in("c1", "1111")
    assert [p.park_id for p in second.till.parked()] == [one.park_id, two.park_id]
    for entry in second.till.parked():
        second.till.resume(entry.park_id)
        second.till.pay([TenderInput(TenderType.CARD, second.till.ticket.totals().gross)])
    assert second.till.parked() == [] and _count(second, Order) == 2
    second.close()


# -- ringing up by tap, open price and quick keys (the sale screen's use cases) -------------


def test_repeated_scans_and_taps_of_a_plain_item_add_to_its_line(services: Services) -> None:
    till = services.till
    till.scan(BREAD)
    till.scan(BREAD)
    till.add_one("SKU00001")
    assert [(l.sku, l.qty) for l in till.ticket.lines()] == [("SKU00001", Decimal(3))]
    till.discount_line(1, Discount("percent", Decimal("5")))
    till.scan(BREAD)  # a discounted line is not grown: a new line at the catalog price
    assert [l.qty for l in till.ticket.lines()] == [Decimal(3), Decimal(1)]


def test_an_open_price_needs_approval_and_a_reason(services: Services) -> None:
    from pos_terminal.core.ticket import NeedsApproval, PriceError

    till = services.till
    with pytest.raises(NeedsApproval):
        till.add_open_price("SKU00002", Decimal("4.50"), None, "market stall price")
    with pytest.raises(PriceError):
        till.add_open_price("SKU00002", Decimal("4.50"), MANAGER, " ")
    assert len(till.ticket) == 0
    line = till.add_open_price("SKU00002", Decimal("4.50"), MANAGER, "market stall price")
    assert line.unit_price == Decimal("4.50") and line.override is not None
    assert line.override.approved_by == "m1"


def test_quick_keys_are_arranged_by_a_manager_and_kept_on_the_till(tmp_path: Path) -> None:
    from pos_protocol.permissions import PermissionDenied

    config = load_config(data_dir=tmp_path)
    svc = open_services(config)
    svc.till.sign_in("c1", "1111")
    with pytest.raises(PermissionDenied):
        svc.till.arrange_quick_keys(["SKU00003"])
    svc.till.arrange_quick_keys(["SKU00003", "SKU00001"], MANAGER)
    svc.close()
    again = open_services(config)
    assert [i.sku for i in again.till.quick_keys()] == ["SKU00003", "SKU00001"]
    again.close()
