"""The product grid in the catalog's colours (issue 9 item 1, docs/notes/colours.md): an
item's own colour over its category's over the palette, categories in the catalog's
order, and text that stays readable (black or white by the tile's luminance)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from pos_protocol import wire
from pos_terminal.config import load_config
from pos_terminal.services import Services, open_services
from pos_terminal.ui.product_panel import category_colour, luminance, text_colour

from .test_touch_sale import tap

BLACK, WHITE = QColor(Qt.GlobalColor.black), QColor(Qt.GlobalColor.white)


def shown(tiles, key: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The background and text colour a tile is painted in, as #rrggbb."""
    item = tiles.tile(key)
    assert item is not None, f"{key} not among {tiles.keys()[:10]}"
    return item.background().color().name(), item.foreground().color().name()


def test_category_tiles_show_the_catalogs_colours_in_its_order(window) -> None:
    categories = window.sale.products.categories
    assert categories.keys()[:4] == ["Produce", "Bakery", "Dairy", "Butcher"]  # by position, not by name
    assert shown(categories, "Bakery") == ("#ffe0b2", "#000000")  # light: black text
    assert shown(categories, "Butcher") == ("#b71c1c", "#ffffff")  # dark: white text
    assert shown(categories, "Beverages") == ("#1565c0", "#ffffff")


def test_an_items_own_colour_wins_over_its_categorys(qtbot, window, services) -> None:
    panel = window.sale.products
    bread = services.catalog.by_sku("SKU00002")
    page = wire.CatalogDelta(
        version=5, removed=[], tax_rates=[],
        items=[wire.CatalogItem(sku=bread.sku, name=bread.name, barcodes=list(bread.barcodes), unit="ea",
                                price=bread.price, tax_code=bread.tax_code, category="Bakery", active=True,
                                colour="#263238")],
        categories=[wire.CatalogCategory(name="Bakery", colour="#FFF59D", position=2)])
    services.catalog.store.apply_page(page)
    panel.reload()  # what the sale screen does when a pull's CatalogUpdated arrives

    tap(qtbot, panel.categories, "Bakery")
    assert shown(panel.categories, "Bakery") == ("#fff59d", "#000000")
    assert shown(panel.products, "SKU00001") == ("#fff59d", "#000000")  # the category's new colour
    assert shown(panel.products, "SKU00002") == ("#263238", "#ffffff")  # its own, dark: white text


@pytest.fixture
def plain_services(tmp_path: Path) -> Iterator[Services]:
    """A till whose catalog sets no colours (seeded without the categories file)."""
    svc = open_services(load_config(data_dir=tmp_path).replace(categories_csv=None))
    yield svc
    svc.close()


def test_a_catalog_without_colours_keeps_the_palette(qtbot, plain_services) -> None:
    from pos_terminal.ui.product_panel import ProductPanel

    panel = ProductPanel(plain_services.catalog, plain_services.config.currency)
    qtbot.addWidget(panel)
    panel.reload()
    assert panel.categories.keys()[:3] == ["Bakery", "Beverages", "Butcher"]  # all at position 0: by name
    for name in panel.categories.keys():
        assert shown(panel.categories, name)[0] == category_colour(name).name()
    assert shown(panel.products, "SKU00001")[0] == category_colour("Bakery").name()


@pytest.mark.parametrize(("colour", "text"), [
    ("#FFFFFF", BLACK), ("#000000", WHITE), ("#FFE0B2", BLACK), ("#1565C0", WHITE), ("#B71C1C", WHITE),
    ("#757575", WHITE), ("#767676", BLACK),  # either side of the contrast ratios' crossing (L ~ 0.179)
    ("#00FF00", BLACK), ("#0000FF", WHITE),
])
def test_text_is_black_or_white_whichever_reads_better(colour, text) -> None:
    assert text_colour(QColor(colour)) == text
    assert 0 <= luminance(QColor(colour)) <= 1


@pytest.mark.parametrize("width", [385, 520, 700, 940])
def test_tiles_share_the_whole_row_at_any_width(qtbot, width) -> None:  # type: ignore[no-untyped-def]
    """Found driving the demo at 1366x768: two 132 px columns and a white strip beside them."""
    from PySide6.QtCore import QSize

    from pos_terminal.ui.product_panel import GAP, TILE, TileList

    tiles = TileList(TILE)
    qtbot.addWidget(tiles)
    tiles.resize(width, 400)
    tiles.show_tiles([(f"k{i}", f"Item {i}", QColor("#ffe0b2")) for i in range(12)])
    tiles.show()
    qtbot.waitExposed(tiles)
    viewport = tiles.viewport().width()
    first_row = [tiles.visualItemRect(tiles.item(i)) for i in range(12)
                 if tiles.visualItemRect(tiles.item(i)).top() == tiles.visualItemRect(tiles.item(0)).top()]
    assert all(r.width() >= TILE.width() and r.height() >= 48 for r in first_row)
    assert viewport - first_row[-1].right() <= GAP + len(first_row), (viewport, first_row[-1])  # nothing left over
    assert tiles.item(0).sizeHint() == QSize(first_row[0].width(), TILE.height())
