"""Catalog at scale: bulk CSV import (one version, only real changes) and the paged delta
(README "Catalog paging", "Catalog import"), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from sync_server.cli import main
from sync_server.core.errors import DomainError
from sync_server.db.models import ITEM_PRICES, ITEMS, Store, TaxRateRow
from sync_server.db.session import write_transaction
from sync_server.services import catalog

from .factories import make_order

pytestmark = pytest.mark.anyio

HEADER = catalog.CSV_HEADER
RATES = {"A": "0.19", "B": "0.07"}


def rows(count: int, *, start: int = 0, cents: int = 0) -> list[list[str]]:
    """`count` deterministic CSV rows: every 7th with two barcodes, every 20th weighed."""
    out = []
    for n in range(start, start + count):
        code = "A" if n % 3 else "B"
        barcodes = f"28{n:05d}" if n % 20 == 0 else "|".join([f"41{n:011d}"] + ([f"42{n:011d}"] if n % 7 == 0 else []))
        out.append([f"SKU{n:06d}", f"Item {n}", barcodes, "kg" if n % 20 == 0 else "ea",
                    f"{Decimal(100 + n % 900 + cents) / 100:.2f}", code, RATES[code], f"Cat {n % 12}",
                    "false" if n % 97 == 5 else "true"])
    return out


def write_csv(path: Path, body: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(body)
    return path


def import_csv(engine, path: Path, store_id: str = "S1", now: datetime | None = None) -> catalog.ImportResult:
    items = catalog.read_csv(path, currency_scale=2)
    with write_transaction(engine) as conn:
        return catalog.import_items(conn, store_id, items, now=now)


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def store_version(engine, store_id: str = "S1") -> int:
    with engine.connect() as conn:
        return conn.execute(select(Store.catalog_version).where(Store.store_id == store_id)).scalar_one()


async def pull(till, since: int = 0, limit: int | None = 1000) -> dict:
    """A whole paged pull: every page's entries in order, the pages' versions and tax rates."""
    params = {"since": since} if limit is None else {"since": since, "limit": limit}
    first = await till.http.get("/v1/catalog", params=params)
    assert first.status_code == 200, first.text
    pages = [first.json()]
    while pages[-1]["next_cursor"]:
        page = await till.http.get("/v1/catalog", params={**params, "cursor": pages[-1]["next_cursor"]})
        assert page.status_code == 200, page.text
        assert "ETag" not in page.headers
        pages.append(page.json())
    return {
        "pages": pages,
        "versions": {p["version"] for p in pages},
        "items": [i for p in pages for i in p["items"]],
        "removed": [s for p in pages for s in p["removed"]],
        "entries": [e for p in pages for e in sorted([i["sku"] for i in p["items"]] + p["removed"])],
        "tax_rates": [p["tax_rates"] for p in pages],
        "etag": first.headers["ETag"],
    }


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    return await shop.terminal("S1")


# -- bulk import --------------------------------------------------------------------------


async def test_a_large_import_is_one_version_with_every_item_barcode_and_price(shop, till, engine, tmp_path) -> None:
    source = rows(20_000)
    path = write_csv(tmp_path / "big.csv", source)
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    result = import_csv(engine, path, now=now)
    assert (result.version, result.added, result.updated, result.unchanged) == (1, 20_000, 0, 0)
    assert result.price_rows == 20_000 and result.tax_codes == 2
    assert store_version(engine) == 1
    assert count(engine, ITEMS, ITEMS.c.version != 1) == 0
    with engine.connect() as conn:
        prices = conn.execute(select(ITEM_PRICES.c.sku, ITEM_PRICES.c.price, ITEM_PRICES.c.tax_rate,
                                     ITEM_PRICES.c.active, ITEM_PRICES.c.catalog_version,
                                     ITEM_PRICES.c.effective_from)).all()
    assert len(prices) == 20_000
    assert {(p.catalog_version, p.effective_from) for p in prices} == {(1, now)}
    assert {p.sku: (f"{p.price:.2f}", str(p.tax_rate), p.active) for p in prices} == {
        r[0]: (r[4], r[6], r[8] == "true") for r in source}

    pulled = await pull(till, limit=5000)
    assert len(pulled["pages"]) == 4 and pulled["versions"] == {1}
    assert pulled["tax_rates"][0] == [{"tax_code": "A", "rate": "0.19"}, {"tax_code": "B", "rate": "0.07"}]
    assert pulled["items"] == [
        {"sku": r[0], "name": r[1], "barcodes": r[2].split("|"), "unit": r[3], "price": r[4], "tax_code": r[5],
         "category": r[7], "active": r[8] == "true"}
        for r in source  # written in SKU order
    ]


async def test_an_unchanged_reimport_writes_nothing_and_keeps_the_version(shop, till, engine, tmp_path) -> None:
    path = write_csv(tmp_path / "c.csv", rows(300))
    assert import_csv(engine, path).version == 1
    etag = (await till.http.get("/v1/catalog")).headers["ETag"]
    again = import_csv(engine, path)
    assert not again.changed and (again.version, again.unchanged) == (1, 300)
    assert store_version(engine) == 1 and count(engine, ITEM_PRICES) == 300
    assert (await till.http.get("/v1/catalog", headers={"If-None-Match": etag})).status_code == 304


async def test_a_reimport_writes_only_what_changed(shop, till, engine, tmp_path) -> None:
    source = rows(300)
    import_csv(engine, write_csv(tmp_path / "v1.csv", source))
    changed = [list(r) for r in source]
    changed[10][4] = "99.99"            # price: new version, price row
    changed[11][1] = "Renamed"          # name only: new version, no price row
    changed[12][2] = "4000000000000"    # barcodes only
    changed[14][8] = "false"            # active: both
    extra = rows(2, start=1000)         # new items
    result = import_csv(engine, write_csv(tmp_path / "v2.csv", changed + extra))
    assert (result.version, result.added, result.updated, result.unchanged) == (2, 2, 4, 296)
    assert result.rerated == 0
    assert result.price_rows == 4 and result.tax_codes == 0
    assert count(engine, ITEM_PRICES) == 300 + 4
    assert count(engine, ITEM_PRICES, ITEM_PRICES.c.catalog_version == 2) == 4
    delta = await pull(till, since=1)
    assert delta["versions"] == {2}
    assert [i["sku"] for i in delta["items"]] == ["SKU000010", "SKU000011", "SKU000012", "SKU000014",
                                                   "SKU001000", "SKU001001"]
    assert delta["tax_rates"][0] == []


async def test_a_removed_item_in_the_file_comes_back(shop, till, engine, tmp_path) -> None:
    path = write_csv(tmp_path / "c.csv", rows(5))
    import_csv(engine, path)
    assert (await shop.admin.delete("/v1/admin/stores/S1/items/SKU000002")).status_code == 200
    result = import_csv(engine, path)
    # A catalog row again, with the new version; the price in force never changed (removal
    # writes no price row), so no price row is added.
    assert (result.version, result.updated, result.price_rows) == (3, 1, 0)
    delta = await pull(till, since=2)
    assert [i["sku"] for i in delta["items"]] == ["SKU000002"] and delta["removed"] == []


async def test_a_new_rate_in_the_file_rerates_every_item_of_the_code(shop, till, engine, tmp_path) -> None:
    """README "Price lock (server)": a code's new rate applies to every item of that code,
    also to those the file does not list, from the import on; their catalog rows stay."""
    await shop.add_user("boss", "manager")
    import_csv(engine, write_csv(tmp_path / "v1.csv", rows(30)))
    partial = [r[:6] + ["0.21"] + r[7:] for r in rows(30) if r[5] == "A"][:5]  # 5 of the 20 A items
    before = datetime.now(UTC)
    result = import_csv(engine, write_csv(tmp_path / "v2.csv", partial))
    assert (result.version, result.added, result.updated, result.unchanged, result.tax_codes) == (2, 0, 0, 5, 1)
    assert (result.price_rows, result.rerated) == (20, 15)  # 5 in the file, 15 re-rated
    with engine.connect() as conn:
        assert conn.execute(select(TaxRateRow.rate).where(TaxRateRow.tax_code == "A")).scalar_one() == Decimal("0.21")
        rerated = conn.execute(select(ITEM_PRICES.c.sku, ITEM_PRICES.c.tax_rate)
                               .where(ITEM_PRICES.c.catalog_version == 2)).all()
    assert {r.tax_rate for r in rerated} == {Decimal("0.21")} and len({r.sku for r in rerated}) == 20
    delta = await pull(till, since=1)
    assert delta["items"] == [] and delta["tax_rates"][0] == [{"tax_code": "A", "rate": "0.21"}]

    in_file = {r[0] for r in partial}
    not_in_file = next(r for r in rows(30) if r[5] == "A" and r[0] not in in_file and r[3] == "ea" and r[8] == "true")
    sale = make_order(terminal_id=till.terminal_id, lines=[(not_in_file[0], "1", not_in_file[4], "0.21")],
                      created_at=before + timedelta(seconds=1))
    accepted = await till.post_order(sale)
    assert accepted.status_code == 201, accepted.text
    old_rate = make_order(terminal_id=till.terminal_id, lines=[(not_in_file[0], "1", not_in_file[4], "0.19")])
    held = await till.post_order(old_rate)
    assert held.status_code == 202 and held.json()["conflicts"][0]["code"] == "TAX_CHANGED"


async def test_an_item_priced_from_a_moment_ahead_compares_with_that_price(shop, till, engine, tmp_path) -> None:
    """Within the allowed clock skew a price may start a few seconds ahead; until then it is
    still the item's only price, the one an import compares with."""
    soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    row = rows(2)[1]
    sku, name, barcodes, unit, price, code, rate, category, _ = row
    await shop.add_item(sku, price, name=name, barcodes=[barcodes], unit=unit, tax_code=code, tax_rate=rate,
                        category=category, effective_from=soon)
    result = import_csv(engine, write_csv(tmp_path / "c.csv", [row]))
    assert not result.changed and result.version == 1


def test_the_command_line_import_reports_what_changed(capsys, db_url, engine, tmp_path) -> None:
    assert main(["--db", db_url, "store", "add", "S1", "--name", "Shop"]) == 0
    path = write_csv(tmp_path / "c.csv", rows(40))
    capsys.readouterr()
    assert main(["--db", db_url, "catalog", "import", str(path), "--store", "S1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "imported 40 items into S1 as catalog version 1",
        "40 added, 0 changed, 0 unchanged; 40 price rows; 2 tax codes added or re-rated"]
    assert main(["--db", db_url, "catalog", "import", str(path), "--store", "S1"]) == 0
    assert capsys.readouterr().out.strip() == "no changes: 40 items as they are; S1 stays at catalog version 1"


@pytest.mark.parametrize(("bad_line", "expected"), [
    (["SKU000001", "Again", "", "ea", "1.00", "A", "0.19", "", "true"], "line 4: sku SKU000001 is already on line 3"),
    (["SKU 9", "Space", "", "ea", "1.00", "A", "0.19", "", "true"], "line 4: sku 'SKU 9' must be"),
    (["S" * 65, "Long", "", "ea", "1.00", "A", "0.19", "", "true"], "line 4: sku"),
    (["SKU9", "Rate", "", "ea", "1.00", "A", "0.20", "", "true"], "line 4: tax code A has rate 0.20 here but 0.19 on line 3"),
    (["SKU9", "Cents", "", "ea", "1.005", "A", "0.19", "", "true"], "line 4: price 1.005 has more than 2 decimals"),
    (["SKU9", "Short", "", "ea", "1.00"], "line 4: expected 9 fields, got 5"),
    (["SKU9", "Long", "", "ea", "1.00", "A", "0.19", "", "true", "x"], "line 4: expected 9 fields, got 10"),
])
def test_a_bad_line_is_named_and_nothing_is_imported(capsys, db_url, engine, tmp_path, bad_line, expected) -> None:
    assert main(["--db", db_url, "store", "add", "S1", "--name", "Shop"]) == 0
    path = write_csv(tmp_path / "bad.csv", rows(2) + [bad_line])
    capsys.readouterr()
    assert main(["--db", db_url, "catalog", "import", str(path), "--store", "S1"]) == 1
    assert expected in capsys.readouterr().err
    assert count(engine, ITEMS) == 0 and store_version(engine) == 0


async def test_import_items_checks_what_read_csv_checks(till, engine, tmp_path) -> None:
    """For callers with items of their own (not from a CSV): by SKU, all or nothing."""
    items = catalog.read_csv(write_csv(tmp_path / "c.csv", rows(2)))
    with pytest.raises(DomainError) as refused, write_transaction(engine) as conn:
        catalog.import_items(conn, "S1", items + items[:1])
    assert refused.value.code == "validation_failed" and "SKU000000: more than once" in refused.value.detail
    assert count(engine, ITEMS) == 0


# -- paged delta --------------------------------------------------------------------------


async def _small_catalog(shop, engine, tmp_path, count: int = 50) -> None:
    """`count` items at version 1, then every 5th removed (versions 2 ..)."""
    import_csv(engine, write_csv(tmp_path / "small.csv", rows(count)))
    for n in range(0, count, 5):
        assert (await shop.admin.delete(f"/v1/admin/stores/S1/items/SKU{n:06d}")).status_code == 200


@pytest.mark.parametrize("limit", [1, 3, 7, 10, 49, 50, 51, 5000])
async def test_pages_cover_every_entry_once_in_sku_order(shop, till, engine, tmp_path, limit) -> None:
    await _small_catalog(shop, engine, tmp_path)
    pulled = await pull(till, limit=limit)
    expected = [f"SKU{n:06d}" for n in range(50)]
    assert pulled["entries"] == expected  # items and removed in one SKU-ordered scan
    assert pulled["removed"] == [f"SKU{n:06d}" for n in range(0, 50, 5)]
    assert len(pulled["pages"]) == -(-50 // limit)
    assert all(len(p["items"]) + len(p["removed"]) <= limit for p in pulled["pages"])
    assert pulled["versions"] == {11}
    assert pulled["tax_rates"][0] != [] and all(rates == [] for rates in pulled["tax_rates"][1:])
    assert pulled["pages"][-1]["next_cursor"] is None


async def test_since_pages_only_what_changed_after_it(shop, till, engine, tmp_path) -> None:
    await _small_catalog(shop, engine, tmp_path)
    pulled = await pull(till, since=4, limit=2)  # removals 4..10 made versions 5..11
    assert pulled["entries"] == [f"SKU{n:06d}" for n in range(15, 50, 5)]
    assert pulled["items"] == [] and pulled["versions"] == {11} and pulled["tax_rates"][0] == []
    assert (await till.http.get("/v1/catalog", params={"since": 11, "limit": 2})).status_code == 304


async def test_without_limit_the_first_page_is_the_whole_delta(shop, till, engine, tmp_path) -> None:
    """A till from before paging sends no limit and no cursor: it gets everything at once."""
    import_csv(engine, write_csv(tmp_path / "c.csv", rows(1500)))
    body = (await till.http.get("/v1/catalog")).json()
    assert len(body["items"]) == 1500 and body["next_cursor"] is None


async def test_a_change_during_a_pull_comes_with_the_next_pull(shop, till, engine, tmp_path) -> None:
    await _small_catalog(shop, engine, tmp_path)
    first = (await till.http.get("/v1/catalog", params={"limit": 10})).json()
    target = first["version"]
    # Meanwhile: a price on a page not yet sent, one on the page already sent, a new item
    # between pages, a removal ahead.
    await shop.add_item("SKU000031", "77.00")
    await shop.add_item("SKU000001", "66.00")
    await shop.add_item("SKU000025A", "5.00")
    assert (await shop.admin.delete("/v1/admin/stores/S1/items/SKU000041")).status_code == 200
    pages, cursor = [first], first["next_cursor"]
    while cursor:
        page = (await till.http.get("/v1/catalog", params={"limit": 10, "cursor": cursor})).json()
        pages.append(page)
        cursor = page["next_cursor"]
    assert {p["version"] for p in pages} == {target}
    skus = [i["sku"] for p in pages for i in p["items"]]
    # Written after the target: not in this pull (their rows now carry later versions), so
    # no page shows a state newer than the pull's version.
    assert {"SKU000031", "SKU000025A", "SKU000041"}.isdisjoint(skus + [s for p in pages for s in p["removed"]])
    assert len(skus) == 40 - 2  # the 40 items left after _small_catalog's removals, less 31 and 41
    assert next(i for i in pages[0]["items"] if i["sku"] == "SKU000001")["price"] != "66.00"

    later = await pull(till, since=target)
    assert later["versions"] == {target + 4}
    assert {i["sku"]: i["price"] for i in later["items"]} == {"SKU000001": "66.00", "SKU000025A": "5.00",
                                                            "SKU000031": "77.00"}
    assert later["removed"] == ["SKU000041"]


async def test_a_tax_rate_changed_during_a_pull_is_not_missed(shop, till, engine, tmp_path) -> None:
    import_csv(engine, write_csv(tmp_path / "c.csv", rows(20)))
    first = (await till.http.get("/v1/catalog", params={"limit": 5})).json()
    await shop.add_item("NEW", "1.00", tax_code="C", tax_rate="0.05")
    rest = await till.http.get("/v1/catalog", params={"limit": 5, "cursor": first["next_cursor"]})
    assert rest.json()["tax_rates"] == []
    later = await pull(till, since=first["version"])
    assert [i["sku"] for i in later["items"]] == ["NEW"]
    assert later["tax_rates"][0] == [{"tax_code": "C", "rate": "0.05"}]


async def test_304_and_etag_belong_to_the_first_page(shop, till, engine, tmp_path) -> None:
    import_csv(engine, write_csv(tmp_path / "c.csv", rows(20)))
    first = await till.http.get("/v1/catalog", params={"limit": 5})
    etag = first.headers["ETag"]
    assert etag == '"S1-1"'
    assert (await till.http.get("/v1/catalog", params={"limit": 5}, headers={"If-None-Match": etag})).status_code == 304
    assert (await till.http.get("/v1/catalog", params={"since": 1, "limit": 5})).status_code == 304
    # A later page answers its entries, whatever If-None-Match says, and carries no ETag.
    second = await till.http.get("/v1/catalog", params={"limit": 5, "cursor": first.json()["next_cursor"]},
                                 headers={"If-None-Match": etag})
    assert second.status_code == 200 and "ETag" not in second.headers
    assert [i["sku"] for i in second.json()["items"]] == [f"SKU{n:06d}" for n in range(5, 10)]


async def test_a_bad_cursor_is_422(shop, till, engine, tmp_path) -> None:
    import_csv(engine, write_csv(tmp_path / "c.csv", rows(20)))
    await shop.add_store("S2")
    other = await shop.terminal("S2")
    await shop.add_item("X1", "1.00", store_id="S2")
    await shop.add_item("X2", "1.00", store_id="S2")
    theirs = (await other.http.get("/v1/catalog", params={"limit": 1})).json()["next_cursor"]
    ours = (await till.http.get("/v1/catalog", params={"limit": 5})).json()["next_cursor"]
    tampered = ours[:-3] + ("AAA" if ours[-3:] != "AAA" else "BBB")
    forged_ahead = catalog.encode_cursor(catalog.PageCursor("S1", 0, 99, "SKU000004"))
    for cursor, since in [("garbage", 0), ("", 0), (tampered, 0), (theirs, 0), (ours, 1), (forged_ahead, 0),
                          ("é" * 10, 0), ("x" * 1025, 0)]:
        response = await till.http.get("/v1/catalog", params={"since": since, "limit": 5, "cursor": cursor})
        assert response.status_code == 422, (cursor, response.text)
        assert response.json()["code"] == "validation_failed"
    for limit in (0, 5001, -1):
        response = await till.http.get("/v1/catalog", params={"limit": limit})
        assert response.status_code == 422 and response.json()["code"] == "validation_failed"


def test_cursors_are_opaque_and_url_safe() -> None:
    cursor = catalog.PageCursor("S-1.a:b", 3, 17, "SKU:ä/ü 1")
    text = catalog.encode_cursor(cursor)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert catalog.decode_cursor(text) == cursor
    for bad in ("", "=", text[:-1], text + "A", catalog.encode_cursor(catalog.PageCursor("S", 5, 5, "x"))):
        with pytest.raises(ValueError):
            catalog.decode_cursor(bad)


async def test_the_openapi_document_shows_since_cursor_and_limit(shop) -> None:
    doc = (await shop.admin.get("/openapi.json")).json()
    params = {p["name"]: p for p in doc["paths"]["/v1/catalog"]["get"]["parameters"] if p["in"] == "query"}
    assert set(params) == {"since", "cursor", "limit"}
    assert params["limit"]["schema"]["anyOf"][0] | {} == {"type": "integer", "minimum": 1, "maximum": 5000}
    assert params["cursor"]["schema"]["anyOf"][0]["maxLength"] == 1024
    assert "next_cursor" in doc["components"]["schemas"]["CatalogDelta"]["properties"]


async def test_pages_are_served_by_an_index(shop, till, engine, tmp_path) -> None:
    """Both ways to a page (README "Catalog paging"): a large range walks the primary key, a
    small one is found through ix_items_store_version; neither scans or sorts the table."""
    import_csv(engine, write_csv(tmp_path / "c.csv", rows(catalog.SPARSE_RANGE + 500)))
    await shop.add_item("SKU000007", "9.99")
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM items" in statement and "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        first = (await till.http.get("/v1/catalog", params={"limit": 1000})).json()
        await till.http.get("/v1/catalog", params={"limit": 1000, "cursor": first["next_cursor"]})
        await till.http.get("/v1/catalog", params={"since": 1, "limit": 1000})
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 3
    with engine.connect() as conn:
        plans = []
        for statement, parameters in statements:
            if engine.dialect.name == "sqlite":
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                plans.append(" / ".join(row[3] for row in plan))
            else:
                plan = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
                plans.append(" / ".join(row[0].strip() for row in plan))
    dense, dense_next, sparse = plans
    if engine.dialect.name == "sqlite":
        for plan in (dense, dense_next):
            assert plan.startswith("SEARCH items USING INDEX sqlite_autoindex_items_1") and "TEMP B-TREE" not in plan, plan
        assert "USING INDEX ix_items_store_version" in sparse, sparse
    else:
        for plan in (dense, dense_next):
            assert "Index Scan using pk_items" in plan and "Sort" not in plan, plan
        assert "ix_items_store_version" in sparse and "Seq Scan" not in sparse, sparse
