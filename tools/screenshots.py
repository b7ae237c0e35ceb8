"""Render the till's screens to PNG files to look at them (`make screenshots`).

Offscreen Qt, real services on a throw-away data dir with the packaged demo catalog: the
sign-in screen, the sale screen with a ticket and the status bar's warnings (a till clock
off the server's), the idle lock's screen over the open ticket, the touch sale screen (lines, the category grid, search as you type,
the parked list, the offline banner), every dialog over the sale screen (payment,
approval, return, conflict diff, X report, reprint, cash office, denomination count), and
the message a refused database shows, each at 1024x768 and 1920x1080, in English and
German (a German shop: de_DE amounts). Not a test: a person looks at the pictures.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QLocale, QThreadPool  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from pos_terminal.app import install_translations  # noqa: E402
from pos_terminal.config import load_config  # noqa: E402
from pos_terminal.services import formatting, open_services  # noqa: E402
from pos_terminal.sync.events import ClockSkewed  # noqa: E402

SIZES = ((1024, 768), (1920, 1080))
BREAD = "4001234000015"


def shoot(widget: QWidget, out: Path, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def sign_in(win, user: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in and let the PIN check (off the GUI thread) report."""
    win.sign_in.user.setText(user)
    win.sign_in.pin.setText(pin)
    win.sign_in.button.click()
    settle()


def settle() -> None:
    """Let every background operation finish and deliver its result."""
    QThreadPool.globalInstance().waitForDone(30_000)
    QApplication.processEvents()


def main_window_screens(out: Path, lang: str, size: tuple[int, int]) -> None:
    from pos_terminal.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as data:
        config = load_config(data_dir=Path(data))
        services = open_services(config.replace(locale="de_DE") if lang == "de" else config)
        try:
            win = MainWindow(services)
            win.resize(*size)
            win.show()
            tag = f"{lang}-{size[0]}x{size[1]}"
            shoot(win, out, f"sign-in-{tag}")
            sign_in(win, "c1", "1111")
            services.till.scan(BREAD)
            win.sale.refresh()
            win.status.on_clock(ClockSkewed(skew_s=185))
            shoot(win, out, f"sale-clock-warning-{tag}")
            services.till.add_sku("SKU00002", Decimal(2))
            win.sale.refresh()
            win.lock_idle()  # what the idle lock shows over the open ticket
            shoot(win, out, f"lock-screen-{tag}")
            win.close()
        finally:
            services.close()


def walk_sale_screens(win, services, lang: str):  # type: ignore[no-untyped-def]
    """Drive a signed-in window through the touch sale screens; yield each one's name once
    it shows (the screenshots shoot it, the layout test checks its geometry)."""
    from pos_terminal.sync.events import ConnectionChanged, QueueChanged

    sale = win.sale
    for code in (BREAD, "SKU00002", "SKU00002", "SKU00040"):
        sale.ring_up(code)
    sale.products.show_category(sale.products.categories.keys()[0])
    QApplication.processEvents()
    yield "sale-lines-grid"
    sale.entry.setText("bread")
    QApplication.processEvents()
    yield "sale-search"
    sale.entry.clear()
    win.status.on_connection(ConnectionChanged(False, "open", "server unreachable"))
    win.status.on_queue(QueueChanged(3, 240.0, 0))
    win._sync_changed(None)  # noqa: SLF001 - what the sync bridge calls
    QApplication.processEvents()
    yield "sale-offline"
    services.till.park()
    sale.refresh()
    sale.show_parked()
    dialog = sale.dialog
    for _ in range(200):
        QApplication.processEvents()
        if dialog.list.count():
            break
        QThreadPool.globalInstance().waitForDone(50)
    yield "parked-list"
    dialog.reject()


def sale_screens(out: Path, lang: str, size: tuple[int, int]) -> None:
    from pos_terminal.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as data:
        config = load_config(data_dir=Path(data))
        services = open_services(config.replace(locale="de_DE") if lang == "de" else config)
        try:
            win = MainWindow(services)
            win.resize(*size)
            win.show()
            sign_in(win, "c1", "1111")
            for name in walk_sale_screens(win, services, lang):
                target = win.sale.dialog if name == "parked-list" else win
                shoot(target, out, f"{name}-{lang}-{size[0]}x{size[1]}")
            win.close()
        finally:
            services.close()


def dialog_screens(out: Path, lang: str, size: tuple[int, int]) -> None:
    """Every dialog (tools.dialog_gallery) over the sale screen, as the cashier sees it."""
    from PySide6.QtGui import QPainter

    from pos_terminal.services.drawer import DrawerService
    from pos_terminal.ui.main_window import MainWindow
    from tools import dialog_gallery

    with tempfile.TemporaryDirectory() as data:
        config = load_config(data_dir=Path(data))
        services = open_services(config.replace(locale="de_DE", time_zone="Europe/Berlin") if lang == "de"
                                 else config.replace(time_zone="Europe/Dublin"))
        try:
            win = MainWindow(services, drawer=DrawerService(services.till))
            win.resize(*size)
            win.show()
            sign_in(win, "m1", "9999")
            for name, make in dialog_gallery.dialogs(win, services):
                dialog = make()
                dialog.show()
                QApplication.processEvents()
                win.sale.refresh()
                QApplication.processEvents()
                screen = win.grab()
                shown = dialog.grab()
                painter = QPainter(screen)
                painter.fillRect(screen.rect(), QColor(0, 0, 0, 90))  # the window dimmed behind a modal
                painter.drawPixmap((screen.width() - shown.width()) // 2,
                                   (screen.height() - shown.height()) // 2, shown)
                painter.end()
                path = out / f"dialog-{name}-{lang}-{size[0]}x{size[1]}.png"
                screen.save(str(path))
                print(path)
                dialog.reject()
                dialog.deleteLater()
            win.close()
        finally:
            services.close()


def refused_database(out: Path, lang: str) -> None:
    """A till whose database file was emptied (the issue's scenario): the real refusal."""
    from pos_terminal.app import refusal_box
    from pos_terminal.store.guard import DatabaseUnusable

    with tempfile.TemporaryDirectory() as data:
        config = load_config(data_dir=Path(data))
        open_services(config).close()
        config.db_path.write_bytes(b"")
        try:
            open_services(config).close()
        except DatabaseUnusable as refused:
            box = refusal_box(refused)
            box.show()
            shoot(box, out, f"database-refused-{lang}")
            box.close()
        else:
            raise AssertionError("an emptied database was opened")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    kept = []  # a translator must outlive its use
    for lang in ("en", "de"):
        if lang == "de":  # a German shop: German words and German amounts
            kept += install_translations(app, QLocale(QLocale.Language.German))
            formatting.use_store_locale("de_DE")  # open_services sets it from the config too
        for size in SIZES:
            main_window_screens(args.out, lang, size)
            sale_screens(args.out, lang, size)
            dialog_screens(args.out, lang, size)
        refused_database(args.out, lang)


if __name__ == "__main__":
    main()
