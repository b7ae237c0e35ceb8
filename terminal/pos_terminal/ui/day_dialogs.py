"""Drawer session and end of day: open with a float, no sale, X report, Z report (close
the day). The figures come from `services.drawer`; this module only shows them."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from pos_terminal.core.drawer import DrawerSummary
from pos_protocol.money import Currency
from pos_terminal.core.reports import Amounts, Report

from pos_terminal.services import formatting
from pos_terminal.services.formatting import money, percent
from .widgets import BigButton


class ReportDialog(QDialog):
    """An X or Z report on screen (read-only text, so it can be read out or photographed)."""

    def __init__(self, report: Report, summary: DrawerSummary, currency: Currency,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        title = self.tr("Z report {n}").format(n=report.number) if report.kind == "Z" else self.tr("X report")
        self.setWindowTitle(title)
        self.setMinimumSize(560, 620)
        self.text = QPlainTextEdit(self.render(report, summary))
        self.text.setObjectName("report_text")
        self.text.setReadOnly(True)
        self.text.setStyleSheet("font-family:monospace; font-size:15px;")
        close = BigButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.text)
        layout.addWidget(close)

    def render(self, report: Report, summary: DrawerSummary) -> str:
        m = lambda v: money(v, self.currency)  # noqa: E731
        rows: list[tuple[str, str]] = [
            *self._amounts(self.tr("Sales"), report.sales),
            *self._amounts(self.tr("Returns"), report.returns),
        ]
        rows += [(self.tr("Tax {code} ({rate})").format(code=r.tax_code, rate=percent(r.rate)),
                  self.tr("{tax} on {net}").format(tax=m(r.tax), net=m(r.net))) for r in report.by_rate]
        rows += [(self.tr("Tender {kind}").format(kind=t.value), m(amount)) for t, amount in report.by_tender]
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
        width = max(len(label) for label, _ in rows) + 2
        return "\n".join(f"{label:<{width}}{value:>14}" for label, value in rows)

    def _amounts(self, label: str, amounts: Amounts) -> list[tuple[str, str]]:
        return [(self.tr("{what}: count").format(what=label), str(amounts.count)),
                (self.tr("{what}: gross").format(what=label), money(amounts.gross, self.currency))]


def parse_amount(text: str, currency: Currency) -> Decimal:
    return formatting.parse_amount(text.strip(), currency)
