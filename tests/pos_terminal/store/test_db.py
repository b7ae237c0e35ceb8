"""The local database: durability pragmas, exact decimals, migrations, audit chain, counters."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from pos_terminal.store import audit, receipts
from pos_terminal.store.db import Database, _alembic_config, make_engine, migrate
from pos_terminal.store.models import Base, CatalogItemRow, ReceiptCounter
from tests.waiting import wait_until

NOW = datetime(2026, 11, 21, 9, 15, tzinfo=timezone.utc)
HEAD = ScriptDirectory.from_config(_alembic_config()).get_current_head()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "till.sqlite3")
    yield database
    database.close()


def test_durability_pragmas_on_every_connection(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _item(price: Decimal) -> CatalogItemRow:
    return CatalogItemRow(sku="X", name="x", barcodes="[]", unit="ea", price=price,
                          tax_code="A", tax_rate=Decimal("0.19"), category="c", active=True)


def test_money_round_trips_exactly_and_refuses_extra_decimals(db: Database) -> None:
    with db.transaction() as s:
        s.add(_item(Decimal("12.34")))
    with db.reader() as s:
        assert s.scalars(select(CatalogItemRow).where(CatalogItemRow.sku == "X")).one().price == Decimal("12.34")
    with pytest.raises(Exception, match="more than 2 decimals"):
        with db.transaction() as s:
            s.add(_item(Decimal("0.125")))
            s.flush()


def test_receipt_counter_rolls_back_with_the_transaction(db: Database) -> None:
    with db.transaction() as s:
        assert receipts.next_receipt_seq(s, "T01") == 1
    with pytest.raises(RuntimeError):
        with db.transaction() as s:
            assert receipts.next_receipt_seq(s, "T01") == 2
            raise RuntimeError("sale failed after taking a number")
    with db.transaction() as s:
        assert receipts.next_receipt_seq(s, "T01") == 2  # the number came back: no gap
    with db.reader() as s:
        assert s.get(ReceiptCounter, "T01").last_no == 2


def _chain(db: Database, n: int) -> None:
    for i in range(n):
        with db.transaction() as s:
            audit.append(s, at=NOW, actor="c1", action="order.sale", subject=f"o{i}",
                         payload={"gross": f"{i}.00"})


def test_audit_chain_verifies_and_names_first_tampered_entry(db: Database) -> None:
    _chain(db, 5)
    with db.reader() as s:
        report = audit.verify(s)
    assert report.ok and report.entries == 5
    raw = sqlite3.connect(db.path)
    raw.execute("UPDATE audit_journal SET payload = '{\"gross\":\"999.00\"}' WHERE seq = 3")
    raw.commit()
    with db.reader() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_broken == 3
    assert "hash" in report.reason


def test_audit_chain_detects_a_deleted_entry(db: Database) -> None:
    _chain(db, 4)
    raw = sqlite3.connect(db.path)
    raw.execute("DELETE FROM audit_journal WHERE seq = 2")
    raw.commit()
    with db.reader() as s:
        report = audit.verify(s)
    assert report.first_broken == 3 and "missing" in report.reason


def test_upgrade_from_first_schema_keeps_the_shops_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = make_engine(path, "BEGIN IMMEDIATE", mode="rwc")
    migrate(old, "0001")
    with old.begin() as conn:
        conn.execute(text(
            "INSERT INTO orders (order_id, kind, store_id, terminal_id, receipt_seq, receipt_no,"
            " cashier_id, created_at, catalog_version, net, tax, gross, change_given,"
            " content_hash, line_count, tender_count, sync_status) VALUES ('o1', 'sale', 's',"
            " 'T01', 1, 'T01-000001', 'c1', '2026-11-01 10:00:00', 1, 840, 160, 1000, 0, 'h',"
            " 0, 0, 'done')"))
    old.dispose()
    db = Database(path)  # opening runs the pending migrations
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        row = conn.exec_driver_sql(
            "SELECT gross, drawer_session_id FROM orders WHERE order_id = 'o1'").one()
    assert tuple(row) == (1000, None)
    db.close()


def _insert_order(conn, order_id: str, receipt_seq: int, kind: str = "sale",
                  original: str | None = None) -> None:
    conn.execute(text(
        "INSERT INTO orders (order_id, kind, original_order_id, store_id, terminal_id, receipt_seq,"
        " receipt_no, cashier_id, created_at, catalog_version, net, tax, gross, change_given,"
        " content_hash, line_count, tender_count, sync_status) VALUES (:id, :kind, :original, 's',"
        " 'T01', :n, 'T01-' || :n, 'c1', '2026-11-01 10:00:00', 1, 840, 160, 1000, 0, 'h', 0, 0,"
        " 'pending')"), dict(id=order_id, kind=kind, original=original, n=receipt_seq))


def _insert_entry(conn, kind: str, key: str, path: str, state: str = "pending") -> None:
    conn.execute(text(
        "INSERT INTO outbox (kind, idempotency_key, method, path, body, created_at, state, attempts)"
        " VALUES (:kind, :key, 'POST', :path, '{}', '2026-11-01 10:00:00', :state, 0)"),
        dict(kind=kind, key=key, path=path, state=state))


def test_upgrade_to_0003_records_what_each_waiting_entry_depends_on(tmp_path: Path) -> None:
    """A backlog written by the old till (a sale not yet sent, its return, a held order
    and its resolution) keeps its causal order after the upgrade."""
    path = tmp_path / "old.sqlite3"
    old = make_engine(path, "BEGIN IMMEDIATE", mode="rwc")
    migrate(old, "0002")
    with old.begin() as conn:
        _insert_order(conn, "sale-1", 1)
        _insert_order(conn, "held-2", 2)
        _insert_order(conn, "return-3", 3, kind="return", original="sale-1")
        _insert_order(conn, "blind-4", 4, kind="return")
        _insert_entry(conn, "order", "sale-1", "/v1/orders")
        _insert_entry(conn, "order", "held-2", "/v1/orders", state="held")
        _insert_entry(conn, "order", "return-3", "/v1/orders")
        _insert_entry(conn, "order", "blind-4", "/v1/orders")
        _insert_entry(conn, "resolution", "r-5", "/v1/orders/held-2/resolution")
        _insert_entry(conn, "z_report", "z-6", "/v1/z-reports")
    old.dispose()
    db = Database(path)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        rows = conn.exec_driver_sql("SELECT seq, idempotency_key, depends_on FROM outbox ORDER BY seq").all()
    assert [tuple(r) for r in rows] == [(1, "sale-1", None), (2, "held-2", None), (3, "return-3", 1),
                                        (4, "blind-4", None), (5, "r-5", 2), (6, "z-6", None)]
    db.close()


def _old_item(conn, sku: str, name: str, barcodes: list[str], *, tax_code: str = "A", rate: int = 190000,
              category: str = "Misc", unit: str = "ea", active: bool = True) -> None:
    conn.execute(text(
        "INSERT INTO catalog_items (sku, name, barcodes, unit, price, tax_code, tax_rate, category, active)"
        " VALUES (:sku, :name, :barcodes, :unit, 199, :tax_code, :rate, :category, :active)"),
        dict(sku=sku, name=name, barcodes=json.dumps(barcodes), unit=unit, tax_code=tax_code, rate=rate,
             category=category, active=active))


def test_upgrade_to_0004_indexes_the_catalog_the_till_had(tmp_path: Path) -> None:
    """A till of the in-memory era: after the upgrade it sells every item it had from the
    new indexes, a code two items claimed staying with the later one as before."""
    from pos_terminal.core.barcodes import make_variable_label
    from pos_terminal.core.catalog import Unit
    from pos_protocol import wire
    from pos_terminal.store.catalog import CatalogStore, PullState

    path = tmp_path / "old.sqlite3"
    old = make_engine(path, "BEGIN IMMEDIATE", mode="rwc")
    migrate(old, "0003")
    with old.begin() as conn:
        _old_item(conn, "B1", "Bread Classic", ["4001234000015"], category="Bakery", tax_code="B", rate=70000)
        _old_item(conn, "W1", "Water Still", ["036000291452"], category="Drinks")  # UPC-A
        _old_item(conn, "K1", "Bananas", ["2800025"], category="Fruit", unit="kg", tax_code="B", rate=70000)
        _old_item(conn, "B2", "Bread Crème", ["4001234000022", "4001234000015"], category="Bakery",
                  tax_code="B", rate=70000)  # takes B1's code: later wins
        _old_item(conn, "X1", "Old Stock", ["4001234000039"], active=False)
        conn.execute(text("INSERT INTO catalog_state (id, version, etag) VALUES (1, 41, '\"s-41\"')"))
    old.dispose()

    db = Database(path)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
            conn.exec_driver_sql("INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('integrity-check', 1)")
            assert conn.exec_driver_sql("SELECT count(*) FROM catalog_fts").scalar() == 5
            assert dict(conn.exec_driver_sql("SELECT tax_code, rate FROM catalog_tax_rates").all()) == \
                {"A": 190000, "B": 70000}
        store = CatalogStore(db)
        assert store.pull_state() == PullState(41, '"s-41"', None)
        assert store.by_barcode("4001234000015").item.sku == "B2"
        assert store.by_barcode("4001234000022").item.sku == "B2"
        assert store.by_barcode("036000291452").item.sku == "W1"
        scale = store.by_barcode(make_variable_label("2800025", 750))
        assert scale.item.unit is Unit.KG and scale.weight == Decimal("0.750")
        assert store.by_sku("B1").price == Decimal("1.99") and store.by_sku("B1").tax_rate == Decimal("0.07")
        assert [i.sku for i in store.search("bre")] in (["B1", "B2"], ["B2", "B1"])
        assert [i.sku for i in store.search("creme")] == ["B2"]
        assert store.search("old") == []  # inactive
        assert [(c.name, c.items) for c in store.categories()] == [("Bakery", 2), ("Drinks", 1), ("Fruit", 1)]
        # The first page pulled after the upgrade re-indexes what it changes.
        store.apply_page(wire.CatalogDelta(version=42, tax_rates=[], removed=["W1"], items=[wire.CatalogItem(
            sku="B1", name="Rye Loaf", barcodes=["4001234000015"], unit="ea", price="2.10", tax_code="B",
            category="Bakery", active=True)]))
        assert [i.sku for i in store.search("bre")] == ["B2"] and [i.sku for i in store.search("rye")] == ["B1"]
        assert store.by_barcode("4001234000015").item.sku == "B1" and store.search("water") == []
        with db.engine.connect() as conn:
            conn.exec_driver_sql("INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        db.close()


def test_downgrade_from_0004_gives_the_old_catalog_table_back(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "till.sqlite3"
    engine = make_engine(path, "BEGIN IMMEDIATE", mode="rwc")
    migrate(engine, "0003")
    with engine.begin() as conn:
        _old_item(conn, "B1", "Bread Classic", ["4001234000015"])
    migrate(engine, "0004")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with engine.connect() as conn:
        tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
        assert not {"catalog_fts", "catalog_barcodes", "catalog_tax_rates"} & tables
        assert conn.exec_driver_sql("SELECT sku, price FROM catalog_items").all() == [("B1", 199)]
    engine.dispose()


def _not_the_search_index(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # The FTS5 index and its shadow tables are SQLite's, made by migration 0004; they have
    # no model (store.catalog writes them with its own statements).
    return not (type_ == "table" and name and name.startswith("catalog_fts"))


def test_migrations_match_the_models(db: Database) -> None:
    """Every table, index and constraint the models declare is one a migration creates."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _not_the_search_index})
        assert compare_metadata(context, Base.metadata) == []


def test_committed_pages_reach_the_database_file_off_the_commit_path(db: Database) -> None:
    """The background checkpoint copies the WAL into the database file; SQLite's own, in
    the committing connection, is only the backstop at 10,000 pages (store.db.Checkpointer)."""
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
    before = db.path.stat().st_size
    for i in range(16):  # ~50 pages each: far below the backstop
        with db.transaction() as s:
            audit.append(s, at=NOW, actor="c1", action="test", subject=str(i), payload={"pad": "x" * 200_000})
    wait_until(lambda: db.path.stat().st_size > before + 16 * 150_000, timeout=10,
               what="the background checkpoint to copy the WAL into the database file")
    with db.reader() as s:
        assert audit.verify(s).entries == 16
