"""The conflict inbox dialog against the real sync server (in-process ASGI): the server
holds an order over a price change, a manager decides in the dialog, the pump sends it."""

from __future__ import annotations

from pos_terminal.services import conflicts
from pos_terminal.sync.pump import OutboxPump
from pos_terminal.ui.conflicts_dialog import ConflictInbox, ConflictsDialog

# The sync tests' fixtures: an enrolled till, the real server app, a held order.
from ..sync.conftest import client, memory_keyring, server, till  # noqa: F401
from ..sync.test_conflicts import held  # noqa: F401


def test_manager_resolves_a_held_order(qtbot, till, client, held):  # noqa: F811
    woken: list[bool] = []
    dialog = ConflictsDialog(ConflictInbox(till, lambda: woken.append(True)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.orders.count() == 1 and dialog.resolve_button.isEnabled()
    [(conflict, action, reason)] = dialog._rows
    assert conflict.code == "PRICE_CHANGED"
    action.setCurrentIndex(action.findData("honor_terminal"))

    dialog.resolve()  # no reason given: refused before anything is queued
    dialog.approval.manager.setText("m1")
    dialog.approval.pin.setText("9999")
    dialog.approval.approve_button.click()
    assert "reason" in dialog.approval.error.text()
    dialog.approval.reject()

    reason.setText("sold at shelf price")
    dialog.resolve()
    dialog.approval.manager.setText("c1")  # a cashier may not resolve
    dialog.approval.pin.setText("1111")
    dialog.approval.approve_button.click()
    assert dialog.approval.error.text().startswith("Not allowed")
    dialog.approval.manager.setText("m1")
    dialog.approval.pin.setText("9999")
    dialog.approval.approve_button.click()
    assert woken == [True]
    assert "decision sent" in dialog.orders.item(0).text() and not dialog.resolve_button.isEnabled()

    assert OutboxPump(till.db, client).pump_once().done == 1
    assert conflicts.held_orders(till) == []
    dialog.reload()
    assert dialog.orders.count() == 0
