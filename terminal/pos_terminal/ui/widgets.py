"""Small touch widgets shared by the screens: big buttons, a keypad, a message banner."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget

from pos_terminal.services.formatting import decimal_separator

TOUCH_HEIGHT = 64  # px: a fingertip target, well above the ~9 mm guideline at till DPI


class BigButton(QPushButton):
    def __init__(self, text: str = "", parent: QWidget | None = None, *, height: int = TOUCH_HEIGHT) -> None:
        super().__init__(text, parent)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep focus (and the scanner) in the entry field
        font = self.font()
        font.setPointSize(max(font.pointSize(), 13))
        self.setFont(font)


class Keypad(QWidget):
    """Digits, a decimal separator, backspace and clear, typing into `target`. The separator
    is the store locale's (`,` in a German shop), so what the key types is what
    `formatting.parse_amount` reads back and what the screen shows in amounts."""

    pressed = Signal(str)

    def __init__(self, target: QLineEdit | None = None, parent: QWidget | None = None,
                 *, decimal_point: bool = False) -> None:
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        grid.setSpacing(6)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3"]
        for i, key in enumerate(keys):
            grid.addWidget(self._key(key, key), i // 3, i % 3)
        grid.addWidget(self._key(decimal_separator(), "point") if decimal_point
                       else self._key(self.tr("Clear"), "clear"), 3, 0)
        grid.addWidget(self._key("0", "0"), 3, 1)
        grid.addWidget(self._key("⌫", "back"), 3, 2)

    def set_target(self, target: QLineEdit) -> None:
        self.target = target

    def _key(self, label: str, key: str) -> BigButton:
        button = BigButton(label, self)
        button.setObjectName(f"key_{key}")
        button.clicked.connect(lambda: self._press(key))
        return button

    def _press(self, key: str) -> None:
        self.pressed.emit(key)
        if self.target is None:
            return
        if key == "clear":
            self.target.clear()
        elif key == "back":
            self.target.backspace()
        elif key == "point":
            self.target.insert(decimal_separator())
        else:
            self.target.insert(key)


class Level(Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_STYLE = {
    Level.INFO: "background:#e3f2e1; color:#1b4d1b;",
    Level.WARNING: "background:#fff4d6; color:#6b4b00;",
    Level.ERROR: "background:#fde2e1; color:#8a1010;",
}


class MessageBanner(QLabel):
    """A non-modal message strip: the cashier keeps scanning while it shows."""

    def __init__(self, parent: QWidget | None = None, *, timeout_ms: int = 8000) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setMinimumHeight(40)
        self._timer = QTimer(self, singleShot=True, interval=timeout_ms)
        self._timer.timeout.connect(self.clear_message)
        self.level: Level | None = None
        self.hide()

    def show_message(self, text: str, level: Level = Level.INFO, *, sticky: bool = False) -> None:
        self.level = level
        self.setText(text)
        self.setStyleSheet(f"QLabel {{ {_STYLE[level]} padding:8px; border-radius:4px; font-size:15px; }}")
        self.show()
        if sticky:
            self._timer.stop()
        else:
            self._timer.start()

    def clear_message(self) -> None:
        self.level = None
        self.clear()
        self.hide()
