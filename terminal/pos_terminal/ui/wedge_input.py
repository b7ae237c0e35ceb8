"""Keyboard-wedge scanners, wherever the focus is.

A wedge scanner is a keyboard: it types the code and Enter into whatever has focus, a menu
or a dialog as much as the entry field. So the filter sits on the application and sees
every key pressed in the till's window and its dialogs and menus, and feeds it to
`devices.scanner.WedgeScanner`, which tells a scan from a person typing:

- scanner set to send a prefix (`[devices.<name>] prefix` in devices.toml, usually STX):
  the framing decides, at any speed. Typing passes straight through (never held back),
  the prefix and the keys up to the suffix are the scan.
- no prefix: timing is the fallback (a fast burst ending in Enter is a scan). Keys are
  held for a few milliseconds and then handed on unchanged; text fields of dialogs are
  left alone, since a PIN typed quickly would look like a burst.

A scan is announced (`scanned`) and its keys never reach a widget; typed keys reach the
widget they were meant for, in their order.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from devices.events import DataEvent, ErrorEvent, EventBus
from devices.scanner import WedgeScanner, WedgeSettings

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PLAIN = Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
_FOREVER = 3600.0  # "flush everything now"


class WedgeInput(QObject):
    scanned = Signal(str, str)  # code, symbology
    bad_scan = Signal(str)

    def __init__(self, entry: QLineEdit, settings: WedgeSettings | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(entry)
        self.entry, self.clock = entry, clock
        self._held: list[tuple[QWidget, QKeyEvent]] = []  # the decoder's held keys, as events
        self._resending = False
        # Armed only while keys are held: an idle till must not wake 25 times a second.
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._flush)
        self.use(settings or WedgeSettings())
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def use(self, settings: WedgeSettings) -> None:
        """Decode with `settings` from now on (the till's wedge entry in devices.toml)."""
        bus = EventBus()
        bus.subscribe(self._on_event)  # published on this (GUI) thread while a key is fed
        self.scanner = WedgeScanner.from_settings("wedge", settings, bus)
        self.scanner.start()
        self._held.clear()

    @property
    def framed(self) -> bool:
        return self.scanner.decoder.framed

    # -- keys ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or self._resending or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or not self._watches(watched):
            return False
        char = self._char(event)
        if char is None:
            # Backspace, arrows, Escape...: release any held keys first so the order is kept.
            self._resend(self.scanner.flush(self.clock() + _FOREVER))
            return False
        self._held.append((watched, event.clone()))  # type: ignore[arg-type]
        typed = self.scanner.key(char, self.clock())
        passes = self._settle(typed)
        self._arm()
        return not passes

    def _char(self, event: QKeyEvent) -> str | None:
        """The key as the decoder's one character, or None for a key it must not see."""
        if event.key() in _ENTER_KEYS:
            return "\r" if not event.modifiers() & ~_PLAIN else None
        text = event.text()
        if len(text) != 1:
            return None
        if text in self.scanner.decoder.prefix:
            return text  # STX arrives as Ctrl+B: the prefix may come with a modifier
        if event.modifiers() & ~_PLAIN or not text.isprintable():
            return None
        return text

    def _watches(self, widget: QWidget) -> bool:
        """The key is for a widget of this till's window (its dialogs and menus included),
        the one with the focus; with the timing fallback, not a dialog's own text field."""
        if not self._ours(widget) or not self._is_receiver(widget):
            return False
        return self.framed or widget is self.entry or not takes_text(widget)

    def _is_receiver(self, widget: QWidget) -> bool:
        # A key ignored by a child is offered to its parents: see it once, at the first.
        focus, popup = QApplication.focusWidget(), QApplication.activePopupWidget()
        if popup is not None:
            return widget is popup or popup.isAncestorOf(widget)
        return widget is focus or (focus is None and widget.isWindow())

    def _ours(self, widget: QWidget) -> bool:
        return belongs_to(widget, self.entry.window())

    def _settle(self, typed: str) -> bool:
        """Map what the decoder decided onto the held events: typed ones go on to their
        widget, scanned ones are dropped. True when the key just pressed is typing and
        nothing was held before it, so Qt may deliver it as usual."""
        if len(typed) == 1 and len(self._held) == 1 and not self.scanner.decoder.pending:
            self._held.clear()
            return True
        self._resend(typed, consumed_after=True)
        return False

    def _resend(self, typed: str, *, consumed_after: bool = False) -> None:
        """Deliver the first `len(typed)` held keys; with `consumed_after`, the keys after
        them but for the decoder's still pending ones were a scan and are dropped."""
        release, self._held = self._held[:len(typed)], self._held[len(typed):]
        if consumed_after:
            keep = len(self.scanner.decoder.pending)
            self._held = self._held[len(self._held) - keep:] if keep else []
        self._resending = True
        try:
            for receiver, event in release:
                if shiboken6.isValid(receiver):
                    QApplication.sendEvent(receiver, event)
        finally:
            self._resending = False

    def _flush(self) -> None:
        self._resend(self.scanner.flush(self.clock()))
        self._arm()

    def _arm(self) -> None:
        if self.scanner.decoder.pending:
            self._timer.start(int(self.scanner.decoder.wait * 1000) + 10)

    def _on_event(self, event: object) -> None:
        if isinstance(event, DataEvent) and event.kind == "scan":
            self.scanned.emit(event.payload.code, event.payload.symbology)
        elif isinstance(event, ErrorEvent):
            self.bad_scan.emit(event.message)


def takes_text(widget: QWidget) -> bool:
    """An editable text field: what a person types into (a PIN, an amount, a reason)."""
    if isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return isinstance(widget, QAbstractSpinBox)


def belongs_to(widget: QWidget, main: QWidget) -> bool:
    """`widget` is in `main` or in one of its dialogs or menus (which have their own windows)."""
    window: QWidget | None = widget.window()
    while window is not None:
        if window is main:
            return True
        parent = window.parentWidget()
        window = parent.window() if parent is not None else None
    return False
