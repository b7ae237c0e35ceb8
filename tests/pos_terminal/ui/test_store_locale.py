"""A German shop: the sale screen and payment show and read amounts the German way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import Services, formatting, open_services

from .conftest import BREAD, order_count, scan, sign_in

NBSP = "\u00a0"


@pytest.fixture
def german_shop(tmp_path: Path) -> Iterator[Services]:
    svc = open_services(load_config(data_dir=tmp_path).replace(locale="de_DE"))
    yield svc
    svc.close()
    formatting.use_store_locale(formatting.DEFAULT_LOCALE)


def test_amounts_and_a_decimal_comma_in_a_german_shop(qtbot, german_shop):
    from pos_terminal.ui.main_window import MainWindow

    window = MainWindow(german_shop)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, "c1", "1111")
    screen = window.sale
    scan(qtbot, screen, BREAD)
    assert screen.totals.gross.text() == f"19,71{NBSP}€"
    screen.buttons["pay"].click()
    dialog = screen.dialog
    dialog.amount.setText("20,50")  # the cashier's decimal comma
    dialog.tender_buttons[TenderType.CASH].click()
    assert dialog.change_label.text().endswith(f"0,79{NBSP}€")
    with qtbot.waitSignal(dialog.committed, timeout=10_000):
        dialog.complete_button.click()
    assert order_count(german_shop) == 1
