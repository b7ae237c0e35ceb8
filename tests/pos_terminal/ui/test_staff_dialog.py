"""The staff dialog: an admin adds a cashier from the till, through the real server
(in process, over ASGI), and the new cashier signs in."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_terminal.keys import KeyringStore
from pos_terminal.sync.enrollment import client_for
from pos_terminal.ui.main_window import MainWindow
from pos_terminal.ui.staff_dialog import StaffDialog
from tests.pos_terminal.sync.harness import STORE, MemoryKeyring, enrolled_till, enrollment_code, in_process_server

from .conftest import approve, sign_in


@pytest.fixture
def shop(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = in_process_server(tmp_path / "server")
    server.admin.put(f"/v1/admin/stores/{STORE}/users/a1", json={"name": "Ada Admin", "role": "admin"}).raise_for_status()
    keystore = KeyringStore(MemoryKeyring())
    services = enrolled_till(tmp_path / "till", "http://server", enrollment_code(server.db_url), keystore,
                             transport=server.transport)
    services.connect(client_for(services.db, services.config, keystore, transport=server.transport))
    yield server, services
    services.close()


def test_an_admin_adds_a_cashier_who_then_signs_in(qtbot, shop) -> None:  # type: ignore[no-untyped-def]
    server, services = shop
    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")

    win.staff_action.trigger()
    approval = win.sale.dialog
    approve(qtbot, approval, "m1", "9999")  # a manager does not hold users.manage
    assert approval.error.text().startswith("Not allowed")
    approve(qtbot, approval, "a1", "4444")
    qtbot.waitUntil(lambda: isinstance(win.sale.dialog, StaffDialog), timeout=10_000)
    dialog = win.sale.dialog
    assert isinstance(dialog, StaffDialog)
    assert {"a1", "c1", "m1", "s1"} <= {dialog.users.item(i).text().split()[0] for i in range(dialog.users.count())}

    dialog.user_id.setText("c5")
    dialog.name.setText("Cleo")
    dialog.role.setCurrentIndex(dialog.role.findText("cashier"))
    dialog.pin.setText("12")  # too short: refused in words, nothing sent
    dialog.buttons["save"].click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("PIN refused"), timeout=10_000)
    dialog.pin.setText("5555")
    dialog.buttons["save"].click()
    qtbot.waitUntil(lambda: not dialog.message.text().startswith("Sending"), timeout=10_000)
    assert dialog.message.text() == "c5 saved."
    assert dialog.pin.text() == ""  # no PIN left on screen
    listed = server.admin.get(f"/v1/admin/stores/{STORE}/users").json()
    assert {"user_id": "c5", "has_pin": True} .items() <= next(u for u in listed if u["user_id"] == "c5").items()
    dialog.accept()

    win.sign_out()
    sign_in(qtbot, win, "c5", "5555")
