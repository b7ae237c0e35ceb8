"""The manager approval dialog: a manager types their id and PIN on the cashier's till.

The dialog does not check the PIN itself: it hands an `ApproverPin` to the action, and
the service layer verifies it (counting failures towards lockout). A wrong PIN or a
locked manager keeps the dialog open with the reason shown; nothing was done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_terminal.services import ApproverPin

from .errors import describe
from .widgets import BigButton, Keypad

ApprovedAction = Callable[[ApproverPin], Any]


class ApprovalDialog(QDialog):
    def __init__(self, purpose: str, action: ApprovedAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Manager approval"))
        self.setModal(True)
        self._action = action
        self.result_value: Any = None

        self.purpose = QLabel(purpose)
        self.purpose.setWordWrap(True)
        self.manager = QLineEdit()
        self.manager.setPlaceholderText(self.tr("Manager ID"))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.returnPressed.connect(self.approve)
        self.error = QLabel()
        self.error.setObjectName("approval_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.keypad = Keypad(self.pin, self)

        self.approve_button = BigButton(self.tr("Approve"))
        self.approve_button.clicked.connect(self.approve)
        self.cancel_button = BigButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Manager"), self.manager)
        form.addRow(self.tr("PIN"), self.pin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        for part in (self.purpose, form, self.error, self.keypad, buttons):
            layout.addLayout(part) if isinstance(part, (QFormLayout, QHBoxLayout)) else layout.addWidget(part)
        self.manager.setFocus()

    def approve(self) -> None:
        approver = ApproverPin(self.manager.text().strip(), self.pin.text())
        self.pin.clear()  # never leave a PIN on screen, whatever the outcome
        if not approver.user_id:
            self.error.setText(self.tr("Enter the manager's ID."))
            return
        try:
            self.result_value = self._action(approver)
        except Exception as exc:  # noqa: BLE001 - shown to the manager; the action did nothing
            self.error.setText(describe(exc))
            return
        self.accept()
