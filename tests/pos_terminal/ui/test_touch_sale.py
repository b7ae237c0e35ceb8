"""Selling without a barcode, through the widgets: the category grid, search as you type,
the keypad's quantity key, an open price with a manager's approval; parking tickets and
resuming them after the app restarts (issue 9, items 1 and 3)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import open_services
from pos_terminal.ui.approval import ApprovalDialog

from .conftest import BREAD, order_count, scan, sign_in


def tap(qtbot, tiles, key: str) -> None:  # type: ignore[no-untyped-def]
    """A finger on the tile `key` (a SKU or a category) of a TileList."""
    item = tiles.tile(key)
    assert item is not None, f"{key} not shown among {tiles.keys()[:10]}"
    tiles.scrollToItem(item)
    qtbot.mouseClick(tiles.viewport(), Qt.MouseButton.LeftButton, pos=tiles.visualItemRect(item).center())


def lines(window) -> list[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    return [(l.sku, l.qty) for l in window.sale.till.ticket.lines()]


def test_a_cashier_sells_by_the_category_grid(qtbot, window) -> None:
    panel = window.sale.products
    assert "Bakery" in panel.categories.keys()
    tap(qtbot, panel.categories, "Bakery")
    assert panel.heading.text() == "Category: Bakery"
    tap(qtbot, panel.products, "SKU00001")
    tap(qtbot, panel.products, "SKU00001")  # again: onto the same line
    assert lines(window) == [("SKU00001", Decimal(2))]
    assert all(panel.products.visualItemRect(panel.products.item(i)).height() >= 48
               for i in range(min(5, panel.products.count())))


def test_a_cashier_sells_by_search_as_you_type(qtbot, window) -> None:
    screen = window.sale
    screen.entry.setFocus()
    qtbot.keyClicks(screen.entry, "bread org", delay=60)
    qtbot.waitUntil(lambda: screen.products.products.keys()[:1] == ["SKU00002"], timeout=3000)
    assert "found" in screen.products.heading.text()
    tap(qtbot, screen.products.products, "SKU00002")
    assert lines(window) == [("SKU00002", Decimal(1))]
    assert screen.entry.text() == ""  # ready for the next item


def test_typing_a_name_and_enter_sells_the_one_item_found(qtbot, window) -> None:
    screen = window.sale
    qtbot.keyClicks(screen.entry, "SKU00003", delay=60)
    qtbot.waitUntil(lambda: screen.entry.text() == "SKU00003", timeout=3000)
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    assert lines(window) == [("SKU00003", Decimal(1))]


def test_the_keypad_keys_a_quantity_for_the_next_tap_and_a_scan_adds_to_it(qtbot, window) -> None:
    screen = window.sale
    for key in ("3", "times"):
        screen.keypad.keys[key].click()
    assert screen.entry.text() == "3*"
    tap(qtbot, screen.products.categories, "Bakery")
    tap(qtbot, screen.products.products, "SKU00001")
    scan(qtbot, screen, BREAD)  # a plain scan of the same item: onto its line
    assert lines(window) == [("SKU00001", Decimal(4))]


def test_an_open_price_item_with_a_managers_approval(qtbot, window) -> None:
    screen = window.sale
    screen.products.open_price.click()
    tap(qtbot, screen.products.categories, "Bakery")
    tap(qtbot, screen.products.products, "SKU00002")
    entry = screen.dialog
    entry.value.setText("4.50")
    entry.reason.setText("last loaf of the day")
    entry.accept()
    # the cashier's own try runs off the GUI thread; refused, it asks for a manager
    qtbot.waitUntil(lambda: isinstance(screen.dialog, ApprovalDialog), timeout=10_000)
    approval = screen.dialog
    assert "Bread Organic" in approval.purpose.text() and "€4.50" in approval.purpose.text()
    approval.manager.setText("m1")
    approval.pin.setText("9999")
    approval.approve_button.click()
    qtbot.waitUntil(lambda: not approval.isVisible(), timeout=5000)
    line = screen.till.ticket.ticket_lines()[0]
    assert line.unit_price == Decimal("4.50") and line.override.approved_by == "m1"
    assert not screen.products.open_price.isChecked()  # one item, then back to normal


def _window(qtbot, services):  # type: ignore[no-untyped-def]
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    return win


def _park(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.sale.buttons["park"].click()
    qtbot.waitUntil(lambda: not win.sale.busy and len(win.sale.till.ticket) == 0, timeout=5000)
    assert "parked" in win.sale.banner.text()


def test_park_two_tickets_restart_the_app_resume_both_and_pay(qtbot, tmp_path: Path) -> None:
    config = load_config(data_dir=tmp_path)
    first = open_services(config)
    win = _window(qtbot, first)
    scan(qtbot, win.sale, BREAD)
    _park(qtbot, win)
    scan(qtbot, win.sale, "SKU00002")
    scan(qtbot, win.sale, "SKU00002")
    _park(qtbot, win)
    win.close()
    first.close()

    again = open_services(config)
    win = _window(qtbot, again)
    paid = []
    for _ in range(2):
        win.sale.buttons["parked"].click()
        dialog = win.sale.dialog
        qtbot.waitUntil(lambda: dialog.list.count() > 0 and dialog.resume_button.isEnabled(), timeout=5000)
        dialog.resume_button.click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
        paid.append(lines(win))
        win.sale.buttons["pay"].click()
        pay = win.sale.dialog
        pay.tender_buttons[TenderType.CASH].click()
        with qtbot.waitSignal(pay.committed, timeout=10_000):
            pay.complete_button.click()
        pay.next_button.click()
        qtbot.waitUntil(lambda: not pay.isVisible(), timeout=5000)
    assert sorted(paid) == [[("SKU00001", Decimal(1))], [("SKU00002", Decimal(2))]]
    assert order_count(again) == 2 and again.till.parked() == []
    win.close()
    again.close()
    assert QApplication.activeModalWidget() is None
