"""Turn a refused action into one clear line for the cashier: a translated prefix naming
what went wrong, then the domain's own detail text (which names the code, line or user)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from devices.base import DeviceError
from devices.transports.base import TransportError
from pos_terminal.core.barcodes import BarcodeError
from pos_terminal.core.catalog import UnknownItem
from pos_protocol.money import MoneyError
from pos_protocol.permissions import PermissionDenied
from pos_terminal.core.tenders import TenderError
from pos_terminal.core.ticket import DiscountError, NeedsApproval, PriceError, QuantityError, TicketError
from pos_terminal.core.users import PinError, UserLocked, WrongPin
from pos_terminal.services.returns import ReceiptLookupOffline, ReceiptNotFound
from pos_terminal.services.staff import OfficeRefused, OfficeUnreachable, UnknownUser


def error_prefix(exc: BaseException) -> str:
    """The translated headline for an exception (most specific class first)."""
    # Spelled-out translate calls with literal context and text: lupdate only extracts those.
    if isinstance(exc, BarcodeError):
        return QCoreApplication.translate("Errors", "Bad barcode")
    if isinstance(exc, UnknownItem):
        return QCoreApplication.translate("Errors", "Unknown item")
    if isinstance(exc, WrongPin):
        return QCoreApplication.translate("Errors", "Wrong PIN")
    if isinstance(exc, UserLocked):
        return QCoreApplication.translate("Errors", "User locked")
    if isinstance(exc, PinError):
        return QCoreApplication.translate("Errors", "PIN refused")
    if isinstance(exc, UnknownUser):
        return QCoreApplication.translate("Errors", "Unknown user")
    if isinstance(exc, PermissionDenied):
        return QCoreApplication.translate("Errors", "Not allowed")
    if isinstance(exc, TenderError):
        return QCoreApplication.translate("Errors", "Payment refused")
    if isinstance(exc, QuantityError):
        return QCoreApplication.translate("Errors", "Quantity refused")
    if isinstance(exc, DiscountError):
        return QCoreApplication.translate("Errors", "Discount refused")
    if isinstance(exc, PriceError):
        return QCoreApplication.translate("Errors", "Price refused")
    if isinstance(exc, ReceiptNotFound):
        return QCoreApplication.translate("Errors", "Receipt not found")
    if isinstance(exc, (ReceiptLookupOffline, OfficeUnreachable)):
        return QCoreApplication.translate("Errors", "Server unreachable")
    if isinstance(exc, OfficeRefused):
        return QCoreApplication.translate("Errors", "Refused by the server")
    if isinstance(exc, TicketError):
        return QCoreApplication.translate("Errors", "Refused")
    if isinstance(exc, MoneyError):
        return QCoreApplication.translate("Errors", "Not a valid amount")
    if isinstance(exc, (DeviceError, TransportError)):
        return QCoreApplication.translate("Errors", "Device problem")
    return QCoreApplication.translate("Errors", "Error")


def describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"{error_prefix(exc)}: {detail}" if detail else error_prefix(exc)


def needs_approval(exc: BaseException) -> bool:
    """Would a manager's approval let this action through?"""
    return isinstance(exc, (PermissionDenied, NeedsApproval))
