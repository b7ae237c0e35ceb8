"""Category and item colours from the catalog (docs/notes/colours.md): the admin endpoint,
the import, and the delta that carries them to the tills, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pos_protocol.wire import CatalogDelta
from sync_server.cli import main
from sync_server.services import catalog

from sync_server.db.models import CATEGORIES

from .test_catalog import count, pull, store_version, write_csv

pytestmark = pytest.mark.anyio

CATEGORIES_URL = "/v1/admin/stores/S1/categories"


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    return await shop.terminal("S1")


def _refused(response, field: str) -> dict:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert field in problem["detail"] and "#RRGGBB" in problem["detail"], problem
    return problem


@pytest.mark.parametrize("colour", ["#FFF", "red", "FFE0B2", "#FFE0B", "#FFE0B2F", "#12345G", " #FFE0B2", 16777215])
async def test_a_bad_colour_is_422_naming_the_field(shop, till, engine, colour) -> None:
    item = {"name": "Rye", "unit": "ea", "price": "2.10", "tax_code": "A", "tax_rate": "0.19", "colour": colour}
    _refused(await shop.admin.put("/v1/admin/stores/S1/items/R1", json=item), "colour")
    _refused(await shop.admin.put(CATEGORIES_URL, json={"name": "Bakery", "colour": colour}), "colour")
    assert store_version(engine) == 0  # nothing written, no version taken


async def test_a_category_colour_is_a_new_version_and_comes_with_the_next_pull(shop, till) -> None:
    version = await shop.add_item("B1", "2.10", category="Bakery")
    response = await shop.admin.put(CATEGORIES_URL, json={"name": "Bakery", "colour": "#ffe0b2", "position": 2})
    assert response.status_code == 200, response.text
    assert response.json() == {"store_id": "S1", "name": "Bakery", "colour": "#FFE0B2", "position": 2,
                               "catalog_version": version + 1}

    delta = (await till.http.get("/v1/catalog", params={"since": version})).json()
    assert delta["items"] == [] and delta["version"] == version + 1
    assert delta["categories"] == [{"name": "Bakery", "colour": "#FFE0B2", "position": 2}]
    # A till that is up to date hears nothing more.
    assert (await till.http.get("/v1/catalog", params={"since": version + 1})).status_code == 304

    (await shop.admin.put(CATEGORIES_URL, json={"name": "Fruit/Veg", "position": 1})).raise_for_status()
    listed = (await shop.admin.get(CATEGORIES_URL)).json()
    assert listed == [{"name": "Fruit/Veg", "colour": None, "position": 1},
                      {"name": "Bakery", "colour": "#FFE0B2", "position": 2}]
    assert (await till.http.get("/v1/catalog", params={"since": version + 1})).json()["categories"] == [
        {"name": "Fruit/Veg", "colour": None, "position": 1}]


async def test_an_item_colour_is_kept_through_a_price_change(shop, till) -> None:
    await shop.add_item("B1", "2.10", category="Bakery", colour="#1565c0")
    delta = (await till.http.get("/v1/catalog")).json()
    assert delta["items"][0]["colour"] == "#1565C0"
    assert (await shop.admin.put("/v1/admin/stores/NOPE/categories", json={"name": "X"})).status_code == 404
    assert (await shop.admin.get("/v1/admin/stores/NOPE/categories")).json()["code"] == "store_unknown"


async def test_a_catalog_without_colours_has_the_delta_it_had(shop, till) -> None:
    """No `colour` on items and no `categories` in the JSON while none is set: an older till
    or client reads the same bytes as before."""
    await shop.add_item("B1", "2.10", category="Bakery")
    delta = (await till.http.get("/v1/catalog")).json()
    assert set(delta) == {"version", "items", "tax_rates", "removed", "next_cursor"}
    assert set(delta["items"][0]) == {"sku", "name", "barcodes", "unit", "price", "tax_code", "category", "active"}


def _items_csv(path: Path, colours: dict[str, str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(catalog.CSV_HEADER_COLOUR)
        for n, category in enumerate(["Bakery", "Bakery", "Drinks"]):
            sku = f"SKU{n}"
            writer.writerow([sku, f"Item {n}", "", "ea", "1.00", "A", "0.19", category, "true", colours.get(sku, "")])
    return path


def _categories_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["category", "colour", "position"])
        writer.writerows(rows)
    return path


async def test_the_import_takes_item_and_category_colours_in_one_version(capsys, db_url, engine, till,
                                                                         tmp_path) -> None:
    items = _items_csv(tmp_path / "items.csv", {"SKU1": "#b71c1c"})
    cats = _categories_csv(tmp_path / "cats.csv", [["Drinks", "#1565C0", "1"], ["Bakery", "#FFE0B2", "2"]])
    args = ["--db", db_url, "catalog", "import", str(items), "--store", "S1", "--categories", str(cats)]
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("; 2 categories given a colour or position")
    assert store_version(engine) == 1

    pulled = await pull(till)
    assert [(i["sku"], i.get("colour")) for i in pulled["items"]] == [("SKU0", None), ("SKU1", "#B71C1C"),
                                                                        ("SKU2", None)]
    assert pulled["pages"][0]["categories"] == [{"name": "Drinks", "colour": "#1565C0", "position": 1},
                                                {"name": "Bakery", "colour": "#FFE0B2", "position": 2}]

    assert main(args) == 0  # the same files again: nothing changed, no new version
    assert capsys.readouterr().out.startswith("no changes") and store_version(engine) == 1

    # One category's new colour: a new version whose delta is that category and no item.
    _categories_csv(cats, [["Drinks", "#0D47A1", "1"], ["Bakery", "#FFE0B2", "2"]])
    assert main(args) == 0
    delta = CatalogDelta.model_validate((await till.http.get("/v1/catalog", params={"since": 1})).json())
    assert (delta.version, delta.items, [(c.name, c.colour) for c in delta.categories]) == (
        2, [], [("Drinks", "#0D47A1")])
    assert count(engine, CATEGORIES) == 2


@pytest.mark.parametrize(("bad_row", "expected"), [
    (["Bakery", "#FFF", "1"], "line 3: colour: colour must be #RRGGBB"),
    (["Bakery", "", "first"], "line 3: position must be a whole number, got 'first'"),
    (["", "#FFE0B2", "1"], "line 3: name:"),
    (["Drinks", "#1565C0", "3"], "line 3: category Drinks is already on line 2"),
])
def test_a_bad_categories_line_is_named_and_nothing_is_imported(capsys, db_url, engine, tmp_path, bad_row,
                                                                expected) -> None:
    assert main(["--db", db_url, "store", "add", "S1", "--name", "Shop"]) == 0
    items = write_csv(tmp_path / "items.csv", [["SKU1", "Rye", "", "ea", "1.00", "A", "0.19", "Bakery", "true"]])
    cats = _categories_csv(tmp_path / "cats.csv", [["Drinks", "#1565C0", "1"], bad_row])
    capsys.readouterr()
    assert main(["--db", db_url, "catalog", "import", str(items), "--store", "S1", "--categories", str(cats)]) == 1
    assert expected in capsys.readouterr().err
    assert store_version(engine) == 0 and count(engine, CATEGORIES) == 0


def test_a_bad_item_colour_in_the_file_is_named(capsys, db_url, engine, tmp_path) -> None:
    assert main(["--db", db_url, "store", "add", "S1", "--name", "Shop"]) == 0
    items = _items_csv(tmp_path / "items.csv", {"SKU2": "blue"})
    capsys.readouterr()
    assert main(["--db", db_url, "catalog", "import", str(items), "--store", "S1"]) == 1
    err = capsys.readouterr().err
    assert "line 4: colour: colour must be #RRGGBB (six hex digits, e.g. #FFE0B2), got 'blue'" in err
    assert store_version(engine) == 0
