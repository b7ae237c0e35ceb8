"""Card payment terminals: the ZVT byte layer (`payment.zvt`), the link that carries it
(`payment.link`) and the driver (`payment.terminal`)."""

from devices.payment.terminal import (
    Outcome,
    OutcomeUnknown,
    PaymentError,
    PaymentTerminal,
    PaymentTerminalConfig,
    TerminalReceipt,
    TerminalRefused,
    TerminalResult,
    TerminalUnavailable,
)

__all__ = [
    "Outcome", "OutcomeUnknown", "PaymentError", "PaymentTerminal", "PaymentTerminalConfig",
    "TerminalReceipt", "TerminalRefused", "TerminalResult", "TerminalUnavailable",
]
