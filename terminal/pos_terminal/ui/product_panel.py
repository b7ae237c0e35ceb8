"""Selling without a barcode: quick keys, a product grid by category, and search results.

One tile list shows either a category's items or what the cashier's typing finds (the
till's FTS5 index over name, SKU and barcode, `services.catalog.search`); tapping a tile
sells one piece (`chosen`). Tiles are at least 48 px tall and wrap to the panel's width,
so the same panel fills a 1024x768 till and a 1920x1080 one. Each category has a colour
of its own and its items share it, so a cashier finds the bakery by colour before reading:
the catalog's colour for the item, else the catalog's for its category, else one from a
fixed palette by name (a catalog that sets none). Categories come in the catalog's order
(position, then name). Text is black or white, whichever reads better on the tile.

Colours cost nothing per item: an item's own colour comes with its row, and the
categories' colours are read once per `reload` (the store caches them until a pull).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from pos_terminal.core.catalog import Item, Unit
from pos_terminal.services import CatalogService
from pos_terminal.services.formatting import money
from pos_protocol.money import Currency

TILE = QSize(132, 64)  # the smallest a tile gets (>= 48 px: a fingertip); rows widen them
GAP = 6  # between tiles
CATEGORY_TILE = QSize(132, 48)
_PALETTE = ("#ffe0b2", "#c8e6c9", "#bbdefb", "#f8bbd0", "#d1c4e9", "#fff9c4", "#b2dfdb", "#ffccbc",
            "#cfd8dc", "#dcedc8", "#b3e5fc", "#f0f4c3")
MIN_SEARCH = 2  # characters before search-as-you-type starts
PAGE = 120  # items of a category shown at once


def category_colour(category: str) -> QColor:
    """The palette's colour for a category the catalog gives none: the same on every till
    and every start (crc32, not hash())."""
    return QColor(_PALETTE[zlib.crc32(category.encode("utf-8")) % len(_PALETTE)])


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG 2): 0 for black, 1 for white."""
    r, g, b = (_linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(background: QColor) -> QColor:
    """Black or white, whichever contrasts more with `background` (WCAG's contrast ratio:
    black wins above a luminance of about 0.179)."""
    lum = luminance(background)
    return QColor(Qt.GlobalColor.black) if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else QColor(Qt.GlobalColor.white)


class TileList(QListWidget):
    """Big tiles in rows that wrap with the width; a tap (click) picks one."""

    picked = Signal(str)  # the tile's key (a SKU or a category name)

    def __init__(self, tile: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setGridSize(tile + QSize(GAP, GAP))
        self.setSpacing(0)
        # Always there: a scroll bar coming and going would change the width the columns
        # are fitted to (`_fit`), and with it the rows, and with them the scroll bar.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setWordWrap(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the entry field keeps the keyboard
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self._smallest = self._tile = tile
        self.itemClicked.connect(lambda item: self.picked.emit(item.data(Qt.ItemDataRole.UserRole)))

    def show_tiles(self, tiles: Sequence[tuple[str, str, QColor]]) -> None:
        """(key, text, colour) per tile, replacing what was shown."""
        self.setUpdatesEnabled(False)
        self.clear()
        for key, text, colour in tiles:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(self._tile)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setBackground(QBrush(colour))
            item.setForeground(QBrush(text_colour(colour)))
            item.setToolTip(text.replace("\n", " · "))
            self.addItem(item)
        self.setUpdatesEnabled(True)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As many columns of the smallest tile as fit, widened to share the whole row: no
        empty strip at the right of the grid, on any screen from 1024 to 1920 px."""
        width = self.viewport().width() - 2  # a row exactly as wide as the viewport wraps early
        columns = max(1, width // (self._smallest.width() + GAP))
        tile = QSize(max(self._smallest.width(), width // columns - GAP), self._smallest.height())
        if tile == self._tile:
            return
        self._tile = tile
        self.setGridSize(tile + QSize(GAP, GAP))
        for i in range(self.count()):
            self.item(i).setSizeHint(tile)

    def keys(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

    def tile(self, key: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == key:
                return self.item(i)
        return None


class ProductPanel(QWidget):
    """Quick keys on top, then the category strip, then the tiles of a category or of a
    search. `chosen(sku)` when a product tile or quick key is tapped."""

    chosen = Signal(str)

    def __init__(self, catalog: CatalogService, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog, self.currency = catalog, currency
        self.category: str | None = None
        self.query = ""
        self._colours: dict[str, QColor] = {}  # category -> the catalog's colour for it
        self.quick = TileList(TILE, self)
        self.quick.setObjectName("quick_keys")
        self.quick.setMaximumHeight(2 * (TILE.height() + 6) + 8)
        self.categories = TileList(CATEGORY_TILE, self)
        self.categories.setObjectName("categories")
        self.categories.setMaximumHeight(2 * (CATEGORY_TILE.height() + 6) + 8)
        self.products = TileList(TILE, self)
        self.products.setObjectName("products")
        self.heading = QLabel(self)
        self.heading.setObjectName("products_heading")
        self.open_price = QPushButton(self.tr("Open price"), self)
        self.open_price.setObjectName("open_price")
        self.open_price.setCheckable(True)
        self.open_price.setMinimumHeight(48)
        self.open_price.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_price.setToolTip(self.tr("Turn on, then tap the item: you key in its price (a manager approves)."))

        heading = QHBoxLayout()
        heading.addWidget(self.heading, 1)
        heading.addWidget(self.open_price)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.quick)
        layout.addWidget(self.categories)
        layout.addLayout(heading)
        layout.addWidget(self.products, 1)

        self.quick.picked.connect(self.chosen)
        self.products.picked.connect(self.chosen)
        self.categories.picked.connect(self.show_category)

    # -- what is shown --------------------------------------------------------------------

    def reload(self) -> None:
        """Categories afresh (a catalog pull may have added one) and the current view."""
        cats = self.catalog.categories()
        self._colours = {c.name: QColor(c.colour) for c in cats if c.colour}
        self.categories.show_tiles([(c.name, c.name, self._category_colour(c.name)) for c in cats])
        if self.category is None and cats:
            self.category = cats[0].name
        self._show_current()

    def show_quick_keys(self, items: Sequence[Item]) -> None:
        self.quick.show_tiles([self._tile(i) for i in items])
        self.quick.setVisible(bool(items))

    def show_category(self, name: str) -> None:
        self.category, self.query = name, ""
        self._show_current()

    def search(self, text: str) -> None:
        """Search as you type: results for two characters or more, the category below that."""
        self.query = text.strip() if len(text.strip()) >= MIN_SEARCH else ""
        self._show_current()

    def _show_current(self) -> None:
        if self.query:
            found = self.catalog.search(self.query, limit=60)
            self.heading.setText(self.tr("{n} found for “{text}”").format(n=len(found), text=self.query)
                                 if found else self.tr("Nothing found for “{text}”").format(text=self.query))
            self.products.show_tiles([self._tile(i) for i in found])
        elif self.category is not None:
            self.heading.setText(self.tr("Category: {name}").format(name=self.category))
            self.products.show_tiles([self._tile(i) for i in self.catalog.items_in(self.category, 0, PAGE)])
        else:
            self.heading.setText(self.tr("No items in the catalog yet."))
            self.products.show_tiles([])

    def _tile(self, item: Item) -> tuple[str, str, QColor]:
        price = money(item.price, self.currency) + (" / kg" if item.unit is Unit.KG else "")
        colour = QColor(item.colour) if item.colour else self._category_colour(item.category)
        return item.sku, f"{item.name}\n{price}", colour

    def _category_colour(self, name: str) -> QColor:
        colour = self._colours.get(name)
        return colour if colour is not None else category_colour(name)


__all__ = ["ProductPanel", "TileList", "category_colour", "luminance", "text_colour"]
