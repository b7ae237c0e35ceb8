from __future__ import annotations

from decimal import Decimal

from pos_terminal.ui.approval import ApprovalDialog
from pos_terminal.ui.entry_dialog import EntryDialog

from .conftest import approve, BREAD, scan


def _ask_line_discount(qtbot, screen, percent: str) -> ApprovalDialog:  # type: ignore[no-untyped-def]
    screen.buttons["line_discount"].click()
    entry = screen.dialog
    assert isinstance(entry, EntryDialog)
    entry.value.setText(percent)
    entry.accept()
    approval = screen.dialog
    assert isinstance(approval, ApprovalDialog), screen.banner.text()
    return approval


def test_wrong_pin_keeps_dialog_open_and_ticket_unchanged(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    approval = _ask_line_discount(qtbot, screen, "50")  # above the cashier's 10 % limit
    assert "needs approval" in approval.purpose.text()
    approve(qtbot, approval, "m1", "0000")
    assert approval.isVisible()
    assert approval.error.text().startswith("Wrong PIN")
    assert "attempts left" in approval.error.text()
    assert approval.pin.text() == ""  # a PIN never stays on screen
    assert services.till.ticket.ticket_lines()[0].discount is None

    approve(qtbot, approval, approval.manager.text(), "9999")
    qtbot.waitUntil(lambda: not approval.isVisible(), timeout=5_000)
    assert services.till.ticket.ticket_lines()[0].discount.value == Decimal(50)
    assert screen.model.index(0, 4).data() == "€9.86"


def test_a_locked_manager_is_told_so(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    approval = _ask_line_discount(qtbot, screen, "50")
    approval.manager.setText("m1")
    for _ in range(10):
        approve(qtbot, approval, approval.manager.text(), "0000")
        if approval.error.text().startswith("User locked"):
            break
    assert approval.error.text().startswith(("User locked", "Wrong PIN"))
    assert "locked" in approval.error.text()
    approve(qtbot, approval, "m1", "9999")  # even the right PIN is refused while locked
    assert approval.error.text().startswith("User locked")
    assert services.till.ticket.ticket_lines()[0].discount is None


def test_a_cashier_cannot_approve_an_override(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    screen.buttons["override"].click()
    entry = screen.dialog
    entry.value.setText("1.00")
    entry.reason.setText("damaged")
    entry.accept()
    approval = screen.dialog
    approve(qtbot, approval, "c1", "1111")
    assert approval.error.text().startswith("Not allowed")
    approve(qtbot, approval, "m1", "9999")
    assert services.till.ticket.ticket_lines()[0].unit_price == Decimal("1.00")


def test_voids_beyond_the_limit_ask_a_manager_who_names_a_reason(qtbot, window, services):
    from pos_terminal.store.models import AuditEntry

    screen = window.sale
    limit = services.config.void_free_lines  # 3 lines or 50.00 by default
    for sku in ("SKU00004", "SKU00003", "SKU00002", "SKU00001"):  # 6.24, 4.06, 11.27, 19.71
        screen.entry.setText(sku)
        screen.enter()
    for _ in range(limit):
        screen.table.selectRow(0)
        screen.buttons["void"].click()
        assert not isinstance(screen.dialog, ApprovalDialog), screen.dialog.purpose.text()  # alone
    screen.table.selectRow(0)
    screen.buttons["void"].click()
    approval = screen.dialog
    assert isinstance(approval, ApprovalDialog), screen.banner.text()
    assert "Bread Classic" in approval.purpose.text() and "€" in approval.purpose.text()
    assert "manager's approval" in approval.purpose.text()
    approve(qtbot, approval, "m1", "9999", reason="customer changed their mind")
    assert not approval.isVisible(), approval.error.text()
    assert len(services.till.ticket.ticket_lines()) == 0
    assert services.till.ticket.voided_lines()[-1].voided_by == "m1"
    with services.db.reader() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "approval.order.void").one()
        assert "customer changed their mind" in str(entry.payload)


def test_a_signed_in_manager_approves_with_their_own_pin_only(qtbot, window, services):
    from .conftest import sign_in

    window.sign_out()
    sign_in(qtbot, window, "m1", "9999")
    screen = window.sale
    scan(qtbot, screen, BREAD)
    screen.buttons["override"].click()  # an override always asks for a PIN
    entry = screen.dialog
    entry.value.setText("1.00")
    entry.reason.setText("damaged")
    entry.accept()
    approval = screen.dialog
    assert approval.as_user.isVisible() and "Mia Manager" in approval.as_user.text()
    assert not approval.manager.isVisible()
    approve(qtbot, approval, None, "0000")
    assert approval.error.text().startswith("Wrong PIN")
    approve(qtbot, approval, None, "9999")
    assert services.till.ticket.ticket_lines()[0].unit_price == Decimal("1.00")
