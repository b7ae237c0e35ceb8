"""Every dialog of the till in a state worth looking at, for `make screenshots` and for the
layout test that checks nothing is clipped at 1024x768.

Real services on the caller's till database: a sale is rung up and paid, a drawer session
opened, so the dialogs show real figures. `held_order` writes the server's answer for one
order as the sync pump would on a 200 `held` (the screenshots run without a server; the
tests hold orders with the real server instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from PySide6.QtWidgets import QDialog

from pos_protocol import wire
from pos_protocol.codes import ConflictCode
from pos_terminal.core.sale import TenderType
from pos_terminal.services import ApproverPin, CompletedOrder, Services, TenderInput

BREAD = "4001234000015"


def paid_sale(services: Services) -> CompletedOrder:
    till = services.till
    till.add_sku("SKU00001", Decimal(2))
    till.add_weighed("KG00001", Decimal("1.250"))
    cash = (till.ticket.totals().gross // 10 + 1) * 10  # the next ten, change given
    return till.pay([TenderInput(TenderType.CASH, cash)])


def held_order(services: Services, order: CompletedOrder) -> None:
    """The server's answer holding `order` over a raised price of its first line."""
    from pos_terminal.store import outbox

    line = order.sale.lines[0]
    answer = wire.OrderHeld(order_id=order.order_id, conflicts=[wire.Conflict(
        line_no=line.line_no, sku=line.sku, code=ConflictCode.PRICE_CHANGED, field="unit_price",
        terminal_value=str(line.unit_price), server_value=str(line.unit_price + Decimal("0.80")),
        message=f"price of {line.sku} is {line.unit_price + Decimal('0.80')}")])
    with services.db.transaction() as s:
        seq = outbox.seq_of(s, outbox.ORDER, order.order_id)
        assert seq is not None
        outbox.settle(s, seq, outbox.HELD, response=answer.model_dump_json())


def dialogs(win, services: Services, *, conflicts: bool = True) -> Iterator[tuple[str, Callable[[], QDialog]]]:  # type: ignore[no-untyped-def]
    """(name, make) for every dialog; `win` a MainWindow with a cashier signed in."""
    from pos_terminal.ui.approval import ApprovalDialog
    from pos_terminal.ui.cash_office import CashMovementDialog, DenominationCount
    from pos_terminal.ui.conflicts_dialog import ConflictInbox, ConflictsDialog
    from pos_terminal.ui.day_dialogs import ReportDialog
    from pos_terminal.ui.pay_dialog import PayDialog
    from pos_terminal.ui.quick_keys_dialog import QuickKeysDialog
    from pos_terminal.ui.reprint_dialog import ReprintDialog
    from pos_terminal.ui.return_dialog import ReturnDialog

    currency = services.config.currency
    if win.drawer is not None and not win.drawer.is_open():
        win.drawer.open(Decimal("100.00"))
    sold = paid_sale(services)

    def payment() -> QDialog:
        services.till.scan(BREAD)
        services.till.add_weighed("KG00001", Decimal("0.845"))
        return PayDialog(services.till, win)

    def approval() -> QDialog:
        from PySide6.QtCore import QCoreApplication

        from pos_terminal.services.formatting import money

        amount = money(Decimal("19.71"), currency)
        purpose = QCoreApplication.translate("SaleScreen", "Void line {n}: {item}, {amount}")
        return ApprovalDialog(purpose.format(n=2, item="Bread Classic", amount=amount),
                              lambda a: None, win, details=[("Bread Classic", amount)], reason_required=True)

    def conflict() -> QDialog:
        held_order(services, paid_sale(services))
        return ConflictsDialog(ConflictInbox(services), win)

    def report() -> QDialog:
        r, summary = win.drawer.x_report(ApproverPin("s1", "2222"))
        return ReportDialog(r, summary, currency, win)

    yield "payment", payment
    yield "approval", approval
    yield "return", lambda: ReturnDialog(services, win)
    if conflicts:
        yield "conflict-diff", conflict
    yield "x-report", report
    yield "reprint", lambda: ReprintDialog(services, None, win)
    yield "cash-office", lambda: CashMovementDialog(services, win.drawer, win)
    yield "denomination-count", lambda: DenominationCount(currency, win)

    def quick_keys() -> QDialog:
        items = [services.catalog.by_sku(sku) for sku in ("SKU00001", "SKU00002", "SKU00040")]
        dialog = QuickKeysDialog(services.catalog, items, services.till.arrange_quick_keys, win,
                                 signed_in=services.till.cashier)
        dialog.search.setText("bread")  # what it finds to add
        return dialog

    yield "quick-keys", quick_keys
    del sold
