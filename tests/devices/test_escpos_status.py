"""DLE EOT reply validation and parsing (our code, not python-escpos)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.escpos.commands import drawer_kick, process_id_reply, process_id_request, status_query
from devices.escpos.status import PrinterStatus, StatusError, check_status_byte
from devices.events import DeviceStatus

FLAGS = [f for f in PrinterStatus.__dataclass_fields__]
# flags that DLE EOT carries one-to-one (the rest are derived or not encoded)
ENCODED = st.builds(
    PrinterStatus,
    drawer_pin3_high=st.booleans(), offline=st.booleans(), waiting_for_recovery=st.booleans(),
    feed_button=st.booleans(), cover_open=st.booleans(), feeding_by_button=st.booleans(),
    paper_end_stop=st.booleans(), error=st.booleans(), autocutter_error=st.booleans(),
    unrecoverable_error=st.booleans(), auto_recoverable_error=st.booleans(),
    paper_near_end=st.booleans(), paper_empty=st.booleans(),
)


@settings(max_examples=60)
@given(ENCODED)
def test_encode_parse_round_trip(status: PrinterStatus) -> None:
    assert PrinterStatus.parse(status.encode()) == status


@settings(max_examples=60)
@given(st.integers(0, 255))
def test_only_bytes_with_the_fixed_bits_are_status_replies(value: int) -> None:
    valid = (value & 0x93) == 0x12
    if valid:
        assert check_status_byte(1, value) == value
    else:
        with pytest.raises(StatusError, match="invalid reply to DLE EOT 1"):
            check_status_byte(1, value)


def test_known_epson_bytes() -> None:
    # idle printer: 0x16 (drawer pin high), 0x12, 0x12, 0x12
    idle = PrinterStatus.parse(bytes([0x16, 0x12, 0x12, 0x12]))
    assert idle.ready and idle.drawer_pin3_high and not idle.paper_near_end
    # offline, cover open, paper end: 0x1e 0x36 0x12 0x7e
    bad = PrinterStatus.parse(bytes([0x1E, 0x36, 0x12, 0x7E]))
    assert bad.offline and bad.cover_open and bad.paper_end_stop and bad.paper_empty
    assert not bad.ready and bad.problem == "cover_open"
    assert bad.device_statuses() == (DeviceStatus.COVER_OPEN, DeviceStatus.PAPER_EMPTY)
    near = PrinterStatus.parse(bytes([0x12, 0x12, 0x12, 0x1E]))
    assert near.ready and near.device_statuses() == (DeviceStatus.COVER_OK, DeviceStatus.PAPER_NEAR_EMPTY)


def test_silence_or_garbage_is_never_paper_adequate() -> None:
    with pytest.raises(StatusError, match="expected 4 status bytes"):
        PrinterStatus.parse(b"")
    with pytest.raises(StatusError):
        PrinterStatus.parse(b"\x00\x00\x00\x00")  # what a dead line reads as


def test_command_bytes() -> None:
    assert status_query(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        status_query(5)
    assert process_id_request(b"0042") == b"\x1d(H\x06\x00\x30\x300042"
    assert process_id_reply(b"0042") == b"\x37\x220042\x00"
    assert drawer_kick(2) == b"\x1bp\x00\x32\x32"
    assert drawer_kick(5, on_ms=50, off_ms=500) == b"\x1bp\x01\x19\xfa"
    with pytest.raises(ValueError, match="pin must be 2 or 5"):
        drawer_kick(3)
