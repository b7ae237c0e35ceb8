"""Lock the till after a configurable idle time (`[terminal] idle_lock_minutes`, default 15).

Any key, touch or mouse input restarts the clock. When it runs out the till locks
(`Till.lock`) and shows the lock screen (`ui.lock_screen`); the open ticket stays exactly
as it was, for the same cashier's PIN or a manager who takes it over. While a dialog is
open the lock waits for it: a payment half taken is never torn down by a timer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
})
RETRY_MS = 5_000  # a dialog was open: look again in a few seconds


class IdleLock(QObject):
    def __init__(self, minutes: float, is_signed_in: Callable[[], bool], lock: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._is_signed_in, self._lock = is_signed_in, lock
        self.timer = QTimer(self, singleShot=True)
        self.timer.setInterval(int(minutes * 60_000))
        self.timer.timeout.connect(self._idle)
        self.enabled = minutes > 0
        app = QApplication.instance()
        if self.enabled and app is not None:
            app.installEventFilter(self)
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in INPUT_EVENTS and self.enabled:
            self.timer.start()  # restarts: idle time counts from the last input
        return False

    def _idle(self) -> None:
        if not self._is_signed_in():
            self.timer.start()
            return
        if QApplication.activeModalWidget() is not None:
            self.timer.start(RETRY_MS)
            return
        self._lock()
        self.timer.start()
