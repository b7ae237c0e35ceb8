"""The status bar's clock warning (issue 11, item 10): shown while the till's clock is more
than a minute off the server's, in words a cashier can act on, and cleared once it agrees."""

from __future__ import annotations

import threading

from pos_terminal.sync.events import ClockSkewed, EventHub
from pos_terminal.ui.status_bar import TillStatusBar


class SyncEvents:
    """Stands in for SyncService towards the window: the bridge only calls subscribe()."""

    def __init__(self) -> None:
        self.hub = EventHub()

    def subscribe(self, callback):  # type: ignore[no-untyped-def]
        return self.hub.subscribe(callback)

    def emit_from_worker(self, event: object) -> None:
        worker = threading.Thread(target=self.hub.emit, args=(event,))
        worker.start()
        worker.join(5)


def test_a_skewed_till_clock_is_shown_from_the_sync_thread_and_cleared(qtbot, services):  # type: ignore[no-untyped-def]
    from pos_terminal.ui.main_window import MainWindow

    sync = SyncEvents()
    win = MainWindow(services, sync=sync)
    qtbot.addWidget(win)
    win.show()
    label = win.status.clock_label
    assert not label.isVisible()

    with qtbot.waitSignal(win.sync_bridge.clock_skewed, timeout=5_000):
        sync.emit_from_worker(ClockSkewed(183.0))
    assert label.isVisible()
    assert label.text() == "Till clock is 3 min ahead of the server: ask a manager to set the time"

    with qtbot.waitSignal(win.sync_bridge.clock_skewed, timeout=5_000):
        sync.emit_from_worker(ClockSkewed(12.0))
    assert not label.isVisible() and label.text() == ""


def test_the_warning_says_which_way_and_how_far(qtbot):  # type: ignore[no-untyped-def]
    bar = TillStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    cases = {
        61.0: "Till clock is 1 min ahead of the server: ask a manager to set the time",
        -600.0: "Till clock is 10 min behind the server: ask a manager to set the time",
        -3 * 3600.0: "Till clock is 3 h behind the server: ask a manager to set the time",
        9 * 86400.0: "Till clock is 9 days ahead of the server: ask a manager to set the time",
    }
    for skew, text in cases.items():
        bar.on_clock(ClockSkewed(skew))
        assert (bar.clock_label.text(), bar.clock_label.isVisible()) == (text, True)
    bar.on_clock(ClockSkewed(-59.0))  # within the minute the till tolerates
    assert not bar.clock_label.isVisible()


def test_the_warning_speaks_german(qtbot):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from pos_terminal.app import install_translations

    app = QApplication.instance()
    translators = install_translations(app, QLocale("de_DE"))
    try:
        bar = TillStatusBar()
        qtbot.addWidget(bar)
        bar.on_clock(ClockSkewed(-183.0))
        assert bar.clock_label.text() == \
            "Kassenuhr geht 3 Min. gegenüber dem Server nach: die Aufsicht bitten, die Uhrzeit zu stellen"
    finally:
        for translator in translators:
            app.removeTranslator(translator)


def test_long_status_texts_never_widen_the_window_past_a_1024_px_screen(qtbot, services):  # type: ignore[no-untyped-def]
    """The clock warning, the sync state and the devices beside each other, in the longest
    words we have: the window still fits 1024 px (the texts end in "…" instead)."""
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.status.on_clock(ClockSkewed(-3 * 86_400.0))
    win.status.sync_unavailable("no server configured")
    win.status.devices_label.setText("Geräte: Bondrucker nicht verfügbar · Waage nicht verfügbar · Lade offen")
    win.resize(1024, 768)
    win.show()
    assert win.minimumSizeHint().width() <= 1024
    assert win.width() <= 1024
    assert win.status.clock_label.text().startswith("Till clock is 3 days behind")
