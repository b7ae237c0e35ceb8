"""What a terminal sends the till, parsed: Status-Information, intermediate status,
Completion, Abort and receipt lines. Anything that does not parse is a FrameError;
`parse_message` never guesses, so a damaged frame can never read as an approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from devices.payment.zvt.apdu import Apdu, FrameError
from devices.payment.zvt.fields import Bmp, amount_from_bcd, decode_bcd, decode_pan, parse_bmps

__all__ = [
    "Abort", "CardTotals", "Completion", "IntermediateStatus", "PrintLine", "PrintTextBlock",
    "StatusInformation", "TerminalMessage", "UnknownMessage", "intermediate_text", "parse_message",
    "result_text",
]

STATUS_INFORMATION = (0x04, 0x0F)
INTERMEDIATE_STATUS = (0x04, 0xFF)
COMPLETION = (0x06, 0x0F)
ABORT = (0x06, 0x1E)
PRINT_LINE = (0x06, 0xD1)
PRINT_TEXT_BLOCK = (0x06, 0xD3)

# Intermediate status codes (04 FF) the cashier sees; the rest read "terminal busy (xx)".
INTERMEDIATE_TEXTS = {
    0x00: "Waiting for the customer to confirm the amount",
    0x01: "Customer: please watch the PIN pad",
    0x02: "Customer: please watch the PIN pad",
    0x03: "Not accepted",
    0x04: "Waiting for the card issuer",
    0x05: "Terminal is reversing automatically",
    0x07: "Card not accepted",
    0x08: "Card unknown",
    0x09: "Card expired",
    0x0A: "Insert or tap card",
    0x0B: "Please remove the card",
    0x0C: "Card not readable",
    0x0D: "Processing error",
    0x0E: "Please wait",
    0x0F: "Terminal is running its end of day",
    0x10: "Invalid card",
    0x14: "Credit not sufficient",
    0x15: "Wrong PIN",
    0x17: "Please wait",
    0x18: "Too many wrong PINs",
    0x1C: "Approved, hand over the goods",
    0x1D: "Declined",
}

# Result codes (BMP 27, 06 1E): 01-63 come from the card issuer's system.
RESULT_TEXTS = {
    0x00: "approved",
    0x05: "declined by the card issuer",
    0x64: "card not readable",
    0x65: "card data missing",
    0x66: "processing error",
    0x6C: "cancelled (timeout or the abort key)",
    0x6F: "wrong currency",
    0x71: "credit not sufficient",
    0x77: "end of day not possible",
    0x78: "card expired",
    0x7A: "card unknown",
    0x83: "function not possible",
    0x9A: "ZVT protocol error",
    0x9C: "please try again",
    0xA0: "receiver not ready",
    0xA3: "no connection to the card issuer",
    0xB4: "already reversed",
    0xB5: "reversal not possible",
    0xC2: "terminal needs a diagnosis",
    0xFF: "system error",
}


def result_text(code: int) -> str:
    if code in RESULT_TEXTS:
        return RESULT_TEXTS[code]
    if 0x01 <= code <= 0x63:
        return f"declined by the card issuer (code {code:02d})"
    return f"terminal error {code:02X}"


def intermediate_text(code: int) -> str:
    return INTERMEDIATE_TEXTS.get(code, f"Terminal busy ({code:02X})")


@dataclass(frozen=True)
class CardTotals:
    """End-of-Day BMP 60: per card scheme, how many payments and how much."""

    first_receipt: int
    last_receipt: int
    by_scheme: dict[str, tuple[int, Decimal]]

    @property
    def count(self) -> int:
        return sum(n for n, _ in self.by_scheme.values())

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.by_scheme.values()), Decimal("0.00"))


SCHEMES = ("girocard", "jcb", "mastercard", "amex", "visa", "diners", "other")


def _parse_totals(raw: bytes) -> CardTotals:
    if len(raw) != 4 + 7 * len(SCHEMES):
        raise FrameError(f"BMP 60 totals: {len(raw)} bytes, expected {4 + 7 * len(SCHEMES)}")
    by_scheme = {}
    for i, scheme in enumerate(SCHEMES):
        chunk = raw[4 + 7 * i:11 + 7 * i]
        by_scheme[scheme] = (chunk[0], amount_from_bcd(chunk[1:]))
    return CardTotals(decode_bcd(raw[0:2]), decode_bcd(raw[2:4]), by_scheme)


@dataclass(frozen=True)
class StatusInformation:
    """04 0F: the outcome of a transaction and its data."""

    result_code: int
    amount: Decimal | None = None
    trace_no: int | None = None
    receipt_no: int | None = None
    turnover_no: int | None = None
    terminal_id: str | None = None
    auth_code: str | None = None
    card_type: int | None = None
    card_name: str | None = None
    masked_pan: str | None = None
    date: str | None = None  # MMDD as the terminal sent it
    time: str | None = None  # HHMMSS
    totals: CardTotals | None = None
    fields: tuple[Bmp, ...] = field(default=(), repr=False)

    @property
    def approved(self) -> bool:
        return self.result_code == 0

    @classmethod
    def parse(cls, data: bytes) -> StatusInformation:
        bmps = parse_bmps(data)
        by_tag = {b.tag: b.value for b in bmps}
        if 0x27 not in by_tag:
            raise FrameError("Status-Information without a result code (BMP 27)")
        text = lambda raw: raw.rstrip(b"\x00").decode("latin-1").strip() or None  # noqa: E731
        return cls(
            result_code=by_tag[0x27][0],
            amount=amount_from_bcd(by_tag[0x04]) if 0x04 in by_tag else None,
            trace_no=decode_bcd(by_tag[0x0B]) if 0x0B in by_tag else None,
            receipt_no=decode_bcd(by_tag[0x87]) if 0x87 in by_tag else None,
            turnover_no=decode_bcd(by_tag[0x88]) if 0x88 in by_tag else None,
            terminal_id=str(decode_bcd(by_tag[0x29])).zfill(8) if 0x29 in by_tag else None,
            auth_code=text(by_tag[0x3B]) if 0x3B in by_tag else None,
            card_type=by_tag[0x8A][0] if 0x8A in by_tag else None,
            card_name=text(by_tag[0x8B]) if 0x8B in by_tag else None,
            masked_pan=_masked(decode_pan(by_tag[0x22])) if 0x22 in by_tag else None,
            date=by_tag[0x0D].hex() if 0x0D in by_tag else None,
            time=by_tag[0x0C].hex() if 0x0C in by_tag else None,
            totals=_parse_totals(by_tag[0x60]) if 0x60 in by_tag else None,
            fields=tuple(bmps),
        )


def _masked(pan: str) -> str:
    """Never keep more than the last four digits, whatever the terminal sent."""
    return "*" * max(0, len(pan) - 4) + pan[-4:]


@dataclass(frozen=True)
class IntermediateStatus:
    code: int
    timeout: int | None = None  # seconds the terminal allows for this step, if it says

    @property
    def text(self) -> str:
        return intermediate_text(self.code)


@dataclass(frozen=True)
class Completion:
    fields: tuple[Bmp, ...] = ()


@dataclass(frozen=True)
class Abort:
    result_code: int

    @property
    def text(self) -> str:
        return result_text(self.result_code)


@dataclass(frozen=True)
class PrintLine:
    attribute: int
    text: str

    @property
    def ends_receipt(self) -> bool:
        # attribute FF: the last line of this receipt (the copy is complete)
        return self.attribute == 0xFF


@dataclass(frozen=True)
class PrintTextBlock:
    receipt_type: int | None  # 1 merchant, 2 customer, 3 administration
    lines: tuple[str, ...]


@dataclass(frozen=True)
class UnknownMessage:
    """A well-formed APDU we have no use for (answered with ACK, otherwise ignored)."""

    apdu: Apdu


TerminalMessage = (StatusInformation | IntermediateStatus | Completion | Abort | PrintLine
                   | PrintTextBlock | UnknownMessage)


def parse_message(apdu: Apdu) -> TerminalMessage:
    code = (apdu.cls, apdu.instr)
    data = apdu.data
    if code == STATUS_INFORMATION:
        return StatusInformation.parse(data)
    if code == INTERMEDIATE_STATUS:
        if not data:
            raise FrameError("intermediate status without a status byte")
        return IntermediateStatus(data[0], data[1] if len(data) > 1 else None)
    if code == COMPLETION:
        return Completion(tuple(parse_bmps(data)))
    if code == ABORT:
        if not data:
            raise FrameError("Abort (06 1E) without a result code")
        return Abort(data[0])
    if code == PRINT_LINE:
        if not data:
            raise FrameError("Print Line without an attribute byte")
        return PrintLine(data[0], data[1:].decode("cp437"))
    if code == PRINT_TEXT_BLOCK:
        return _text_block(data)
    return UnknownMessage(apdu)


def _text_block(data: bytes) -> PrintTextBlock:
    bmps = parse_bmps(data)
    container = next((b for b in bmps if b.tag == 0x06), None)
    if container is None:
        raise FrameError("Print Text-Block without a TLV container")
    texts = next((t for t in container.tlv if t.tag == 0x25), None)
    if texts is None:
        raise FrameError("Print Text-Block without print texts (tag 25)")
    kind = texts.find(0x1F07)
    lines = tuple(t.value.decode("cp437") for t in texts.children if t.tag == 0x07)
    return PrintTextBlock(kind.value[0] if kind and kind.value else None, lines)
