"""SQLAlchemy 2.x models of the terminal's local database.

Schema changes go through Alembic (`store/migrations`); a till in a shop upgrades its
data in place on start.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pos_protocol.sql import UtcDateTime

from .types import Money, Quantity, Rate


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}


class TerminalIdentity(Base):
    """The one row saying who this till is; written at set-up or enrollment."""

    __tablename__ = "terminal_identity"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str] = mapped_column(String(64))
    server_url: Mapped[str | None] = mapped_column(String(255))
    server_ca_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The CA certificate (PEM) given at enrollment; the server's must chain to it."""
    server_pin_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The server certificate's SHA-256 pinned at enrollment (hex); only that one is trusted."""


class ReceiptCounter(Base):
    """Gapless per-terminal receipt numbers: bumped inside the sale's own transaction."""

    __tablename__ = "receipt_counters"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class Order(Base):
    __tablename__ = "orders"
    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    original_order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.order_id"))
    store_id: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str] = mapped_column(String(64))
    receipt_seq: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str] = mapped_column(String(32))
    cashier_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    catalog_version: Mapped[int] = mapped_column(Integer, default=0)
    net: Mapped[Decimal] = mapped_column(Money())
    tax: Mapped[Decimal] = mapped_column(Money())
    gross: Mapped[Decimal] = mapped_column(Money())
    change_given: Mapped[Decimal] = mapped_column(Money())
    content_hash: Mapped[str] = mapped_column(String(64))
    # Counts written with the order: a reader can prove no line or tender went missing.
    line_count: Mapped[int] = mapped_column(Integer)
    tender_count: Mapped[int] = mapped_column(Integer)
    sync_status: Mapped[str] = mapped_column(String(16))  # store.outbox.SyncStatus, kept by store.outbox
    drawer_session_id: Mapped[str | None] = mapped_column(
        ForeignKey("drawer_sessions.session_id", name="fk_orders_drawer_session")
    )
    # A return against another till's sale, found on the server (README "Returns across
    # tills"): that sale is not in this file, so `original_order_id` (a foreign key) stays
    # NULL and the sale's id is kept here.
    remote_original_order_id: Mapped[str | None] = mapped_column(String(36))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no", cascade="all, delete-orphan"
    )
    tenders: Mapped[list[OrderTender]] = relationship(
        back_populates="order", order_by="OrderTender.seq", cascade="all, delete-orphan"
    )
    voids: Mapped[list[OrderVoid]] = relationship(order_by="OrderVoid.line_no",
                                                  cascade="all, delete-orphan")

    __table_args__ = (
        # Also finds a receipt by its number (store.sales.find_by_receipt).
        UniqueConstraint("terminal_id", "receipt_seq", name="uq_orders_receipt_seq"),
        # Returns only: partial, so a sale (NULL) does not write it (migration 0004).
        Index("ix_orders_original", "original_order_id", sqlite_where=text("original_order_id IS NOT NULL")),
        Index("ix_orders_remote_original", "remote_original_order_id",
              sqlite_where=text("remote_original_order_id IS NOT NULL")),
        # The reads of the period stay off the history (migration 0004): a drawer
        # session's orders (X/Z) and a till's unreported ones (NULL), which a Z adopts.
        Index("ix_orders_drawer_session", "drawer_session_id", "terminal_id", "receipt_seq"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit: Mapped[str] = mapped_column(String(4))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    tax_code: Mapped[str] = mapped_column(String(16))
    tax_rate: Mapped[Decimal] = mapped_column(Rate())
    discount: Mapped[Decimal] = mapped_column(Money())
    line_total: Mapped[Decimal] = mapped_column(Money())
    override_approved_by: Mapped[str | None] = mapped_column(String(64))
    override_reason: Mapped[str | None] = mapped_column(String(200))
    override_original_price: Mapped[Decimal | None] = mapped_column(Money())

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderTender(Base):
    __tablename__ = "order_tenders"
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money())
    reference: Mapped[str | None] = mapped_column(String(100))

    order: Mapped[Order] = relationship(back_populates="tenders")


class AuditEntry(Base):
    """Append-only, hash-chained journal of everything that matters for the books."""

    __tablename__ = "audit_journal"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """The one row naming the journal's last entry, written in the same transaction as each
    append: a journal whose tail was deleted no longer reaches it (`audit.verify`)."""

    __tablename__ = "audit_anchor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxEntry(Base):
    """A request waiting to leave for the sync server, with the exact body bytes to send."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # order | resolution | z_report | audit
    idempotency_key: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8), default="POST")
    path: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))  # store.outbox.OutboxState, written by store.outbox only
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    # The entry this one must not overtake (a return's sale, a resolution's order): it is
    # sent only once that one is settled (see store.outbox.due).
    depends_on: Mapped[int | None] = mapped_column(ForeignKey("outbox.seq", name="fk_outbox_depends_on"))

    __table_args__ = (
        UniqueConstraint("kind", "idempotency_key", name="uq_outbox_key"),
        Index("ix_outbox_state_seq", "state", "seq"),
        Index("ix_outbox_depends_on", "depends_on", sqlite_where=text("depends_on IS NOT NULL")),
    )


class PendingReceipt(Base):
    """A committed order whose receipt the durable print queue does not hold yet.

    Written in the sale's own transaction (store.sales.record_sale) and deleted once the
    print queue, a second database, has the job (store.pending_receipts): a crash between
    the two commits leaves the row, and the next start hands the receipt over again.
    """

    __tablename__ = "pending_receipts"
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), primary_key=True)


class OrderVoid(Base):
    """A line voided before payment: not sold, but counted on the X/Z report."""

    __tablename__ = "order_voids"
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())
    voided_by: Mapped[str] = mapped_column(String(64))


class CatalogItemRow(Base):
    """An item of the local catalog. `id` is what the FTS index (`catalog_fts`, migration
    0004) refers to; lookups go by `sku` or `catalog_barcodes`. Written only through
    `store.catalog`, which keeps `catalog_fts` and `catalog_barcodes` in step."""

    __tablename__ = "catalog_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    barcodes: Mapped[str] = mapped_column(Text)  # JSON list, as registered
    unit: Mapped[str] = mapped_column(String(4))
    price: Mapped[Decimal] = mapped_column(Money())
    tax_code: Mapped[str] = mapped_column(String(16))
    tax_rate: Mapped[Decimal] = mapped_column(Rate())
    category: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool]
    colour: Mapped[str | None] = mapped_column(String(7), nullable=True)  # #RRGGBB; None: the category's

    __table_args__ = (
        UniqueConstraint("sku", name="uq_catalog_items_sku"),
        Index("ix_catalog_items_grid", "category", "active", "name", "sku"),
        Index("ix_catalog_items_weighed", "name", "sku", sqlite_where=text("unit = 'kg' AND active = 1")),
    )


class CatalogBarcodeRow(Base):
    """A barcode's lookup key (`core.barcodes.normalize_key`) and the one item that has it."""

    __tablename__ = "catalog_barcodes"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_catalog_barcodes_sku", "sku"), {"sqlite_with_rowid": False})


class CatalogCategoryRow(Base):
    """A category's tile colour and position as the catalog sets them (pulled, or seeded).
    A category of the items without a row is shown at position 0 in a palette colour."""

    __tablename__ = "catalog_categories"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    colour: Mapped[str | None] = mapped_column(String(7), nullable=True)
    position: Mapped[int] = mapped_column(Integer, server_default="0")


class CatalogTaxRateRow(Base):
    __tablename__ = "catalog_tax_rates"
    tax_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Rate())


class CatalogState(Base):
    __tablename__ = "catalog_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    etag: Mapped[str | None] = mapped_column(String(128))
    pull_cursor: Mapped[str | None] = mapped_column(Text)  # next page of a pull under way


class UserRow(Base):
    """A member of staff as the till knows them: from the seed file, then from the
    server's staff list (store/users.py applies its deltas)."""

    __tablename__ = "users"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    locked: Mapped[bool] = mapped_column(default=False, server_default=text("0"))  # by the office


class StaffState(Base):
    """The staff list version this till has received (one row, id 1)."""

    __tablename__ = "staff_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class DrawerSessionRow(Base):
    """One cash drawer from opening float to the count at close (ends with a Z report)."""

    __tablename__ = "drawer_sessions"
    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    opening_float: Mapped[Decimal] = mapped_column(Money())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    counted_cash: Mapped[Decimal | None] = mapped_column(Money())
    z_number: Mapped[int | None] = mapped_column(Integer)

    # The open session (closed_at NULL) of a till: every sale, X and Z asks for it.
    __table_args__ = (Index("ix_drawer_sessions_open", "terminal_id", "closed_at", "opened_at"),)


class CashMovementRow(Base):
    """Paid-in, paid-out and no-sale drawer openings (a no-sale has amount 0)."""

    __tablename__ = "cash_movements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("drawer_sessions.session_id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_cash_movements_session", "session_id"),)


class ZReportRow(Base):
    __tablename__ = "z_reports"
    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    z_number: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[str] = mapped_column(ForeignKey("drawer_sessions.session_id"))
    created_at: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the report

    __table_args__ = (UniqueConstraint("terminal_id", "z_number", name="uq_z_number"),)


class ParkedTicketRow(Base):
    """A sale ticket set aside on this till (core.parked's snapshot in `body`). Not an
    order: no receipt number, no outbox entry. `resumed_at` is set while the ticket is
    back on the till, so a crash then leaves it parked, not lost; the sale that pays it
    deletes the row in its own transaction, so it can never be sold twice."""

    __tablename__ = "parked_tickets"
    park_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    parked_at: Mapped[datetime]
    parked_by: Mapped[str] = mapped_column(String(64))
    line_count: Mapped[int] = mapped_column(Integer)
    gross: Mapped[Decimal] = mapped_column(Money())
    body: Mapped[str] = mapped_column(Text)
    resumed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_parked_tickets_terminal", "terminal_id", "parked_at"),)


class PaymentIntentRow(Base):
    """One card payment, refund or reversal asked of the payment terminal.

    Written (state "created") and committed before any byte goes to the terminal, so a
    crash at any point leaves a row saying what may have happened; services.card_payments
    owns the states and finds out the truth from the terminal after a crash.
    """

    __tablename__ = "payment_intents"
    intent_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # payment | refund | reversal
    tender: Mapped[str] = mapped_column(String(16))  # the tender type it pays: "card"
    amount: Mapped[Decimal] = mapped_column(Money())
    # core.card_payment.IntentState (not "state": that word is the outbox's, store.outbox)
    intent_state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # the order whose tenders hold it (set in the order's own transaction)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.order_id"))
    # a reversal or refund: the payment it pays back
    reverses_intent_id: Mapped[str | None] = mapped_column(ForeignKey("payment_intents.intent_id"))
    # what the terminal said: its receipt and trace numbers, authorisation code, masked PAN
    terminal_receipt_no: Mapped[int | None] = mapped_column(Integer)
    trace_no: Mapped[int | None] = mapped_column(Integer)
    auth_code: Mapped[str | None] = mapped_column(String(16))
    masked_pan: Mapped[str | None] = mapped_column(String(32))
    card_name: Mapped[str | None] = mapped_column(String(32))
    result_code: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(200))
    receipt_lines: Mapped[str | None] = mapped_column(Text)  # JSON {copy: [lines]} to print with ours

    __table_args__ = (Index("ix_payment_intents_open", "terminal_id", "intent_state"),)


class QuickKeyRow(Base):
    """The till's quick keys, in the order a manager arranged them (items by SKU: a key
    whose item left the catalog is skipped, not shown broken)."""

    __tablename__ = "quick_keys"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
