"""Writing and reading finished sales. `record_sale` is the heart of durability: the
caller runs it inside one transaction (`Database.write()`, services.checkout), which then
holds the order, its lines and tenders, the receipt number, the audit entry, the
outbox entry and the receipt owed to the printer (store.pending_receipts), or none."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session, selectinload

from pos_terminal.core.catalog import Unit
from pos_terminal.core.sale import (
    FinishedSale, PriceOverride, SaleLine, Tender, TenderType, VoidedLine,
)
from pos_protocol import paths
from pos_protocol.tax import TaxMode, compute_totals

from . import audit, outbox, pending_receipts, receipts
from .models import CatalogState, DrawerSessionRow, Order, OrderLine, OrderTender, OrderVoid
from .prepared import Prepared, driver


def _insert(model: type) -> Prepared:
    """Every column, compiled once (store.prepared): a sale writes each of these."""
    return Prepared(insert(model.__table__), [c.key for c in model.__table__.c])


_INSERT_ORDER = _insert(Order)
_INSERT_LINES = _insert(OrderLine)
_INSERT_TENDERS = _insert(OrderTender)
_INSERT_VOIDS = _insert(OrderVoid)

_CONTEXT = Prepared(select(
    # the version store.catalog.catalog_version reads (tests/pos_terminal/store/test_sales.py)
    select(CatalogState.version).where(CatalogState.id == 1).scalar_subquery(),
    # the till's open drawer session, if any (on ix_drawer_sessions_open)
    select(DrawerSessionRow.session_id)
    .where(DrawerSessionRow.terminal_id == bindparam("terminal_id"), DrawerSessionRow.closed_at.is_(None))
    .order_by(DrawerSessionRow.opened_at.desc()).limit(1).scalar_subquery()))


def sale_context(on: Session | Connection, terminal_id: str) -> tuple[int, str | None]:
    """What a sale records besides itself, in one statement: the catalog version it was
    priced from and the drawer session it lands in (None while no drawer is open)."""
    version, session_id = _CONTEXT.run(on, {"terminal_id": terminal_id}).fetchone()
    return version or 0, session_id


@dataclass(frozen=True)
class SaleHeader:
    """Identity of a sale, fixed at commit: `order_id` is the idempotency key for ever."""

    order_id: str
    store_id: str
    terminal_id: str
    created_at: datetime
    catalog_version: int


def record_sale(session: Session | Connection, sale: FinishedSale, header: SaleHeader,
                wire_body: "WireBodyFactory", drawer_session_id: str | None = None) -> str:
    """Write the sale and everything that goes with it; returns its receipt number.

    Core INSERTs compiled once, lines and tenders in one `executemany` each, no ORM unit
    of work: this runs once per customer and its cost sits on top of the fsync every
    durable write pays (bench/sale_commit.py).
    """
    conn = driver(session)
    seq = receipts.next_receipt_seq(conn, header.terminal_id)
    number = receipts.receipt_no(header.terminal_id, seq)
    body, content_hash = wire_body(sale, header, number)
    values = _order_values(sale, header, seq, number, content_hash, drawer_session_id)
    if sale.original_order_id is not None and not _is_here(conn, sale.original_order_id):
        values.update(original_order_id=None, remote_original_order_id=sale.original_order_id)
    _INSERT_ORDER.run(conn, values)
    _insert_children(conn, header.order_id, sale)
    audit.append(conn, at=header.created_at, actor=sale.cashier_id, action=f"order.{sale.kind}",
                 subject=header.order_id,
                 payload={"receipt_no": number, "gross": str(sale.totals.gross),
                          "content_hash": content_hash, "lines": len(sale.lines),
                          "tenders": [[t.type.value, str(t.amount)] for t in sale.tenders],
                          "overrides": [[l.line_no, l.override.approved_by] for l in sale.overrides],
                          "voids": [[v.line_no, v.voided_by] for v in sale.voids]})
    outbox.enqueue(session, kind=outbox.ORDER, key=header.order_id, path=paths.ORDERS,
                   body=body, at=header.created_at, depends_on=_sale_entry(session, sale))
    pending_receipts.add(conn, header.order_id)  # printed after commit; a crash leaves it owed
    return number


def _is_here(conn: sqlite3.Connection, order_id: str) -> bool:
    """Whether the order is in this till's file (a return's sale may be another till's)."""
    return conn.execute("SELECT 1 FROM orders WHERE order_id = ?", (order_id,)).fetchone() is not None


def _sale_entry(session: Session | Connection, sale: FinishedSale) -> int | None:
    """A return must not reach the server before its sale (ORIGINAL_ORDER_UNKNOWN): the
    seq of the sale's outbox entry, which every sale rung on this till has."""
    if sale.original_order_id is None:
        return None
    return outbox.seq_of(session, outbox.ORDER, sale.original_order_id)


class WireBodyFactory:  # pragma: no cover - typing protocol only
    def __call__(self, sale: FinishedSale, header: SaleHeader, receipt_no: str) -> tuple[bytes, str]:
        """Exact request body bytes and the order's content hash."""
        raise NotImplementedError


def _order_values(sale: FinishedSale, header: SaleHeader, seq: int, number: str,
                  content_hash: str, drawer_session_id: str | None) -> dict[str, object]:
    return dict(
        order_id=header.order_id, kind=sale.kind, original_order_id=sale.original_order_id,
        store_id=header.store_id, terminal_id=header.terminal_id, receipt_seq=seq,
        receipt_no=number, cashier_id=sale.cashier_id, created_at=header.created_at,
        catalog_version=header.catalog_version, net=sale.totals.net, tax=sale.totals.tax,
        gross=sale.totals.gross, change_given=sale.change_given, content_hash=content_hash,
        line_count=len(sale.lines), tender_count=len(sale.tenders),
        sync_status=outbox.SyncStatus.PENDING.value,
        drawer_session_id=drawer_session_id, remote_original_order_id=None,
    )


def _insert_children(conn: sqlite3.Connection, order_id: str, sale: FinishedSale) -> None:
    _INSERT_LINES.run_many(conn, (
        dict(order_id=order_id, line_no=line.line_no, sku=line.sku, description=line.description,
             qty=line.qty, unit=line.unit.value, unit_price=line.unit_price,
             tax_code=line.tax_code, tax_rate=line.tax_rate, discount=line.discount,
             line_total=line.line_total,
             override_approved_by=line.override.approved_by if line.override else None,
             override_reason=line.override.reason if line.override else None,
             override_original_price=line.override.original_price if line.override else None)
        for line in sale.lines))
    _INSERT_TENDERS.run_many(conn, (
        dict(order_id=order_id, seq=i, type=t.type.value, amount=t.amount, reference=t.reference)
        for i, t in enumerate(sale.tenders, start=1)))
    _INSERT_VOIDS.run_many(conn, (
        dict(order_id=order_id, line_no=v.line_no, sku=v.sku, qty=v.qty, amount=v.amount,
             voided_by=v.voided_by)
        for v in sale.voids))


# Loader options that read an order's lines, tenders and voids with it (no query per order).
WITH_CHILDREN = (selectinload(Order.lines), selectinload(Order.tenders), selectinload(Order.voids))


def find_by_receipt(session: Session, receipt_no: str) -> Order | None:
    """The order with this receipt number, found on uq_orders_receipt_seq: a number is
    `<terminal_id>-<receipt_seq>` (receipts.receipt_no), so no index of its own costs
    every sale a page."""
    parsed = receipts.split_receipt_no(receipt_no)
    if parsed is None:
        return None
    terminal_id, seq = parsed
    return session.scalars(
        select(Order).where(Order.terminal_id == terminal_id, Order.receipt_seq == seq,
                            Order.receipt_no == receipt_no).options(*WITH_CHILDREN)
    ).first()


def recent(session: Session, terminal_id: str, limit: int = 50) -> list[Order]:
    """This till's latest orders, newest first (the reprint list), without their lines."""
    return list(session.scalars(select(Order).where(Order.terminal_id == terminal_id)
                                .order_by(Order.receipt_seq.desc()).limit(limit)))


def receipt_no_of(on: Session | Connection, order_id: str) -> str | None:
    """The receipt number of a stored order (a refund names its original's)."""
    return on.execute(select(Order.receipt_no).where(Order.order_id == order_id)).scalar_one_or_none()


def returned_quantities(session: Session, original_order_id: str) -> dict[int, Decimal]:
    """Quantity already returned per original line (return lines keep the sale's line_no)."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for lines in returned_by_order(session, original_order_id).values():
        for line_no, qty in lines.items():
            totals[line_no] += qty
    return dict(totals)


def returned_by_order(session: Session, original_order_id: str) -> dict[str, dict[int, Decimal]]:
    """This till's returns against a sale (its own or another till's): order id -> line -> qty."""
    found: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for column in (Order.original_order_id, Order.remote_original_order_id):  # one index each
        rows = session.execute(
            select(Order.order_id, OrderLine.line_no, OrderLine.qty)
            .join(Order, Order.order_id == OrderLine.order_id)
            .where(column == original_order_id, Order.kind == "return")
        )
        for order_id, line_no, qty in rows:
            found[order_id][line_no] += qty
    return {order_id: dict(lines) for order_id, lines in found.items()}


def to_finished_sale(order: Order, tax_mode: TaxMode, scale: int) -> FinishedSale:
    """The stored order as the domain sees it (for returns and reports)."""
    lines = tuple(
        SaleLine(
            line_no=l.line_no, sku=l.sku, description=l.description, qty=l.qty,
            unit=Unit(l.unit), unit_price=l.unit_price, tax_code=l.tax_code,
            tax_rate=l.tax_rate, discount=l.discount, line_total=l.line_total,
            override=None if l.override_approved_by is None else PriceOverride(
                l.override_approved_by, l.override_reason or "", l.override_original_price),
        )
        for l in order.lines
    )
    return FinishedSale(
        kind=order.kind, original_order_id=order.original_order_id or order.remote_original_order_id,
        cashier_id=order.cashier_id,
        lines=lines,
        tenders=tuple(Tender(TenderType(t.type), t.amount, t.reference) for t in order.tenders),
        change_given=order.change_given,
        totals=compute_totals(((l.tax_code, l.tax_rate, l.line_total) for l in lines), tax_mode, scale),
        voids=tuple(VoidedLine(v.line_no, v.sku, v.qty, v.amount, v.voided_by) for v in order.voids),
    )
