"""Statements compiled once and run through the driver store exactly what Core stores:
every value through its column's type."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select, update

from pos_terminal.store.db import Database
from pos_terminal.store.models import AuditEntry, Order, OrderLine, ReceiptCounter
from pos_terminal.store.prepared import Prepared


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "till.sqlite3")
    yield database
    database.close()


def _every_column(model: type) -> Prepared:
    return Prepared(insert(model.__table__), [c.key for c in model.__table__.c])


def _stored(db: Database, table: str, where: str) -> list[tuple]:
    with db.engine.connect() as conn:
        columns = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
        quoted = ", ".join(f"typeof({c}) || ':' || quote({c})" for c in columns)
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT {quoted} FROM {table} WHERE {where}")]


ORDER = dict(order_id="o1", kind="sale", original_order_id=None, store_id="s", terminal_id="T01",
             receipt_seq=1, receipt_no="T01-000001", cashier_id="c1",
             created_at=datetime(2026, 11, 21, 9, 15, tzinfo=timezone.utc), catalog_version=3,
             net=Decimal("8.40"), tax=Decimal("1.60"), gross=Decimal("10.00"), change_given=Decimal("0"),
             content_hash="h", line_count=2, tender_count=0, sync_status="pending", drawer_session_id=None)


def _line(line_no: int, **changes: object) -> dict[str, object]:
    return dict(order_id="o1", line_no=line_no, sku="SKU1", description="Brot", qty=Decimal("0.512"),
                unit="kg", unit_price=Decimal("4.99"), tax_code="A", tax_rate=Decimal("0.07"),
                discount=Decimal("0.00"), line_total=Decimal("2.55"), override_approved_by=None,
                override_reason=None, override_original_price=None) | changes


def test_prepared_inserts_store_what_core_stores(db: Database) -> None:
    at = datetime(2026, 11, 21, 9, 15, tzinfo=timezone.utc)  # no microseconds: still 6 digits
    entry = dict(actor="c1", action="order.sale", subject=None, payload="{}", prev_hash="0", hash="1")
    with db.transaction() as s:
        conn = s.connection()
        conn.execute(insert(Order.__table__), ORDER)
        conn.execute(insert(OrderLine.__table__), _line(1, override_original_price=Decimal("5.49")))
        _every_column(OrderLine).run_many(s, [_line(2, override_original_price=Decimal("5.49"))])
        conn.execute(insert(AuditEntry.__table__), dict(entry, seq=1, at=at))
        _every_column(AuditEntry).run(s, dict(entry, seq=2, at=at))
        conn.execute(insert(AuditEntry.__table__), dict(entry, seq=3, at=at.replace(microsecond=5)))
        _every_column(AuditEntry).run(conn, dict(entry, seq=4, at=at.replace(microsecond=5)))
    core, prepared = _stored(db, "order_lines", "line_no = 1"), _stored(db, "order_lines", "line_no = 2")
    assert core[0][:1] + core[0][2:] == prepared[0][:1] + prepared[0][2:]  # all but line_no
    assert "integer:512" in core[0] and "integer:549" in core[0]  # grams, cents
    rows = _stored(db, "audit_journal", "1")
    assert rows[0][1:] == rows[1][1:] and rows[2][1:] == rows[3][1:]
    assert rows[0][1] == "text:'2026-11-21 09:15:00.000000'"


def test_prepared_values_go_through_the_column_types(db: Database) -> None:
    with db.transaction() as s:
        s.connection().execute(insert(Order.__table__), ORDER)
    with pytest.raises(ValueError, match="more than 2 decimals"), db.transaction() as s:
        _every_column(OrderLine).run(s, _line(1, unit_price=Decimal("4.995")))
    with pytest.raises(ValueError, match="naive datetime"), db.transaction() as s:
        _every_column(AuditEntry).run(s, dict(seq=1, at=datetime(2026, 11, 21), actor="c1", action="x",
                                              subject=None, payload="{}", prev_hash="0", hash="1"))
    with pytest.raises(KeyError, match="override_reason"):
        _every_column(OrderLine).params({k: v for k, v in _line(1).items() if k != "override_reason"})


def test_a_prepared_statement_keeps_its_own_literals_and_returns_rows(db: Database) -> None:
    bump = Prepared(update(ReceiptCounter).where(ReceiptCounter.terminal_id == bindparam("till"))
                    .values(last_no=ReceiptCounter.last_no + 1).returning(ReceiptCounter.last_no))
    newest = Prepared(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    with db.transaction() as s:
        s.add(ReceiptCounter(terminal_id="T01", last_no=41))
        s.flush()
        assert bump.run(s, {"till": "T01"}).fetchall() == [(42,)]
        assert bump.run(s, {"till": "T02"}).fetchall() == []
        assert newest.run(s).fetchone() is None
    with db.reader() as s:
        assert s.get_one(ReceiptCounter, "T01").last_no == 42  # committed with the transaction
