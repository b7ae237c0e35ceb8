"""The sign-in screen: user ID and PIN on a big keypad.

The PIN check is a deliberately slow scrypt and writes the failure count: it runs off the
GUI thread (`operations.Operation`), with the fields and buttons disabled meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from typing import Any

from pos_terminal.core.users import User
from pos_terminal.services import Till

from .errors import describe
from .operations import Operation
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
        self.operation: Operation[Any] | None = None
        self.button = BigButton(self.tr("Sign in"))
        self.button.clicked.connect(self.sign_in)

        form = self.form = QFormLayout()
        form.addRow(self.tr("User"), self.user)
        form.addRow(self.tr("PIN"), self.pin)
        box = QWidget()
        box.setMaximumWidth(420)
        inner = self.column = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addLayout(form)
        inner.addWidget(self.error)
        self.keypad = Keypad(self.pin, box)
        inner.addWidget(self.keypad)
        inner.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignCenter)

    def reset(self) -> None:
        self.user.clear()
        self.pin.clear()
        self.error.clear()
        self.user.setFocus()

    @property
    def busy(self) -> bool:
        return self.operation is not None and self.operation.running

    def sign_in(self) -> None:
        if self.busy:
            return
        user_id, pin = self.user.text().strip(), self.pin.text()
        self.pin.clear()  # never left on screen, whatever the outcome
        self.error.setText(self.tr("Checking…"))
        self._set_enabled(False)
        self.operation = Operation(lambda: self.till.sign_in(user_id, pin)) \
            .success(self._signed_in).failure(self._refused) \
            .finally_(lambda: self._set_enabled(True)).run_in_background()

    def _signed_in(self, user: User) -> None:
        self.error.clear()
        self.signed_in.emit(user)

    def _refused(self, exc: BaseException) -> None:
        # wrong PIN, locked, unknown user: say so
        self.error.setText(describe(exc))
        self.pin.setFocus()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.user, self.pin, self.keypad, self.button):
            widget.setEnabled(enabled)
