"""The receipt's printed words in the store's language.

The receipt speaks the shop's language (its `[store] locale`), not the till
workstation's: a German shop prints German receipts whatever language the cashier's
screen uses. The words are English in `services.receipt_content.ReceiptWords`; here
each is looked up in the shipped translation for the store's locale (context
"Receipt"), falling back to English where a language has no translation.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from pos_terminal.services.receipt_content import ReceiptWords

TRANSLATIONS = Path(__file__).parent / "translations"

# For lupdate, which extracts only literal calls: every English word of ReceiptWords.
_WORDS = (
    QCoreApplication.translate("Receipt", "Cash"), QCoreApplication.translate("Receipt", "Card"),
    QCoreApplication.translate("Receipt", "Voucher"), QCoreApplication.translate("Receipt", "Other"),
    QCoreApplication.translate("Receipt", "Rounding"), QCoreApplication.translate("Receipt", "Tax"),
    QCoreApplication.translate("Receipt", "Thank you!"), QCoreApplication.translate("Receipt", "REFUND"),
    QCoreApplication.translate("Receipt", "Refund of receipt {receipt}"),
    QCoreApplication.translate("Receipt", "Receipt"), QCoreApplication.translate("Receipt", "TOTAL"),
    QCoreApplication.translate("Receipt", "Change"), QCoreApplication.translate("Receipt", "{tax} on {net}"),
    QCoreApplication.translate("Receipt", "*** COPY ***"),
    QCoreApplication.translate("Receipt", "Discount {amount}"),
    QCoreApplication.translate("Receipt", "Price changed from {price}: {reason}"),
    QCoreApplication.translate("Receipt", "VAT id {vat_id}"), QCoreApplication.translate("Receipt", "Till {till}"),
)


def receipt_words(locale: str | None = None) -> ReceiptWords:
    """The words in `locale`'s language (`de_DE`); None: the translators installed now."""
    if locale is None:
        translate = lambda text: QCoreApplication.translate("Receipt", text)  # noqa: E731
    else:
        translator = QTranslator()
        translator.load(QLocale(locale), "pos_terminal", "_", str(TRANSLATIONS))
        translate = lambda text: translator.translate("Receipt", text) or text  # noqa: E731
    english = ReceiptWords()
    words: dict[str, object] = {}
    for f in fields(ReceiptWords):
        value = getattr(english, f.name)
        if isinstance(value, dict):
            words[f.name] = {k: translate(v) for k, v in value.items()}
        elif isinstance(value, tuple):
            words[f.name] = tuple(translate(v) for v in value)
        else:
            words[f.name] = translate(value)
    return ReceiptWords(**words)  # type: ignore[arg-type]
