"""The catalog in SQLite: lookups by barcode and SKU, FTS5 search, the grid, bulk writes,
the cache of scanned items, and seeding a till of 20,000 items from its CSV."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from pathlib import Path

import pytest

from pos_protocol import wire
from pos_terminal.core.barcodes import BarcodeError, make_ean13, make_variable_label
from pos_terminal.core.catalog import Category, Item, Unit, UnknownItem
from pos_terminal.services.catalog import seed_catalog
from pos_terminal.store import catalog as store_catalog
from pos_terminal.store.catalog import CatalogDeltaError, CatalogStore, fts_query
from pos_terminal.store.db import Database
from tools.big_catalog import category_styles, make_items, write_categories_csv, write_csv

EAN = [make_ean13(f"40000000{n:04d}") for n in range(20)]


def item(sku: str, name: str, *, barcodes: tuple[str, ...] = (), category: str = "Misc",
         price: str = "1.99", unit: Unit = Unit.EA, active: bool = True, tax_code: str = "A") -> Item:
    return Item(sku=sku, name=name, barcodes=barcodes, unit=unit, price=Decimal(price), tax_code=tax_code,
                tax_rate=Decimal("0.19") if tax_code == "A" else Decimal("0.07"), category=category, active=active)


def page(*items: Item, removed: tuple[str, ...] = (), version: int = 1, next_cursor: str | None = None,
         rates: bool = True, categories: tuple[wire.CatalogCategory, ...] = ()) -> wire.CatalogDelta:
    return wire.CatalogDelta(
        version=version,
        items=[wire.CatalogItem(sku=i.sku, name=i.name, barcodes=list(i.barcodes), unit=i.unit.value,
                                price=i.price, tax_code=i.tax_code, category=i.category, active=i.active,
                                colour=i.colour)
               for i in items],
        tax_rates=[wire.TaxRate(tax_code="A", rate=Decimal("0.19")), wire.TaxRate(tax_code="B", rate=Decimal("0.07"))]
        if rates else [],
        removed=list(removed), next_cursor=next_cursor, categories=list(categories))


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "till.sqlite3")
    yield database
    database.close()


@pytest.fixture
def store(db: Database) -> CatalogStore:
    return CatalogStore.of(db)


SHOP = [
    item("F1", "Apple Juice", barcodes=(EAN[0],), category="Drinks"),
    item("F2", "Apples Red", barcodes=(EAN[1],), category="Fruit"),
    item("F3", "Pineapple", barcodes=(EAN[2],), category="Fruit"),
    item("F4", "Wool Socks", barcodes=(EAN[3],), category="Apparel"),
    item("F5", "Crème fraîche", barcodes=(EAN[4],), category="Dairy"),
    item("F6", "Apple Pie (old recipe)", barcodes=(EAN[5],), category="Bakery", active=False),
    item("F7", "Bananas", barcodes=("2800025",), category="Fruit", unit=Unit.KG, price="1.49"),
    item("F8", "Water 500 ml", barcodes=("036000291452",), category="Drinks", tax_code="B"),
]


@pytest.fixture
def shop(store: CatalogStore) -> CatalogStore:
    store.apply_page(page(*SHOP))
    return store


def fts_ok(db: Database) -> int:
    with db.reader() as s:
        conn = s.connection()
        conn.exec_driver_sql("INSERT INTO catalog_fts(catalog_fts, rank) VALUES ('integrity-check', 1)")
        return conn.exec_driver_sql("SELECT count(*) FROM catalog_fts").scalar()


# -- lookups ----------------------------------------------------------------------------------


def test_lookups_by_barcode_scale_label_upc_and_sku(shop: CatalogStore) -> None:
    assert shop.by_barcode(EAN[0]).item == SHOP[0]
    scale = shop.by_barcode(make_variable_label("2800025", 1234))
    assert (scale.item.sku, scale.weight, scale.price) == ("F7", Decimal("1.234"), None)
    assert shop.by_barcode("036000291452").item.sku == "F8"  # UPC-A under its EAN-13 form
    assert shop.by_barcode("0036000291452").item.sku == "F8"
    assert shop.by_sku("F2") == SHOP[1]
    assert shop.by_sku("F6").active is False  # found; the ticket refuses to sell it
    with pytest.raises(UnknownItem, match="unknown SKU 'NOPE'"):
        shop.by_sku("NOPE")
    with pytest.raises(UnknownItem, match="no item for barcode"):
        shop.by_barcode(make_ean13("999999999999"))
    with pytest.raises(BarcodeError, match="check digit"):
        shop.by_barcode(EAN[0][:-1] + str((int(EAN[0][-1]) + 1) % 10))
    assert "F1" in shop and "NOPE" not in shop and len(shop) == len(SHOP)


def test_a_barcode_moves_to_the_later_item_and_removal_forgets_everything(shop: CatalogStore, db: Database) -> None:
    shop.apply_page(page(item("G1", "Grape Juice", barcodes=(EAN[0],), category="Drinks"), version=2))
    assert shop.by_barcode(EAN[0]).item.sku == "G1"
    shop.apply_page(page(item("F2", "Apples Green", barcodes=(EAN[9],), category="Fruit"), version=3))
    with pytest.raises(UnknownItem):
        shop.by_barcode(EAN[1])  # F2's old code went with its old record
    assert shop.by_barcode(EAN[9]).item.name == "Apples Green"
    assert [i.sku for i in shop.search("apples")] == ["F2"] and shop.search("red") == []

    shop.apply_page(page(removed=("G1", "F3"), version=4))
    for gone in ("G1", "F3"):
        assert gone not in shop
    with pytest.raises(UnknownItem):
        shop.by_barcode(EAN[0])
    assert shop.search("pineapple") == [] and shop.search("grape") == []
    assert fts_ok(db) == len(shop) == len(SHOP) - 1  # G1 came and went, F3 went
    with db.reader() as s:
        assert s.connection().exec_driver_sql("SELECT count(*) FROM catalog_barcodes WHERE sku = 'F1'").scalar() == 0


def test_a_scanned_item_is_cached_until_the_next_committed_write(shop: CatalogStore, db: Database) -> None:
    first = shop.by_barcode(EAN[0]).item
    reads = []
    real_rows = shop._rows
    shop._rows = lambda *a: reads.append(a) or real_rows(*a)  # type: ignore[method-assign]
    assert shop.by_barcode(EAN[0]).item is first and reads == []  # from the cache
    shop.apply_page(page(item("F1", "Apple Juice", barcodes=(EAN[0],), category="Drinks", price="2.49"), version=2))
    assert shop.by_barcode(EAN[0]).item.price == Decimal("2.49") and len(reads) == 1


def test_what_was_read_while_a_write_committed_is_not_cached(shop: CatalogStore) -> None:
    real_rows = shop._rows

    def read_then_a_write_commits(*args):  # type: ignore[no-untyped-def]
        rows = real_rows(*args)
        shop.invalidate()  # what apply_page does after its commit
        return rows

    shop._rows = read_then_a_write_commits  # type: ignore[method-assign]
    shop.by_sku("F1")
    shop._rows = real_rows  # type: ignore[method-assign]
    assert shop._cache == {}


def test_a_page_the_till_cannot_store_changes_nothing(shop: CatalogStore) -> None:
    def one(**fields: object) -> wire.CatalogDelta:
        entry = dict(sku="F1", name="Apple Juice", barcodes=[EAN[0]], unit="ea", price="1.99", tax_code="A",
                     category="Drinks", active=True)
        entry.update(fields)
        return wire.CatalogDelta.model_validate({"version": 9, "items": [entry], "tax_rates": [], "removed": []})

    # The wire allows 4 decimals; the till keeps exact cents.
    with pytest.raises(CatalogDeltaError, match="more than 2 decimals"):
        shop.apply_page(one(price="1.999"))
    with pytest.raises(CatalogDeltaError, match="tax code 'NEW' has no rate"):
        shop.apply_page(one(tax_code="NEW"))
    assert shop.by_sku("F1").price == Decimal("1.99") and shop.pull_state().version == 1


def test_the_version_and_etag_come_with_the_last_page_and_the_cursor_with_each(store: CatalogStore) -> None:
    store.apply_page(page(SHOP[0], version=7, next_cursor="c1"), '"e-7"')
    assert store.pull_state() == store_catalog.PullState(0, None, "c1")
    store.apply_page(page(SHOP[1], version=7, next_cursor="c2", rates=False), '"e-7"')
    assert store.pull_state() == store_catalog.PullState(0, None, "c2")
    store.apply_page(page(SHOP[2], version=7, rates=False), '"e-7"')
    assert store.pull_state() == store_catalog.PullState(7, '"e-7"', None)


# -- search -----------------------------------------------------------------------------------


def test_search_is_by_word_prefix_ranked_by_name_first(shop: CatalogStore) -> None:
    hits = [i.sku for i in shop.search("app")]
    assert set(hits[:2]) == {"F1", "F2"}  # "Apple..." in the name
    assert hits[2:] == ["F4"]  # only its category is "Apparel"
    # Not inside a word (Pineapple), not inactive (the old apple pie).
    assert [i.sku for i in shop.search("app jui")] == ["F1"]
    assert [i.sku for i in shop.search("JUICE apple")] == ["F1"]
    assert [i.sku for i in shop.search("creme fra")] == ["F5"]  # diacritics do not matter
    assert [i.sku for i in shop.search("Crème")] == ["F5"]
    assert {i.sku for i in shop.search("fruit")} == {"F2", "F3", "F7"}  # by category
    assert len(shop.search("a", limit=2)) == 2 and shop.search("app", limit=0) == []


def test_search_finds_an_exact_sku_or_barcode_first_and_never_a_digit_prefix(shop: CatalogStore) -> None:
    assert [i.sku for i in shop.search("F8")] == ["F8"]
    assert [i.sku for i in shop.search(EAN[3])] == ["F4"]
    assert [i.sku for i in shop.search("036000291452")] == ["F8"]
    assert shop.search("4000") == []  # a digit prefix would match nearly every barcode
    assert [i.sku for i in shop.search("water 500")] == ["F8"]  # a number in a name, whole


@pytest.mark.parametrize("text", ['"', "*", "app*)", "NEAR(a b)", "a OR b", "x:y", "-", "''", " ", "\x00", "^app"])
def test_search_takes_any_text_without_fts_syntax_errors(shop: CatalogStore, text: str) -> None:
    assert isinstance(shop.search(text), list)


def test_fts_query_quotes_every_word() -> None:
    assert fts_query("Bre mil") == '"bre"* AND "mil"*'
    assert fts_query('x"y OR z*') == '"x"* AND "y"* AND "or"* AND "z"*'
    assert fts_query("water 500") == '"water"* AND "500"'
    assert fts_query(" -*- ") is None


# -- the grid ---------------------------------------------------------------------------------


def test_categories_and_their_items_paged_by_name(shop: CatalogStore) -> None:
    assert shop.categories() == [Category("Apparel", 1), Category("Dairy", 1), Category("Drinks", 2),
                                 Category("Fruit", 3)]  # Bakery has only an inactive item
    fruit = [i.name for i in shop.items_in("Fruit", 0, 2)] + [i.name for i in shop.items_in("Fruit", 2, 2)]
    assert fruit == ["Apples Red", "Bananas", "Pineapple"]
    assert shop.items_in("Fruit", 3, 2) == [] and shop.items_in("Nope") == []
    assert [i.sku for i in shop.weighed_items()] == ["F7"]
    shop.apply_page(page(item("N1", "Notebook", category="Stationery"), version=2))
    assert Category("Stationery", 1) in shop.categories()  # the cached list was dropped


def test_categories_come_in_the_catalogs_colours_by_position_then_name(shop: CatalogStore) -> None:
    cola = dataclasses.replace(item("D9", "Cola", category="Drinks"), colour="#1565c0")
    shop.apply_page(page(cola, version=2, categories=(
        wire.CatalogCategory(name="Fruit", colour="#a5d6a7", position=1),
        wire.CatalogCategory(name="Dairy", position=1),
        wire.CatalogCategory(name="Drinks", colour="#FFE0B2", position=2),
        wire.CatalogCategory(name="Toys", colour="#4A148C", position=0),  # no items (yet): not shown
    )))
    assert shop.categories() == [
        Category("Apparel", 1),  # the catalog sets nothing for it: position 0, the till's own colour
        Category("Dairy", 1, None, 1), Category("Fruit", 3, "#A5D6A7", 1), Category("Drinks", 3, "#FFE0B2", 2)]
    assert shop.by_sku("D9").colour == "#1565C0" and shop.by_sku("F1").colour is None
    # A later page without categories (every page but a pull's first) leaves them as they are.
    shop.apply_page(page(item("D8", "Lemonade", category="Drinks"), version=3))
    assert [(c.name, c.colour) for c in shop.categories()][-1] == ("Drinks", "#FFE0B2")


def test_a_grid_page_is_one_statement_colours_and_all(shop: CatalogStore) -> None:
    """The tiles' colours cost no query per item: an item's own comes with its row, and the
    categories' with the cached category list."""
    shop.apply_page(page(dataclasses.replace(item("F9", "Figs", category="Fruit"), colour="#4A148C"), version=2,
                         categories=(wire.CatalogCategory(name="Fruit", colour="#A5D6A7", position=1),)))
    shop.categories()
    statements: list[str] = []
    conn = shop._connection()  # this thread's read connection: every lookup of the grid goes through it
    conn.set_trace_callback(statements.append)
    try:
        fruit = shop.items_in("Fruit", 0, 120)
        colours = {c.name: c.colour for c in shop.categories()}
    finally:
        conn.set_trace_callback(None)
    assert len(statements) == 1, statements
    assert [(i.sku, i.colour or colours[i.category]) for i in fruit] == [
        ("F2", "#A5D6A7"), ("F7", "#A5D6A7"), ("F9", "#4A148C"), ("F3", "#A5D6A7")]


# -- bulk: seeding 20,000 items -----------------------------------------------------------------


def test_seeding_an_empty_till_of_20000_items_from_its_csv(tmp_path: Path, db: Database, store: CatalogStore) -> None:
    items = make_items(20_000)
    csv_path = write_csv(tmp_path / "big.csv", items)
    assert seed_catalog(db, csv_path, write_categories_csv(tmp_path / "categories.csv")) == 20_000
    assert seed_catalog(db, tmp_path / "not-even-read.csv") == 0  # a till with items never re-seeds
    assert store.count() == 20_000 and fts_ok(db) == 20_000
    for it in items:
        assert store.by_sku(it.sku) == it
        for code in it.barcodes:
            assert store.by_barcode(make_variable_label(code, 500) if len(code) == 7 else code).item == it
    for it in random.Random(5).sample(items, 500):
        words = it.name.split()[:2]
        found = store.search(" ".join(w[:3] for w in words), limit=10_000)
        assert (it in found) == it.active
    with db.reader() as s:
        rates = dict(s.connection().exec_driver_sql("SELECT tax_code, rate FROM catalog_tax_rates").all())
    assert rates == {"A": 190000, "B": 70000}
    assert sum(c.items for c in store.categories()) == sum(i.active for i in items)
    assert [(c.name, c.colour, c.position) for c in store.categories()] == [
        (c.name, c.colour, c.position) for c in category_styles()]  # every one styled, in the file's order
    assert any(i.colour for i in items)  # and some items have colours of their own (compared above)


def test_a_bad_csv_row_seeds_nothing(tmp_path: Path, db: Database, store: CatalogStore) -> None:
    good = make_items(30)
    csv_path = write_csv(tmp_path / "bad.csv", good)
    with csv_path.open("a", encoding="utf-8") as fh:
        fh.write("BAD1,Broken,,ea,abc,A,0.19,Misc,true\n")
    with pytest.raises(Exception, match="bad catalog row"):
        seed_catalog(db, csv_path)
    assert store.count() == 0


def test_a_search_matching_more_than_it_ranks_ranks_the_first_in_catalog_order(shop: CatalogStore, monkeypatch) -> None:
    """bm25 costs about a microsecond a match; a prefix matching a sixth of a big catalog
    ranks only the first RANKED_MATCHES matches, so it still answers in milliseconds."""
    assert {i.sku for i in shop.search("app")} == {"F1", "F2", "F4"}  # F6 matches too, inactive
    monkeypatch.setattr(store_catalog, "RANKED_MATCHES", 2)
    assert {i.sku for i in shop.search("app")} == {"F1", "F2"}  # the first two stored
    monkeypatch.setattr(store_catalog, "RANKED_MATCHES", 4)
    assert {i.sku for i in shop.search("app")} == {"F1", "F2", "F4"}


def test_read_connections_are_per_thread_read_only_and_closed_with_the_store(shop: CatalogStore) -> None:
    import sqlite3
    import threading

    here = shop._connection()
    there: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: there.append(shop._connection()))
    worker.start()
    worker.join()
    assert there[0] is not here and shop._connection() is here
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
        here.execute("DELETE FROM catalog_items")
    shop.close()
    with pytest.raises(sqlite3.ProgrammingError):
        here.execute("SELECT 1")
    assert shop.by_sku("F1").sku == "F1"  # a new connection after close


def test_inactive_best_matches_do_not_crowd_out_the_active_ones(store: CatalogStore) -> None:
    retired = [item(f"R{n:02d}", "Zeta", active=False) for n in range(30)]  # short names rank best
    sold = [item("S1", "Zeta chocolate bar with hazelnuts"), item("S2", "Zeta chocolate bar with almonds")]
    store.apply_page(page(*retired, *sold))
    assert {i.sku for i in store.search("zeta", limit=2)} == {"S1", "S2"}
    assert {i.sku for i in store.search("zeta", limit=20)} == {"S1", "S2"}
