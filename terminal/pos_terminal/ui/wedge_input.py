"""Keyboard-wedge scanners on the entry field.

A wedge scanner is a keyboard: it types the code and Enter within a few milliseconds.
Every key the entry field gets is fed to `devices.scanner.WedgeScanner`, which tells a
scan (a fast burst ending in Enter) from a person typing; typed keys go into the field
as usual, a scan is rung up whole, even when the cashier had half-typed something.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from devices.events import DataEvent, ErrorEvent, EventBus
from devices.scanner import ScanFormat, WedgeScanner

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
FLUSH_INTERVAL_MS = 40  # a held burst with no suffix is released as typing after this


class WedgeInput(QObject):
    scanned = Signal(str, str)  # code, symbology
    bad_scan = Signal(str)

    def __init__(self, entry: QLineEdit, *, fmt: ScanFormat | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(entry)
        self.entry, self.clock = entry, clock
        bus = EventBus()
        bus.subscribe(self._on_event)  # published on this (GUI) thread while a key is fed
        self.scanner = WedgeScanner("wedge", fmt or ScanFormat(aim=False), bus)
        self.scanner.start()
        entry.installEventFilter(self)
        # Armed only while keys are held: an idle till must not wake 25 times a second.
        self._timer = QTimer(self, singleShot=True, interval=FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self._flush)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is not self.entry or event.type() != QEvent.Type.KeyPress:
            return False
        key = event if isinstance(event, QKeyEvent) else None
        if key is None or key.modifiers() & ~Qt.KeyboardModifier.KeypadModifier & ~Qt.KeyboardModifier.ShiftModifier:
            return False
        char = "\r" if key.key() in _ENTER_KEYS else key.text()
        if len(char) != 1 or (char != "\r" and not char.isprintable()):
            # Backspace, arrows...: release any held keys first so the order is kept.
            self._deliver(self.scanner.flush(self.clock() + 3600))
            return False
        self._deliver(self.scanner.key(char, self.clock()))
        self._arm()
        return True

    def _flush(self) -> None:
        self._deliver(self.scanner.flush(self.clock()))
        self._arm()

    def _arm(self) -> None:
        if self.scanner.decoder.pending:
            self._timer.start()

    def _deliver(self, typed: str) -> None:
        for char in typed:
            if char == "\r":
                self.entry.returnPressed.emit()
            else:
                self.entry.insert(char)

    def _on_event(self, event: object) -> None:
        if isinstance(event, DataEvent) and event.kind == "scan":
            self.scanned.emit(event.payload.code, event.payload.symbology)
        elif isinstance(event, ErrorEvent):
            self.bad_scan.emit(event.message)
