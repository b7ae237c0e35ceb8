"""The sale screen's numeric keypad: digits, the store locale's decimal separator, a
quantity key (`3 ×` then a scan or a tap sells three) and Enter, all typing into the
entry field, so a keyed code, a quantity and a price go the same way as typed ones."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QWidget

from pos_terminal.services.formatting import decimal_separator

from .widgets import BigButton

QTY_MARK = "*"  # `3*4006381333931`: what the entry field reads as "three of"


class SaleKeypad(QWidget):
    enter = Signal()

    def __init__(self, target: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        rows = [["7", "8", "9", "back"], ["4", "5", "6", "clear"], ["1", "2", "3", "times"],
                ["0", "00", "point", "enter"]]
        labels = {"back": "⌫", "clear": self.tr("C"), "times": "×", "point": decimal_separator(),
                  "enter": "↵"}
        self.keys: dict[str, BigButton] = {}
        for r, row in enumerate(rows):
            for c, key in enumerate(row):
                button = BigButton(labels.get(key, key), self, height=48)
                button.setObjectName(f"keypad_{key}")
                button.clicked.connect(lambda _=False, k=key: self.press(k))
                grid.addWidget(button, r, c)
                self.keys[key] = button
        self.keys["clear"].setToolTip(self.tr("Clear the field"))
        self.keys["times"].setToolTip(self.tr("Quantity: type the number, tap ×, then scan or tap the item"))

    def press(self, key: str) -> None:
        field = self.target
        if key == "back":
            field.backspace()
        elif key == "clear":
            field.clear()
        elif key == "enter":
            self.enter.emit()
        elif key == "times":
            if field.text() and not field.text().endswith(QTY_MARK):
                field.insert(QTY_MARK)
        elif key == "point":
            field.insert(decimal_separator())
        else:
            field.insert(key)
        field.setFocus()
