"""Weighing through the real scale driver against the 8217 scale simulator on a pty."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from devices.simulators.scale import ScaleSimulator
from pos_terminal.app import start_terminal
from pos_terminal.config import load_config
from pos_terminal.ui.weigh_dialog import WeighDialog

from .conftest import sign_in


@pytest.fixture
def scale() -> Iterator[ScaleSimulator]:
    sim = ScaleSimulator("8217")
    sim.start()
    yield sim
    sim.stop()


def _terminal(tmp_path: Path, scale_path: str):  # type: ignore[no-untyped-def]
    devices = tmp_path / "devices.toml"
    devices.write_text(f"""
[manager]
backoff_initial = 0.1
backoff_max = 0.5
health_interval = 0.5

[devices.scale]
kind = "scale"
protocol = "8217"
path = "{scale_path}"
poll_interval = 0.05
""")
    config = load_config(data_dir=tmp_path / "till").replace(devices_config=devices)
    return start_terminal(config, with_sync=False)


def _choose(dialog: WeighDialog, name_start: str) -> None:
    for row in range(dialog.items.count()):
        if dialog.items.item(row).text().startswith(name_start):
            dialog.items.setCurrentRow(row)
            return
    raise AssertionError(f"no weighed item {name_start}")


def test_weight_is_taken_only_once_the_scale_is_stable(qtbot, tmp_path, scale):
    terminal = _terminal(tmp_path, scale.path)
    try:
        window = terminal.window
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: "Scale: online" in window.status.devices_label.text(), timeout=10_000)
        sign_in(qtbot, window, "c1", "1111")
        scale.set(weight="1.234", motion=True)
        window.sale.buttons["weigh"].click()
        dialog = window.sale.dialog
        _choose(dialog, "Apples")
        dialog.read_button.click()
        qtbot.waitUntil(lambda: "Scale in motion" in dialog.state.text(), timeout=5_000)
        assert dialog.weight.text() == ""  # nothing taken while the scale moves
        scale.set(motion=False)
        qtbot.waitUntil(lambda: dialog.weight.text() == "1.234", timeout=10_000)
        assert dialog.state.text() == "Stable: 1.234 kg"
        dialog.add()
        line = terminal.services.till.ticket.ticket_lines()[0]
        assert line.item.name.startswith("Apples") and line.qty == Decimal("1.234")
        assert window.sale.model.index(0, 2).data() == "1.234 kg"
    finally:
        terminal.close()


def test_weight_can_be_keyed_in_without_a_scale(qtbot, window, services):
    window.sale.buttons["weigh"].click()
    dialog = window.sale.dialog
    assert not dialog.read_button.isEnabled()
    assert dialog.state.text().startswith("No scale connected")
    _choose(dialog, "Bananas")
    dialog.weight.setText("0.5")
    dialog.add()
    assert services.till.ticket.ticket_lines()[0].qty == Decimal("0.500")
    window.sale.buttons["weigh"].click()
    dialog2 = window.sale.dialog
    _choose(dialog2, "Bananas")
    dialog2.weight.setText("0.1234")  # too many decimals: refused, nothing added
    dialog2.add()
    assert dialog2.state.text().startswith("Quantity refused") and len(services.till.ticket) == 1
