"""Category and item colours reach the till: seeded from the demo files, pulled from the
real server (docs/notes/colours.md), and a delta of the old shape (an older server: no
`colour`, no `categories`) still pulls."""

from __future__ import annotations

import json

import httpx

from pos_terminal.store.catalog import CatalogStore
from pos_terminal.sync.catalog_pull import CatalogPuller
from pos_terminal.sync.client import SyncClient

from .harness import STORE

CATEGORIES = f"/v1/admin/stores/{STORE}/categories"


def _styles(till) -> list[tuple[str, str | None, int]]:
    return [(c.name, c.colour, c.position) for c in till.catalog.categories()]


def test_the_seed_brings_the_demo_categories_colours_in_their_order(till):
    styles = _styles(till)
    assert styles[:3] == [("Produce", "#A5D6A7", 1), ("Bakery", "#FFE0B2", 2), ("Dairy", "#E3F2FD", 3)]
    assert len(styles) == 10 and all(colour for _, colour, _ in styles)


def test_a_pull_stores_category_and_item_colours(till, client, server):
    puller = CatalogPuller(till.db, client)
    puller.pull_once()
    reply = server.admin.put(CATEGORIES, json={"name": "Snacks", "colour": "#263238", "position": 0})
    assert reply.status_code == 200, reply.text
    server.put_item("SKU00001", name="Bread Classic", barcodes=["4001234000015"], unit="ea", price="19.71",
                    tax_code="B", tax_rate="0.07", category="Bakery", colour="#ff8f00")

    result = puller.pull_once()

    assert result.changed and result.upserted == 1
    assert _styles(till)[0] == ("Snacks", "#263238", 0)  # position 0 comes before the demo's 1..10
    assert till.catalog.by_sku("SKU00001").colour == "#FF8F00"
    assert till.till.catalog.by_barcode("4001234000015").item.colour == "#FF8F00"  # the sale path's copy too
    assert till.catalog.by_sku("SKU00002").colour is None


def test_an_old_shape_delta_still_pulls(till):
    """A server from before colours: items without `colour`, no `categories`. The items
    apply, and the category colours the till has stay."""
    before = _styles(till)
    old_item = {"sku": "SKU00001", "name": "Bread Classic Old", "barcodes": ["4001234000015"], "unit": "ea",
                "price": "1.99", "tax_code": "B", "category": "Bakery", "active": True}
    body = json.dumps({"version": 7, "items": [old_item], "tax_rates": [], "removed": [], "next_cursor": None})
    seen: list[str] = []

    def old_server(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json", "ETag": '"s-7"'})

    client = SyncClient("http://old-server", transport=httpx.MockTransport(old_server))
    try:
        result = CatalogPuller(CatalogStore.of(till.db), client).pull_once()
    finally:
        client.close()

    assert seen == ["/v1/catalog"] and result.version == 7 and result.upserted == 1
    item = till.catalog.by_sku("SKU00001")
    assert (item.name, str(item.price), item.colour) == ("Bread Classic Old", "1.99", None)
    assert _styles(till) == before
