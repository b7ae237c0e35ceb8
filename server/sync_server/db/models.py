"""SQLAlchemy 2.x models of the sync server's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import false as sa_false
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pos_protocol.sql import UtcDateTime

from .types import DecimalText

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Store(Base):
    __tablename__ = "stores"
    store_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    currency_scale: Mapped[int] = mapped_column(Integer)
    tax_mode: Mapped[str] = mapped_column(String(16))
    track_stock: Mapped[bool] = mapped_column(Boolean)
    max_blind_return_qty: Mapped[Decimal] = mapped_column(DecimalText, server_default="10")
    catalog_version: Mapped[int] = mapped_column(BigInteger, default=0)
    locale: Mapped[str] = mapped_column(String(16), server_default="en")
    """How the back office writes the store's amounts and dates (a Babel locale, e.g. de_DE)."""
    staff_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class StoreUser(Base):
    """The store's staff list (services/staff.py): tills sign in against these hashes and
    the server checks approvers against these roles. `version` is the staff version that
    last changed the user; a removed user stays as a row so tills hear of it."""

    __tablename__ = "store_users"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    __table_args__ = (Index("ix_store_users_store_version", "store_id", "version"),)


class Terminal(Base):
    __tablename__ = "terminals"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    secret: Mapped[str] = mapped_column(String(255))
    """The HMAC secret sealed with the server key (a Fernet token, core/secret_box.py), never in clear."""
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_heartbeat: Mapped[str | None] = mapped_column(Text, nullable=True)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    terminal_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """SHA-256 of the Idempotency-Key the enrollment came with: its retry gets the same terminal."""


class Item(Base):
    """The current state of an item; `version` is the catalog version that last changed it."""

    __tablename__ = "items"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    barcodes: Mapped[str] = mapped_column(Text)  # JSON list
    unit: Mapped[str] = mapped_column(String(4))
    price: Mapped[Decimal] = mapped_column(DecimalText)
    tax_code: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(BigInteger)
    colour: Mapped[str | None] = mapped_column(String(7), nullable=True)
    """The item's own tile colour (#RRGGBB); none: its category's."""
    __table_args__ = (Index("ix_items_store_version", "store_id", "version"),)


class CategoryRow(Base):
    """How tills show a category (its tile colour, its place among the categories); named as
    the items' `category`. `version` is the catalog version that last changed it, so a delta
    carries the categories changed after `since` as it does tax rates."""

    __tablename__ = "categories"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    colour: Mapped[str | None] = mapped_column(String(7), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_categories_store_version", "store_id", "version"),)


class ItemPrice(Base):
    """Price history: every price/tax/active state with the version that set it and when."""

    __tablename__ = "item_prices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    price: Mapped[Decimal] = mapped_column(DecimalText)
    tax_code: Mapped[str] = mapped_column(String(16))
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText)
    active: Mapped[bool] = mapped_column(Boolean)
    catalog_version: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_item_prices_lookup", "store_id", "sku", "effective_from"),)


class TaxRateRow(Base):
    __tablename__ = "tax_rates"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"), primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    version: Mapped[int] = mapped_column(BigInteger)


class Stock(Base):
    """On-hand quantity in thousandths (exact integer arithmetic for the atomic decrement).

    Always between 0 and wire.MAX_QUANTITY: every statement that changes it is in
    services/stock.py and keeps it there (README, "Returns and stock")."""

    __tablename__ = "stock"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.store_id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    on_hand_milli: Mapped[int] = mapped_column(BigInteger)


class IdempotencyRecord(Base):
    """One claimed Idempotency-Key of a terminal, with the first response to replay."""

    __tablename__ = "idempotency_keys"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderRow(Base):
    __tablename__ = "orders"
    server_seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(36))  # unique per store, not globally (README)
    store_id: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    original_order_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    receipt_no: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10))
    gross: Mapped[Decimal] = mapped_column(DecimalText)
    body: Mapped[str] = mapped_column(Text)  # the order as received (canonical JSON)
    conflicts: Mapped[str] = mapped_column(Text)  # JSON list, deterministic order
    resolutions: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        UniqueConstraint("store_id", "order_id", name="uq_orders_store_order_id"),
        Index("ix_orders_terminal_receipt", "terminal_id", "receipt_no"),
        Index("ix_orders_store_receipt", "store_id", "receipt_no"),  # returns across tills
        Index("ix_orders_terminal_hash", "terminal_id", "content_hash"),
        Index("ix_orders_store_status", "store_id", "status"),
    )


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    server_seq: Mapped[int] = mapped_column(ForeignKey("orders.server_seq"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    qty: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText)
    line_total: Mapped[Decimal] = mapped_column(DecimalText)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class ZReportRow(Base):
    __tablename__ = "z_reports"
    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    terminal_id: Mapped[str] = mapped_column(String(64))
    z_number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    flags: Mapped[str] = mapped_column(Text)  # JSON list, e.g. ["Z_SEQUENCE_GAP", "Z_MISMATCH"]
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # the report's, for reads by day
    reconciliation: Mapped[str] = mapped_column(String(16), server_default="unchecked")  # codes.ReconciliationStatus
    differences: Mapped[str] = mapped_column(Text, server_default="[]")  # JSON list of wire.ZDifference
    reconciled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    __table_args__ = (
        UniqueConstraint("terminal_id", "z_number"),
        Index("ix_z_reports_store_closed", "store_id", "closed_at"),
        Index("ix_z_reports_reconciliation", "reconciliation"),
    )


class ZReportMissingOrder(Base):
    """An order a mismatched Z report names that the server does not hold yet: when it
    arrives, the report is reconciled again (services/reconciliation.py)."""

    __tablename__ = "z_report_missing_orders"
    report_id: Mapped[str] = mapped_column(ForeignKey("z_reports.report_id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_z_report_missing_orders_store_order", "store_id", "order_id"),)


class AuditHeadRow(Base):
    """The last entry of a terminal's shipped audit journal that extends an unbroken chain
    from its first entry, and the first break seen (services/audit.py)."""

    __tablename__ = "audit_heads"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    head_seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    broken_at_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    broken_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    broken_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntryRow(Base):
    """A shipped journal entry that extended its terminal's verified chain (kept for audit
    search; the entries after a break are not kept: the chain they claim is not proven)."""

    __tablename__ = "audit_entries"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))  # as the till hashed it
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_entries_store_at", "store_id", "at"),)


class OfficeAction(Base):
    """What someone did from the office or with the admin token (a staff change, a price,
    a resolution), journalled in the same transaction as the change, for audit search.
    `at` is ISO 8601 in UTC, the way tills write their journal's `at`, so both sort alike."""

    __tablename__ = "office_actions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_office_actions_store_at", "store_id", "at"),)


class OfficeUser(Base):
    """A back-office account (a person at the office, not a till's staff member): a
    scrypt password hash and a role from pos_protocol.permissions. `session_epoch` is in
    every session cookie; logging out bumps it, which ends every session of that user."""

    __tablename__ = "office_users"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OfficeKey(Base):
    """The key that signs back-office session cookies, drawn once and shared by every
    server process and replica through the database (so a session survives a restart
    and reaches any worker)."""

    __tablename__ = "office_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Core tables for the hot paths: statements on plain tables skip the ORM's compile layer.
ORDERS = OrderRow.__table__
ORDER_LINES = OrderLineRow.__table__
IDEMPOTENCY = IdempotencyRecord.__table__
ITEMS = Item.__table__
ITEM_PRICES = ItemPrice.__table__
CATEGORIES = CategoryRow.__table__
STOCK = Stock.__table__
STORE_USERS = StoreUser.__table__
Z_REPORTS = ZReportRow.__table__
Z_MISSING = ZReportMissingOrder.__table__
AUDIT_HEADS = AuditHeadRow.__table__
AUDIT_ENTRIES = AuditEntryRow.__table__
OFFICE_ACTIONS = OfficeAction.__table__
