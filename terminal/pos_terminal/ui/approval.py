"""The one manager approval dialog for every guarded action.

It says what is being approved in words (the action, then its amounts as label/value
rows), asks for the reason first, then for the approver: a manager who is signed in
approves with their own PIN only; anyone else types their ID (or scans their badge,
which types the ID like a keyboard) and PIN.

The dialog does not check the PIN itself: it hands an `ApproverPin` to the action, which
runs off the GUI thread (`operations.Operation`: the PIN check is a deliberately slow
scrypt) and whose service layer verifies it, counting failures towards lockout. A wrong
PIN or a locked manager keeps the dialog open with the reason shown; nothing was done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.permissions import Role
from pos_terminal.core.users import User
from pos_terminal.services import ApproverPin

from .errors import describe
from .operations import Operation
from .widgets import BigButton, Keypad

ApprovedAction = Callable[[ApproverPin], Any]
Detail = tuple[str, str]
"""One line of what is approved: a label ("Amount") and its value ("19,71 €")."""


def may_self_approve(user: User | None) -> bool:
    """A signed-in supervisor or manager approves as themselves (PIN only); a cashier
    never approves their own action."""
    return user is not None and user.role is not Role.CASHIER


class ApprovalDialog(QDialog):
    def __init__(self, purpose: str, action: ApprovedAction, parent: QWidget | None = None, *,
                 details: Sequence[Detail] = (), signed_in: User | None = None,
                 reason_required: bool = False, reason: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Manager approval"))
        self.setModal(True)
        self._action = action
        self._reason_required = reason_required
        self.result_value: Any = None
        self.operation: Operation[Any] | None = None
        self.self_approver = signed_in if may_self_approve(signed_in) else None

        self.purpose = QLabel(purpose)
        self.purpose.setObjectName("approval_purpose")
        self.purpose.setWordWrap(True)
        self.purpose.setStyleSheet("font-size:18px; font-weight:bold;")
        self.details = QFormLayout()
        for label, value in details:
            shown = QLabel(value)
            shown.setStyleSheet("font-size:16px;")
            self.details.addRow(label, shown)
        self.reason = QLineEdit()
        self.reason.setMinimumHeight(44)
        self.reason.setPlaceholderText(self.tr("Reason (required)") if reason_required
                                       else self.tr("Reason (optional)"))
        self.as_user = QLabel()
        self.other = QPushButton(self.tr("Another manager approves"))
        self.other.setMinimumHeight(44)
        self.other.clicked.connect(lambda: self._ask_for_id(True))
        self.manager = QLineEdit()
        self.manager.setMinimumHeight(44)
        self.manager.setPlaceholderText(self.tr("Manager ID (or scan the badge)"))
        self.manager.returnPressed.connect(lambda: self.pin.setFocus())
        self.pin = QLineEdit()
        self.pin.setMinimumHeight(44)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.returnPressed.connect(self.approve)
        self.error = QLabel()
        self.error.setObjectName("approval_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.keypad = Keypad(self.pin, self)
        self.keypad.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        self.approve_button = BigButton(self.tr("Approve"))
        self.approve_button.clicked.connect(self.approve)
        self.cancel_button = BigButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        self._lay_out()
        if reason is not None:  # the reason was asked for before (the conflict inbox)
            self.reason.setText(reason)
            self._form.setRowVisible(self.reason, False)
        self._ask_for_id(self.self_approver is None)

    def _lay_out(self) -> None:
        who = QHBoxLayout()
        who.addWidget(self.as_user, 1)
        who.addWidget(self.other)
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Approver"), who)
        form.addRow(self.tr("Manager"), self.manager)
        form.addRow(self.tr("PIN"), self.pin)
        self._form = form
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.purpose)
        layout.addLayout(self.details)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        self.keypad.setFixedWidth(320)
        self.setMinimumWidth(480)

    def _ask_for_id(self, ask: bool) -> None:
        """Show the ID field (anyone approves) or the signed-in manager's name (PIN only)."""
        me = self.self_approver
        self._form.setRowVisible(self.manager, ask)
        self._form.setRowVisible(1, not ask)
        if not ask and me is not None:
            self.as_user.setText(self.tr("{name} (signed in): your PIN only").format(name=me.name))
            self.manager.setText(me.user_id)
        else:
            self.manager.clear()
        first = self.reason if self._reason_required and not self.reason.text().strip() else \
            (self.manager if ask else self.pin)
        first.setFocus()

    @property
    def busy(self) -> bool:
        return self.operation is not None and self.operation.running

    def approve(self) -> None:
        if self.busy:
            return
        reason = self.reason.text().strip()
        approver = ApproverPin(self.manager.text().strip(), self.pin.text(), reason)
        self.pin.clear()  # never leave a PIN on screen, whatever the outcome
        if self._reason_required and not reason:
            self.error.setText(self.tr("Enter the reason first."))
            self.reason.setFocus()
            return
        if not approver.user_id:
            self.error.setText(self.tr("Enter the manager's ID."))
            return
        self.error.setText(self.tr("Checking…"))
        self._set_enabled(False)
        self.operation = Operation(lambda: self._action(approver)) \
            .success(self._approved).failure(self._refused) \
            .finally_(lambda: self._set_enabled(True)).run_in_background()

    def _approved(self, value: Any) -> None:
        self.result_value = value
        self.error.clear()
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        # shown to the manager; the action did nothing
        self.error.setText(describe(exc))
        self.pin.setFocus()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.approve_button, self.cancel_button, self.pin, self.manager, self.reason,
                       self.keypad, self.other):
            widget.setEnabled(enabled)
