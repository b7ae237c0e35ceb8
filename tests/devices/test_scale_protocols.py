"""Frame parsers and encoders of the three scale protocols, byte for byte (no I/O)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.events import DeviceStatus
from devices.scales import MT8217, SCP01, SICS, FrameError, ScaleError, ScaleState, protocol_named

PROTOCOLS = ["8217", "scp01", "sics"]


# -- Mettler Toledo 8217 -------------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "weight", "net"),
    [(b"\x0201.250\r", Decimal("1.250"), False), (b"\x0200.000\r", Decimal("0.000"), False),
     (b"\x0212.345N\r", Decimal("12.345"), True)],
)
def test_8217_weight_frames(frame: bytes, weight: Decimal, net: bool) -> None:
    reading = MT8217().parse(frame)
    assert reading.weight == weight and reading.net is net and reading.stable


@pytest.mark.parametrize(
    ("status", "flag"),
    [(0x41, "motion"), (0x42, "overload"), (0x44, "under_zero"), (0x50, "at_zero"), (0x60, "net")],
)
def test_8217_status_byte_bits(status: int, flag: str) -> None:
    reading = MT8217().parse(b"\x02?" + bytes([status]) + b"\r")
    assert getattr(reading, flag) is True
    assert reading.weight is None and not reading.stable


def test_8217_status_byte_parity_bit_is_ignored() -> None:
    assert MT8217().parse(b"\x02?\xc1\r").motion  # 0x41 with even-parity bit 7 set


@pytest.mark.parametrize(
    "frame",
    [b"\x020A.2X5\r", b"\x021.250\r", b"\x0201.2500\r", b"\x02?\r", b"\x02?\x41\x41\r",
     b"\x02?\x01\r",  # bit 6 must always be 1
     b"\x02001.25\r",  # pounds: refused, not converted
     b"01.250\r", b"\x0201.250"],
)
def test_8217_rejects_malformed_frames(frame: bytes) -> None:
    with pytest.raises(FrameError):
        MT8217().parse(frame)


def test_8217_take_frame_reports_truncation_and_recovers() -> None:
    proto, buf = MT8217(), bytearray(b"\x0201.2\x0201.250\r")
    with pytest.raises(FrameError, match="truncated"):
        proto.take_frame(buf)
    assert proto.parse(proto.take_frame(buf)).weight == Decimal("1.250")
    assert buf == b""


def test_8217_take_frame_drops_line_noise_and_waits_for_the_end() -> None:
    proto, buf = MT8217(), bytearray(b"zz\x0201.2")
    with pytest.raises(FrameError, match="outside any frame"):
        proto.take_frame(buf)
    assert proto.take_frame(buf) is None  # incomplete: wait for more bytes
    buf += b"50\r"
    assert proto.take_frame(buf) == b"\x0201.250\r"


def test_8217_simulator_answers_status_when_not_settled() -> None:
    state = ScaleState(Decimal("1.000"), motion=True)
    assert MT8217().reply(b"W", state) == b"\x02?\x41\r"


def test_8217_tare_and_clear() -> None:
    proto, state = MT8217(), ScaleState(Decimal("0.250"))
    assert proto.parse(proto.reply(b"T", state)).net
    state.weight = Decimal("1.250")
    assert proto.parse(proto.reply(b"W", state)) .weight == Decimal("1.000")
    assert not proto.parse(proto.reply(b"C", state)).net


# -- NCI / Weigh-Tronix SCP-01 -------------------------------------------------------
def test_scp01_weight_frame() -> None:
    reading = SCP01().parse(b"\n01.250KG\r\n00\r\x03")
    assert reading.weight == Decimal("1.250") and reading.stable


def test_scp01_status_only_frame_and_bits() -> None:
    proto = SCP01()
    assert proto.parse(b"\n10\r\x03").motion
    assert proto.parse(b"\n20\r\x03").at_zero
    assert proto.parse(b"\n01\r\x03").under_zero
    assert proto.parse(b"\n02\r\x03").overload
    assert proto.parse(b"\nS00\r\x03").weight is None  # SCP-02 style "S" prefix accepted


def test_scp01_third_status_byte_and_faults() -> None:
    proto = SCP01()
    assert proto.parse(b"\n0p4\r\x03").net  # byte 2 says "byte follows", byte 3 bit 2 = net
    faulty = proto.parse(b"\n01.250KG\r\n40\r\x03")  # byte 1 bit 2: RAM error
    assert faulty.fault == "RAM error" and not faulty.stable
    assert faulty.statuses() == (DeviceStatus.SCALE_NOT_READY,)


@pytest.mark.parametrize(
    "frame",
    [b"\n01.2?0KG\r\n00\r\x03", b"\n01.250KG\r\n\x01\x01\r\x03", b"\n0\r\x03",
     b"\n00p\r\x03",  # byte 2 says "byte follows", none does
     b"\n0p\r\x03",  # "byte follows" on the last byte
     b"\n?\r\x03",  # unrecognised command
     b"\n01.250LB\r\n00\r\x03",  # pounds refused
     b"\n01.250KG\r\n00\r"],
)
def test_scp01_rejects_malformed_frames(frame: bytes) -> None:
    with pytest.raises(FrameError):
        SCP01().parse(frame)


def test_scp01_take_frame_spans_the_inner_line_feed() -> None:
    buf = bytearray(b"\n01.250KG\r\n00\r\x03\n10\r\x03")
    assert SCP01().take_frame(buf) == b"\n01.250KG\r\n00\r\x03"
    assert SCP01().take_frame(buf) == b"\n10\r\x03"


# -- MT-SICS --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "weight", "motion"),
    [(b"S S      1.250 kg\r\n", Decimal("1.250"), False), (b"S D      0.700 kg\r\n", Decimal("0.700"), True),
     (b"S S     1250.0 g\r\n", Decimal("1.250"), False)],
)
def test_sics_weight_frames(frame: bytes, weight: Decimal, motion: bool) -> None:
    reading = SICS().parse(frame)
    assert reading.weight == weight and reading.motion is motion and reading.stable is not motion


def test_sics_status_replies() -> None:
    proto = SICS()
    assert proto.parse(b"S +\r\n").overload
    assert proto.parse(b"S -\r\n").under_zero
    assert proto.parse(b"S I\r\n").motion
    assert proto.parse(b"S S     -0.120 kg\r\n").under_zero


@pytest.mark.parametrize(
    "frame",
    [b"S S      0,2x6 kg\r\n", b"S S      1.250 kg", b"S X      1.250 kg\r\n", b"ES\r\n", b"EL\r\n",
     b"S S      1.2505 kg\r\n", b"S S      1.250 lb\r\n", b"S S\xff 1.250 kg\r\n"],
)
def test_sics_rejects_malformed_frames(frame: bytes) -> None:
    with pytest.raises(FrameError):
        SICS().parse(frame)


def test_sics_zero_replies() -> None:
    proto = SICS()
    assert proto.parse_zero(b"Z A\r\n").at_zero
    for refused in (b"Z I\r\n", b"Z +\r\n", b"Z -\r\n"):
        with pytest.raises(ScaleError, match="zero not executed"):
            proto.parse_zero(refused)


def test_sics_simulator_replies() -> None:
    proto, state = SICS(), ScaleState(Decimal("2.5"), motion=True)
    assert proto.reply(b"S\r\n", state) == b"S I\r\n"
    assert proto.reply(b"SI\r\n", state) == b"S D      2.500 kg\r\n"
    assert proto.reply(b"XYZ\r\n", state) == b"ES\r\n"


# -- all protocols ---------------------------------------------------------------------
@pytest.mark.parametrize("name", PROTOCOLS)
@settings(max_examples=40, deadline=None)
@given(grams=st.integers(min_value=0, max_value=99_999))
def test_encoded_weight_parses_back_exactly(name: str, grams: int) -> None:
    proto = protocol_named(name)
    weight = Decimal(grams).scaleb(-3)
    frame = proto.reply(proto.weigh_command, ScaleState(weight))
    assert proto.parse(proto.take_frame(bytearray(frame))).weight == weight


@pytest.mark.parametrize("name", PROTOCOLS)
def test_malformed_and_truncated_replies_are_rejected(name: str) -> None:
    proto = protocol_named(name)
    with pytest.raises(FrameError):
        proto.parse(proto.take_frame(bytearray(proto.malformed_reply())))
    cut = bytearray(proto.truncated_reply(ScaleState(Decimal("1.250"))))
    assert proto.take_frame(cut) is None  # never a complete frame: the driver times it out


@pytest.mark.parametrize("name", PROTOCOLS)
@pytest.mark.parametrize("flag", ["motion", "overload", "under_zero"])
def test_no_sellable_weight_while_not_settled(name: str, flag: str) -> None:
    proto = protocol_named(name)
    reading = proto.parse(proto.reply(proto.weigh_command, ScaleState(Decimal("1.000"), **{flag: True})))
    assert not reading.stable
    expected = {"motion": DeviceStatus.SCALE_UNSTABLE, "overload": DeviceStatus.SCALE_OVERWEIGHT,
                "under_zero": DeviceStatus.SCALE_UNDER_ZERO}[flag]
    assert reading.statuses() == (expected,)


def test_unknown_protocol_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown scale protocol"):
        protocol_named("toledo")
