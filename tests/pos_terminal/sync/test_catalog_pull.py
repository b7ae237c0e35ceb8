"""Catalog deltas from the real server applied to the till's store and in-memory catalog."""

from __future__ import annotations

from decimal import Decimal

from pos_terminal.services.catalog import load_catalog
from pos_terminal.store import catalog as repo
from pos_terminal.sync.catalog_pull import CatalogPuller, apply_to_catalog
from pos_terminal.sync.events import CatalogUpdated, EventHub


def test_first_pull_then_304_then_a_price_change(till, client, server):
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    puller = CatalogPuller(till.db, client, hub)

    first = puller.pull_once()
    assert first.changed and first.version >= 1
    with till.db.reader() as s:
        assert repo.catalog_version(s) == first.version

    again = puller.pull_once()
    assert not again.changed and again.version == first.version  # 304 Not Modified
    assert server.flaky.seen[-1][3]["if-none-match"]

    server.put_item("SKU00001", name="Bread Classic XL", barcodes=["4001234000015"], unit="ea",
                    price="2.49", tax_code="B", tax_rate="0.07", category="Bakery")
    server.admin.delete("/v1/admin/stores/demo-store/items/SKU00002")
    events.clear()
    third = puller.pull_once()

    assert third.version > first.version
    [update] = [e for e in events if isinstance(e, CatalogUpdated)]
    assert [i.sku for i in update.upserted] == ["SKU00001"] and update.removed == ["SKU00002"]
    stored = {i.sku: i for i in load_catalog(till.db)}
    assert stored["SKU00001"].price == Decimal("2.49") and stored["SKU00001"].tax_rate == Decimal("0.07")
    assert "SKU00002" not in stored
    apply_to_catalog(till.catalog, update)
    assert till.catalog.by_sku("SKU00001").name == "Bread Classic XL"
    assert "SKU00002" not in till.catalog
    assert till.catalog.by_barcode("4001234000015").item.price == Decimal("2.49")


def test_a_new_tax_rate_reprices_items_the_delta_did_not_list(till, client, server):
    puller = CatalogPuller(till.db, client)
    puller.pull_once()
    server.put_item("SKU00001", name="Bread Classic", barcodes=["4001234000015"], unit="ea",
                    price="19.71", tax_code="B", tax_rate="0.05", category="Bakery")
    update = puller.pull_once().update
    bakery_b = [i for i in load_catalog(till.db) if i.tax_code == "B"]
    assert len(bakery_b) > 1 and {i.tax_rate for i in bakery_b} == {Decimal("0.05")}
    assert {i.sku for i in update.upserted} == {i.sku for i in bakery_b}
