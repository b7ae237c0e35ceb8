"""The shipped German translation: the real .qm loaded by `install_translations` puts German
on screen, and the .ts behind it is complete, in step with the sources and with the .qm."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from pos_terminal.app import TRANSLATIONS, _receipt_labels, install_translations

from .conftest import BAD_CHECK_DIGIT, BREAD, scan, sign_in, visible_texts

TS = TRANSLATIONS / "pos_terminal_de.ts"
QM = TRANSLATIONS / "pos_terminal_de.qm"
SOURCES = [TRANSLATIONS.parent.parent / "app.py", *sorted(TRANSLATIONS.parent.glob("*.py"))]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
QT_TOOLS = Path(sys.executable).parent


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) for every message in a .ts file."""
    root = ET.parse(ts).getroot()
    return [(ctx.findtext("name") or "", msg.findtext("source") or "", msg.find("translation"))
            for ctx in root.iter("context") for msg in ctx.iter("message")]


@pytest.fixture
def german(qtbot) -> Iterator[list[QTranslator]]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    translators = install_translations(app, QLocale("de_DE"))
    yield translators
    for translator in translators:
        app.removeTranslator(translator)


def _still_english(root: QWidget) -> set[str]:
    """Visible texts that are an English source whose German differs (so: not translated)."""
    english = {src for _, src, tr in _messages(TS) if tr.text != src}
    return visible_texts(root) & english


def test_main_window_speaks_german(qtbot, german, services):  # type: ignore[no-untyped-def]
    from pos_terminal.ui.main_window import MainWindow

    assert any(t.filePath() == str(QM) for t in german), [t.filePath() for t in german]
    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    assert win.sign_in.button.text() == "Anmelden"
    assert " · Kasse " in win.windowTitle()
    assert [m.title() for m in (a.menu() for a in win.menuBar().actions())] == \
        ["&Kasse", "&Aufsicht", "&Schublade"]
    assert _still_english(win) == set()

    sign_in(qtbot, win, "c1", "1111")
    sale = win.sale
    assert sale.buttons["pay"].text() == "Bezahlen"
    assert sale.buttons["void"].text() == "Position stornieren"
    assert sale.entry.placeholderText() == "Scannen oder Name, Artikelnummer oder Barcode eingeben"
    headers = [sale.model.headerData(c, Qt.Orientation.Horizontal) for c in range(sale.model.columnCount())]
    assert headers == ["Pos.", "Bezeichnung", "Menge", "Einzelpreis", "Rabatt", "Betrag"]
    scan(qtbot, sale, BREAD)
    scan(qtbot, sale, BAD_CHECK_DIGIT)
    # The error headline comes from errors.py's own context: German prefix, domain detail after it.
    assert sale.banner.text().startswith("Ungültiger Barcode: "), sale.banner.text()
    assert _still_english(win) == set()

    sale.buttons["pay"].click()
    pay = sale.dialog
    assert pay.windowTitle() == "Zahlung"
    assert [b.text() for b in pay.tender_buttons.values()] == ["Bar", "Karte", "Gutschein", "Sonstige"]
    assert _still_english(pay) == set()
    pay.reject()

    win.lock_idle()  # the idle lock's own screen, over the bread still on the ticket
    lock = win.lock_screen
    assert win.stack.currentWidget() is lock and lock.title.text() == "Kasse gesperrt"
    assert lock.kept.text().startswith("Der offene Bon (1 Position, "), lock.kept.text()
    assert _still_english(win) == set()


def test_receipt_labels_are_german(german):  # type: ignore[no-untyped-def]
    labels = _receipt_labels()
    assert labels.tenders["cash"] == "Bar" and labels.tenders["voucher"] == "Gutschein"
    assert (labels.tax, labels.refund, labels.footer) == ("MwSt.", "ERSTATTUNG", ("Vielen Dank!",))


def test_every_message_is_translated_and_keeps_its_placeholders():
    messages = _messages(TS)
    assert len(messages) > 150  # the whole UI, not a stub
    problems = []
    for context, source, translation in messages:
        where = f"{context}: {source!r}"
        if translation is None or translation.get("type") is not None:
            problems.append(f"{where} is {translation.get('type') if translation is not None else 'missing'}")
        elif not (translation.text or "").strip():
            problems.append(f"{where} has an empty translation")
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation.text)):
            problems.append(f"{where} -> {translation.text!r} changes the placeholders")
    assert problems == []


def test_placeholder_check_can_fail(tmp_path):
    broken = TS.read_text(encoding="utf-8").replace("Bon {receipt} abgeschlossen", "Bon abgeschlossen", 1)
    assert broken != TS.read_text(encoding="utf-8")
    bad = tmp_path / "bad.ts"
    bad.write_text(broken, encoding="utf-8")
    pairs = [(s, t.text) for _, s, t in _messages(bad)]
    assert any(sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(t)) for s, t in pairs)


@pytest.mark.skipif(not (QT_TOOLS / "pyside6-lupdate").exists(), reason="PySide6 Qt tools not installed")
def test_ts_is_in_step_with_the_sources_and_the_qm(tmp_path):
    """`make translations` would change nothing: no new or vanished string, same .qm."""
    ts = tmp_path / TS.name
    ts.write_bytes(TS.read_bytes())
    subprocess.run([QT_TOOLS / "pyside6-lupdate", "-locations", "relative", *SOURCES, "-ts", ts],
                   check=True, capture_output=True, timeout=120)
    stale = [(c, s, t.get("type")) for c, s, t in _messages(ts) if t.get("type") is not None]
    assert stale == [], "run `make translations` and translate the new strings"
    qm = tmp_path / QM.name
    subprocess.run([QT_TOOLS / "pyside6-lrelease", TS, "-qm", qm], check=True, capture_output=True, timeout=120)
    # Compared by what each .qm answers, not byte for byte: another lrelease version may
    # lay the file out differently.
    fresh, shipped = QTranslator(), QTranslator()
    assert fresh.load(str(qm)) and shipped.load(str(QM))
    stale_qm = [(c, s) for c, s, _ in _messages(TS) if fresh.translate(c, s) != shipped.translate(c, s)]
    assert stale_qm == [], "the committed .qm is stale: run `make translations`"


def test_refusal_to_start_is_german(german):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication

    assert QCoreApplication.translate("StartUp", "The till cannot start") == "Die Kasse kann nicht starten"
