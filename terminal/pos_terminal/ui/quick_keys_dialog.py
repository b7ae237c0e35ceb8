"""A manager arranges the till's quick keys: search an item and add it, drag to reorder,
remove; Save asks for a manager unless one is signed in (Permission.QUICK_KEYS_ARRANGE)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QGridLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QWidget)

from pos_terminal.core.catalog import Item
from pos_terminal.services import CatalogService

from .widgets import BigButton


class QuickKeysDialog(QDialog):
    def __init__(self, catalog: CatalogService, keys: list[Item], save: Callable[[list[str]], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog, self._save = catalog, save
        self.setWindowTitle(self.tr("Arrange quick keys"))
        self.keys = QListWidget(self)
        self.keys.setObjectName("quick_key_list")
        self.keys.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.keys.setStyleSheet("QListWidget::item { min-height: 48px; }")
        for item in keys:
            self._add(self.keys, item)
        self.search = QLineEdit(self)
        self.search.setObjectName("quick_key_search")
        self.search.setPlaceholderText(self.tr("Find an item to add"))
        self.search.setMinimumHeight(48)
        self.search.textChanged.connect(self._find)
        self.found = QListWidget(self)
        self.found.setObjectName("quick_key_found")
        self.found.setStyleSheet("QListWidget::item { min-height: 48px; }")
        self.found.itemClicked.connect(lambda row: self._add(self.keys, row.data(Qt.ItemDataRole.UserRole)))
        remove = BigButton(self.tr("Remove key"), self, height=48)
        remove.clicked.connect(lambda: self.keys.takeItem(self.keys.currentRow()))
        save_button = BigButton(self.tr("Save"), self, height=48)
        save_button.setObjectName("save_quick_keys")
        save_button.clicked.connect(lambda: self._save(self.skus()))
        cancel = BigButton(self.tr("Cancel"), self, height=48)
        cancel.clicked.connect(self.reject)
        grid = QGridLayout(self)
        grid.addWidget(QLabel(self.tr("Quick keys (drag to reorder)"), self), 0, 0)
        grid.addWidget(self.search, 0, 1)
        grid.addWidget(self.keys, 1, 0)
        grid.addWidget(self.found, 1, 1)
        grid.addWidget(remove, 2, 0)
        grid.addWidget(save_button, 3, 0)
        grid.addWidget(cancel, 3, 1)
        self.resize(720, 480)

    def skus(self) -> list[str]:
        return [self.keys.item(i).data(Qt.ItemDataRole.UserRole).sku for i in range(self.keys.count())]

    def _find(self, text: str) -> None:
        self.found.clear()
        if len(text.strip()) >= 2:
            for item in self.catalog.search(text, limit=30):
                self._add(self.found, item)

    @staticmethod
    def _add(target: QListWidget, item: Item) -> None:
        row = QListWidgetItem(f"{item.name} ({item.sku})")
        row.setData(Qt.ItemDataRole.UserRole, item)
        target.addItem(row)
