"""ZVT data fields: BCD numbers, BMP fields and TLV containers.

BMP fields (the spec's "bitmaps") are one tag byte followed by a value whose size the
tag fixes: a fixed number of bytes, or LLVAR / LLLVAR, whose 2 or 3 length digits are
sent as F-nibbles (`F1 F5` = 15 bytes follow). BMP 06 holds a TLV container with
BER-TLV lengths (`81 xx`, `82 xx xx` for long ones) and tags of one or more bytes
(a first byte ending in 1F continues; a following byte with the top bit set continues).

Amounts are 6 bytes BCD in minor units (cents): 12.50 EUR is `00 00 00 00 12 50`.
Masked PAN digits are sent as the nibble E and shown as "*".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from devices.payment.zvt.apdu import FrameError

__all__ = [
    "BMP_LENGTHS", "Bmp", "Tlv", "bcd", "bcd_amount", "decode_bcd", "decode_pan",
    "encode_bmp", "encode_tlv", "parse_bmps", "parse_tlv", "amount_from_bcd",
]

LLVAR = "LLVAR"  # 2 length digits as F-nibbles
LLLVAR = "LLLVAR"  # 3 length digits
_DIGITS = {LLVAR: 2, LLLVAR: 3}

# tag -> (name, size): size is a byte count, LLVAR, LLLVAR, or "tlv" (BMP 06).
BMP_LENGTHS: dict[int, tuple[str, int | str]] = {
    0x01: ("timeout", 1),
    0x02: ("max_status_infos", 1),
    0x03: ("service_byte", 1),
    0x04: ("amount", 6),
    0x05: ("pump_no", 1),
    0x06: ("tlv", "tlv"),
    0x0B: ("trace_no", 3),
    0x0C: ("time", 3),
    0x0D: ("date", 2),
    0x0E: ("expiry_date", 2),
    0x17: ("card_sequence_no", 2),
    0x19: ("payment_type", 1),
    0x22: ("pan", LLVAR),
    0x23: ("track2", LLVAR),
    0x24: ("track3", LLLVAR),
    0x27: ("result_code", 1),
    0x29: ("terminal_id", 4),
    0x2A: ("vu_number", 15),
    0x2D: ("track1", LLVAR),
    0x2E: ("sync_chip_data", LLLVAR),
    0x37: ("original_trace_no", 3),
    0x3A: ("cvv", 2),
    0x3B: ("auth_code", 8),  # the spec's "AID": authorisation attribute
    0x3C: ("additional_text", LLLVAR),
    0x3D: ("password", 3),
    0x49: ("currency", 2),
    0x60: ("totals", LLLVAR),
    0x87: ("receipt_no", 2),
    0x88: ("turnover_no", 3),
    0x8A: ("card_type", 1),
    0x8B: ("card_name", LLVAR),
    0x8C: ("card_type_id", 1),
    0x9A: ("geldkarte_data", LLLVAR),
    0xA0: ("result_code_as", 1),
    0xA7: ("chip_data", LLVAR),
    0xAF: ("emv_data", LLLVAR),
    0xBA: ("aid_parameter", 5),
    0xD0: ("algorithm_key", 1),
    0xD1: ("card_offset", LLVAR),
    0xD2: ("direct_debit", 1),
    0xD3: ("extended_error", 1),
    0xE0: ("min_length", 1),
    0xE1: ("text_line_1", LLVAR),
    0xF0: ("display_duration", 1),
}


# -- BCD ---------------------------------------------------------------------------
def bcd(number: int | str, nbytes: int) -> bytes:
    """`number` as `nbytes` of packed BCD, left-padded with zeros."""
    digits = str(number)
    if not digits.isdigit():
        raise FrameError(f"BCD needs digits, got {number!r}")
    if len(digits) > nbytes * 2:
        raise FrameError(f"{number} does not fit in {nbytes} BCD bytes")
    return bytes.fromhex(digits.rjust(nbytes * 2, "0"))


def decode_bcd(raw: bytes) -> int:
    text = raw.hex()
    if not text.isdigit():
        raise FrameError(f"not BCD: {raw.hex(' ')}")
    return int(text)


def bcd_amount(amount: Decimal) -> bytes:
    """A positive amount with at most 2 decimals as the 6-byte BCD of its cents."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be Decimal, got {type(amount).__name__}")
    cents = amount * 100
    if amount <= 0 or cents != cents.to_integral_value():
        raise FrameError(f"a card amount must be positive with at most 2 decimals, got {amount}")
    return bcd(int(cents), 6)


def amount_from_bcd(raw: bytes) -> Decimal:
    return (Decimal(decode_bcd(raw)) / 100).quantize(Decimal("0.01"))


def decode_pan(raw: bytes) -> str:
    """BCD digits with E for masked digits ("*") and a trailing F filler for odd lengths."""
    out = []
    for nibble in raw.hex().upper():
        if nibble.isdigit():
            out.append(nibble)
        elif nibble == "E":
            out.append("*")
        elif nibble == "F":
            continue
        else:
            raise FrameError(f"not a masked PAN: {raw.hex(' ')}")
    return "".join(out)


# -- BMP fields --------------------------------------------------------------------
@dataclass(frozen=True)
class Bmp:
    tag: int
    value: bytes
    tlv: tuple[Tlv, ...] = field(default=())  # BMP 06 only

    @property
    def name(self) -> str:
        return BMP_LENGTHS.get(self.tag, (f"bmp_{self.tag:02x}", 0))[0]


def _var_length(n: int, digits: int) -> bytes:
    text = str(n)
    if len(text) > digits:
        raise FrameError(f"{n} bytes do not fit an {'L' * digits}VAR")
    return bytes(0xF0 | int(d) for d in text.rjust(digits, "0"))


def encode_bmp(tag: int, value: bytes) -> bytes:
    if tag not in BMP_LENGTHS:
        raise FrameError(f"unknown BMP {tag:02X}")
    size = BMP_LENGTHS[tag][1]
    if size == "tlv":
        return bytes((tag,)) + _ber_length(len(value)) + value
    if size in _DIGITS:
        return bytes((tag,)) + _var_length(len(value), _DIGITS[size]) + value
    if len(value) != size:
        raise FrameError(f"BMP {tag:02X} takes {size} bytes, got {len(value)}")
    return bytes((tag,)) + value


def _read_var_length(data: bytes, pos: int, digits: int, tag: int) -> tuple[int, int]:
    raw = data[pos:pos + digits]
    if len(raw) < digits or any(b & 0xF0 != 0xF0 or b & 0x0F > 9 for b in raw):
        raise FrameError(f"BMP {tag:02X}: bad {'L' * digits}VAR length {raw.hex(' ')}")
    return int("".join(str(b & 0x0F) for b in raw)), pos + digits


def parse_bmps(data: bytes) -> list[Bmp]:
    """Every BMP field in `data`, in order. An unknown tag or a short field is a FrameError:
    without the tag's size the rest cannot be read, and guessing could invent an approval."""
    fields: list[Bmp] = []
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag not in BMP_LENGTHS:
            raise FrameError(f"unknown BMP {tag:02X} at byte {pos - 1}")
        size = BMP_LENGTHS[tag][1]
        if size == "tlv":
            length, pos = _read_ber_length(data, pos)
            value = _take(data, pos, length, tag)
            fields.append(Bmp(tag, value, tuple(parse_tlv(value))))
        else:
            if size in _DIGITS:
                length, pos = _read_var_length(data, pos, _DIGITS[size], tag)
            else:
                length = size  # type: ignore[assignment]
            fields.append(Bmp(tag, _take(data, pos, length, tag)))
        pos += length
    return fields


def _take(data: bytes, pos: int, length: int, tag: int) -> bytes:
    value = data[pos:pos + length]
    if len(value) != length:
        raise FrameError(f"BMP {tag:02X}: {length} bytes announced, {len(value)} present")
    return value


# -- TLV containers ----------------------------------------------------------------
@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes
    children: tuple[Tlv, ...] = field(default=())

    @property
    def constructed(self) -> bool:
        return bool(_first_tag_byte(self.tag) & 0x20)

    def find(self, tag: int) -> Tlv | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None


def _first_tag_byte(tag: int) -> int:
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")[0]


def _ber_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    if n <= 0xFF:
        return bytes((0x81, n))
    if n <= 0xFFFF:
        return bytes((0x82, n >> 8, n & 0xFF))
    raise FrameError(f"TLV value of {n} bytes is too long")


def _read_ber_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise FrameError("TLV length missing")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count not in (1, 2) or pos + 1 + count > len(data):
        raise FrameError(f"bad TLV length {data[pos:pos + 1 + count].hex(' ')}")
    return int.from_bytes(data[pos + 1:pos + 1 + count], "big"), pos + 1 + count


def _read_tag(data: bytes, pos: int) -> tuple[int, int]:
    start = pos
    if pos >= len(data):
        raise FrameError("TLV tag missing")
    pos += 1
    if data[start] & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise FrameError(f"TLV tag cut short: {data[start:].hex(' ')}")
            pos += 1
            if not data[pos - 1] & 0x80:
                break
    return int.from_bytes(data[start:pos], "big"), pos


def parse_tlv(data: bytes) -> list[Tlv]:
    items: list[Tlv] = []
    pos = 0
    while pos < len(data):
        tag, pos = _read_tag(data, pos)
        length, pos = _read_ber_length(data, pos)
        value = data[pos:pos + length]
        if len(value) != length:
            raise FrameError(f"TLV {tag:X}: {length} bytes announced, {len(value)} present")
        children = tuple(parse_tlv(value)) if _first_tag_byte(tag) & 0x20 else ()
        items.append(Tlv(tag, value, children))
        pos += length
    return items


def encode_tlv(tag: int, value: bytes | list[bytes]) -> bytes:
    """One TLV item; a list value is the concatenation of already encoded children."""
    body = b"".join(value) if isinstance(value, list) else value
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + _ber_length(len(body)) + body
