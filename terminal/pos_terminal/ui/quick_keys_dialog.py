"""A manager arranges the till's quick keys: search an item and add it, drag to reorder,
remove; Save asks for a manager unless one is signed in (Permission.QUICK_KEYS_ARRANGE).

Saving writes the layout and its audit entry: it runs off the GUI thread (`Operation`),
the buttons disabled meanwhile; a refusal that a manager's PIN would lift opens the
approval dialog, whose own check runs off the GUI thread too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QGridLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QSizePolicy, QWidget)

from pos_terminal.core.catalog import Item
from pos_terminal.core.users import User
from pos_terminal.services import ApproverPin, CatalogService

from .approval import ApprovalDialog
from .errors import describe, needs_approval
from .operations import Operation
from .widgets import BigButton

SaveKeys = Callable[[list[str], ApproverPin | None], Any]


class QuickKeysDialog(QDialog):
    saved = Signal()  # the new layout is stored

    def __init__(self, catalog: CatalogService, keys: list[Item], save: SaveKeys,
                 parent: QWidget | None = None, *, signed_in: User | None = None) -> None:
        super().__init__(parent)
        self.catalog, self._save, self._signed_in = catalog, save, signed_in
        self.operation: Operation[Any] | None = None
        self.approval: ApprovalDialog | None = None
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
        save_button.clicked.connect(self.save)
        cancel = BigButton(self.tr("Cancel"), self, height=48)
        cancel.clicked.connect(self.reject)
        self.status = QLabel(self)
        self.status.setObjectName("quick_keys_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color:#8a1010; font-weight:bold;")
        self.buttons = (remove, save_button, cancel)
        grid = QGridLayout(self)
        grid.addWidget(QLabel(self.tr("Quick keys (drag to reorder)"), self), 0, 0)
        grid.addWidget(self.search, 0, 1)
        grid.addWidget(self.keys, 1, 0)
        grid.addWidget(self.found, 1, 1)
        grid.addWidget(remove, 2, 0)
        grid.addWidget(self.status, 2, 1)
        grid.addWidget(save_button, 3, 0)
        grid.addWidget(cancel, 3, 1)
        grid.setRowStretch(1, 1)  # the lists get the room; the buttons stay a finger's height
        for button in self.buttons:
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.resize(720, 480)

    @property
    def busy(self) -> bool:
        return self.operation is not None and self.operation.running

    def save(self) -> None:
        if self.busy:
            return  # a second tap while the first save runs does nothing
        skus = self.skus()
        self.status.setText(self.tr("Saving…"))
        self._set_enabled(False)
        self.operation = Operation(lambda: self._save(skus, None)).success(lambda _r: self._stored()) \
            .failure(lambda exc: self._refused(skus, exc)).finally_(lambda: self._set_enabled(True)) \
            .run_in_background()

    def _refused(self, skus: list[str], exc: BaseException) -> None:
        if not needs_approval(exc):
            self.status.setText(describe(exc))
            return
        self.status.clear()
        self.approval = ApprovalDialog(self.tr("Arrange the quick keys"), lambda a: self._save(skus, a), self,
                                       signed_in=self._signed_in)
        self.approval.accepted.connect(self._stored)
        self.approval.open()

    def _stored(self) -> None:
        self.status.clear()
        self.saved.emit()
        self.accept()

    def reject(self) -> None:
        if not self.busy:  # a save under way finishes and reports here first
            super().reject()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (*self.buttons, self.keys, self.search, self.found):
            widget.setEnabled(enabled)

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
