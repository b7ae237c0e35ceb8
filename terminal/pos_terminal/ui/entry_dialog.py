"""A touch dialog asking for one number (quantity, price, discount), optionally a reason
and a percent/amount choice. It only collects text; the till validates it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from .widgets import BigButton, Keypad


class EntryDialog(QDialog):
    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *,
                 with_reason: bool = False, with_kind: bool = False, initial: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.value = QLineEdit(initial)
        self.value.setObjectName("entry_value")
        self.value.returnPressed.connect(self.accept)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason"))
        self.reason.setVisible(with_reason)
        self.percent = QRadioButton(self.tr("Percent"))
        self.amount = QRadioButton(self.tr("Amount"))
        self.percent.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.percent)
        kinds.addButton(self.amount)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.percent)
        kind_row.addWidget(self.amount)
        for button in (self.percent, self.amount):
            button.setVisible(with_kind)
            button.setMinimumHeight(44)

        ok, cancel = BigButton(self.tr("OK")), BigButton(self.tr("Cancel"))
        ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(ok)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addLayout(kind_row)
        layout.addWidget(self.value)
        layout.addWidget(self.reason)
        layout.addWidget(Keypad(self.value, self, decimal_point=True))
        layout.addLayout(buttons)
        self.value.setFocus()

    @property
    def text(self) -> str:
        return self.value.text().strip()

    @property
    def kind(self) -> str:
        return "percent" if self.percent.isChecked() else "amount"
