"""The idle lock: after the configured time without input the till shows sign-in, the open
ticket is kept for whoever signs in next, and an open dialog is never torn down."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.services import open_services
from pos_terminal.ui.entry_dialog import EntryDialog

from .conftest import BREAD, scan, sign_in


@pytest.fixture
def quick_lock(tmp_path: Path):  # type: ignore[no-untyped-def]
    services = open_services(load_config(data_dir=tmp_path).replace(idle_lock_minutes=0.005))  # 300 ms
    yield services
    services.close()


def test_an_idle_till_locks_and_keeps_the_open_ticket(qtbot, quick_lock):
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(quick_lock)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    scan(qtbot, win.sale, BREAD)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.sign_in, timeout=5_000)
    assert quick_lock.till.cashier is None
    assert "ticket" in win.sign_in.error.text() and "1" in win.sign_in.error.text()
    sign_in(qtbot, win, "c1", "1111")
    assert len(quick_lock.till.ticket) == 1 and win.sale.model.rowCount() == 1


def test_the_lock_waits_for_an_open_dialog(qtbot, quick_lock):
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(quick_lock)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    dialog = EntryDialog("Quantity", "New quantity", win)
    win.sale.open_dialog(dialog)
    with qtbot.waitSignal(win.idle_lock.timer.timeout, timeout=5_000):
        pass  # the idle time ran out while the dialog was open
    assert win.stack.currentWidget() is win.sale and dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.sign_in, timeout=10_000)


def test_zero_minutes_never_locks(qtbot, tmp_path):
    from pos_terminal.ui.main_window import MainWindow

    services = open_services(load_config(data_dir=tmp_path).replace(idle_lock_minutes=0))
    try:
        win = MainWindow(services)
        qtbot.addWidget(win)
        assert not win.idle_lock.enabled and not win.idle_lock.timer.isActive()
    finally:
        services.close()
