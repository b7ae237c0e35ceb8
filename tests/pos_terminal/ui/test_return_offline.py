"""A receipt of another till while the server cannot be asked: refused in words, and the
return without receipt (a manager's blind return) is offered."""

from __future__ import annotations

from pos_terminal.ui.return_dialog import ReturnDialog


def test_another_till_s_receipt_offline_offers_the_blind_return(qtbot, window, services) -> None:  # type: ignore[no-untyped-def]
    screen = window.sale
    screen.buttons["return"].click()
    dialog = screen.dialog
    assert isinstance(dialog, ReturnDialog)
    dialog.receipt.setText("T99-000001")  # a till's number, not this till's; no server connected
    dialog.look_up()
    dialog.approval.manager.setText("m1")
    dialog.approval.pin.setText("9999")
    dialog.approval.approve_button.click()
    assert dialog.approval.error.text().startswith("Server unreachable")
    assert "return without receipt" in dialog.error.text() and dialog.blind_button.isDefault()
    assert dialog.pages.currentIndex() == 0 and len(services.till.ticket) == 0
    dialog.approval.reject()

    dialog.blind()  # the offered way: a manager's blind return
    dialog.approval.manager.setText("m1")
    dialog.approval.pin.setText("9999")
    dialog.approval.approve_button.click()
    assert services.till.ticket.kind == "return" and screen.kind.text() == "RETURN"
