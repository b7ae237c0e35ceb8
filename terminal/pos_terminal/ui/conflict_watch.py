"""When the conflict inbox opens by itself, and the banner that says orders wait.

Held orders arrive from the sync service at any moment. If a manager (anyone holding
`conflict.resolve`) is signed in and no other dialog is open, the inbox opens at once;
otherwise the banner says how many wait, and the inbox opens when a manager signs in or
the dialog in the way closes. After a decision the banner is recounted at once (cleared
when nothing waits), not at the next sync event.

An order resolved in the back office (`ResolvedElsewhere`) leaves the open inbox and the
banner at once; a manager whose own decision came too late is told so in words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from pos_protocol.permissions import Permission
from pos_terminal.core.users import User

from .conflicts_dialog import ConflictInbox, ConflictsDialog
from .widgets import Level, MessageBanner


class ConflictWatch(QObject):
    def __init__(self, inbox: ConflictInbox | None, signed_in: Callable[[], User | None],
                 banner: MessageBanner, open_dialog: Callable[[QDialog], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.inbox, self._signed_in, self.banner, self._open_dialog = inbox, signed_in, banner, open_dialog
        self.dialog: ConflictsDialog | None = None
        self._banner_text = ""
        self._waiting_for: QDialog | None = None

    def arrived(self, _event: Any = None) -> None:
        """The sync service reported held orders."""
        self.refresh_banner()
        self.open_if_a_manager_is_here()

    def open_if_a_manager_is_here(self) -> None:
        user = self._signed_in()
        if self.inbox is None or user is None or not user.can(Permission.CONFLICT_RESOLVE):
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.reload()
            return
        if not self._waiting():
            return
        blocking = QApplication.activeModalWidget()
        window = self.parent()
        # Only a dialog of this till's window is in the way (not another window's).
        if isinstance(blocking, QDialog) and isinstance(window, QWidget) and window.isAncestorOf(blocking):
            self._wait_for(blocking)
            return
        self.open(user)

    def open(self, user: User | None = None) -> ConflictsDialog | None:
        if self.inbox is None:
            return None
        self.dialog = ConflictsDialog(self.inbox, self.parent(), signed_in=user or self._signed_in())  # type: ignore[arg-type]
        self.dialog.resolved.connect(lambda _order_id: self.refresh_banner())
        self.dialog.finished.connect(lambda *_: self.refresh_banner())
        self._open_dialog(self.dialog)
        return self.dialog

    def resolved_elsewhere(self, event: Any) -> None:
        """The sync service settled a held order the server had resolved without this till."""
        text = self.resolved_text(event)
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.resolved_elsewhere(event.order_id, text)
        self.refresh_banner()
        if event.decided_here and (self.dialog is None or not self.dialog.isVisible()):
            self.banner.show_message(text, Level.INFO)

    def resolved_text(self, event: Any) -> str:
        """What the manager reads: who resolved it, and that nothing is left to do."""
        if event.decided_here:
            if event.in_office:
                text = self.tr("Receipt {receipt}: this order was already resolved in the back office by {name}: "
                               "nothing more to do.")
            else:
                text = self.tr("Receipt {receipt}: this order was already resolved on another till by {name}: "
                               "nothing more to do.")
        elif event.in_office:
            text = self.tr("Receipt {receipt} was resolved in the back office by {name}.")
        else:
            text = self.tr("Receipt {receipt} was resolved on another till by {name}.")
        return text.format(receipt=event.receipt_no, name=event.by)

    def refresh_banner(self) -> None:
        count = len(self._waiting())
        if count:
            self._banner_text = self.tr(
                "Held by the server, waiting for a manager's decision: {n} (Manager → Conflict inbox). "
                "Selling goes on.").format(n=count)
            self.banner.show_message(self._banner_text, Level.WARNING, sticky=True)
        elif self._banner_text and self.banner.text() == self._banner_text:
            self.banner.clear_message()
            self._banner_text = ""

    def _waiting(self) -> list[Any]:
        if self.inbox is None:
            return []
        try:
            return self.inbox.waiting()
        except Exception:  # noqa: BLE001 - the banner is a hint; the inbox shows the error
            return []

    def _wait_for(self, dialog: QDialog) -> None:
        """Open once the dialog in the way is closed (once, however many events came)."""
        if self._waiting_for is dialog:
            return
        self._waiting_for = dialog
        dialog.finished.connect(self._blocker_closed)

    def _blocker_closed(self, *_: Any) -> None:
        self._waiting_for = None
        self.open_if_a_manager_is_here()
