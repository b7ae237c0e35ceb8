"""The ZVT byte layer (ECR interface of German, Austrian and Swiss card terminals).

Pure bytes, no I/O, written from the public ZVT specification: `apdu` (framing and
ACK/NAK), `fields` (BCD, BMP fields, TLV containers), `commands` (what the till sends),
`messages` (what the terminal answers), `serial_frame` (the RS-232 DLE/STX framing).
"""

from devices.payment.zvt.apdu import ACK, Apdu, FrameError, decode, nak, split_frame
from devices.payment.zvt.messages import (
    Abort,
    CardTotals,
    Completion,
    IntermediateStatus,
    PrintLine,
    PrintTextBlock,
    StatusInformation,
    UnknownMessage,
    parse_message,
    result_text,
)

__all__ = [
    "ACK", "Abort", "Apdu", "CardTotals", "Completion", "FrameError", "IntermediateStatus",
    "PrintLine", "PrintTextBlock", "StatusInformation", "UnknownMessage", "decode", "nak",
    "parse_message", "result_text", "split_frame",
]
