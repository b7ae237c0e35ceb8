"""The idle lock's own screen: the till is locked, the open ticket is kept, and who may
open it again.

It says how much is waiting ("the open ticket (3 lines, 12,50 €) is kept") and whose it
is. The cashier who was signed in unlocks with their PIN alone. A supervisor or manager
may unlock instead and takes the ticket over (journalled, `Till.sign_in`): the cashier
went home, the customer is still waiting. Any other cashier is refused in words, so a
colleague can neither see nor ring up on someone else's ticket; with no ticket open,
anyone may sign in. The PIN check runs off the GUI thread, as on the sign-in screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from pos_terminal.core.ticket import Ticket
from pos_terminal.core.users import User
from pos_terminal.services import Till
from pos_terminal.services.formatting import money

from .sign_in import SignInScreen


class LockScreen(SignInScreen):
    def __init__(self, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(till, parent)
        self.setObjectName("lock_screen")
        self.title.setText(self.tr("Till locked"))
        self.kept = QLabel()
        self.kept.setObjectName("lock_kept")
        self.cashier_line = QLabel()
        self.cashier_line.setObjectName("lock_cashier")
        self.since = QLabel()
        for label in (self.kept, self.cashier_line, self.since):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.kept.setStyleSheet("font-size:18px; font-weight:bold;")
        self.cashier_line.setStyleSheet("font-size:16px;")
        self.other = QPushButton(self.tr("Another user unlocks (a manager takes the ticket over)"))
        self.other.setObjectName("lock_other_user")
        self.other.setMinimumHeight(44)
        self.other.clicked.connect(self.ask_for_user)
        for row, widget in enumerate((self.kept, self.cashier_line, self.since), start=1):
            self.column.insertWidget(row, widget)
        self.column.insertWidget(self.column.indexOf(self.error), self.other)
        self.button.setText(self.tr("Unlock"))

    def show_locked(self, cashier: User | None, ticket: Ticket, minutes: float) -> None:
        """Locked now: `cashier` was signed in, `ticket` is what waits for them."""
        lines = len(ticket)
        if lines:
            gross = money(ticket.totals().gross, self.till.config.currency)
            self.kept.setText(self.tr("The open ticket ({lines}, {gross}) is kept.").format(
                lines=self.tr("1 line") if lines == 1 else self.tr("{n} lines").format(n=lines), gross=gross))
        else:
            self.kept.setText(self.tr("No ticket is open."))
        self.since.setText(self.tr("Locked after {minutes} minutes without input.").format(minutes=f"{minutes:g}"))
        self.error.clear()
        self.pin.clear()
        if cashier is None:
            self.cashier_line.clear()
            self.ask_for_user()
            return
        self.cashier_line.setText(self.tr("{name} was signed in: your PIN unlocks the till.").format(
            name=cashier.name))
        self.user.setText(cashier.user_id)
        self.form.setRowVisible(self.user, False)
        self.other.setVisible(True)
        self.pin.setFocus()

    def ask_for_user(self) -> None:
        """Someone else unlocks: they type (or scan) their own ID."""
        self.user.clear()
        self.form.setRowVisible(self.user, True)
        self.other.setVisible(False)
        self.user.setFocus()
