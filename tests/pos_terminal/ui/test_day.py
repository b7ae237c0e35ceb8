from __future__ import annotations

from decimal import Decimal

from pos_terminal.core.sale import TenderType
from pos_terminal.services import ApproverPin
from pos_terminal.services.drawer import DrawerService
from pos_terminal.ui.approval import ApprovalDialog
from pos_terminal.ui.cash_office import CashMovementDialog, DenominationCount
from pos_terminal.ui.day_dialogs import ReportDialog
from pos_terminal.ui.main_window import MainWindow

from .conftest import approve, BREAD, scan, sign_in
from .test_reprint import devices  # noqa: F401 - a real print queue and TCP printer simulator


def test_open_sell_x_report_and_close_the_day(qtbot, services):
    win = MainWindow(services, drawer=DrawerService(services.till))
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    screen = win.sale

    win.drawer_actions["open"].trigger()
    screen.dialog.value.setText("100.00")
    screen.dialog.accept()
    qtbot.waitUntil(lambda: not screen.busy, timeout=10_000)  # written off the GUI thread
    assert win.drawer.is_open()

    scan(qtbot, screen, BREAD)
    screen.buttons["pay"].click()
    pay = screen.dialog
    pay.tender_buttons[TenderType.CASH].click()
    with qtbot.waitSignal(pay.committed, timeout=10_000):
        pay.complete_button.click()
    pay.accept()

    win.drawer_actions["x_report"].trigger()  # a cashier needs a supervisor for the X report
    qtbot.waitUntil(lambda: isinstance(screen.dialog, ApprovalDialog), timeout=10_000)
    approval = screen.dialog
    assert isinstance(approval, ApprovalDialog) and "Not allowed" in approval.purpose.text()
    approve(qtbot, approval, "s1", "2222")
    report = screen.dialog
    assert isinstance(report, ReportDialog)
    assert "Expected in drawer" in report.text.toPlainText() and "€119.71" in report.text.toPlainText()
    report.accept()

    win.drawer_actions["z_report"].trigger()
    count = screen.dialog
    assert isinstance(count, DenominationCount)
    for value, pieces in (("100", 1), ("10", 1), ("5", 1), ("2", 2), ("0.50", 1), ("0.20", 1), ("0.01", 1)):
        count.set_count(Decimal(value), pieces)
    assert count.total == Decimal("119.71") and "€119.71" in count.total_label.text()
    count.ok_button.click()
    approval = screen.dialog
    approval.manager.setText("s1")  # a supervisor may not close the day
    approve(qtbot, approval, approval.manager.text(), "2222")
    assert approval.error.text().startswith("Not allowed") and win.drawer.is_open()
    approve(qtbot, approval, "m1", "9999")
    z = screen.dialog
    assert isinstance(z, ReportDialog) and z.windowTitle() == "Z report 1"
    assert "Over/short" in z.text.toPlainText()
    assert not win.drawer.is_open()


def test_the_z_report_prints_on_the_receipt_printer_and_saves_as_csv_and_pdf(qtbot, services, devices,
                                                                            tmp_path):
    import csv

    z = _z_dialog(qtbot, services, devices)
    z.print_report()
    devices.sim.wait_until(lambda sim: len(sim.receipts) == 1, timeout=15)
    printed = devices.sim.receipts[0]
    assert "Z report 1" in printed and "Expected in drawer" in printed and "Over/short" in printed

    z.save_csv(tmp_path / "z.csv")
    qtbot.waitUntil(lambda: "Saved as" in z.message.text(), timeout=10_000)
    with (tmp_path / "z.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "Z report 1" and ["Opening float", "€100.00"] in rows

    z.save_pdf(tmp_path / "z.pdf")
    pdf = (tmp_path / "z.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def _z_dialog(qtbot, services, devices):  # type: ignore[no-untyped-def]
    win = MainWindow(services, drawer=DrawerService(services.till), devices=devices)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "m1", "9999")
    win.drawer_actions["open"].trigger()
    win.sale.dialog.value.setText("100.00")
    win.sale.dialog.accept()
    qtbot.waitUntil(lambda: not win.sale.busy, timeout=10_000)
    win.drawer_actions["z_report"].trigger()
    win.sale.dialog.set_count(Decimal("100"), 1)
    win.sale.dialog.accept()
    approve(qtbot, win.sale.dialog, None, "9999")  # the signed-in manager's own PIN
    z = win.sale.dialog
    assert isinstance(z, ReportDialog), getattr(z, "error", z).text() if hasattr(z, "error") else z
    return z


def test_paid_in_alone_and_paid_out_with_a_supervisor_show_in_the_x_report(qtbot, services):
    win = MainWindow(services, drawer=DrawerService(services.till))
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    win.drawer_actions["open"].trigger()
    win.sale.dialog.value.setText("100.00")
    win.sale.dialog.accept()
    qtbot.waitUntil(lambda: not win.sale.busy, timeout=10_000)

    win.drawer_actions["cash_office"].trigger()
    dialog = win.sale.dialog
    assert isinstance(dialog, CashMovementDialog)
    dialog.amount.setText("20.00")
    dialog.book()
    assert "reason" in dialog.error.text()  # the reason first, nothing booked
    dialog.reason.setText("change from the safe")
    dialog.book()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    win.drawer_actions["cash_office"].trigger()
    dialog = win.sale.dialog
    dialog.paid_out.click()
    dialog.amount.setText("7.50")
    dialog.reason.setText("window cleaner")
    dialog.book()
    qtbot.waitUntil(lambda: dialog.approval is not None, timeout=10_000)  # a cashier may not
    assert "€7.50" in dialog.approval.purpose.text()
    approve(qtbot, dialog.approval, "s1", "2222")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    _, summary = win.drawer.x_report(ApproverPin("s1", "2222"))
    assert (summary.paid_in, summary.paid_out) == (Decimal("20.00"), Decimal("7.50"))
    assert summary.expected == Decimal("112.50")


def test_a_german_shops_z_report_prints_its_amounts_the_german_way(qtbot, services, devices):
    """The printout shows what the screen shows: "100,00 €", the euro sign through the
    printer's code page, never "€100.00" or "€ 100,00"."""
    from pos_terminal.services import formatting

    formatting.use_store_locale("de_DE")
    try:
        z = _z_dialog(qtbot, services, devices)
        on_screen = z.text.toPlainText()
        z.print_report()
        devices.sim.wait_until(lambda sim: len(sim.receipts) == 1, timeout=15)
    finally:
        formatting.use_store_locale(formatting.DEFAULT_LOCALE)
    printed = devices.sim.receipts[0]
    assert "100,00 €" in on_screen  # (QTextEdit's plain text turns the no-break space into a space)
    expected = next(row for row in printed.splitlines() if row.startswith("Expected in drawer"))
    assert expected.endswith("100,00\u00a0€"), expected
    assert "€100" not in printed and "€ 100" not in printed and "?" not in printed
