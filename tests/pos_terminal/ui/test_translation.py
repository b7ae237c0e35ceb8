"""Every visible string goes through Qt translation: a translator that marks each string
it translates must have marked every word on screen (numbers and amounts are data)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QLabel, QWidget

from .conftest import BREAD, scan, sign_in, visible_texts


class MarkingTranslator(QTranslator):
    """Wraps every source text in ⟦ ⟧, and maps a few to German."""

    GERMAN = {"Pay": "Bezahlen", "Sign in": "Anmelden"}

    def translate(self, context, source, disambiguation=None, n=-1):  # type: ignore[no-untyped-def]
        return self.GERMAN.get(source) or f"⟦{source}⟧"


@pytest.fixture
def marked(qtbot):  # type: ignore[no-untyped-def]
    translator = MarkingTranslator()
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def _words(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2,}", text))


def _untranslated(root: QWidget, data: set[str]) -> list[str]:
    found = []
    for text in sorted(visible_texts(root)):
        text = text.replace("&", "")
        if _words(text) and "⟦" not in text and text not in MarkingTranslator.GERMAN.values() \
                and not any(d in text for d in data):
            found.append(text)
    return found


def test_every_visible_string_is_translated(qtbot, marked, services):
    from pos_terminal.ui.main_window import MainWindow

    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    assert win.sign_in.button.text() == "Anmelden"
    assert _untranslated(win, set()) == []
    sign_in(qtbot, win, "c1", "1111")
    scan(qtbot, win.sale, BREAD)
    scan(qtbot, win.sale, "123")  # an error banner
    assert win.sale.banner.text().startswith("⟦Bad barcode⟧: ")  # prefix translated, detail is data
    # Item names, tax codes and device names are data, not UI text.
    assert _untranslated(win, {"Bread Classic", "check digit", "123"}) == []
    model = win.sale.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert all(h.startswith("⟦") for h in headers)
    assert win.sale.buttons["pay"].text() == "Bezahlen"

    win.sale.buttons["pay"].click()
    pay = win.sale.dialog
    assert _untranslated(pay, set()) == []
    pay.reject()
    win.sale.buttons["return"].click()
    assert _untranslated(win.sale.dialog, set()) == []
    win.sale.dialog.reject()
    win.sale.buttons["weigh"].click()
    assert _untranslated(win.sale.dialog, {"(per kg)"}) == []
    win.sale.dialog.reject()
    # The check itself can fail: a plain, untranslated label is caught.
    stray = QLabel("Untranslated text", win.sale)
    stray.show()
    assert _untranslated(win, {"Bread Classic", "check digit", "123"}) == ["Untranslated text"]
