"""Scans reach the ticket whatever has the focus, and typing is never taken for a scan
(issue 9, item 2). Real widgets, real key events through Qt; the scanner's prefix (STX,
sent as Ctrl+B like a wedge scanner does) decides, timing is only the fallback."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QVBoxLayout

from devices.scanner import ScanFormat, WedgeSettings

from .conftest import BREAD

STX = "\x02"
FRAMED = WedgeSettings(ScanFormat(prefix=STX, aim=False))
TIMED = WedgeSettings()  # no prefix configured: key timing decides


def _target():  # type: ignore[no-untyped-def]
    """The widget a real keyboard's key would go to: an open menu, else the focus."""
    return QApplication.activePopupWidget() or QApplication.focusWidget() or QApplication.activeWindow()


def scanner_burst(code: str, *, framed: bool, delay_ms: int = -1) -> None:
    """A wedge scanner typing `code`: [STX] code Enter, a key every `delay_ms` (-1: at once)."""
    if framed:
        QTest.sendKeyEvent(QTest.KeyAction.Click, _target(), Qt.Key.Key_B, STX, Qt.KeyboardModifier.ControlModifier)
    for char in code:
        QTest.keyClick(_target(), char, Qt.KeyboardModifier.NoModifier, delay_ms)
    QTest.keyClick(_target(), Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, delay_ms)


def skus(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.sku for line in window.sale.till.ticket.lines()]


@pytest.fixture(params=["framed", "timed"])
def mode(request, window):  # type: ignore[no-untyped-def]
    window.sale.wedge.use(FRAMED if request.param == "framed" else TIMED)
    window.activateWindow()
    window.sale.focus_entry()
    return request.param


def test_a_scan_while_a_menu_is_open_lands_on_the_ticket(qtbot, window, mode) -> None:
    menu = window.menuBar().actions()[-1].menu()  # Drawer
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=2000)
    scanner_burst(BREAD, framed=mode == "framed")
    assert skus(window) == ["SKU00001"]
    assert not menu.isVisible()  # closed, so the cashier sees the line
    assert window.sale.dialog is None  # the scan's Enter triggered no menu action


def test_a_scan_after_a_menu_was_closed_with_escape(qtbot, window, mode) -> None:
    menu = window.menuBar().actions()[-1].menu()
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=2000)
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)
    scanner_burst(BREAD, framed=mode == "framed")
    assert skus(window) == ["SKU00001"]
    assert window.sale.dialog is None and QApplication.activePopupWidget() is None


def _open(window, dialog: QDialog):  # type: ignore[no-untyped-def]
    window.sale.open_dialog(dialog)
    dialog.activateWindow()
    return dialog


def test_a_scan_while_a_dialog_without_text_is_open_lands_on_the_ticket(qtbot, window, mode) -> None:
    dialog = QDialog(window)
    ok = QPushButton("OK", dialog)
    QVBoxLayout(dialog).addWidget(ok)
    _open(window, dialog)
    ok.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ok, timeout=2000)
    scanner_burst(BREAD, framed=mode == "framed")
    assert skus(window) == ["SKU00001"]
    assert dialog.isVisible()  # Enter did not press OK: the scan's keys reach no widget


def test_a_scan_while_someone_types_into_a_dialog_leaves_the_ticket_and_the_field(qtbot, window) -> None:
    window.sale.wedge.use(FRAMED)
    dialog = QDialog(window)
    pin = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(pin)
    _open(window, dialog)
    pin.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is pin, timeout=2000)
    qtbot.keyClicks(pin, "12")
    scanner_burst(BREAD, framed=True)
    assert skus(window) == [] and pin.text() == "12" and dialog.isVisible()
    assert BREAD in window.sale.banner.text()  # said, not silently dropped


@pytest.mark.parametrize("delay_ms", [40, 60, 150])
def test_a_sku_typed_by_hand_is_typed_text(qtbot, window, mode, delay_ms: int) -> None:
    screen = window.sale
    scans: list[str] = []
    screen.wedge.scanned.connect(lambda code, _sym: scans.append(code))
    qtbot.keyClicks(screen.entry, "SKU00009", delay=delay_ms)
    qtbot.waitUntil(lambda: screen.entry.text() == "SKU00009", timeout=2000)  # every key, in order
    QTest.keyClick(screen.entry, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, delay_ms)
    assert scans == []
    assert skus(window) == ["SKU00009"] and screen.entry.text() == ""


def test_a_scanner_burst_is_a_scan_and_half_typed_text_stays(qtbot, window, mode) -> None:
    screen = window.sale
    qtbot.keyClicks(screen.entry, "SKU0", delay=60)
    qtbot.waitUntil(lambda: screen.entry.text() == "SKU0", timeout=2000)
    with qtbot.waitSignal(screen.wedge.scanned, timeout=2000) as scan:
        scanner_burst(BREAD, framed=mode == "framed")
    assert scan.args[0] == BREAD
    assert skus(window) == ["SKU00001"] and screen.entry.text() == "SKU0"


def test_with_a_prefix_even_a_slow_scanner_is_a_scan(qtbot, window) -> None:
    window.sale.wedge.use(FRAMED)
    window.sale.focus_entry()
    scanner_burst(BREAD, framed=True, delay_ms=40)  # a scanner set to a slow key rate
    assert skus(window) == ["SKU00001"] and window.sale.entry.text() == ""
