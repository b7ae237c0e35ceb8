"""Every PIN check and database write the cashier starts runs off the GUI thread, and the
screen keeps answering while it runs: sign-in, the quick-key save, an open-price item,
cancelling a resumed ticket. Closing the window waits for a write under way.

Each use case is wrapped in a spy that records the thread it runs on and holds until the
test lets it go, so the test can look at the screen while the work is in flight; the real
use case then runs on the real till database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QTimer

from pos_terminal.ui.approval import ApprovalDialog
from pos_terminal.ui.main_window import MainWindow
from pos_terminal.ui.operations import Operation
from pos_terminal.ui.quick_keys_dialog import QuickKeysDialog

from .conftest import BREAD, scan, sign_in


class Held:
    """Wraps `obj.name`: records each call's thread, then waits for `release()`."""

    def __init__(self, obj: Any, name: str) -> None:
        self.real: Callable[..., Any] = getattr(obj, name)
        self.threads: list[threading.Thread] = []
        self.entered, self.released = threading.Event(), threading.Event()
        setattr(obj, name, self)

    def __call__(self, *args: Any) -> Any:
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.released.wait(10), "the test never let the call go"
        return self.real(*args)

    def release(self) -> None:
        self.released.set()

    @property
    def off_the_gui_thread(self) -> bool:
        return bool(self.threads) and all(t is not threading.main_thread() for t in self.threads)


def assert_responsive(qtbot, held: Held) -> None:  # type: ignore[no-untyped-def]
    """The call is in flight on a worker and the GUI thread's event loop still runs."""
    qtbot.waitUntil(held.entered.is_set, timeout=5_000)
    timer = QTimer(singleShot=True, interval=0)
    with qtbot.waitSignal(timer.timeout, timeout=2_000):
        timer.start()
    assert held.off_the_gui_thread


def _window(qtbot, services) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    return win


def test_the_sign_in_pin_check_runs_off_the_gui_thread(qtbot, services) -> None:
    win = _window(qtbot, services)
    held = Held(services.till, "sign_in")
    win.sign_in.user.setText("c1")
    win.sign_in.pin.setText("1111")
    win.sign_in.button.click()
    assert_responsive(qtbot, held)
    assert not win.sign_in.button.isEnabled() and not win.sign_in.pin.isEnabled()
    assert win.sign_in.pin.text() == ""  # the PIN is off the screen while it is checked
    assert win.stack.currentWidget() is win.sign_in
    held.release()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.sale, timeout=10_000)
    assert services.till.cashier.user_id == "c1" and win.sign_in.button.isEnabled()


def test_a_wrong_pin_is_said_in_words_and_the_screen_is_usable_again(qtbot, services) -> None:
    win = _window(qtbot, services)
    win.sign_in.user.setText("c1")
    win.sign_in.pin.setText("0000")
    win.sign_in.button.click()
    qtbot.waitUntil(lambda: not win.sign_in.busy, timeout=10_000)
    assert win.sign_in.error.text().startswith("Wrong PIN")
    assert win.sign_in.button.isEnabled() and services.till.cashier is None


def test_saving_the_quick_keys_runs_off_the_gui_thread(qtbot, services) -> None:
    win = _window(qtbot, services)
    sign_in(qtbot, win, "m1", "9999")  # a manager arranges without a second PIN
    held = Held(services.till, "arrange_quick_keys")
    win.quick_keys_action.trigger()
    qtbot.waitUntil(lambda: isinstance(win.sale.dialog, QuickKeysDialog), timeout=10_000)
    dialog = win.sale.dialog
    dialog.search.setText("bread")
    dialog.found.itemClicked.emit(dialog.found.item(0))
    chosen = dialog.skus()
    dialog.buttons[1].click()  # Save
    assert_responsive(qtbot, held)
    assert not dialog.buttons[1].isEnabled() and dialog.status.text() == "Saving…"
    dialog.reject()  # Cancel while it saves: the save finishes first
    assert dialog.isVisible()
    held.release()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert [i.sku for i in services.till.quick_keys()] == chosen and chosen


def test_a_cashiers_quick_key_save_asks_a_manager(qtbot, window, services) -> None:
    held = Held(services.till, "arrange_quick_keys")
    held.release()  # not held: only the threads are looked at
    window.quick_keys_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.sale.dialog, QuickKeysDialog), timeout=10_000)
    dialog = window.sale.dialog
    dialog.search.setText("SKU00003")
    dialog.found.itemClicked.emit(dialog.found.item(0))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.approval is not None, timeout=10_000)
    from .conftest import approve

    approve(qtbot, dialog.approval, "m1", "9999")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert [i.sku for i in services.till.quick_keys()] == ["SKU00003"]
    assert len(held.threads) == 2 and held.off_the_gui_thread  # the cashier's try, then the manager's


def test_an_open_price_item_is_added_off_the_gui_thread(qtbot, services) -> None:
    win = _window(qtbot, services)
    sign_in(qtbot, win, "m1", "9999")  # may sell at an open price without a second PIN
    held = Held(services.till, "add_open_price")
    sale = win.sale
    sale.open_price("SKU00002")
    entry = sale.dialog
    entry.value.setText("4.50")
    entry.reason.setText("last loaf of the day")
    entry.accept()
    assert_responsive(qtbot, held)
    assert sale.busy and not sale.buttons["cancel"].isEnabled()
    scan(qtbot, sale, BREAD)  # a scan meanwhile waits for the add
    held.release()
    qtbot.waitUntil(lambda: not sale.busy and len(services.till.ticket) == 2, timeout=10_000)
    first, second = services.till.ticket.ticket_lines()
    assert first.unit_price == Decimal("4.50") and second.item.sku == "SKU00001"


def test_cancelling_a_resumed_ticket_discards_it_off_the_gui_thread(qtbot, services) -> None:
    win = _window(qtbot, services)
    sign_in(qtbot, win, "m1", "9999")  # may cancel a ticket without a second PIN
    sale = win.sale
    scan(qtbot, sale, BREAD)
    sale.park()
    qtbot.waitUntil(lambda: not sale.busy, timeout=10_000)
    (parked,) = services.till.parked()
    services.till.resume(parked.park_id)
    sale.refresh()
    held = Held(services.till, "cancel_ticket")
    sale.buttons["cancel"].click()
    assert_responsive(qtbot, held)
    assert not sale.buttons["pay"].isEnabled()
    held.release()
    qtbot.waitUntil(lambda: not sale.busy, timeout=10_000)
    assert len(services.till.ticket) == 0 and services.till.parked() == []
    assert not isinstance(sale.dialog, ApprovalDialog)


def test_closing_the_window_waits_for_a_write_under_way(qtbot, services, monkeypatch) -> None:
    win = _window(qtbot, services)
    sign_in(qtbot, win, "c1", "1111")
    scan(qtbot, win.sale, BREAD)
    held = Held(services.till, "park")
    win.sale.park()
    qtbot.waitUntil(held.entered.is_set, timeout=5_000)
    running_at_close: list[bool] = []
    wait = Operation.wait_for_all

    def closing(timeout_ms: int = 30_000) -> None:
        running_at_close.append(win.sale.busy)
        held.release()  # the write goes on while the window waits for it
        wait(timeout_ms)

    monkeypatch.setattr(Operation, "wait_for_all", closing)
    win.close()
    assert running_at_close == [True]
    assert not win.sale.busy and "parked" in win.sale.banner.text()  # its result was delivered
    assert len(services.till.parked()) == 1


def test_a_second_write_while_one_runs_is_refused_in_words(qtbot, services) -> None:
    win = _window(qtbot, services)
    sign_in(qtbot, win, "m1", "9999")
    sale = win.sale
    scan(qtbot, sale, BREAD)
    held = Held(services.till, "park")
    sale.park()
    qtbot.waitUntil(held.entered.is_set, timeout=5_000)
    first = sale.operation
    sale.cancel_ticket()  # from the keyboard or a menu while the park is written
    assert sale.operation is first and "still saving" in sale.banner.text()
    held.release()
    qtbot.waitUntil(lambda: not sale.busy, timeout=10_000)
    assert len(services.till.parked()) == 1 and len(services.till.ticket) == 0
