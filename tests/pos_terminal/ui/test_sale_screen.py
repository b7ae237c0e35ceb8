from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from pos_terminal.core.sale import TenderType

from .conftest import BAD_CHECK_DIGIT, BREAD, UNKNOWN, order_count, scan


def test_scan_shows_the_line_and_the_total(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    assert screen.model.rowCount() == 1
    assert screen.model.index(0, 1).data() == "Bread Classic"
    assert screen.model.index(0, 5).data() == "€19.71"
    assert screen.totals.gross.text() == "€19.71"
    assert screen.entry.text() == ""  # ready for the next scan
    assert screen.buttons["pay"].isEnabled()


def test_quantity_times_code_adds_pieces(qtbot, window, services):
    scan(qtbot, window.sale, "3*" + BREAD)
    assert services.till.ticket.ticket_lines()[0].qty == Decimal(3)
    assert window.sale.totals.gross.text() == "€59.13"


def test_bad_barcode_shows_a_message_and_leaves_the_ticket(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    scan(qtbot, screen, BAD_CHECK_DIGIT)
    assert screen.banner.isVisible()
    assert screen.banner.text().startswith("Bad barcode")
    assert "check digit" in screen.banner.text()
    assert len(services.till.ticket) == 1 and screen.model.rowCount() == 1
    scan(qtbot, screen, UNKNOWN)
    assert screen.banner.text().startswith("Unknown item")
    assert len(services.till.ticket) == 1
    scan(qtbot, screen, BREAD)  # the cashier keeps going; the banner clears
    assert not screen.banner.isVisible()
    assert [l.qty for l in services.till.ticket.ticket_lines()] == [2]  # scanned again: onto its line


def _pay_dialog(qtbot, screen):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(screen.buttons["pay"], Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_pay_by_split_tender_commits_and_resets(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    dialog.amount.setText("10.00")
    dialog.tender_buttons[TenderType.CARD].click()
    assert dialog.remaining_label.text() == "Remaining: €9.71"
    assert not dialog.complete_button.isEnabled()
    dialog.findChild(type(dialog.complete_button), "quick_20.00").click()  # a 20 note for the rest
    assert dialog.change_label.text() == "Change: €10.29"
    with qtbot.waitSignal(dialog.committed, timeout=10_000):
        dialog.complete_button.click()
    assert order_count(services) == 1
    assert dialog.receipt_label.text().startswith("Receipt ")
    assert dialog.done_change_label.text() == "Change: €10.29"
    assert screen.model.rowCount() == 0 and len(services.till.ticket) == 0  # UI reset
    dialog.next_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)


def test_double_tap_on_complete_sells_once(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    dialog.tender_buttons[TenderType.CASH].click()  # exact cash
    committed = []
    dialog.committed.connect(committed.append)
    dialog.complete_button.click()
    assert not dialog.complete_button.isEnabled()  # disabled while in flight
    dialog.complete()  # a second tap that got through anyway
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(committed) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: dialog.operation is not None and not dialog.operation.running, timeout=5_000)
    assert order_count(services) == 1


def test_card_overpayment_is_refused_in_the_dialog(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    dialog = _pay_dialog(qtbot, screen)
    dialog.amount.setText("50.00")
    dialog.tender_buttons[TenderType.CARD].click()
    assert dialog.error.text().startswith("Payment refused")
    assert dialog.tenders == [] and order_count(services) == 0


def test_void_line_by_the_cashier(qtbot, window, services):
    screen = window.sale
    scan(qtbot, screen, BREAD)
    scan(qtbot, screen, "SKU00002")
    screen.table.selectRow(0)
    screen.buttons["void"].click()
    assert [l.line_no for l in services.till.ticket.ticket_lines()] == [2]
    assert screen.model.rowCount() == 1


def test_a_closed_dialog_is_freed_when_the_next_one_opens(qtbot, window, services):
    # One dialog per sale (and per weighing, discount...) must not pile up under the
    # window for the whole day, nor stay connected to the device bridge.
    screen = window.sale
    screen.buttons["weigh"].click()
    first = screen.dialog
    first.reject()
    with qtbot.waitSignal(first.destroyed, timeout=5_000):
        screen.buttons["weigh"].click()
    second = screen.dialog
    assert second is not first and second.isVisible()
    second.reject()
