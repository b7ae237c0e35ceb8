"""A receipt of another till while the server cannot be asked: refused in words, and the
return without receipt (a manager's blind return) is offered."""

from __future__ import annotations

from pos_terminal.ui.return_dialog import ReturnDialog

from .conftest import approve


def test_another_till_s_receipt_offline_offers_the_blind_return(qtbot, window, services) -> None:  # type: ignore[no-untyped-def]
    screen = window.sale
    screen.buttons["return"].click()
    dialog = screen.dialog
    assert isinstance(dialog, ReturnDialog)
    dialog.receipt.setText("T99-000001")  # a till's number, not this till's; no server connected
    dialog.look_up()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5_000)
    assert "return without receipt" in dialog.error.text() and dialog.blind_button.isDefault()
    assert dialog.approval is None  # found nothing: nobody was asked for a PIN
    assert dialog.pages.currentIndex() == 0 and len(services.till.ticket) == 0

    dialog.blind()  # the offered way: a manager's blind return
    approve(qtbot, dialog.approval, "m1", "9999")
    assert services.till.ticket.kind == "return" and screen.kind.text() == "RETURN"
