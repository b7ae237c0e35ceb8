"""UI tests: real services on a tmp SQLite file, widgets driven with pytest-qt (offscreen)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pos_terminal.config import load_config  # noqa: E402
from pos_terminal.services import Services, open_services  # noqa: E402
from pos_terminal.store.models import Order  # noqa: E402

# Barcodes from the packaged demo catalog (pos_terminal/resources/demo_catalog.csv)
BREAD = "4001234000015"  # SKU00001 Bread Classic, 19.71
BAD_CHECK_DIGIT = "4001234000016"
UNKNOWN = "4006381333931"  # valid EAN-13, not in the catalog


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    svc = open_services(load_config(data_dir=tmp_path))
    yield svc
    svc.close()


@pytest.fixture
def window(qtbot, services: Services):  # type: ignore[no-untyped-def]
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    return win


def sign_in(qtbot, win, user: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    win.sign_in.user.setText(user)
    win.sign_in.pin.setText(pin)
    win.sign_in.button.click()
    # the PIN check runs off the GUI thread: wait until it reported
    qtbot.waitUntil(lambda: not win.sign_in.busy, timeout=10_000)
    assert win.stack.currentWidget() is win.sale, win.sign_in.error.text()


def scan(qtbot, screen, code: str) -> None:  # type: ignore[no-untyped-def]
    """Type like a keyboard-wedge scanner: the characters, then Enter."""
    screen.entry.setFocus()
    qtbot.keyClicks(screen.entry, code)
    qtbot.keyClick(screen.entry, "\r")


def order_count(services: Services) -> int:
    with services.db.reader() as s:
        return s.query(Order).count()


def visible_texts(root):  # type: ignore[no-untyped-def]
    """Every text a cashier can see on `root`: title, labels, buttons, placeholders,
    tooltips and menu actions (the translation tests check them all)."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

    texts = {root.windowTitle()}
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.add(w.text())
        if isinstance(w, QLineEdit):
            texts.add(w.placeholderText())
        texts.add(w.toolTip())
    texts |= {a.text() for a in root.findChildren(QAction)}
    return texts - {""}


def approve(qtbot, dialog, user: str | None, pin: str, reason: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Fill in an approval dialog and wait until its PIN check (off the GUI thread) reported:
    the dialog is closed (approved) or shows why not. `user` None: the signed-in manager
    approves with their PIN only."""
    if reason is not None:
        dialog.reason.setText(reason)
    if user is not None:
        if not dialog.manager.isVisible() and dialog.other.isVisible():
            dialog.other.click()
        dialog.manager.setText(user)
    dialog.pin.setText(pin)
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
