"""The ZVT byte layer: golden bytes for every command we send, parser cases for every
answer (BMP fields, TLV containers, extended length), and damaged frames as errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices.payment.zvt import commands, serial_frame
from devices.payment.zvt.apdu import ACK, Apdu, FrameError, decode, nak, split_frame
from devices.payment.zvt.fields import (
    bcd, bcd_amount, decode_pan, encode_bmp, encode_tlv, parse_bmps, parse_tlv,
)
from devices.payment.zvt.messages import (
    Abort, Completion, IntermediateStatus, PrintLine, PrintTextBlock, StatusInformation,
    UnknownMessage, parse_message,
)

H = bytes.fromhex


# -- golden bytes: what the till sends --------------------------------------------------
@pytest.mark.parametrize(("apdu", "golden"), [
    (commands.registration("000000"), "06 00 06 00 00 00 3e 09 78"),
    (commands.registration("123456", currency=756, config_byte=0x86), "06 00 06 12 34 56 86 07 56"),
    (commands.authorisation(Decimal("12.50")), "06 01 07 04 00 00 00 00 12 50"),
    (commands.authorisation(Decimal("1234.56"), currency=978), "06 01 0a 04 00 00 00 12 34 56 49 09 78"),
    (commands.reversal("000000", 42), "06 30 06 00 00 00 87 00 42"),
    (commands.refund("000000", Decimal("3.00")), "06 31 0a 00 00 00 04 00 00 00 00 03 00"),
    (commands.end_of_day("000000"), "06 50 03 00 00 00"),
    (commands.repeat_receipt("000000"), "06 20 03 00 00 00"),
    (commands.status_enquiry("000000"), "05 01 03 00 00 00"),
    (commands.abort(), "06 b0 00"),
    (commands.log_off(), "06 02 00"),
    (ACK, "80 00 00"),
    (nak(0x9C), "84 9c 00"),
])
def test_command_golden_bytes(apdu: Apdu, golden: str) -> None:
    assert apdu.encode() == H(golden)
    assert decode(H(golden)) == apdu


def test_extended_length_is_ff_then_two_bytes_low_first() -> None:
    long = Apdu(0x06, 0xD1, b"\x00" + b"x" * 299)
    assert long.encode()[:5] == H("06 d1 ff 2c 01")
    assert decode(long.encode()) == long
    exactly_255 = Apdu(0x04, 0x0F, b"\x00" * 255)
    assert exactly_255.encode()[:5] == H("04 0f ff ff 00")  # 255 itself needs the long form
    assert Apdu(0x04, 0x0F, b"\x00" * 254).encode()[:3] == H("04 0f fe")


def test_split_frame_waits_for_the_rest_and_returns_what_it_used() -> None:
    wire = ACK.encode() + commands.end_of_day("000000").encode()
    assert split_frame(wire[:2]) is None
    first, used = split_frame(wire)
    assert first.is_ack and used == 3
    second, _ = split_frame(wire[used:])
    assert second.code == H("06 50")
    assert split_frame(H("06 d1 ff 2c")) is None  # extended length not complete yet


@pytest.mark.parametrize(("wire", "why"), [
    ("06 d1 ff 05 00 00 00", "incomplete"),
    ("06 0f 02 27", "incomplete"),
    ("80 00 00 00", "bytes after"),
])
def test_broken_frames_are_frame_errors(wire: str, why: str) -> None:
    with pytest.raises(FrameError, match=why):
        decode(H(wire))


def test_amounts_are_bcd_cents_and_only_decimal() -> None:
    assert bcd_amount(Decimal("0.01")) == H("00 00 00 00 00 01")
    assert bcd_amount(Decimal("9999999999.99")) == H("99 99 99 99 99 99")
    for bad in (Decimal("0"), Decimal("-1.00"), Decimal("1.005")):
        with pytest.raises(FrameError):
            bcd_amount(bad)
    with pytest.raises(TypeError):
        bcd_amount(1.5)  # type: ignore[arg-type]
    with pytest.raises(FrameError):
        bcd(1234567, 3)


# -- BMP fields and TLV containers ------------------------------------------------------
def test_bmp_fixed_llvar_and_lllvar_fields_round_trip() -> None:
    data = (encode_bmp(0x27, b"\x00") + encode_bmp(0x22, H("67 99 ee ee 12 34"))
            + encode_bmp(0x3C, b"hello") + encode_bmp(0x87, bcd(7, 2)))
    assert data == H("27 00 22 f0 f6 67 99 ee ee 12 34 3c f0 f0 f5") + b"hello" + H("87 00 07")
    fields = parse_bmps(data)
    assert [(f.name, f.value) for f in fields] == [
        ("result_code", b"\x00"), ("pan", H("67 99 ee ee 12 34")), ("additional_text", b"hello"),
        ("receipt_no", H("00 07"))]
    assert decode_pan(H("67 99 ee ee 12 3f")) == "6799****123"


def test_tlv_container_in_bmp_06_with_multibyte_tags_and_long_lengths() -> None:
    inner = encode_tlv(0x1F07, b"\x02") + encode_tlv(0x07, b"A" * 200)
    container = encode_tlv(0x25, inner)
    assert container[:3] == H("25 81") + bytes((len(inner),))
    bmp = encode_bmp(0x06, container)
    (field,) = parse_bmps(bmp)
    (texts,) = field.tlv
    assert texts.constructed and texts.find(0x1F07).value == b"\x02"
    assert texts.find(0x07).value == b"A" * 200
    assert parse_tlv(encode_tlv(0x1F10, b"x" * 300))[0].value == b"x" * 300  # 82 01 2c


@pytest.mark.parametrize(("data", "why"), [
    ("27", "1 bytes announced, 0 present"),
    ("ff 00", "unknown BMP FF"),
    ("22 f1", "bad LLVAR length"),
    ("22 f0 f5 01 02", "5 bytes announced, 2 present"),
    ("06 01 1f", "TLV tag cut short"),
    ("06 03 07 05 41", "TLV 7: 5 bytes announced"),
    ("06 02 07 83", "bad TLV length"),
])
def test_damaged_fields_are_frame_errors(data: str, why: str) -> None:
    with pytest.raises(FrameError, match=why):
        parse_bmps(H(data))


# -- what the terminal answers -----------------------------------------------------------
APPROVAL = ("04 0f 3e 27 00 04 00 00 00 00 12 50 0b 00 00 17 0c 10 15 30 0d 12 02 87 00 09"
            " 29 52 50 00 01 8a 05 8b f0 f9 67 69 72 6f 63 61 72 64 00"
            " 3b 31 32 33 34 35 36 00 00 22 f0 f8 67 99 ee ee ee ee 12 34")


def test_status_information_of_an_approval() -> None:
    apdu = decode(H(APPROVAL))
    info = parse_message(apdu)
    assert isinstance(info, StatusInformation) and info.approved
    assert (info.amount, info.trace_no, info.receipt_no) == (Decimal("12.50"), 17, 9)
    assert (info.terminal_id, info.auth_code, info.card_type, info.card_name) == ("52500001", "123456", 5, "girocard")
    assert info.masked_pan == "************1234"
    assert (info.date, info.time) == ("1202", "101530")


def test_status_information_never_keeps_more_than_four_pan_digits() -> None:
    full_pan = encode_bmp(0x27, b"\x00") + encode_bmp(0x22, H("49 11 22 33 44 55 66 77"))
    assert parse_message(Apdu(0x04, 0x0F, full_pan)).masked_pan == "************6677"


def test_status_information_of_end_of_day_totals() -> None:
    totals = bcd(1, 2) + bcd(9, 2) + b"\x03" + bcd(4550, 6) + bytes(7 * 3) + b"\x01" + bcd(1000, 6) + bytes(7 * 2)
    info = parse_message(Apdu(0x04, 0x0F, encode_bmp(0x27, b"\x00") + encode_bmp(0x60, totals)))
    assert info.totals.by_scheme["girocard"] == (3, Decimal("45.50"))
    assert info.totals.by_scheme["visa"] == (1, Decimal("10.00"))
    assert (info.totals.count, info.totals.total) == (4, Decimal("55.50"))
    assert (info.totals.first_receipt, info.totals.last_receipt) == (1, 9)


def test_the_other_answers() -> None:
    assert parse_message(decode(H("04 ff 02 01 1e"))) == IntermediateStatus(0x01, 30)
    assert parse_message(decode(H("04 ff 01 0a"))).text == "Insert or tap card"
    assert parse_message(decode(H("06 0f 00"))) == Completion()
    abort = parse_message(decode(H("06 1e 01 6c")))
    assert abort == Abort(0x6C) and "cancelled" in abort.text
    assert parse_message(decode(H("06 1e 01 05"))).text == "declined by the card issuer"
    line = parse_message(decode(H("06 d1 04 ff") + b"EUR"))
    assert line == PrintLine(0xFF, "EUR") and line.ends_receipt
    block = encode_bmp(0x06, encode_tlv(0x25, encode_tlv(0x1F07, b"\x02") + encode_tlv(0x07, b"Line 1")
                                         + encode_tlv(0x07, b"Line 2")))
    assert parse_message(Apdu(0x06, 0xD3, block)) == PrintTextBlock(2, ("Line 1", "Line 2"))
    assert isinstance(parse_message(decode(H("04 01 00"))), UnknownMessage)


@pytest.mark.parametrize("wire", [
    "04 0f 02 04 00",  # amount cut short
    "04 0f 03 04 00 00",  # no result code, and short
    "04 0f 06 22 f0 f9 01 02 03",  # a PAN that announces more than it has
    "04 0f 00",  # Status-Information without a result code
    "04 ff 00", "06 1e 00", "06 d1 00",
    "06 d3 03 49 09 78",  # a text block without its TLV container
])
def test_damaged_answers_are_frame_errors_never_approvals(wire: str) -> None:
    with pytest.raises(FrameError):
        parse_message(decode(H(wire)))


# -- RS-232 framing -----------------------------------------------------------------------
def test_serial_frame_golden_bytes_dle_doubling_and_crc() -> None:
    wire = serial_frame.frame(ACK.encode())
    assert wire[:5] == H("10 02 80 00 00") and wire[5:7] == H("10 03")
    assert serial_frame.crc(b"123456789") == 0x2189  # CRC-16/KERMIT check value
    with_dle = Apdu(0x06, 0xD1, b"\x00\x10").encode()
    framed = serial_frame.frame(with_dle)
    assert b"\x10\x10" in framed
    assert serial_frame.unframe(framed) == (with_dle, len(framed))
    assert serial_frame.unframe(framed[:-1]) is None
    with pytest.raises(FrameError, match="CRC"):
        serial_frame.unframe(framed[:-1] + bytes((framed[-1] ^ 1,)))
    with pytest.raises(FrameError, match="DLE STX"):
        serial_frame.unframe(H("02 10 00"))
