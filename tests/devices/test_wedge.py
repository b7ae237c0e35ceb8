"""Keyboard wedge: scans told apart from typing by key timing and the Enter suffix (no Qt)."""

from __future__ import annotations

from devices.events import DataEvent, ErrorEvent, EventBus, EventRecorder, ScanData
from devices.scanner import ScanFormat, WedgeScanner
from devices.transports.wedge import Scanned, Typed, WedgeDecoder


def feed(decoder: WedgeDecoder, keys: str, start: float, gap: float) -> list:
    out = []
    for i, key in enumerate(keys):
        out += decoder.feed(key, start + i * gap)
    return out


def test_fast_burst_ended_by_enter_is_a_scan() -> None:
    decoder = WedgeDecoder(max_gap=0.030)
    assert feed(decoder, "4006381333931\r", 10.0, 0.008) == [Scanned("4006381333931")]
    assert decoder.pending == ""


def test_slow_keys_are_typing_and_nothing_is_lost() -> None:
    decoder = WedgeDecoder(max_gap=0.030)
    out = feed(decoder, "12\r", 10.0, 0.200) + decoder.flush(11.0)
    assert "".join(o.text for o in out if isinstance(o, Typed)) == "12\r"
    assert not any(isinstance(o, Scanned) for o in out)


def test_held_key_is_released_by_flush_once_the_gap_has_passed() -> None:
    decoder = WedgeDecoder(max_gap=0.030)
    assert decoder.feed("7", 1.000) == []  # might still be the first key of a scan
    assert decoder.flush(1.010) == []
    assert decoder.flush(1.050) == [Typed("7")]


def test_burst_without_enter_is_typing() -> None:
    decoder = WedgeDecoder(max_gap=0.030)
    assert feed(decoder, "ABCDEF", 5.0, 0.005) == []
    assert decoder.flush(6.0) == [Typed("ABCDEF")]


def test_short_fast_burst_is_typing_not_a_scan() -> None:
    decoder = WedgeDecoder(max_gap=0.030, min_length=4)
    assert feed(decoder, "ab\r", 1.0, 0.010) == [Typed("ab\r")]


def test_typing_then_scan_without_pause() -> None:
    decoder = WedgeDecoder(max_gap=0.030)
    out = feed(decoder, "x", 1.0, 0.5) + feed(decoder, "96385074\r", 1.5, 0.004)
    assert out == [Typed("x"), Scanned("96385074")]


def test_pause_inside_a_burst_splits_it_into_typing() -> None:
    decoder = WedgeDecoder(max_gap=0.030)
    out = feed(decoder, "1234", 1.0, 0.005) + feed(decoder, "5678\r", 2.0, 0.005)
    assert out == [Typed("1234"), Scanned("5678")]


def test_wedge_scanner_publishes_scans_with_aim_and_returns_typing() -> None:
    bus = EventBus()
    recorder = EventRecorder(bus)
    wedge = WedgeScanner("wedge", ScanFormat(prefix="", suffix="\r", aim=True), bus)
    wedge.start()
    typed = "".join(wedge.key(k, 1.0 + i * 0.005) for i, k in enumerate("]E04006381333931\r"))
    typed += "".join(wedge.key(k, 3.0 + i * 0.3) for i, k in enumerate("hi"))
    typed += wedge.flush(10.0)
    assert typed == "hi"
    assert [e.payload for e in recorder.events if isinstance(e, DataEvent)] == [ScanData("4006381333931", "EAN13")]
    "".join(wedge.key(k, 20.0 + i * 0.005) for i, k in enumerate("]E04006381333932\r"))
    assert isinstance(recorder.events[-1], ErrorEvent) and "check digit" in recorder.events[-1].message


def test_disabled_wedge_passes_everything_through_as_typing() -> None:
    wedge = WedgeScanner("wedge", ScanFormat(aim=False))
    typed = "".join(wedge.key(k, 1.0 + i * 0.005) for i, k in enumerate("12345\r"))
    assert typed == "12345\r"


# -- prefix first: the framing decides, timing does not ------------------------------------

STX = "\x02"


def test_with_a_prefix_a_scan_is_prefix_to_suffix_at_any_speed() -> None:
    for gap in (0.001, 0.040, 0.150):  # even a scanner slowed down to a person's pace
        decoder = WedgeDecoder(prefix=STX)
        assert feed(decoder, STX + "4006381333931\r", 10.0, gap) == [Scanned(STX + "4006381333931")]


def test_with_a_prefix_typing_is_never_held_and_never_a_scan_at_any_speed() -> None:
    for gap in (0.001, 0.040, 0.060, 0.150):
        decoder = WedgeDecoder(prefix=STX)
        out = feed(decoder, "SKU00009\r", 10.0, gap)
        assert out == [Typed(c) for c in "SKU00009\r"]  # each key at once, as typed
        assert decoder.pending == ""


def test_a_prefix_without_its_suffix_is_released_as_typing() -> None:
    decoder = WedgeDecoder(prefix=STX, frame_timeout=0.5)
    assert feed(decoder, STX + "12", 1.0, 0.01) == []
    assert decoder.flush(1.2) == []
    assert decoder.flush(2.0) == [Typed(STX + "12")]


def test_a_scan_in_the_middle_of_typing_leaves_the_typing_alone() -> None:
    decoder = WedgeDecoder(prefix="]~")  # a two-key prefix, matched key by key
    out = feed(decoder, "ab]", 1.0, 0.05) + feed(decoder, "x", 1.2, 0.05)
    out += feed(decoder, "]~96385074\r", 2.0, 0.002)
    assert out == [Typed("a"), Typed("b"), Typed("]x"), Scanned("]~96385074")]
