"""Z reconciliation: does a Z report add up to the orders the server holds for it?

A till's Z report names every order it sums up (`order_ids`). The server sums the orders
it holds under those ids, as the till's Z report does (counts and totals of sales and
returns, by tax rate, by tender), and compares. A report that names an order the server
does not hold yet (still in the till's outbox, parked there, or on its way by another
route), or whose figures differ, is `mismatched` and flagged `Z_MISMATCH`; the orders it
waits for are listed in `z_report_missing_orders`, and when one of them arrives the
report is reconciled again, in that order's transaction. So a Z reconciles once the
backlog drains. Held orders count: the server has stored them, and the till counted them.

Races (PostgreSQL, READ COMMITTED): a Z report and an order it names may be stored by two
transactions at once, each not seeing the other's rows. Both take the terminal's row
lock first (the Z report `FOR UPDATE`, orders `FOR KEY SHARE`, which only a `FOR UPDATE`
conflicts with: orders never wait for each other, nor for heartbeats), so whichever
comes second sees what the first wrote. SQLite writes one transaction at a time anyway.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, delete, func, insert, select, update

from pos_protocol.codes import ReconciliationStatus, ZReportFlag
from pos_protocol.money import round_money
from pos_protocol.tax import TaxMode, compute_totals
from pos_protocol.wire import Order, ZDifference, ZReport

from ..db.models import ORDERS, Terminal, Z_MISSING, Z_REPORTS
from ..db.session import is_sqlite

_IN_CHUNK = 1000  # ids per IN (...): well inside every driver's parameter limit


@dataclass(frozen=True)
class Reconciliation:
    status: ReconciliationStatus
    missing: list[str]
    differences: list[ZDifference]


# -- the comparison (pure) ----------------------------------------------------------------


def _rate_key(tax_code: str, rate: Decimal) -> str:
    """`A 0.19` whether the rate came as "0.19" or "0.190000"."""
    return f"{tax_code} {format(rate.normalize(), 'f')}"


def _figures(orders: Iterable[Order], mode: TaxMode, scale: int) -> dict[str, str]:
    """The Z report's figures summed from orders, as `services/drawer.py` and
    `core/reports.py` on the till sum them: returns subtract, cash is net of change, the
    cash-rounding tender is not a tender."""
    zero = round_money(Decimal(0), scale)
    counts: Counter[str] = Counter()
    money: dict[str, Decimal] = defaultdict(lambda: zero)
    for order in orders:
        sign = 1 if order.kind == "sale" else -1
        counts["sales_count" if sign > 0 else "returns_count"] += 1
        money["gross_sales" if sign > 0 else "returns_total"] += order.totals.gross
        for name in ("net", "tax", "gross"):
            money[name] += sign * getattr(order.totals, name)
        totals = compute_totals(((l.tax_code, l.tax_rate, l.line_total) for l in order.lines), mode, scale)
        for rate in totals.by_rate:
            for name in ("net", "tax", "gross"):
                money[f"by_tax_rate.{_rate_key(rate.tax_code, rate.rate)}.{name}"] += sign * getattr(rate, name)
        money["by_tender.cash.amount"] += sign * (
            sum((t.amount for t in order.tenders if t.type == "cash"), zero) - order.change_given)
        for tender in order.tenders:
            if tender.is_cash_rounding:
                continue
            counts[f"by_tender.{tender.type}.count"] += 1
            if tender.type != "cash":
                money[f"by_tender.{tender.type}.amount"] += sign * tender.amount
    return {**{k: str(v) for k, v in counts.items()}, **{k: format(v, "f") for k, v in money.items()}}


def _reported(report: ZReport) -> dict[str, str]:
    """The same figures as the Z report states them."""
    figures = {"sales_count": str(report.sales_count), "returns_count": str(report.returns_count)}
    for name in ("gross_sales", "returns_total", "net", "tax", "gross"):
        figures[name] = format(getattr(report, name), "f")
    for rate in report.by_tax_rate:
        for name in ("net", "tax", "gross"):
            figures[f"by_tax_rate.{_rate_key(rate.tax_code, rate.rate)}.{name}"] = format(getattr(rate, name), "f")
    for tender in report.by_tender:
        figures[f"by_tender.{tender.type}.count"] = str(tender.count)
        figures[f"by_tender.{tender.type}.amount"] = format(tender.amount, "f")
    return figures


def differences(report: ZReport, orders: Iterable[Order], mode: TaxMode, scale: int) -> list[ZDifference]:
    """Every figure where the report and the orders disagree (a figure absent on one side
    is zero there), sorted by name."""
    stated, summed = _reported(report), _figures(orders, mode, scale)
    found = []
    for name in sorted(stated.keys() | summed.keys()):
        z_value, server_value = stated.get(name, "0"), summed.get(name, "0")
        if Decimal(z_value) != Decimal(server_value):
            found.append(ZDifference(figure=name, z_report=z_value, server=server_value))
    return found


def side_by_side(report: ZReport, orders: Iterable[Order], mode: TaxMode, scale: int) -> list[ZDifference]:
    """Every figure of the report beside the same figure summed from the orders (the office
    shows them all, with the differing ones marked), sorted by name."""
    stated, summed = _reported(report), _figures(orders, mode, scale)
    return [ZDifference(figure=name, z_report=stated.get(name, "0"), server=summed.get(name, "0"))
            for name in sorted(stated.keys() | summed.keys())]


def compare(report: ZReport, held: dict[str, Order], mode: TaxMode, scale: int) -> Reconciliation:
    """The report against the orders the server holds (by order id)."""
    if report.order_ids is None:
        return Reconciliation(ReconciliationStatus.UNCHECKED, [], [])
    named = [str(order_id) for order_id in report.order_ids]
    missing = [order_id for order_id in named if order_id not in held]
    found = differences(report, (held[o] for o in named if o in held), mode, scale)
    status = ReconciliationStatus.MISMATCHED if missing or found else ReconciliationStatus.RECONCILED
    return Reconciliation(status, missing, found)


# -- in the database ------------------------------------------------------------------------


def lock_terminal(conn: Connection, terminal_id: str, *, for_z_report: bool) -> None:
    """See the module doc: Z reports and orders of one terminal see each other's rows."""
    if is_sqlite(conn):
        return
    query = select(Terminal.terminal_id).where(Terminal.terminal_id == terminal_id)
    conn.execute(query.with_for_update() if for_z_report else query.with_for_update(key_share=True))


def held_orders(conn: Connection, report: ZReport) -> dict[str, Order]:
    """The orders the server holds of those the report names (by order id)."""
    return _held_orders(conn, report.store_id, report.terminal_id, [str(o) for o in report.order_ids or ()])


def _held_orders(conn: Connection, store_id: str, terminal_id: str, order_ids: Sequence[str]) -> dict[str, Order]:
    held: dict[str, Order] = {}
    for start in range(0, len(order_ids), _IN_CHUNK):
        rows = conn.execute(select(ORDERS.c.order_id, ORDERS.c.body).where(
            ORDERS.c.store_id == store_id, ORDERS.c.terminal_id == terminal_id,
            ORDERS.c.order_id.in_(order_ids[start:start + _IN_CHUNK])))
        held.update((order_id, Order.model_validate_json(body)) for order_id, body in rows)
    return held


def reconcile(conn: Connection, report: ZReport, flags: list[str], mode: TaxMode, scale: int) -> tuple[Reconciliation, list[str]]:
    """Compare a stored report with the orders held now and write the outcome: its status,
    differences, Z_MISMATCH flag and the orders it waits for. Returns it with the new flags."""
    named = [str(order_id) for order_id in report.order_ids or ()]
    outcome = compare(report, _held_orders(conn, report.store_id, report.terminal_id, named), mode, scale)
    mismatched = outcome.status is ReconciliationStatus.MISMATCHED
    flags = [f for f in flags if f != ZReportFlag.Z_MISMATCH] + ([ZReportFlag.Z_MISMATCH.value] if mismatched else [])
    report_id = str(report.report_id)
    conn.execute(update(Z_REPORTS).where(Z_REPORTS.c.report_id == report_id).values(
        reconciliation=outcome.status.value, flags=json.dumps(flags),
        differences=json.dumps([d.model_dump() for d in outcome.differences], separators=(",", ":")),
        reconciled_at=datetime.now(UTC) if outcome.status is ReconciliationStatus.RECONCILED else None))
    conn.execute(delete(Z_MISSING).where(Z_MISSING.c.report_id == report_id))
    if outcome.missing:
        conn.execute(insert(Z_MISSING), [{"report_id": report_id, "order_id": o, "store_id": report.store_id}
                                         for o in outcome.missing])
    return outcome, flags


def orders_arrived(conn: Connection, store_id: str, terminal_id: str, order_ids: Sequence[str],
                   mode: TaxMode, scale: int) -> int:
    """Reconcile again the reports that waited for any of these orders (just stored in this
    transaction); returns how many were. One index lookup when none waits (the usual case)."""
    if not order_ids:
        return 0
    lock_terminal(conn, terminal_id, for_z_report=False)
    waiting: set[str] = set()
    for start in range(0, len(order_ids), _IN_CHUNK):
        waiting.update(conn.execute(select(Z_MISSING.c.report_id).where(
            Z_MISSING.c.store_id == store_id, Z_MISSING.c.order_id.in_(order_ids[start:start + _IN_CHUNK]))).scalars())
    for report_id in sorted(waiting):
        body, flags = conn.execute(select(Z_REPORTS.c.body, Z_REPORTS.c.flags)
                                   .where(Z_REPORTS.c.report_id == report_id)).one()
        reconcile(conn, ZReport.model_validate_json(body), json.loads(flags), mode, scale)
    return len(waiting)


def mismatched_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """(store, terminal) -> how many of its Z reports are mismatched now (for the gauge)."""
    rows = conn.execute(
        select(Z_REPORTS.c.store_id, Z_REPORTS.c.terminal_id, func.count())
        .where(Z_REPORTS.c.reconciliation == ReconciliationStatus.MISMATCHED.value)
        .group_by(Z_REPORTS.c.store_id, Z_REPORTS.c.terminal_id))
    return {(store, terminal): int(count) for store, terminal, count in rows}
