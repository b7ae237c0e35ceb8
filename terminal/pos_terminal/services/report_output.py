"""An X or Z report off the screen: printed on the receipt printer, or saved as CSV for a
spreadsheet. The rows (label, value) come worded and formatted by the caller, so every
output shows exactly what the screen shows; PDF is drawn by the UI (Qt's QPdfWriter).
"""

from __future__ import annotations

import csv
import os
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

from devices.escpos.receipt import render_report

from .till_devices import TillDevices

Rows = Sequence[tuple[str, str]]


class NoReportPrinter(RuntimeError):
    def __init__(self) -> None:
        super().__init__("no receipt printer is connected to print the report on")


def print_report(devices: TillDevices | None, title: str, rows: Rows, job_id: str | None = None) -> str:
    """Queue the report on the durable print queue; returns the job id. Blocking."""
    if devices is None or devices.print_queue is None:
        raise NoReportPrinter()
    job_id = job_id or f"report/{uuid.uuid4()}"
    devices.print_queue.submit(job_id, render_report(title, tuple(rows)))
    return job_id


def save_csv(path: Path, title: str, rows: Rows) -> Path:
    """Write the report as CSV (UTF-8 with BOM, so spreadsheet programs read the umlauts),
    through a temporary file renamed into place: a crash never leaves half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow([title, ""])
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
