"""Staff: a user with `users.manage` adds a member of staff, gives a new PIN, unlocks or
removes one. Each change goes to the server's staff list first (off the GUI thread); the
list below shows the till's copy, which every other till receives with its next pull."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_protocol.permissions import Role
from pos_terminal.core.users import User
from pos_terminal.services import Services

from .errors import describe
from .operations import Operation
from .widgets import BigButton


class StaffDialog(QDialog):
    def __init__(self, services: Services, manager: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.manager = services, manager
        self.setWindowTitle(self.tr("Staff"))
        self.setModal(True)
        self.operation: Operation[object] | None = None
        self.users = QListWidget()
        self.users.itemClicked.connect(self._chosen)  # a click, not focus, fills the form
        self.user_id, self.name, self.pin = QLineEdit(), QLineEdit(), QLineEdit()
        self.user_id.setPlaceholderText(self.tr("e.g. c4"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("4 to 12 digits"))
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.value, role)
        self.message = QLabel()
        self.message.setObjectName("staff_message")
        self.message.setWordWrap(True)
        self.buttons = {
            "save": BigButton(self.tr("Add or update")), "pin": BigButton(self.tr("New PIN")),
            "unlock": BigButton(self.tr("Unlock")), "remove": BigButton(self.tr("Remove")),
            "close": BigButton(self.tr("Close")),
        }
        for key, slot in (("save", self.save), ("pin", self.new_pin), ("unlock", self.unlock),
                          ("remove", self.remove), ("close", self.accept)):
            self.buttons[key].clicked.connect(slot)
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("User ID"), self.user_id)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("PIN"), self.pin)
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.message)
        top = QHBoxLayout()
        top.addWidget(self.users, 1)
        top.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row)

    # -- the list -----------------------------------------------------------------------

    def refresh(self) -> None:
        self.users.clear()
        for user in self.services.staff.list():
            text = f"{user.user_id}  {user.name}  ({user.role.value})"
            if user.locked or user.locked_until is not None:
                text += "  " + self.tr("locked")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, user)
            self.users.addItem(item)

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        user: User = item.data(Qt.ItemDataRole.UserRole)
        self.user_id.setText(user.user_id)
        self.name.setText(user.name)
        self.role.setCurrentIndex(self.role.findData(user.role))
        self.pin.clear()

    # -- changes (each one a call to the server, off the GUI thread) ----------------------

    def save(self) -> None:
        user_id, name, pin = self.user_id.text().strip(), self.name.text().strip(), self.pin.text()
        if not user_id or not name:
            self.message.setText(self.tr("Enter the user ID and the name."))
            return
        role = Role(self.role.currentData())
        self._change(lambda: self.services.staff.add(self.manager, user_id, name, role, pin),
                     self.tr("{user} saved.").format(user=user_id))

    def new_pin(self) -> None:
        user_id, pin = self.user_id.text().strip(), self.pin.text()
        self._change(lambda: self.services.staff.set_pin(self.manager, user_id, pin),
                     self.tr("{user} has a new PIN.").format(user=user_id))

    def unlock(self) -> None:
        user_id = self.user_id.text().strip()
        self._change(lambda: self.services.staff.unlock(self.manager, user_id),
                     self.tr("{user} is unlocked.").format(user=user_id))

    def remove(self) -> None:
        user_id = self.user_id.text().strip()
        self._change(lambda: self.services.staff.remove(self.manager, user_id),
                     self.tr("{user} removed.").format(user=user_id))

    def _change(self, work: Callable[[], object], done: str) -> None:
        self.pin.clear()  # never leave a PIN on screen, whatever the outcome
        self._busy(True)
        self.message.setText(self.tr("Sending the change to the server…"))
        self.operation = Operation(work).success(lambda _r: self._changed(done)) \
            .failure(lambda exc: self.message.setText(describe(exc))).finally_(lambda: self._busy(False))
        self.operation.run_in_background()

    def _changed(self, done: str) -> None:
        self.message.setText(done)
        self.refresh()

    def _busy(self, busy: bool) -> None:
        for key, button in self.buttons.items():
            button.setEnabled(key == "close" or not busy)
