"""Catalog deltas from the real server applied to the till's store: what the till sells
from is what the pull committed (there is no second copy to update)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_terminal.core.catalog import UnknownItem
from pos_terminal.store import catalog as repo
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_terminal.sync.events import CatalogUpdated, EventHub


def test_first_pull_then_304_then_a_price_change(till, client, server):
    events: list = []
    hub = EventHub()
    hub.subscribe(events.append)
    puller = CatalogPuller(till.db, client, hub)
    bread = till.catalog.by_barcode("4001234000015").item  # seeded from the CSV, now cached

    first = puller.pull_once()
    assert first.changed and first.version >= 1 and first.pages >= 1
    with till.db.reader() as s:
        assert repo.catalog_version(s) == first.version
    assert events[-1].complete and events[-1].version == first.version

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
    assert update.complete and update.version == third.version
    # The till sells the new price at once: its cache of scanned items was emptied.
    assert bread.price != Decimal("2.49")
    scanned = till.till.catalog.by_barcode("4001234000015").item
    assert scanned.price == Decimal("2.49") and scanned.name == "Bread Classic XL"
    assert till.catalog.by_sku("SKU00001").tax_rate == Decimal("0.07")
    assert "SKU00002" not in till.catalog
    with pytest.raises(UnknownItem):
        till.catalog.by_sku("SKU00002")
    assert [i.sku for i in till.catalog.search("bread classic xl")] == ["SKU00001"]


def test_a_new_tax_rate_reprices_items_the_delta_did_not_list(till, client, server):
    puller = CatalogPuller(till.db, client)
    puller.pull_once()
    events: list = []
    puller.events.subscribe(events.append)
    server.put_item("SKU00001", name="Bread Classic", barcodes=["4001234000015"], unit="ea",
                    price="19.71", tax_code="B", tax_rate="0.05", category="Bakery")
    result = puller.pull_once()
    bakery_b = [i for i in till.catalog if i.tax_code == "B"]
    assert len(bakery_b) > 1 and {i.tax_rate for i in bakery_b} == {Decimal("0.05")}
    assert result.upserted == 1 and events[0].rerated == {"B": Decimal("0.05")}
    other = next(i for i in bakery_b if i.sku != "SKU00001")
    assert till.till.catalog.by_sku(other.sku).tax_rate == Decimal("0.05")


def test_pages_of_a_few_items_from_the_real_server_bring_every_item(till, client, server):
    """Written against the paging contract: today's server answers on one page (it
    ignores `limit`), a paging server in as many pages as it takes; either way every item
    arrives once and the version is recorded with the last page only."""
    seen_versions: list[int | None] = []
    puller = CatalogPuller(till.db, client, page_size=7)
    puller.events.subscribe(lambda e: seen_versions.append(e.version))
    result = puller.pull_once()
    assert result.changed and result.pages == len(seen_versions) >= 1
    assert seen_versions[:-1] == [None] * (len(seen_versions) - 1) and seen_versions[-1] == result.version
    assert result.upserted == len(till.catalog)  # the server's demo shop has the till's seed items
    with till.db.reader() as s:
        assert repo.catalog_version(s) == result.version
    assert till.catalog.store.pull_state().cursor is None
