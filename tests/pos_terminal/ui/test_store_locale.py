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


@pytest.mark.parametrize(("locale", "separator", "typed", "change"),
                         [("de_DE", ",", "12,50", f"0,29{NBSP}€"), ("en_IE", ".", "12.50", "€0.29")])
def test_the_payment_keypads_decimal_key_is_the_store_locales(qtbot, tmp_path, locale, separator, typed, change):
    """The key shows and types the store's separator, and what it typed reads back as the
    amount: 1, 2, separator, 5, 0 on the keypad is 12.50 whatever the shop's language."""
    from decimal import Decimal

    from pos_terminal.ui.main_window import MainWindow

    services = open_services(load_config(data_dir=tmp_path).replace(locale=locale))
    try:
        window = MainWindow(services)
        qtbot.addWidget(window)
        window.show()
        sign_in(qtbot, window, "c1", "1111")
        scan(qtbot, window.sale, BREAD)  # 19.71
        window.sale.buttons["pay"].click()
        dialog = window.sale.dialog
        point = dialog.findChild(type(dialog.complete_button), "key_point")
        assert point is not None and point.text() == separator
        for key in ("1", "2", "point", "5", "0"):
            dialog.findChild(type(dialog.complete_button), f"key_{key}").click()
        assert dialog.amount.text() == typed
        dialog.tender_buttons[TenderType.CASH].click()
        assert dialog.tenders[0].amount == Decimal("12.50")
        dialog.amount.setText("7" + separator + "50")
        dialog.tender_buttons[TenderType.CASH].click()
        assert dialog.change_label.text().endswith(change)
    finally:
        services.close()
        formatting.use_store_locale(formatting.DEFAULT_LOCALE)
