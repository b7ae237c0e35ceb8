"""A pulled catalog page reaches the screens through the one apply path: the pull commits
it on its own thread, its `CatalogUpdated` event crosses the sync bridge to the GUI
thread, and an open list of items is relisted from the database."""

from __future__ import annotations

import threading
from decimal import Decimal

from pos_terminal.core.barcodes import make_variable_label
from pos_terminal.core.catalog import Item, Unit
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_terminal.sync.client import SyncClient
from pos_terminal.sync.events import EventHub
from pos_terminal.ui.main_window import MainWindow
from pos_terminal.ui.weigh_dialog import WeighDialog
from tools.paging_server import PagingCatalogServer

from .conftest import sign_in

DRAGON = Item(sku="KG-DRAGON", name="Dragon Fruit", barcodes=("2899901",), unit=Unit.KG,
              price=Decimal("12.90"), tax_code="B", tax_rate=Decimal("0.07"), category="Fruit")


def test_a_page_pulled_while_the_weigh_dialog_is_open_shows_in_it(qtbot, services):
    hub = EventHub()
    window = MainWindow(services, sync=hub)  # the bridge listens to the hub as to a SyncService
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, "c1", "1111")
    window.sale.buttons["weigh"].click()
    dialog = window.sale.dialog
    assert isinstance(dialog, WeighDialog)
    names = lambda: [dialog.items.item(r).text() for r in range(dialog.items.count())]  # noqa: E731
    assert not any(n.startswith("Dragon Fruit") for n in names())
    dialog.items.setCurrentRow(0)
    chosen = dialog.items.currentItem().text()

    server = PagingCatalogServer()
    server.load([DRAGON])
    server.start()
    client = SyncClient(server.url)
    puller = CatalogPuller(services.catalog.store, client, hub)

    def pull_off_the_gui_thread() -> None:
        with qtbot.waitSignal(window.sync_bridge.catalog_updated, timeout=5000):
            pull = threading.Thread(target=puller.pull_once)
            pull.start()
            pull.join(30)

    try:
        pull_off_the_gui_thread()
        qtbot.waitUntil(lambda: any(n.startswith("Dragon Fruit") for n in names()), timeout=5000)
        first_row = dialog.items.item(0)
        server.put(Item(sku="EA-PEN", name="Pen", barcodes=(), unit=Unit.EA, price=Decimal("1.00"),
                        tax_code="B", tax_rate=Decimal("0.07"), category="Office"))
        pull_off_the_gui_thread()
        assert dialog.items.item(0) is first_row  # a page without weighed items: not relisted
        assert services.catalog.by_sku("EA-PEN").name == "Pen"
    finally:
        client.close()
        server.stop()
    assert dialog.items.currentItem().text() == chosen  # the cashier's choice stays
    for row in range(dialog.items.count()):
        if dialog.items.item(row).text().startswith("Dragon Fruit"):
            dialog.items.setCurrentRow(row)
    dialog.weight.setText("0.400")
    dialog.add()
    [line] = services.till.ticket.lines()
    assert (line.sku, line.qty, line.line_total) == ("KG-DRAGON", Decimal("0.400"), Decimal("5.16"))
    label = services.till.scan(make_variable_label("2899901", 250))  # its scale label sells too
    assert (label.item.sku, label.qty) == ("KG-DRAGON", Decimal("0.250"))
