"""The sign-in screen: user ID and PIN on a big keypad."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_terminal.core.users import User
from pos_terminal.services import Till

from .errors import describe
from .widgets import BigButton, Keypad


class SignInScreen(QWidget):
    signed_in = Signal(object)  # User

    def __init__(self, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.till = till
        self.title = QLabel(self.tr("Sign in to {store}").format(store=till.config.store_name))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size:24px; font-weight:bold;")
        self.user = QLineEdit()
        self.user.setObjectName("user_id")
        self.user.setPlaceholderText(self.tr("User ID"))
        self.user.returnPressed.connect(lambda: self.pin.setFocus())
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.returnPressed.connect(self.sign_in)
        for field in (self.user, self.pin):
            field.setMinimumHeight(48)
            field.setStyleSheet("font-size:20px;")
        self.error = QLabel()
        self.error.setObjectName("sign_in_error")
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.button = BigButton(self.tr("Sign in"))
        self.button.clicked.connect(self.sign_in)

        form = QFormLayout()
        form.addRow(self.tr("User"), self.user)
        form.addRow(self.tr("PIN"), self.pin)
        box = QWidget()
        box.setMaximumWidth(420)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(Keypad(self.pin, box))
        inner.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignCenter)

    def reset(self) -> None:
        self.user.clear()
        self.pin.clear()
        self.error.clear()
        self.user.setFocus()

    def sign_in(self) -> None:
        user_id, pin = self.user.text().strip(), self.pin.text()
        self.pin.clear()
        try:
            user: User = self.till.sign_in(user_id, pin)
        except Exception as exc:  # noqa: BLE001 - wrong PIN, locked, unknown user: say so
            self.error.setText(describe(exc))
            return
        self.error.clear()
        self.signed_in.emit(user)
