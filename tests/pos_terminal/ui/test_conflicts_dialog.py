"""The conflict inbox against the real sync server (in-process ASGI): the server holds an
order over a price change, the inbox shows it as a diff, a manager decides, the pump sends it."""

from __future__ import annotations

from decimal import Decimal

from pos_terminal.services import conflicts
from pos_terminal.store.models import Order
from pos_terminal.sync.events import ConflictsArrived
from pos_terminal.sync.pump import OutboxPump
from pos_terminal.ui.conflicts_dialog import DECISION, DIFFERENCE, ITEM, SERVER, TILL, ConflictInbox, ConflictsDialog

# The sync tests' fixtures: an enrolled till, the real server app, a held order.
from ..sync.conftest import client, memory_keyring, server, till  # noqa: F401
from ..sync.test_conflicts import held  # noqa: F401
from .conftest import approve, sign_in


def _sold_line(till, order_id):  # type: ignore[no-untyped-def]
    with till.db.reader() as s:
        line = s.get_one(Order, order_id).lines[0]
        return line.description, line.qty, line.unit_price


def test_the_diff_shows_item_names_money_and_the_orders_difference(qtbot, till, held):  # noqa: F811
    dialog = ConflictsDialog(ConflictInbox(till))
    qtbot.addWidget(dialog)
    dialog.show()
    name, qty, price = _sold_line(till, held)
    assert dialog.orders.count() == 1
    assert dialog.table.rowCount() == 1
    assert name in dialog.table.item(0, ITEM).text()
    assert dialog.table.item(0, TILL).text() == f"€{price:.2f}"
    assert dialog.table.item(0, SERVER).text() == f"€{price + 1:.2f}"  # head office raised it by 1
    difference = (qty * 1).quantize(Decimal("0.01"))
    assert dialog.table.item(0, DIFFERENCE).text() == f"+€{difference}"
    assert f"+€{difference}" in dialog.total.text()
    [order] = conflicts.held_orders(till)
    assert order.difference == difference


def test_the_reason_comes_first_and_the_confirmation_states_the_result(qtbot, till, client, held):  # noqa: F811
    woken: list[bool] = []
    dialog = ConflictsDialog(ConflictInbox(till, lambda: woken.append(True)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.resolve_button.isEnabled()  # no reason yet
    box = dialog.table.cellWidget(0, DECISION)
    box.setCurrentIndex(box.findData("accept_server"))
    dialog.reason.setText("head office price applies")
    assert dialog.resolve_button.isEnabled()
    dialog.resolve_button.click()

    approval = dialog.approval
    [order] = conflicts.held_orders(till)
    shown = {approval.details.itemAt(i).widget().text() for i in range(approval.details.count())
             if approval.details.itemAt(i).widget() is not None}
    assert f"€{order.gross + order.difference:.2f}" in " ".join(shown)  # the total after the decision
    approve(qtbot, approval, "c1", "1111")  # a cashier may not resolve
    assert approval.error.text().startswith("Not allowed") and woken == []
    approve(qtbot, approval, "m1", "9999")
    assert not approval.isVisible() and woken == [True]
    # the order leaves the list at once, before the server has answered
    assert dialog.orders.count() == 0 and "decision recorded" in dialog.message.text()

    assert OutboxPump(till.db, client).pump_once().done == 1
    assert conflicts.held_orders(till) == []


def test_the_inbox_opens_by_itself_for_a_signed_in_manager_and_resolving_clears_banner_and_list(
        qtbot, till, client, held):  # noqa: F811
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(till, conflicts=ConflictInbox(till))
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    win._conflicts_arrived(ConflictsArrived([held]))  # what the sync bridge calls
    assert win.conflict_watch.dialog is None  # a cashier: only the banner tells
    assert "waiting for a manager" in win.sale.banner.text() and ": 1 " in win.sale.banner.text()

    win.sign_out()
    sign_in(qtbot, win, "m1", "9999")  # the inbox was waiting for a manager
    dialog = win.conflict_watch.dialog
    assert dialog is not None and dialog.isVisible() and dialog.orders.count() == 1
    dialog.reason.setText("sold at shelf price")
    dialog.resolve_button.click()
    assert dialog.approval.as_user.isVisible() and not dialog.approval.manager.isVisible()
    approve(qtbot, dialog.approval, None, "9999")  # the signed-in manager: PIN only
    assert dialog.orders.count() == 0
    assert not win.sale.banner.isVisible()


def test_a_held_order_arriving_while_a_manager_works_opens_the_inbox(qtbot, till, held):  # noqa: F811
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(till, conflicts=ConflictInbox(till))
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "m1", "9999")  # the order was held already: opens at sign-in
    first = win.conflict_watch.dialog
    assert first is not None and first.isVisible()
    first.accept()
    win._conflicts_arrived(ConflictsArrived([held]))
    assert win.conflict_watch.dialog is not first and win.conflict_watch.dialog.isVisible()
