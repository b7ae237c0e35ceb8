from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QPushButton

from pos_terminal.core.sale import TenderType
from pos_terminal.ui.return_dialog import ReturnDialog

from .conftest import approve, BREAD, order_count, scan


def _sell(qtbot, screen, *codes: str):  # type: ignore[no-untyped-def]
    for code in codes:
        scan(qtbot, screen, code)
    screen.buttons["pay"].click()
    pay = screen.dialog
    pay.tender_buttons[TenderType.CARD].click()
    with qtbot.waitSignal(pay.committed, timeout=10_000):
        pay.complete_button.click()
    pay.accept()
    return pay.order


def test_return_against_a_receipt_is_refunded(qtbot, window, services):
    screen = window.sale
    sold = _sell(qtbot, screen, "2*" + BREAD)
    screen.buttons["return"].click()
    dialog = screen.dialog
    assert isinstance(dialog, ReturnDialog)
    dialog.receipt.setText("no-such-receipt")
    dialog.look_up()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5_000)
    assert dialog.error.text().startswith("Receipt not found")
    assert dialog.approval is None  # nobody is asked for a PIN for a receipt that does not exist

    short = str(int(sold.receipt_no.rpartition("-")[2]))  # the counter part: "1"
    dialog.receipt.clear()
    for digit in short:  # typed on the dialog's own keypad
        dialog.keypad.findChild(QPushButton, f"key_{digit}").click()
    assert dialog.receipt.text() == short
    dialog.look_up()
    qtbot.waitUntil(lambda: dialog.approval is not None, timeout=5_000)
    assert sold.receipt_no in dialog.found.text()
    assert sold.receipt_no in dialog.approval.purpose.text()
    approve(qtbot, dialog.approval, "m1", "9999")
    assert dialog.pages.currentIndex() == 1 and dialog.lines.count() == 1
    assert "2 of 2 left" in dialog.lines.item(0).text()
    dialog.lines.setCurrentRow(0)
    dialog.qty.setText("3")  # more than was sold: refused, nothing added
    dialog.add_selected()
    assert dialog.line_error.text().startswith("Refused") and len(services.till.ticket) == 0
    dialog.qty.setText("1")
    dialog.add_selected()
    assert "1 of 2 left" in dialog.lines.item(0).text()
    dialog.accept()
    assert screen.kind.text() == "RETURN" and screen.buttons["pay"].text() == "Refund"

    screen.buttons["pay"].click()
    refund = screen.dialog
    assert refund.windowTitle() == "Refund"
    refund.tender_buttons[TenderType.CASH].click()
    with qtbot.waitSignal(refund.committed, timeout=10_000):
        refund.complete_button.click()
    assert order_count(services) == 2
    assert refund.order.sale.kind == "return" and refund.order.sale.totals.gross == Decimal("19.71")
    assert services.till.ticket.kind == "sale"


def test_a_return_never_replaces_an_open_ticket(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    screen.buttons["return"].click()
    dialog = screen.dialog
    dialog.blind()
    assert dialog.approval is None and "open ticket" in dialog.error.text()
    dialog.receipt.setText("1")
    dialog.look_up()
    assert dialog.approval is None and "open ticket" in dialog.error.text()
    assert len(services.till.ticket) == 1 and services.till.ticket.kind == "sale"


def test_a_scanned_qr_code_finds_the_receipt_and_the_dialog_fits_its_content(qtbot, window, services):
    screen = window.sale
    sold = _sell(qtbot, screen, BREAD)
    screen.buttons["return"].click()
    dialog = screen.dialog
    qtbot.waitExposed(dialog)
    for button in dialog.findChildren(QPushButton):
        if button.isVisible():  # no button stretched to fill the dialog
            assert button.height() <= 80, (button.text(), button.height())
    assert dialog.take_scan(sold.receipt_no)  # what the QR code on the receipt carries
    qtbot.waitUntil(lambda: dialog.approval is not None, timeout=5_000)
    assert sold.receipt_no in dialog.found.text()


def test_receipt_numbers_short_and_full():
    from pos_terminal.store.receipts import parse_receipt_no

    assert parse_receipt_no("42", "T01") == "T01-000042"
    assert parse_receipt_no(" 000042 ", "T01") == "T01-000042"
    assert parse_receipt_no("T02-42", "T01") == "T02-000042"  # another till's, read in full
    assert parse_receipt_no("T01-000042", "T01") == "T01-000042"
    assert parse_receipt_no("0", "T01") is None and parse_receipt_no("abc", "T01") is None
