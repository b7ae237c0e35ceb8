"""Till use cases on a real SQLite file: happy paths, approvals, and bad input that
must give a clear error and write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pos_terminal.core.barcodes import BarcodeError
from pos_terminal.core.catalog import UnknownItem
from pos_protocol.permissions import PermissionDenied
from pos_terminal.core.returns import ReturnExceedsSale
from pos_terminal.core.sale import TenderType
from pos_terminal.core.tenders import TenderError
from pos_terminal.core.ticket import Discount, DiscountError, PriceError, QuantityError
from pos_terminal.core.users import UserLocked, WrongPin
from pos_terminal.services import ApproverPin, Services, TenderInput
from pos_terminal.store import outbox
from pos_terminal.store.models import AuditEntry, Order, OutboxEntry, UserRow
from pos_protocol import wire

BREAD = "4001234000015"  # SKU00001, 19.71, 7 %
MANAGER = ApproverPin("m1", "9999")


def _counts(svc: Services) -> tuple[int, int, int]:
    """Orders, the books' outbox entries (the journal's own ride along) and audit entries."""
    with svc.db.reader() as s:
        books = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.kind != outbox.AUDIT)
        return (s.scalar(select(func.count()).select_from(Order)), s.scalar(books),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def _cash(amount: str) -> list[TenderInput]:
    return [TenderInput(TenderType.CASH, Decimal(amount))]


def test_a_sale_commits_order_outbox_and_audit_together(services: Services) -> None:
    services.till.scan(BREAD)
    services.till.add_weighed("KG00001", Decimal("0.512"))
    done = services.till.pay(_cash("50.00"))
    assert done.receipt_no == "T01-000001"
    assert done.sale.totals.gross == sum(l.line_total for l in done.sale.lines)
    with services.db.reader() as s:
        order = s.get(Order, done.order_id)
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == outbox.ORDER)).one()
    assert order.line_count == 2 and entry.idempotency_key == done.order_id
    assert f'"order_id":"{done.order_id}"' in entry.body
    assert '"qty":"0.512"' in entry.body and '"unit":"kg"' in entry.body
    assert len(services.till.ticket) == 0  # a fresh ticket for the next customer


def _bad_scan_unknown(svc: Services) -> None:
    svc.till.scan("4006381333931")  # valid EAN-13, not in the catalog


def _bad_scan_check_digit(svc: Services) -> None:
    svc.till.scan("4001234000016")


def _negative_qty(svc: Services) -> None:
    svc.till.add_sku("SKU00002", Decimal("-1"))


def _non_numeric_price(svc: Services) -> None:
    svc.till.override_price(1, "twelve", MANAGER, "customer complaint")  # type: ignore[arg-type]


def _card_overpayment(svc: Services) -> None:
    svc.till.pay([TenderInput(TenderType.CARD, Decimal("100.00"))])


@pytest.mark.parametrize("action, error, words", [
    (_bad_scan_unknown, UnknownItem, "4006381333931"),
    (_bad_scan_check_digit, BarcodeError, "check digit"),
    (_negative_qty, QuantityError, "positive"),
    (_non_numeric_price, PriceError, "not a decimal"),
    (_card_overpayment, TenderError, "only cash"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(
    services: Services, action: Callable[[Services], None], error: type, words: str
) -> None:
    services.till.scan(BREAD)
    before_lines, before = services.till.ticket.lines(), _counts(services)
    with pytest.raises(error, match=words):
        action(services)
    assert services.till.ticket.lines() == before_lines
    assert _counts(services)[:2] == before[:2]  # no order, no outbox entry


def test_discount_above_limit_needs_a_manager(services: Services) -> None:
    services.till.scan(BREAD)
    with pytest.raises(DiscountError, match="needs approval"):
        services.till.discount_line(1, Discount("percent", Decimal(25)))
    with pytest.raises(PermissionDenied):
        services.till.discount_line(1, Discount("percent", Decimal(25)), ApproverPin("c1", "1111"))
    services.till.discount_line(1, Discount("percent", Decimal(25)), MANAGER)
    assert services.till.ticket.lines()[0].discount == Decimal("4.93")


def test_price_override_is_carried_on_the_line_and_audited(services: Services) -> None:
    services.till.scan(BREAD)
    services.till.override_price(1, Decimal("15.00"), MANAGER, "damaged")
    done = services.till.pay(_cash("20.00"))
    line = done.sale.lines[0]
    assert line.override.approved_by == "m1" and line.override.original_price == Decimal("19.71")
    with services.db.reader() as s:
        actions = s.scalars(select(AuditEntry.action)).all()
    assert "approval.price.override" in actions


def test_wrong_pins_lock_the_approver_and_the_lock_survives_a_restart(services, clock) -> None:
    services.till.scan(BREAD)
    for _ in range(5):
        with pytest.raises(WrongPin):
            services.till.override_price(1, Decimal("1.00"), ApproverPin("m1", "0000"), "x")
    with pytest.raises(UserLocked):  # even the right PIN is refused while locked
        services.till.override_price(1, Decimal("1.00"), MANAGER, "x")
    with services.db.reader() as s:
        assert s.get(UserRow, "m1").locked_until is not None
    clock.now += timedelta(minutes=6)
    services.till.override_price(1, Decimal("1.00"), MANAGER, "x")
    assert services.till.ticket.lines()[0].unit_price == Decimal("1.00")


def test_receipt_return_never_exceeds_the_sale(services: Services) -> None:
    services.till.add_sku("SKU00002", Decimal(2))
    sale = services.till.pay(_cash("50.00"))
    services.returns.start(sale.receipt_no, MANAGER)
    services.returns.add(1, Decimal(1))
    first = services.till.pay(_cash("11.27"))
    assert first.sale.kind == "return" and first.sale.totals.gross == Decimal("11.27")
    services.returns.start(sale.receipt_no, MANAGER)
    with pytest.raises(ReturnExceedsSale):
        services.returns.add(1, Decimal(2))
    assert services.returns.returnable() == {1: Decimal(1)}


def test_blind_return_needs_the_blind_return_permission(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        services.returns.start_blind(ApproverPin("s1", "2222"))  # supervisor: refund only
    services.returns.start_blind(MANAGER)
    services.till.scan(BREAD)
    done = services.till.pay(_cash("19.71"))
    assert done.sale.kind == "return" and done.sale.original_order_id is None


def test_a_return_sends_who_approved_its_refund_and_a_sale_sends_no_approver(services: Services) -> None:
    """The server holds a blind return unless approved_by holds return.blind (README)."""
    services.till.scan(BREAD)
    sale = services.till.pay(_cash("19.71"))
    services.returns.start_blind(MANAGER)
    services.till.scan(BREAD)
    blind = services.till.pay(_cash("19.71"))
    services.returns.start(sale.receipt_no, ApproverPin("s1", "2222"))
    services.returns.add(1)
    receipt_return = services.till.pay(_cash("19.71"))
    with services.db.reader() as s:
        bodies = {e.idempotency_key: json.loads(e.body) for e in s.scalars(select(OutboxEntry))}
    assert "approved_by" not in bodies[sale.order_id]
    assert bodies[blind.order_id]["approved_by"] == "m1"
    assert bodies[receipt_return.order_id]["approved_by"] == "s1"
    sent = wire.Order.model_validate(bodies[blind.order_id])
    assert wire.content_hash(sent) == sent.content_hash


def test_an_enrolled_till_sells_under_the_identity_the_server_gave_it(tmp_path) -> None:
    from pos_terminal.config import load_config
    from pos_terminal.services import open_services
    from pos_terminal.store.models import TerminalIdentity

    config = load_config(data_dir=tmp_path)
    first = open_services(config)
    with first.db.transaction() as s:
        s.add(TerminalIdentity(id=1, store_id="store-7", terminal_id="T-abc",
                               server_url="http://127.0.0.1:1"))
    first.close()
    svc = open_services(config)  # the config file still says demo-store / T01
    svc.till.sign_in("c1", "1111")
    svc.till.scan(BREAD)
    done = svc.till.pay(_cash("20.00"))
    svc.close()
    assert done.receipt_no.startswith("T-abc-")
    with svc.db.reader() as s:
        body = s.scalars(select(OutboxEntry.body).where(OutboxEntry.kind == outbox.ORDER)).one()
    assert '"store_id":"store-7"' in body and '"terminal_id":"T-abc"' in body


def test_a_failing_after_commit_step_does_not_undo_the_sale(services: Services) -> None:
    """Printing and waking the sync pump run after the commit; if one fails, the cashier
    still gets the receipt number of a sale that is durably stored."""
    def broken_printer(_order) -> None:  # type: ignore[no-untyped-def]
        raise OSError("printer on fire")

    seen: list[str] = []
    services.till.on_committed(broken_printer)
    services.till.on_committed(lambda order: seen.append(order.receipt_no))
    services.till.scan(BREAD)
    done = services.till.pay(_cash("20.00"))
    assert seen == [done.receipt_no]  # later steps still ran
    with services.db.reader() as s:
        assert s.get(Order, done.order_id) is not None


def test_a_locked_ticket_opens_for_its_cashier_or_a_supervisor_only(services: Services) -> None:
    """The idle lock's rule lives in the use case, not the screen: a cashier cannot sign
    in over a colleague's open ticket, whatever UI asks; a supervisor takes it over."""
    from pos_terminal.core.users import User, hash_pin
    from pos_terminal.services.till import TillLocked
    from pos_terminal.store import users

    with services.db.transaction() as s:  # a second cashier
        users.save_user(s, User("c2", "Carl Cashier", "cashier", hash_pin("3333")))
    till = services.till
    till.scan(BREAD)
    till.lock()
    assert till.cashier is None and till.locked_by.user_id == "c1"
    with pytest.raises(TillLocked, match="Cathy Cashier's open ticket"):
        till.sign_in("c2", "3333")
    with pytest.raises(TillLocked):
        till.sign_in("c2", "0000")  # refused before the PIN: a wrong one is not even counted
    with services.db.reader() as s:
        assert s.scalar(select(UserRow.failed_attempts).where(UserRow.user_id == "c2")) in (0, None)
    assert till.sign_in("s1", "2222").user_id == "s1" and len(till.ticket) == 1
    with services.db.reader() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "ticket.take_over")).one()
        assert (entry.actor, entry.subject) == ("s1", "c1")
    till.cancel_ticket()  # the supervisor may: nothing waits for c1 any more
    till.lock()
    assert till.sign_in("c2", "3333").user_id == "c2"  # with no ticket open, anyone
