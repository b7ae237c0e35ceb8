"""`Services.catalog`: what the cashier app's search, grid and weigh list call, and a start
that does not read the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_terminal.config import load_config
from pos_terminal.core.barcodes import make_ean13
from pos_terminal.core.catalog import Category, Unit
from pos_terminal.services import Services, open_services
from pos_terminal.services.catalog import read_catalog_csv
from pos_terminal.store import catalog as store_catalog
from tools.big_catalog import make_items, write_csv

BREAD = "4001234000015"  # SKU00001 Bread Classic


def test_search_grid_and_weighed_items_of_the_demo_shop(services: Services) -> None:
    catalog = services.catalog
    hits = catalog.search("bread", limit=5)
    assert len(hits) == 5 and all("bread" in i.name.lower() for i in hits)
    assert [i.sku for i in catalog.search("bread classic")][:1] == ["SKU00001"]
    assert catalog.search(BREAD)[0].sku == "SKU00001"
    categories = catalog.categories()
    assert all(isinstance(c, Category) and c.items > 0 for c in categories)
    assert sum(c.items for c in categories) == sum(1 for i in catalog if i.active)
    bakery = next(c for c in categories if c.name == "Bakery")
    paged = [i for offset in range(0, bakery.items, 7) for i in catalog.items_in("Bakery", offset, 7)]
    assert len(paged) == bakery.items == len({i.sku for i in paged})
    assert [i.name for i in paged] == sorted(i.name for i in paged)
    weighed = catalog.weighed_items()
    assert weighed and all(i.unit is Unit.KG and i.active for i in weighed)
    assert len(catalog) == len(read_catalog_csv(services.config.catalog_csv))  # type: ignore[arg-type]


def test_the_till_rings_up_from_the_database(services: Services) -> None:
    line = services.till.scan(BREAD)
    assert line.item.sku == "SKU00001" and services.till.catalog is services.catalog


@pytest.fixture(scope="module")
def big_till(tmp_path_factory) -> Path:
    """A till data dir holding 20,000 items (seeded once from their CSV)."""
    base = tmp_path_factory.mktemp("big")
    csv_path = write_csv(base / "big.csv", make_items(20_000))
    config = load_config(data_dir=base / "till").replace(catalog_csv=csv_path)
    open_services(config).close()
    return base


def test_a_start_reads_no_item_and_the_first_scan_one(big_till: Path, monkeypatch) -> None:
    built: list[object] = []
    real_item = store_catalog._item
    monkeypatch.setattr(store_catalog, "_item", lambda row: built.append(row) or real_item(row))
    config = load_config(data_dir=big_till / "till").replace(catalog_csv=big_till / "big.csv")
    services = open_services(config)
    try:
        assert built == []  # nothing of the catalog was read (nor the CSV seeded again)
        services.till.sign_in("c1", "1111")
        services.till.scan(make_ean13("400000000002"))  # SKU000002
        services.till.add_sku("SKU019999")
        assert len(built) == 2 and len(services.catalog) == 20_000
    finally:
        services.close()
