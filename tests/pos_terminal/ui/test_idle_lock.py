"""The idle lock: after the configured time without input the till shows its lock screen,
the open ticket is kept for its own cashier (or a manager who takes it over, never another
cashier), and an open dialog is never torn down."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.services import open_services
from pos_terminal.ui.entry_dialog import EntryDialog

from .conftest import BREAD, scan, sign_in


def unlock(qtbot, lock, pin: str, user: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Type the PIN (and, for someone else, their ID) and wait for the check's answer."""
    if user is not None:
        lock.other.click()
        lock.user.setText(user)
    lock.pin.setText(pin)
    lock.button.click()
    qtbot.waitUntil(lambda: not lock.busy, timeout=10_000)


def locked_window(qtbot, services):  # type: ignore[no-untyped-def]
    """c1 signed in with one bread on the ticket, then the till locked."""
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    scan(qtbot, win.sale, BREAD)
    win.lock_idle()
    assert win.stack.currentWidget() is win.lock_screen
    return win


@pytest.fixture
def services(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo staff and a second cashier, Carl (c2, PIN 3333)."""
    from pos_terminal.config import SeedUser

    config = load_config(data_dir=tmp_path)
    carl = SeedUser(user_id="c2", name="Carl Cashier", role="cashier", pin="3333")
    services = open_services(config.replace(seed_users=(*config.seed_users, carl)))
    yield services
    services.close()


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
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.lock_screen, timeout=5_000)
    assert quick_lock.till.cashier is None
    lock = win.lock_screen
    assert lock.kept.text() == "The open ticket (1 line, €19.71) is kept."
    assert lock.cashier_line.text().startswith("Cathy Cashier was signed in")
    assert not lock.user.isVisible() and lock.user.text() == "c1"  # the same cashier: PIN only
    unlock(qtbot, lock, "1111")
    assert win.stack.currentWidget() is win.sale
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
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.lock_screen, timeout=10_000)


def test_zero_minutes_never_locks(qtbot, tmp_path):
    from pos_terminal.ui.main_window import MainWindow

    services = open_services(load_config(data_dir=tmp_path).replace(idle_lock_minutes=0))
    try:
        win = MainWindow(services)
        qtbot.addWidget(win)
        assert not win.idle_lock.enabled and not win.idle_lock.timer.isActive()
    finally:
        services.close()


def test_another_cashier_can_not_unlock_anothers_ticket(qtbot, services):
    from pos_terminal.store.models import AuditEntry

    win = locked_window(qtbot, services)
    unlock(qtbot, win.lock_screen, "1111", user="c2")
    assert win.stack.currentWidget() is win.lock_screen and services.till.cashier is None
    assert "locked" in win.lock_screen.error.text() and "manager" in win.lock_screen.error.text()
    assert "c1" not in win.lock_screen.error.text()  # the cashier's name, not their ID
    with services.db.reader() as s:  # refused before any PIN was checked: nothing journalled
        assert s.query(AuditEntry).filter(AuditEntry.actor == "c2").count() == 0
    assert win.lock_screen.button.isEnabled()


def test_a_manager_unlocks_and_takes_the_ticket_over(qtbot, services):
    from pos_terminal.store.models import AuditEntry

    win = locked_window(qtbot, services)
    unlock(qtbot, win.lock_screen, "9999", user="m1")
    assert win.stack.currentWidget() is win.sale, win.lock_screen.error.text()
    assert services.till.cashier.user_id == "m1" and len(services.till.ticket) == 1
    with services.db.reader() as s:
        entry = s.query(AuditEntry).filter(AuditEntry.action == "ticket.take_over").one()
        assert entry.actor == "m1" and entry.subject == "c1"


def test_a_wrong_pin_on_the_lock_screen_is_said_and_keeps_the_ticket(qtbot, services):
    win = locked_window(qtbot, services)
    unlock(qtbot, win.lock_screen, "0000")
    assert win.lock_screen.error.text().startswith("Wrong PIN")
    assert win.stack.currentWidget() is win.lock_screen and len(services.till.ticket) == 1
    unlock(qtbot, win.lock_screen, "1111")
    assert win.stack.currentWidget() is win.sale and win.sale.model.rowCount() == 1


def test_with_no_ticket_open_anyone_may_sign_in_at_the_lock_screen(qtbot, services):
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    win.lock_idle()
    assert win.lock_screen.kept.text() == "No ticket is open."
    unlock(qtbot, win.lock_screen, "3333", user="c2")
    assert win.stack.currentWidget() is win.sale, win.lock_screen.error.text()
    assert services.till.cashier.user_id == "c2"
