"""ESC/POS pieces we own: command bytes, status parsing, receipt layout, a stream parser.

python-escpos renders the receipt (through its `Dummy` printer) and does the
code-page encoding; everything that must be *validated* (real-time status
replies, job confirmations) is ours, because python-escpos 3.1 reports
"paper adequate" when a printer does not answer.
"""

from devices.escpos.receipt import Receipt, ReceiptLine, TaxLine, Tender, render_receipt
from devices.escpos.status import PrinterStatus, StatusError

__all__ = [
    "PrinterStatus",
    "Receipt",
    "ReceiptLine",
    "StatusError",
    "TaxLine",
    "Tender",
    "render_receipt",
]
