"""The till's window against the real server under uvicorn, with the real sync service and
status bar: what the till shows is true within seconds of a change.

- the office resolves a held order over its real HTTP pages: the till's open inbox empties
  and the banner clears (one heartbeat interval, 4 s by default);
- a manager's decision that comes after the office's is told in words, not as an error;
- the server killed: offline within 5 s; back: online within 5 s, and a sale rung offline
  (counted in the offline banner) has left within 5 s;
- a Z report and a manager's decision leave at once (the sender is woken), not with the
  next sale or heartbeat.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from pos_protocol.codes import ConflictCode
from pos_terminal.services.drawer import DrawerService
from pos_terminal.store import outbox
from pos_terminal.store.models import OutboxEntry
from pos_terminal.sync import SyncService
from pos_terminal.ui.conflicts_dialog import ConflictInbox
from pos_terminal.ui.main_window import MainWindow
from tests.backoffice import scene
from tests.backoffice.scene import MANAGER_ACCOUNT, ROLL, STORE

from .conftest import approve, sign_in

pytestmark = pytest.mark.slow
D = Decimal
TRUE_WITHIN_MS = 5_000
_prices = (f"{Decimal('0.60') + Decimal(n) / 100}" for n in itertools.count(10))  # a new price per held sale


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    server = scene.open_shop(tmp_path_factory.mktemp("push-shop"))
    yield server
    server.stop()


@pytest.fixture
def till(shop, tmp_path):
    opened = scene.open_till(shop, tmp_path / "till")
    yield opened
    opened.close()


@contextmanager
def window(qtbot, till, heartbeat_interval_s: float | None = None) -> Iterator[MainWindow]:
    """The till's main window with its sync service running, as app.py builds it."""
    sync = SyncService(till.services, till.client, heartbeat_interval_s=heartbeat_interval_s)
    win = MainWindow(till.services, sync=sync, conflicts=ConflictInbox(till.services, sync.wake),
                     drawer=DrawerService(till.services.till))
    qtbot.addWidget(win)
    win.show()
    sync.start()
    try:
        qtbot.waitUntil(lambda: win.status.online is True, timeout=TRUE_WITHIN_MS)
        yield win
    finally:
        sync.stop()
        win.close()


def sell_held(qtbot, shop, till, win: MainWindow) -> str:
    """A sale at a price the office raised a moment before (the till has not pulled it): the
    server holds it, and the inbox opens by itself for the signed-in manager."""
    scene.set_price(shop, ROLL, next(_prices))
    till.till.add_sku(ROLL, D(2))
    order = till.pay_card()  # the commit wakes the sender
    qtbot.waitUntil(lambda: _inbox_lists(win, 1), timeout=TRUE_WITHIN_MS)
    return order.order_id


def _inbox_lists(win: MainWindow, n: int) -> bool:
    dialog = win.conflict_watch.dialog
    return dialog is not None and dialog.isVisible() and dialog.orders.count() == n


@contextmanager
def office(url: str) -> Iterator[tuple[httpx.Client, str]]:
    """Anna signed in at the back office: her HTTP client and the session's CSRF token."""
    with httpx.Client(base_url=url, timeout=30) as client:
        token = _csrf(client.get("/office/login").text)
        answer = client.post("/office/login", data={"user_id": MANAGER_ACCOUNT.user_id,
                                                    "password": MANAGER_ACCOUNT.password, "csrf_token": token})
        assert answer.status_code == 303, answer.text
        yield client, _csrf(client.get(f"/office/stores/{STORE}/held").text)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def resolve_in_office(shop, order_id: str) -> None:
    """The held-orders page's form, posted as the browser posts it."""
    with office(shop.url) as (client, token):
        answer = client.post(f"/office/stores/{STORE}/held/{order_id}/resolution",
                             data={"csrf_token": token, f"decision:1:{ConflictCode.PRICE_CHANGED.value}": "accept_server",
                                   "reason": "head office price"})
        assert answer.status_code == 303, answer.text


def test_an_order_resolved_in_the_back_office_leaves_the_open_inbox_and_the_banner(qtbot, shop, till):
    with window(qtbot, till) as win:
        sign_in(qtbot, win, "m1", "9999")
        order_id = sell_held(qtbot, shop, till, win)
        banner = win.sale.banner
        assert banner.isVisible() and "waiting for a manager" in banner.text()

        resolve_in_office(shop, order_id)

        dialog = win.conflict_watch.dialog
        # The sync service asks about held orders with every heartbeat (4 s by default).
        qtbot.waitUntil(lambda: dialog.orders.count() == 0 and not banner.isVisible(), timeout=6_000)
        assert "was resolved in the back office by Anna Office" in dialog.message.text()
        assert dialog.isVisible()  # the manager reads why it went; nothing else changed


def test_a_managers_decision_after_the_offices_is_told_in_words(qtbot, shop, till):
    # No heartbeat during the test: only the manager's own decision, sent at once, can
    # find out that the office was first.
    with window(qtbot, till, heartbeat_interval_s=3600) as win:
        sign_in(qtbot, win, "m1", "9999")
        order_id = sell_held(qtbot, shop, till, win)
        resolve_in_office(shop, order_id)  # the office decides while the manager reads the diff

        dialog = win.conflict_watch.dialog
        dialog.reason.setText("sold at shelf price")
        dialog.resolve_button.click()
        approve(qtbot, dialog.approval, None, "9999")

        qtbot.waitUntil(lambda: "already resolved" in dialog.message.text(), timeout=TRUE_WITHIN_MS)
        receipt = till.server_order(order_id).order.receipt_no
        assert dialog.message.text().startswith(
            f"Receipt {receipt}: this order was already resolved in the back office by Anna Office: "
            "nothing more to do.")
        assert dialog.orders.count() == 0 and not win.sale.banner.isVisible()
        shown = " ".join([dialog.message.text(), win.status.sync_label.text(), win.sale.banner.text()])
        assert "409" not in shown and "order_not_held" not in shown and "parked" not in shown
        assert till.server_order(order_id).resolutions[0].approved_by == "office:anna"  # the office's stands


def test_sync_state_is_true_within_5_s_of_the_server_going_and_coming_back(qtbot, shop, till):
    with window(qtbot, till) as win:
        sign_in(qtbot, win, "c1", "1111")
        status, banner = win.status, win.sale.offline
        shop.process.kill()
        qtbot.waitUntil(lambda: status.online is False and banner.isVisible(), timeout=TRUE_WITHIN_MS)
        assert "offline" in status.sync_label.text()

        till.till.add_sku(ROLL, D(1))
        sale = till.pay_cash()  # rung offline: kept on the till
        qtbot.waitUntil(lambda: banner.waiting == 1 and "Waiting to be sent: 1" in banner.text(),
                        timeout=TRUE_WITHIN_MS)
        assert status.waiting == 1 and "1 to send" in status.sync_label.text()

        shop.process.start()
        qtbot.waitUntil(lambda: status.online is True and not banner.isVisible(), timeout=TRUE_WITHIN_MS)
        qtbot.waitUntil(lambda: status.waiting == 0 and "0 to send" in status.sync_label.text(),
                        timeout=TRUE_WITHIN_MS)
        assert till.server_order(sale.order_id).status == "accepted"


def test_a_z_report_leaves_at_once(qtbot, shop, till):
    # No heartbeat to wake the sender: only closing the day itself can.
    with window(qtbot, till, heartbeat_interval_s=3600) as win:
        sign_in(qtbot, win, "m1", "9999")
        win.drawer_actions["open"].trigger()
        win.sale.dialog.value.setText("100.00")
        win.sale.dialog.accept()
        win.drawer_actions["z_report"].trigger()
        win.sale.dialog.set_count(D("100"), 1)
        win.sale.dialog.accept()
        approve(qtbot, win.sale.dialog, None, "9999")
        qtbot.waitUntil(lambda: _z_report_state(till) == outbox.DONE, timeout=TRUE_WITHIN_MS)


def _z_report_state(till) -> str | None:  # type: ignore[no-untyped-def]
    with till.services.db.reader() as s:
        return s.scalar(select(OutboxEntry.state).where(OutboxEntry.kind == outbox.Z_REPORT))


def test_the_late_decision_is_told_in_german_too(qtbot, services):
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from pos_terminal.app import install_translations
    from pos_terminal.sync.events import ResolvedElsewhere

    app = QApplication.instance()
    translators = install_translations(app, QLocale("de_DE"))
    try:
        win = MainWindow(services)
        qtbot.addWidget(win)
        text = win.conflict_watch.resolved_text(ResolvedElsewhere("o-1", "T1-000042", "Anna Office", True,
                                                                  decided_here=True))
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    assert text == ("Bon T1-000042: Dieser Verkauf wurde schon im Büro von Anna Office entschieden: "
                    "hier ist nichts mehr zu tun.")
