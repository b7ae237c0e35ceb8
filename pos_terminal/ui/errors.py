"""Turn a refused action into one clear line for the cashier: a translated prefix naming
what went wrong, then the domain's own detail text (which names the code, line or user)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from devices.base import DeviceError
from devices.transports.base import TransportError
from pos_terminal.core.barcodes import BarcodeError
from pos_terminal.core.catalog import UnknownItem
from pos_terminal.core.money import MoneyError
from pos_terminal.core.permissions import PermissionDenied
from pos_terminal.core.tenders import TenderError
from pos_terminal.core.ticket import DiscountError, NeedsApproval, PriceError, QuantityError, TicketError
from pos_terminal.core.users import PinError, UserLocked, WrongPin
from pos_terminal.services.returns import ReceiptNotFound
from pos_terminal.services.staff import UnknownUser


def _tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def error_prefix(exc: BaseException) -> str:
    """The translated headline for an exception (most specific class first)."""
    # Literal strings in each branch so Qt's lupdate can extract them.
    if isinstance(exc, BarcodeError):
        return _tr("Bad barcode")
    if isinstance(exc, UnknownItem):
        return _tr("Unknown item")
    if isinstance(exc, WrongPin):
        return _tr("Wrong PIN")
    if isinstance(exc, UserLocked):
        return _tr("User locked")
    if isinstance(exc, PinError):
        return _tr("PIN refused")
    if isinstance(exc, UnknownUser):
        return _tr("Unknown user")
    if isinstance(exc, PermissionDenied):
        return _tr("Not allowed")
    if isinstance(exc, TenderError):
        return _tr("Payment refused")
    if isinstance(exc, QuantityError):
        return _tr("Quantity refused")
    if isinstance(exc, DiscountError):
        return _tr("Discount refused")
    if isinstance(exc, PriceError):
        return _tr("Price refused")
    if isinstance(exc, ReceiptNotFound):
        return _tr("Receipt not found")
    if isinstance(exc, TicketError):
        return _tr("Refused")
    if isinstance(exc, MoneyError):
        return _tr("Not a valid amount")
    if isinstance(exc, (DeviceError, TransportError)):
        return _tr("Device problem")
    return _tr("Error")


def describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"{error_prefix(exc)}: {detail}" if detail else error_prefix(exc)


def needs_approval(exc: BaseException) -> bool:
    """Would a manager's approval let this action through?"""
    return isinstance(exc, (PermissionDenied, NeedsApproval))
