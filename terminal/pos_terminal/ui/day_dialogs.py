"""Drawer session and end of day: open with a float, no sale, X report, Z report (close
the day). The figures come from `services.drawer`; this module only shows them."""

from __future__ import annotations

from decimal import Decimal

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_terminal.core.drawer import DrawerSummary
from pos_protocol.money import Currency
from pos_terminal.core.reports import Amounts, Report

from pos_terminal.services import formatting, report_output
from pos_terminal.services.till_devices import TillDevices
from pos_terminal.services.formatting import money, percent
from .errors import describe
from .operations import Operation
from .widgets import BigButton


class ReportDialog(QDialog):
    """An X or Z report on screen (read-only text, so it can be read out or photographed)."""

    def __init__(self, report: Report, summary: DrawerSummary, currency: Currency,
                 parent: QWidget | None = None, *, devices: TillDevices | None = None) -> None:
        super().__init__(parent)
        self.currency, self.devices = currency, devices
        self.title = self.tr("Z report {n}").format(n=report.number) if report.kind == "Z" else self.tr("X report")
        self.setWindowTitle(self.title)
        self.setMinimumSize(760, 600)  # four buttons side by side, German words included
        self.rows = self.report_rows(report, summary)
        self.operation: Operation[Any] | None = None
        self.text = QPlainTextEdit(self.render_rows(self.rows))
        self.text.setObjectName("report_text")
        self.text.setReadOnly(True)
        self.text.setStyleSheet("font-family:monospace; font-size:15px;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in ((self.tr("Print"), self.print_report), (self.tr("Save as CSV…"), self._ask_csv),
                           (self.tr("Save as PDF…"), self._ask_pdf), (self.tr("Close"), self.accept)):
            button = BigButton(text)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.title))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    # -- off the screen -----------------------------------------------------------------

    def print_report(self) -> None:
        self._run(lambda: report_output.print_report(self.devices, self.title, self.rows),
                  self.tr("The report is printing."))

    def save_csv(self, path: Path) -> None:
        self._run(lambda: report_output.save_csv(path, self.title, self.rows),
                  self.tr("Saved as {path}").format(path=path))

    def save_pdf(self, path: Path) -> None:
        """Drawn on the GUI thread (Qt's painter and fonts live there); it is one page."""
        try:
            write_pdf(path, self.title, self.rows)
        except OSError as exc:
            self.message.setText(self.tr("Could not save {path}: {why}").format(path=path, why=exc.strerror or exc))
            return
        self.message.setText(self.tr("Saved as {path}").format(path=path))

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as CSV"), f"{self.title}.csv", "CSV (*.csv)")
        if path:
            self.save_csv(Path(path))

    def _ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save as PDF"), f"{self.title}.pdf", "PDF (*.pdf)")
        if path:
            self.save_pdf(Path(path))

    def _run(self, work: Any, done: str) -> None:
        self.message.setText(self.tr("Working…"))
        self.operation = Operation(work).success(lambda _r: self.message.setText(done)) \
            .failure(lambda exc: self.message.setText(describe(exc))).run_in_background()

    # -- the figures --------------------------------------------------------------------

    @staticmethod
    def render_rows(rows: list[tuple[str, str]]) -> str:
        width = max(len(label) for label, _ in rows) + 2
        values = max(len(value) for _, value in rows)
        return "\n".join(f"{label:<{width}}{value:>{values}}" for label, value in rows)

    def render(self, report: Report, summary: DrawerSummary) -> str:
        return self.render_rows(self.report_rows(report, summary))

    def report_rows(self, report: Report, summary: DrawerSummary) -> list[tuple[str, str]]:
        m = lambda v: money(v, self.currency)  # noqa: E731
        rows: list[tuple[str, str]] = [
            *self._amounts(self.tr("Sales"), report.sales),
            *self._amounts(self.tr("Returns"), report.returns),
        ]
        rows += [(self.tr("Tax {code} ({rate})").format(code=r.tax_code, rate=percent(r.rate)),
                  self.tr("{tax} on {net}").format(tax=m(r.tax), net=m(r.net))) for r in report.by_rate]
        rows += [(self.tr("Tender {kind}").format(kind=self._tender(t.value)), m(amount))
                 for t, amount in report.by_tender]
        rows += [
            (self.tr("Cash rounding"), m(report.cash_rounding)),
            (self.tr("Discounts ({n} lines)").format(n=report.discount_lines), m(report.discount_total)),
            (self.tr("Price overrides ({n} lines)").format(n=report.override_lines), m(report.override_total)),
            (self.tr("Voids ({n} lines)").format(n=report.void_lines), m(report.void_total)),
            (self.tr("Opening float"), m(summary.opening_float)),
            (self.tr("Cash sales"), m(summary.cash_sales)),
            (self.tr("Cash refunds"), m(summary.cash_refunds)),
            (self.tr("Paid in"), m(summary.paid_in)),
            (self.tr("Paid out"), m(summary.paid_out)),
            (self.tr("Expected in drawer"), m(summary.expected)),
        ]
        if summary.counted is not None and summary.over_short is not None:
            rows += [(self.tr("Counted"), m(summary.counted)), (self.tr("Over/short"), m(summary.over_short))]
        return rows

    def _tender(self, kind: str) -> str:
        """A tender type in the shop's words (never the wire's `cash`)."""
        return {"cash": self.tr("cash"), "card": self.tr("card"), "voucher": self.tr("voucher"),
                "other": self.tr("other")}.get(kind, kind)

    def _amounts(self, label: str, amounts: Amounts) -> list[tuple[str, str]]:
        return [(self.tr("{what}: count").format(what=label), str(amounts.count)),
                (self.tr("{what}: gross").format(what=label), money(amounts.gross, self.currency))]


def parse_amount(text: str, currency: Currency) -> Decimal:
    return formatting.parse_amount(text.strip(), currency)


def write_pdf(path: Path, title: str, rows: list[tuple[str, str]]) -> None:
    """The report on one A4 page: the title, then label and value columns."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter))
    painter = QPainter(writer)
    if not painter.isActive():
        raise OSError(f"cannot write {path}")
    try:
        width = writer.width()
        painter.setFont(QFont("Sans", 16, QFont.Weight.Bold))
        line = painter.fontMetrics().height()
        painter.drawText(QRectF(0, 0, width, line * 1.5), Qt.AlignmentFlag.AlignLeft, title)
        painter.setFont(QFont("Sans", 10))
        line, y = painter.fontMetrics().height() * 1.3, line * 2.0
        for label, value in rows:
            painter.drawText(QRectF(0, y, width * 0.7, line), Qt.AlignmentFlag.AlignLeft, label)
            painter.drawText(QRectF(width * 0.7, y, width * 0.3, line), Qt.AlignmentFlag.AlignRight, value)
            y += line
    finally:
        painter.end()
