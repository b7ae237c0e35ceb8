"""A Z report's reconciliation in the office's words: its status as a sentence, each
figure's name as on the till's Z print-out, and values as counts or money of the store."""

from __future__ import annotations

from decimal import Decimal

from pos_protocol.codes import ReconciliationStatus
from pos_protocol.wire import ZDifference, ZReportOut

from .formatting import StoreFormat

TOTALS = {"sales_count": "Sales", "returns_count": "Returns", "gross_sales": "Gross sales",
          "returns_total": "Returns total", "net": "Net", "tax": "Tax", "gross": "Gross"}
TENDERS = {"cash": "Cash", "card": "Card", "voucher": "Voucher", "other": "Other tender"}


def figure_label(figure: str, fmt: StoreFormat) -> str:
    """`by_tender.cash.amount` -> "Cash", `by_tax_rate.A 0.19.gross` -> "Tax A 19 %: gross"."""
    if figure in TOTALS:
        return TOTALS[figure]
    kind, _, rest = figure.partition(".")
    key, _, part = rest.rpartition(".")
    if kind == "by_tender":
        return TENDERS.get(key, key) + (" (payments)" if part == "count" else "")
    if kind == "by_tax_rate":
        code, _, rate = key.partition(" ")
        try:
            shown = fmt.conflict_value("tax_rate", rate)
        except ArithmeticError:
            shown = rate
        return f"Tax {code} {shown}: {part}"
    return figure


def in_print_order(figures: list[ZDifference]) -> list[ZDifference]:
    """Totals as the Z prints them first, then tenders, then tax rates."""
    totals = list(TOTALS)

    def place(row: ZDifference) -> tuple[int, int, str]:
        if row.figure in TOTALS:
            return 0, totals.index(row.figure), ""
        return (1 if row.figure.startswith("by_tender.") else 2), 0, row.figure

    return sorted(figures, key=place)


def is_count(figure: str) -> bool:
    return figure.endswith("count")


def figure_value(figure: str, value: str, fmt: StoreFormat) -> str:
    return fmt.number(Decimal(value)) if is_count(figure) else fmt.money(Decimal(value))


def differs(row: ZDifference) -> bool:
    return Decimal(row.z_report) != Decimal(row.server)


def difference_value(row: ZDifference, fmt: StoreFormat) -> str:
    """The till's figure minus the server's, with its sign (+: the Z says more)."""
    delta = Decimal(row.z_report) - Decimal(row.server)
    if is_count(row.figure):
        return ("+" if delta > 0 else "\u2212" if delta < 0 else "") + fmt.number(abs(delta))
    return fmt.signed(delta)


def _difference(row: ZDifference, fmt: StoreFormat) -> str:
    label = figure_label(row.figure, fmt)
    if is_count(row.figure):
        return f"{label}: the Z says {fmt.number(Decimal(row.z_report))}, the orders {fmt.number(Decimal(row.server))}"
    return f"{label} differs by {fmt.money(abs(Decimal(row.z_report) - Decimal(row.server)))}"


def status_words(z: ZReportOut, fmt: StoreFormat) -> str:
    """"Matches the orders received", "3 orders of this drawer session have not arrived
    yet", "Cash differs by 2,50 €"..."""
    if z.reconciliation == ReconciliationStatus.RECONCILED:
        return "Matches the orders received"
    if z.reconciliation == ReconciliationStatus.UNCHECKED:
        return "Not checked: this till's Z report does not name its orders (an older till)"
    if z.orders_missing:
        n = len(z.orders_missing)
        return (f"{n} order{'s' if n != 1 else ''} of this drawer session "
                f"{'have' if n != 1 else 'has'} not arrived yet")
    found = [_difference(d, fmt) for d in z.differences[:3]]
    more = len(z.differences) - len(found)
    return "; ".join(found) + (f"; and {more} more figure{'s' if more != 1 else ''}" if more > 0 else "") or "Differs"
