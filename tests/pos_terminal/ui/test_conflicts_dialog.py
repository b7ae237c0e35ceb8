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


def test_an_order_resolved_in_the_office_while_its_pin_dialog_is_open_leaves_the_inbox(
        qtbot, till, client, server, held):  # noqa: F811
    """The office resolves while the manager is about to enter the PIN: the sync thread
    settles the order and the bridge tells the window; the half-made decision is dropped
    (nothing queued) and the manager reads why."""
    import threading

    from pos_terminal.sync.events import ResolvedElsewhere
    from pos_terminal.ui.main_window import MainWindow

    from ..sync.test_resolved_elsewhere import resolve_in_office

    pump = OutboxPump(till.db, client)
    # The pump's event hub is what SyncService.subscribe hands the bridge to.
    win = MainWindow(till, sync=pump.events, conflicts=ConflictInbox(till))
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "m1", "9999")
    dialog = win.conflict_watch.dialog
    dialog.reason.setText("sold at shelf price")
    dialog.resolve_button.click()
    assert dialog.approval.isVisible()

    resolve_in_office(server.db_url, held)
    worker = threading.Thread(target=pump.held.check_once)  # on a thread of its own, as the sync worker
    with qtbot.waitSignal(win.sync_bridge.resolved_elsewhere, timeout=5_000) as told:
        worker.start()
    worker.join()

    assert isinstance(told.args[0], ResolvedElsewhere)
    assert not dialog.approval.isVisible() and dialog.orders.count() == 0
    assert "was resolved in the back office by Anna Office" in dialog.message.text()
    assert not win.sale.banner.isVisible()
    with till.db.reader() as s:
        assert s.get_one(Order, held).sync_status == "resolved"
    assert conflicts.held_orders(till) == []  # and no decision was queued for it


def test_another_order_leaving_the_inbox_keeps_the_one_the_manager_is_deciding(qtbot, till, client, server):  # noqa: F811
    from ..sync.conftest import ring_sale_the_server_will_hold
    from ..sync.test_resolved_elsewhere import resolve_in_office

    first = ring_sale_the_server_will_hold(till, server)
    second = ring_sale_the_server_will_hold(till, server)
    pump = OutboxPump(till.db, client)
    pump.pump_once()
    dialog = ConflictsDialog(ConflictInbox(till))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.orders.count() == 2
    dialog.orders.setCurrentRow(1)  # the second sale, oldest first
    assert dialog._order.order_id == second
    box = dialog.table.cellWidget(0, DECISION)
    box.setCurrentIndex(box.findData("void_line"))
    dialog.reason.setText("customer took it back")

    resolve_in_office(server.db_url, first)
    [event] = pump.held.check_once()
    dialog.resolved_elsewhere(event.order_id, "gone")

    assert dialog.orders.count() == 1 and dialog._order.order_id == second
    assert dialog.table.cellWidget(0, DECISION).currentData() == "void_line"
    assert dialog.reason.text() == "customer took it back"
