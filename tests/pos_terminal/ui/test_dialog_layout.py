"""No dialog is clipped at 1024x768: each one, opened over a 1024x768 window in English and
German, fits the screen, and every visible widget's geometry lies inside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, QRect
from PySide6.QtWidgets import QApplication, QWidget

from pos_terminal.app import install_translations
from pos_terminal.services.drawer import DrawerService
from pos_terminal.ui.conflicts_dialog import ConflictInbox, ConflictsDialog
from tools import dialog_gallery

from ..sync.conftest import client, memory_keyring, server, till  # noqa: F401
from ..sync.test_conflicts import held  # noqa: F401
from .conftest import sign_in

SCREEN = QRect(0, 0, 1024, 768)


@pytest.fixture(params=["en", "de"])
def language(request, qtbot) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    translators = install_translations(app, QLocale("de_DE")) if request.param == "de" else []
    yield request.param
    for translator in translators:
        app.removeTranslator(translator)


def clipped(dialog: QWidget) -> list[str]:
    """Visible widgets that reach outside the dialog (or the dialog outside the screen)."""
    problems = []
    if dialog.width() > SCREEN.width() or dialog.height() > SCREEN.height():
        problems.append(f"dialog {dialog.width()}x{dialog.height()} is larger than the screen")
    inside = dialog.rect()
    for w in dialog.findChildren(QWidget):
        if not w.isVisible() or w.window() is not dialog:
            continue
        rect = QRect(w.mapTo(dialog, w.rect().topLeft()), w.size())
        if not inside.contains(rect):
            problems.append(f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()!r} at {rect}")
        if w.width() < w.minimumSizeHint().width() - 1 and w.minimumSizeHint().width() > 0:
            problems.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} squeezed below its minimum")
    return problems


def _open(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()


def test_every_dialog_fits_at_1024x768(qtbot, services, language):
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services, drawer=DrawerService(services.till))
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    sign_in(qtbot, win, "c1", "1111")
    problems = {}
    for name, make in dialog_gallery.dialogs(win, services):
        dialog = make()
        qtbot.addWidget(dialog)
        _open(qtbot, dialog)
        if bad := clipped(dialog):
            problems[name] = bad
        dialog.reject()
    assert problems == {}


def test_the_conflict_diff_fits_at_1024x768(qtbot, till, held, language):  # noqa: F811
    dialog = ConflictsDialog(ConflictInbox(till))
    qtbot.addWidget(dialog)
    _open(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    assert clipped(dialog) == []
