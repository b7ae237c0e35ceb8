"""Nothing is clipped at 1024x768: the touch sale screens (lines and grid, search, the
offline banner, the parked list), walked as `make screenshots` walks them, in English and
in German, with every visible widget's geometry inside its window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QRect
from PySide6.QtWidgets import QApplication, QWidget

from pos_terminal.app import install_translations
from pos_terminal.config import load_config
from pos_terminal.services import formatting, open_services
from tools.screenshots import walk_sale_screens

from .conftest import sign_in


def outside(window: QWidget) -> list[str]:
    """Visible widgets that reach past their window's edge."""
    bounds = QRect(0, 0, window.width(), window.height())
    bad = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.window() is not window:
            continue
        box = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
        if not bounds.contains(box):
            bad.append(f"{type(w).__name__} {w.objectName() or w.text() if hasattr(w, 'text') else ''} {box}")
    return bad


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_widget_of_the_sale_screens_lies_outside_the_window_at_1024x768(qtbot, tmp_path: Path, lang: str) -> None:
    from pos_terminal.ui.main_window import MainWindow

    app = QApplication.instance()
    translators = install_translations(app, QLocale(QLocale.Language.German)) if lang == "de" else []
    config = load_config(data_dir=tmp_path)
    services = open_services(config.replace(locale="de_DE") if lang == "de" else config)
    try:
        win = MainWindow(services)
        qtbot.addWidget(win)
        win.resize(1024, 768)
        win.show()
        sign_in(qtbot, win, "c1", "1111")
        assert win.width() <= 1024 and win.height() <= 768, "the layout widened the window"
        seen = []
        for name in walk_sale_screens(win, services, lang):
            seen.append(name)
            shown = win.sale.dialog if name == "parked-list" else win
            assert outside(shown) == [], name
            assert win.width() <= 1024 and win.height() <= 768, name
        assert seen == ["sale-lines-grid", "sale-search", "sale-offline", "parked-list"]
        win.close()
    finally:
        for t in translators:
            app.removeTranslator(t)
        services.close()
        formatting.use_store_locale(formatting.DEFAULT_LOCALE)


def test_a_windowed_till_is_never_larger_than_the_screen(qtbot) -> None:
    """Found on a 1366x768 laptop: the demo's 1280x800 window put the Pay row and the
    status bar below the screen's edge."""
    from PySide6.QtWidgets import QWidget

    from pos_terminal.app import show_till

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(4000, 3000)  # larger than any screen the offscreen platform offers
    show_till(window, windowed=True)
    free = window.screen().availableGeometry()
    assert free.contains(window.frameGeometry()), (window.frameGeometry(), free)
    assert window.frameGeometry().size() == free.size()
