"""What the back office shows, read once for its pages and for `/v1/admin/...` JSON alike:
stores, terminals with their last heartbeat, held orders with their diffs, Z reports by
day, and orders or Z reports of a date range for CSV export.

Days are UTC days (the server knows no store time zone); the pages say so.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel
from sqlalchemy import Connection, select

from pos_protocol.codes import ConflictCode, OrderStatus
from pos_protocol.money import round_money
from pos_protocol.wire import Conflict, Order, ZDifference, ZReport, ZReportOut

from ..db.models import OrderRow, Store, Terminal, ZReportRow
from . import reconciliation, zreports
from .context import load_store

MAX_EXPORT_DAYS = 366
"""The longest date range one export or listing covers (a year)."""


class StoreSummary(BaseModel):
    store_id: str
    name: str
    currency: str
    locale: str
    catalog_version: int
    terminals: int
    held_orders: int


class TerminalStatus(BaseModel):
    terminal_id: str
    name: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_heartbeat_at: datetime | None
    queue_depth: int | None
    """Outbox entries the till still had to send at its last heartbeat."""
    oldest_pending_age_s: float | None
    app_version: str | None
    devices: dict[str, str]


class ConflictDiff(BaseModel):
    """One conflict as a manager reads it: the item, the till's and the server's value, and
    what the difference comes to in money on that line (None where it is not money)."""

    line_no: int | None
    sku: str | None
    item_name: str | None
    code: str
    field: str
    terminal_value: str | None
    server_value: str | None
    money_difference: Decimal | None
    """Till's line amount minus the server's: positive when the till charged more."""
    message: str


class HeldOrder(BaseModel):
    order_id: str
    terminal_id: str
    receipt_no: str
    kind: str
    created_at: datetime
    received_at: datetime
    currency: str
    gross: Decimal
    conflicts: list[ConflictDiff]


class ZReportSummary(BaseModel):
    report_id: str
    terminal_id: str
    z_number: int
    day: date
    opened_at: datetime
    closed_at: datetime
    sales_count: int
    returns_count: int
    gross: Decimal
    currency: str
    flags: list[str]
    received_at: datetime


class OrderSummary(BaseModel):
    order_id: str
    server_seq: int
    terminal_id: str
    receipt_no: str
    kind: str
    status: str
    created_at: datetime
    received_at: datetime
    gross: Decimal
    currency: str
    conflicts: list[str]


def list_stores(conn: Connection) -> list[StoreSummary]:
    terminals = _count_by_store(conn, select(Terminal.store_id).where(Terminal.revoked_at.is_(None)))
    held = _count_by_store(conn, select(OrderRow.store_id).where(OrderRow.status == OrderStatus.HELD.value))
    return [
        StoreSummary(store_id=s.store_id, name=s.name, currency=s.currency, locale=s.locale,
                     catalog_version=s.catalog_version, terminals=terminals.get(s.store_id, 0),
                     held_orders=held.get(s.store_id, 0))
        for s in conn.execute(select(Store).order_by(Store.name, Store.store_id)).all()
    ]


def _count_by_store(conn: Connection, query) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (store_id,) in conn.execute(query):
        counts[store_id] = counts.get(store_id, 0) + 1
    return counts


def terminal_status(conn: Connection, store_id: str) -> list[TerminalStatus]:
    """The store's terminals with what their last heartbeat said, oldest enrolment first."""
    load_store(conn, store_id)
    rows = conn.execute(select(Terminal).where(Terminal.store_id == store_id)
                        .order_by(Terminal.enrolled_at, Terminal.terminal_id)).all()
    return [_terminal(t) for t in rows]


def _terminal(t) -> TerminalStatus:
    beat = json.loads(t.last_heartbeat) if t.last_heartbeat else {}
    return TerminalStatus(terminal_id=t.terminal_id, name=t.name, enrolled_at=t.enrolled_at, revoked_at=t.revoked_at,
                          last_heartbeat_at=t.last_heartbeat_at, queue_depth=beat.get("queue_depth"),
                          oldest_pending_age_s=beat.get("oldest_pending_age_s"), app_version=beat.get("app_version"),
                          devices=beat.get("devices", {}))


def held_orders(conn: Connection, store_id: str) -> list[HeldOrder]:
    """Every held order of the store, oldest first, each conflict with its diff."""
    store = load_store(conn, store_id)
    rows = conn.execute(select(OrderRow).where(OrderRow.store_id == store_id, OrderRow.status == OrderStatus.HELD.value)
                        .order_by(OrderRow.server_seq)).all()
    return [_held(row, store.currency) for row in rows]


def held_order(conn: Connection, store_id: str, order_id: str) -> HeldOrder | None:
    store = load_store(conn, store_id)
    row = conn.execute(select(OrderRow).where(OrderRow.store_id == store_id, OrderRow.order_id == order_id,
                                              OrderRow.status == OrderStatus.HELD.value)).first()
    return None if row is None else _held(row, store.currency)


def _held(row, currency: str) -> HeldOrder:
    order = Order.model_validate_json(row.body)
    lines = {line.line_no: line for line in order.lines}
    diffs = []
    for conflict in (Conflict.model_validate(c) for c in json.loads(row.conflicts)):
        line = lines.get(conflict.line_no) if conflict.line_no is not None else None
        diffs.append(ConflictDiff(
            line_no=conflict.line_no, sku=conflict.sku, item_name=line.description if line else None,
            code=conflict.code, field=conflict.field, terminal_value=conflict.terminal_value,
            server_value=conflict.server_value, money_difference=_money_difference(conflict, line),
            message=conflict.message))
    return HeldOrder(order_id=row.order_id, terminal_id=row.terminal_id, receipt_no=row.receipt_no, kind=row.kind,
                     created_at=row.created_at, received_at=row.received_at, currency=currency, gross=row.gross,
                     conflicts=diffs)


def _money_difference(conflict: Conflict, line) -> Decimal | None:
    """A price conflict's difference on its line: quantity times (till's minus server's
    unit price), at the line's own scale. Other conflicts carry no price difference."""
    if conflict.code != ConflictCode.PRICE_CHANGED or line is None:
        return None
    try:
        till, server = Decimal(conflict.terminal_value or ""), Decimal(conflict.server_value or "")
    except InvalidOperation:
        return None
    return round_money((till - server) * line.qty, -line.line_total.as_tuple().exponent)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) in UTC; at most MAX_EXPORT_DAYS."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    if (last - first).days + 1 > MAX_EXPORT_DAYS:
        raise ValueError(f"a range covers at most {MAX_EXPORT_DAYS} days")
    return datetime.combine(first, time(), UTC), datetime.combine(last + timedelta(days=1), time(), UTC)


def z_reports(conn: Connection, store_id: str, first: date, last: date, terminal_id: str | None = None) -> list[ZReportSummary]:
    """Z reports closed on the days `first`..`last` (UTC), newest first, with their flags.

    Selected by when they were received (indexed columns), with a day's slack either side
    for a till that sent late, then by their own closing time."""
    store = load_store(conn, store_id)
    start, end = day_range(first, last)
    query = select(ZReportRow).where(ZReportRow.store_id == store_id, ZReportRow.received_at >= start - timedelta(days=1))
    if terminal_id:
        query = query.where(ZReportRow.terminal_id == terminal_id)
    found = []
    for row in conn.execute(query).all():
        report = ZReport.model_validate_json(row.body)
        if start <= report.closed_at < end:
            found.append(ZReportSummary(
                report_id=row.report_id, terminal_id=row.terminal_id, z_number=row.z_number,
                day=report.closed_at.astimezone(UTC).date(), opened_at=report.opened_at, closed_at=report.closed_at,
                sales_count=report.sales_count, returns_count=report.returns_count, gross=report.gross,
                currency=store.currency, flags=json.loads(row.flags), received_at=row.received_at))
    return sorted(found, key=lambda z: (z.closed_at, z.terminal_id), reverse=True)


def orders_between(conn: Connection, store_id: str, first: date, last: date) -> list[OrderSummary]:
    """The store's orders rung on the days `first`..`last` (UTC, the till's created_at), by arrival."""
    store = load_store(conn, store_id)
    start, end = day_range(first, last)
    rows = conn.execute(
        select(OrderRow.order_id, OrderRow.server_seq, OrderRow.terminal_id, OrderRow.receipt_no, OrderRow.kind,
               OrderRow.status, OrderRow.created_at, OrderRow.received_at, OrderRow.gross, OrderRow.conflicts)
        .where(OrderRow.store_id == store_id, OrderRow.created_at >= start, OrderRow.created_at < end)
        .order_by(OrderRow.server_seq)
    ).mappings()
    return [OrderSummary(**{**row, "conflicts": [c["code"] for c in json.loads(row["conflicts"])]},
                         currency=store.currency) for row in rows]


class ZReceived(BaseModel):
    """An order a Z report names that the server holds."""
    order_id: str
    receipt_no: str
    status: str


class ZMissing(BaseModel):
    """An order a Z report names that has not arrived: only its id and place are known."""
    order_id: str
    place: int  # 1-based, in receipt order within the drawer session


class ZReconciliationView(BaseModel):
    """A Z report with its reconciliation, every figure beside the server's, and its orders."""
    z: ZReportOut
    day: date
    figures: list[ZDifference]
    received: list[ZReceived]
    missing: list[ZMissing]


def z_reconciliations(conn: Connection, store_id: str, first: date, last: date,
                      terminal_id: str | None = None) -> list[ZReconciliationView]:
    """The Z reports closed on the days `first`..`last` (UTC), newest first, each with the
    till's figures beside the ones summed from the orders the server holds for it."""
    store = load_store(conn, store_id)
    day_range(first, last)
    return [_z_view(conn, z, store.tax_mode, store.currency_scale)
            for z in zreports.list_z_reports(conn, store_id, first, last, terminal_id)]


def _z_view(conn: Connection, z: ZReportOut, mode, scale: int) -> ZReconciliationView:  # type: ignore[no-untyped-def]
    held = reconciliation.held_orders(conn, z.report)
    named = [str(o) for o in z.report.order_ids or ()]
    status = dict(conn.execute(select(OrderRow.order_id, OrderRow.status).where(
        OrderRow.store_id == z.store_id, OrderRow.order_id.in_(list(held)))).all()) if held else {}
    received = [ZReceived(order_id=o, receipt_no=held[o].receipt_no, status=status.get(o, ""))
                for o in named if o in held]
    missing = [ZMissing(order_id=o, place=i + 1) for i, o in enumerate(named) if o not in held]
    figures = reconciliation.side_by_side(z.report, (held[o] for o in named if o in held), mode, scale)
    return ZReconciliationView(z=z, day=z.closed_at.astimezone(UTC).date(), figures=figures,
                               received=received, missing=missing)
