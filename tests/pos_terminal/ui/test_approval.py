from __future__ import annotations

from decimal import Decimal

from pos_terminal.ui.approval import ApprovalDialog
from pos_terminal.ui.entry_dialog import EntryDialog

from .conftest import BREAD, scan


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
    approval.manager.setText("m1")
    approval.pin.setText("0000")
    approval.approve_button.click()
    assert approval.isVisible()
    assert approval.error.text().startswith("Wrong PIN")
    assert "attempts left" in approval.error.text()
    assert approval.pin.text() == ""  # a PIN never stays on screen
    assert services.till.ticket.ticket_lines()[0].discount is None

    approval.pin.setText("9999")
    approval.approve_button.click()
    qtbot.waitUntil(lambda: not approval.isVisible(), timeout=5_000)
    assert services.till.ticket.ticket_lines()[0].discount.value == Decimal(50)
    assert screen.model.index(0, 4).data() == "€9.86"


def test_a_locked_manager_is_told_so(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    approval = _ask_line_discount(qtbot, screen, "50")
    approval.manager.setText("m1")
    for _ in range(10):
        approval.pin.setText("0000")
        approval.approve_button.click()
        if approval.error.text().startswith("User locked"):
            break
    assert approval.error.text().startswith(("User locked", "Wrong PIN"))
    assert "locked" in approval.error.text()
    approval.pin.setText("9999")  # even the right PIN is refused while locked
    approval.approve_button.click()
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
    approval.manager.setText("c1")
    approval.pin.setText("1111")
    approval.approve_button.click()
    assert approval.error.text().startswith("Not allowed")
    approval.manager.setText("m1")
    approval.pin.setText("9999")
    approval.approve_button.click()
    assert services.till.ticket.ticket_lines()[0].unit_price == Decimal("1.00")
