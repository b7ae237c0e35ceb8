"""The ECR -> terminal commands we send, as APDUs (golden bytes in tests/devices/test_zvt_bytes.py).

The password is the terminal's 6-digit ECR password (3 bytes BCD, "000000" on a new
terminal). Currency is the ISO 4217 number as BCD (978 = EUR: `09 78`).
"""

from __future__ import annotations

from decimal import Decimal

from devices.payment.zvt.apdu import Apdu
from devices.payment.zvt.fields import bcd, bcd_amount, encode_bmp

__all__ = [
    "CONFIG_BYTE", "abort", "authorisation", "end_of_day", "log_off", "refund", "registration",
    "repeat_receipt", "reversal", "status_enquiry",
]

# Registration config byte (spec "config-byte"): the ECR prints payment receipts (02) and
# administration receipts (04), wants intermediate status (08), controls the payment (10)
# and administration (20) functions, so the terminal's own keys cannot start a payment
# behind the till's back. Bit 80 clear: receipts arrive as Print Line (06 D1).
CONFIG_BYTE = 0x02 | 0x04 | 0x08 | 0x10 | 0x20

REGISTRATION = (0x06, 0x00)
AUTHORISATION = (0x06, 0x01)
LOG_OFF = (0x06, 0x02)
REPEAT_RECEIPT = (0x06, 0x20)
REVERSAL = (0x06, 0x30)
REFUND = (0x06, 0x31)
END_OF_DAY = (0x06, 0x50)
ABORT = (0x06, 0xB0)
STATUS_ENQUIRY = (0x05, 0x01)


def _password(password: str) -> bytes:
    return bcd(password, 3)


def registration(password: str, currency: int = 978, config_byte: int = CONFIG_BYTE) -> Apdu:
    """06 00: log the till on, say who prints and which currency it works in."""
    return Apdu(*REGISTRATION, _password(password) + bytes((config_byte,)) + bcd(currency, 2))


def authorisation(amount: Decimal, currency: int | None = None) -> Apdu:
    """06 01: take `amount` from the card the customer presents."""
    data = encode_bmp(0x04, bcd_amount(amount))
    if currency is not None:
        data += encode_bmp(0x49, bcd(currency, 2))
    return Apdu(*AUTHORISATION, data)


def reversal(password: str, receipt_no: int) -> Apdu:
    """06 30: cancel the payment with terminal receipt number `receipt_no` (same batch only)."""
    return Apdu(*REVERSAL, _password(password) + encode_bmp(0x87, bcd(receipt_no, 2)))


def refund(password: str, amount: Decimal) -> Apdu:
    """06 31: pay `amount` back to the card the customer presents."""
    return Apdu(*REFUND, _password(password) + encode_bmp(0x04, bcd_amount(amount)))


def end_of_day(password: str) -> Apdu:
    """06 50: close the terminal's batch and send it; answered with the totals (BMP 60)."""
    return Apdu(*END_OF_DAY, _password(password))


def repeat_receipt(password: str) -> Apdu:
    """06 20: the last transaction again (Status-Information and receipt)."""
    return Apdu(*REPEAT_RECEIPT, _password(password))


def status_enquiry(password: str) -> Apdu:
    """05 01: is the terminal ready? (also ends a transaction left half-open)."""
    return Apdu(*STATUS_ENQUIRY, _password(password))


def log_off() -> Apdu:
    return Apdu(*LOG_OFF)


def abort() -> Apdu:
    """06 B0: the till cancels a payment the terminal is still waiting on (no card yet)."""
    return Apdu(*ABORT)
