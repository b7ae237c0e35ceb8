"""Keyboard-wedge scanning on the entry field: the same key stream is a scan when it comes
as a scanner's burst and typing when it comes at a person's pace (a settable clock gives
the key timings; the decoder under test is devices.transports.wedge)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import BREAD


class StepClock:
    """Each key is `step` seconds after the previous one."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 100.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _type(qtbot, window, text: str, step: float) -> None:  # type: ignore[no-untyped-def]
    screen = window.sale
    screen.wedge.clock = StepClock(step)
    for char in text:
        qtbot.keyClick(screen.entry, char)


def test_a_scanner_burst_is_rung_up_without_touching_the_field(qtbot, window) -> None:
    screen = window.sale
    screen.entry.setText("SKU0")  # the cashier was half-way through typing something
    screen.entry.end(False)
    with qtbot.waitSignal(screen.wedge.scanned) as scan:
        _type(qtbot, window, BREAD, step=0.004)
        qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    assert scan.args[0] == BREAD
    assert [line.sku for line in screen.till.ticket.lines()] == ["SKU00001"]
    assert screen.entry.text() == "SKU0"  # the half-typed text is still there


def test_slow_keys_are_typing_and_enter_submits_the_field(qtbot, window) -> None:
    screen = window.sale
    scans: list[str] = []
    screen.wedge.scanned.connect(lambda code, _sym: scans.append(code))
    _type(qtbot, window, "SKU00002", step=0.15)
    # A person's keys show up as they type; the last one once the flush timer has seen
    # that no burst follows it.
    qtbot.waitUntil(lambda: screen.entry.text() == "SKU00002", timeout=2000)
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    assert scans == []
    assert [line.sku for line in screen.till.ticket.lines()] == ["SKU00002"]


def test_a_bad_scan_shows_an_error_and_adds_nothing(qtbot, window) -> None:
    screen = window.sale
    _type(qtbot, window, "4001234000016", step=0.004)  # wrong check digit
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    assert screen.till.ticket.lines() == []
    assert "check digit" in screen.banner.text()


def test_the_flush_timer_runs_only_while_a_key_is_held(qtbot, window) -> None:
    screen = window.sale
    assert not screen.wedge._timer.isActive()  # an idle till is not woken every 40 ms
    _type(qtbot, window, "S", step=0.15)
    assert screen.wedge._timer.isActive() and screen.entry.text() == ""
    qtbot.waitUntil(lambda: screen.entry.text() == "S", timeout=2000)
    assert not screen.wedge._timer.isActive()
