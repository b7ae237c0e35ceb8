from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread

from pos_terminal.ui.operations import Operation


def test_work_runs_off_the_gui_thread_and_callbacks_on_it(qtbot):
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["work"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        seen["value"], seen["callback"] = value, threading.get_ident()
        seen["qthread_is_main"] = QThread.currentThread() is qtbot_app_thread()

    op = Operation(work).success(done).finally_(lambda: seen.setdefault("finally", True))
    op.run_in_background()
    qtbot.waitUntil(lambda: "finally" in seen, timeout=5_000)
    assert seen["work"] != gui
    assert seen["callback"] == gui and seen["qthread_is_main"]
    assert seen["value"] == 42 and not op.running


def test_failure_reaches_the_gui_thread(qtbot):
    caught: list[tuple[BaseException, int]] = []

    def boom() -> None:
        raise ValueError("no paper")

    Operation(boom).failure(lambda e: caught.append((e, threading.get_ident()))).run_in_background()
    qtbot.waitUntil(lambda: bool(caught), timeout=5_000)
    exc, thread = caught[0]
    assert isinstance(exc, ValueError) and str(exc) == "no paper"
    assert thread == threading.get_ident()


def test_the_gui_stays_responsive_while_work_blocks(qtbot):
    release = threading.Event()
    done: list[bool] = []
    Operation(lambda: release.wait(10)).success(done.append).run_in_background()
    # The event loop keeps running: a zero-timeout timer fires while the worker waits.
    with qtbot.waitSignal(qtbot_timer_fired(), timeout=2_000):
        pass
    assert not done
    release.set()
    qtbot.waitUntil(lambda: done == [True], timeout=5_000)


def qtbot_app_thread() -> QThread:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance().thread()


def qtbot_timer_fired():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer

    timer = QTimer(singleShot=True, interval=0)
    timer.start()
    qtbot_timer_fired.keep = timer  # type: ignore[attr-defined]
    return timer.timeout


@pytest.mark.parametrize("taps", [2, 5])
def test_pay_operation_thread_identity(qtbot, window, services, taps):
    """The sale commit itself (Till.pay) runs on a pool thread; repeated taps sell once."""
    from .conftest import BREAD, order_count, scan

    gui = threading.get_ident()
    threads: list[int] = []
    real_pay = services.till.pay

    def recording_pay(tenders):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return real_pay(tenders)

    services.till.pay = recording_pay  # spy only: the real commit still runs
    scan(qtbot, window.sale, BREAD)
    window.sale.buttons["pay"].click()
    dialog = window.sale.dialog
    dialog.tender_buttons[next(iter(dialog.tender_buttons))].click()  # exact cash
    with qtbot.waitSignal(dialog.committed, timeout=10_000):
        for _ in range(taps):
            dialog.complete()
    assert threads and all(t != gui for t in threads)
    assert len(threads) == 1 and order_count(services) == 1
