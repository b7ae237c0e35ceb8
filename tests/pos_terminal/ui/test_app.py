"""The composition root against real devices: the ESC/POS printer simulator on TCP, and
devices that are absent (a dead port, a missing serial path) to prove the till degrades."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.simulators.printer import PrinterSimulator
from pos_terminal.app import start_terminal
from pos_terminal.config import TerminalConfig, load_config
from pos_terminal.core.sale import TenderType

from .conftest import BREAD, order_count, scan, sign_in


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path: Path, printer_port: int) -> TerminalConfig:
    devices = tmp_path / "devices.toml"
    devices.write_text(f"""
[manager]
backoff_initial = 0.2
backoff_max = 1.0
health_interval = 0.5

[devices.receipt]
kind = "printer"
transport = "tcp"
host = "127.0.0.1"
port = {printer_port}

[devices.drawer]
kind = "drawer"
printer = "receipt"

[devices.scale]
kind = "scale"
protocol = "8217"
path = "{tmp_path / 'no-such-scale'}"
""")
    return load_config(data_dir=tmp_path / "till").replace(devices_config=devices)


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    sim = PrinterSimulator(port=0).start()
    yield sim
    sim.stop()


def _sell_for_cash(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window, "c1", "1111")
    scan(qtbot, window.sale, BREAD)
    window.sale.buttons["pay"].click()
    dialog = window.sale.dialog
    dialog.tender_buttons[TenderType.CASH].click()
    with qtbot.waitSignal(dialog.committed, timeout=10_000):
        dialog.complete_button.click()
    return dialog.order


def test_sale_prints_the_receipt_and_opens_the_drawer(qtbot, tmp_path, printer):
    terminal = start_terminal(_config(tmp_path, printer.port), with_sync=False)
    try:
        qtbot.addWidget(terminal.window)
        order = _sell_for_cash(qtbot, terminal.window)
        printer.wait_until(lambda s: len(s.receipts) == 1 and s.drawer_kicks == 1, timeout=20)
        assert order.receipt_no in printer.receipts[0]
        assert "Bread Classic" in printer.receipts[0]
        assert printer.drawer_kicks == 1
    finally:
        terminal.close()


def test_till_sells_with_no_printer_scale_or_sync(qtbot, tmp_path):
    terminal = start_terminal(_config(tmp_path, _dead_port()))
    try:
        window = terminal.window
        qtbot.addWidget(window)
        assert terminal.sync is None
        assert window.status.sync_label.text().startswith("Sync unavailable")
        _sell_for_cash(qtbot, window)
        assert order_count(terminal.services) == 1  # the sale is durable; the receipt waits
        qtbot.waitUntil(lambda: terminal.devices.print_queue.pending_count() == 1, timeout=5_000)
        qtbot.waitUntil(lambda: "offline" in window.status.devices_label.text(), timeout=15_000)
        assert not window.sale.dialog.isVisible() or window.sale.dialog.order is not None
    finally:
        terminal.close()


RUN_AND_QUIT = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pos_terminal.app import run_app
from pos_terminal.config import load_config

app = QApplication(sys.argv[:1])
config = load_config(data_dir=Path(sys.argv[1])).replace(devices_config=Path(sys.argv[2]))

def report_and_quit():
    windows = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible()]
    print("visible", len(windows), windows[0].status.sync_label.text(), flush=True)
    app.quit()

QTimer.singleShot(0, report_and_quit)
sys.exit(run_app(config))
"""


def test_run_app_starts_shows_the_window_and_quits(tmp_path):
    # Its own process: after QApplication.quit() this process's Qt loops would stop working.
    config = _config(tmp_path, _dead_port())
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_QUIT, str(config.data_dir), str(config.devices_config)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert "visible 1 Sync unavailable" in result.stdout


REFUSED_AND_CLOSED = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pos_terminal.app import run_app
from pos_terminal.config import load_config

app = QApplication(sys.argv[:1])

def report_and_close():
    box = app.activeModalWidget()
    if not isinstance(box, QMessageBox):
        return QTimer.singleShot(50, report_and_close)
    windows = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"]
    print("box", box.windowTitle(), "|", box.text(), "|", box.informativeText(), "| windows", len(windows), flush=True)
    box.close()

QTimer.singleShot(0, report_and_close)
sys.exit(run_app(load_config(data_dir=Path(sys.argv[1]))))
"""


def test_run_app_on_an_emptied_database_says_so_in_a_box_and_exits(tmp_path):
    data_dir = tmp_path / "till"
    start_terminal(load_config(data_dir=data_dir), with_devices=False, with_sync=False).close()
    (data_dir / "terminal.sqlite3").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-c", REFUSED_AND_CLOSED, str(data_dir)], capture_output=True, text=True,
        timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "box The till cannot start | The till's database cannot be used" in result.stdout
    assert "is empty (0 bytes)" in result.stdout and "pos-terminal restore BACKUP_FILE" in result.stdout
    assert "| windows 0" in result.stdout  # no till window on a database it cannot trust
    assert (data_dir / "terminal.sqlite3").stat().st_size == 0
