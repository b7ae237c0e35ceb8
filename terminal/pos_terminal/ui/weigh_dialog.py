"""Weighing an item: pick the weighed item, read a stable weight from the scale (shown as
"in motion" until it settles), or key the weight in when there is no scale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from devices.events import DeviceStatus, StatusEvent
from pos_terminal.core.catalog import Unit
from pos_terminal.services import CatalogService, Till

from .bridge import DeviceBridge
from .errors import describe
from pos_terminal.services.formatting import money, parse_number
from .operations import Operation
from pos_terminal.services.till_devices import TillDevices
from .widgets import BigButton, Keypad


class WeighDialog(QDialog):
    def __init__(self, till: Till, catalog: CatalogService, devices: TillDevices | None,
                 bridge: DeviceBridge | None, parent: QWidget | None = None, *,
                 scale_timeout: float = 10.0) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Weigh"))
        self.setModal(True)
        self.till, self.catalog, self.devices, self.scale_timeout = till, catalog, devices, scale_timeout
        self.operation: Operation[Decimal] | None = None

        self.items = QListWidget()
        self.items.setStyleSheet("font-size:16px;")
        self.catalog_changed()
        self.weight = QLineEdit()
        self.weight.setObjectName("weight")
        self.weight.setPlaceholderText(self.tr("Weight in kg"))
        self.state = QLabel()
        self.state.setObjectName("scale_state")
        self.state.setWordWrap(True)
        self.read_button = BigButton(self.tr("Read scale"))
        self.read_button.clicked.connect(self.read_scale)
        if devices is None or devices.scale is None:
            self.read_button.setEnabled(False)
            self.state.setText(self.tr("No scale connected: key in the weight."))
        add, cancel = BigButton(self.tr("Add")), BigButton(self.tr("Cancel"))
        add.clicked.connect(self.add)
        cancel.clicked.connect(self.reject)
        if bridge is not None:
            bridge.status.connect(self._on_status)

        right = QVBoxLayout()
        for w in (self.read_button, self.state, self.weight, Keypad(self.weight, self, decimal_point=True)):
            right.addWidget(w)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(add)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.items, 1)
        layout.addLayout(right, 1)

    def catalog_changed(self, event: Any = None) -> None:
        """(Re)list the weighed items, keeping the one chosen; after a pulled page only if
        it touched a weighed item (a first pull has a hundred pages)."""
        if event is not None and not self._touches_listed(event):
            return
        chosen = self.items.currentItem()
        sku = chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else None
        self.items.clear()
        for item in self.catalog.weighed_items():
            row = QListWidgetItem(f"{item.name}  {money(item.price, self.till.config.currency)}/kg")
            row.setData(Qt.ItemDataRole.UserRole, item.sku)
            self.items.addItem(row)
            if item.sku == sku:
                self.items.setCurrentItem(row)

    def _touches_listed(self, event: Any) -> bool:
        listed = {self.items.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.items.count())}
        return (any(item.unit is Unit.KG or item.sku in listed for item in event.upserted)
                or any(sku in listed for sku in event.removed))

    def read_scale(self) -> None:
        if self.operation is not None or self.devices is None:
            return
        devices, timeout = self.devices, self.scale_timeout
        self.read_button.setEnabled(False)
        self.state.setText(self.tr("Reading the scale…"))
        self.operation = Operation(lambda: devices.read_stable_weight(timeout)) \
            .success(self._weighed).failure(self._no_weight) \
            .finally_(self._read_done).run_in_background()

    def _weighed(self, weight: Decimal) -> None:
        self.weight.setText(f"{weight:.3f}")
        self.state.setText(self.tr("Stable: {weight} kg").format(weight=f"{weight:.3f}"))

    def _no_weight(self, exc: BaseException) -> None:
        self.state.setText(describe(exc))

    def _read_done(self) -> None:
        self.operation = None
        self.read_button.setEnabled(True)

    def _on_status(self, event: StatusEvent) -> None:
        if self.operation is not None and event.status is DeviceStatus.SCALE_UNSTABLE:
            self.state.setText(self.tr("Scale in motion: waiting for a stable weight…"))

    def add(self) -> None:
        row = self.items.currentItem()
        if row is None:
            self.state.setText(self.tr("Choose the item first."))
            return
        try:
            self.till.add_weighed(row.data(Qt.ItemDataRole.UserRole), parse_number(self.weight.text(), "weight"))
        except Exception as exc:  # noqa: BLE001 - shown; the ticket is unchanged
            self.state.setText(describe(exc))
            return
        self.accept()
