"""ZVT payment terminal driver: one transaction at a time, every step under a deadline.

A ZVT transaction: the till sends a command; the terminal acknowledges it within T3
(5 s) and becomes master, sending intermediate status (04 FF), Status-Information
(04 0F) and receipt lines (06 D1 / 06 D3), each acknowledged by the till, until it
ends with Completion (06 0F) or Abort (06 1E). Only then may the till send again
(except Abort, 06 B0, which the till may send while the terminal waits for a card).

What a caller may conclude, and nothing more:
- TerminalUnavailable / TerminalRefused: the command never took effect; retrying is safe.
- OutcomeUnknown: it reached (or may have reached) the terminal, and the end was not
  seen (link lost, silence, a damaged frame). Money may have moved: ask the terminal
  (`repeat_receipt`) before anyone pays again. A damaged frame is never an approval.
- TerminalResult: the terminal said how it ended; `approved` only with Completion and
  a Status-Information whose result code is 00.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from devices.base import Device, DeviceError, HealthReport, LifecycleState
from devices.events import ErrorEvent, ErrorLocus, EventBus, PaymentStatusEvent, PowerState
from devices.payment.link import ApduLink
from devices.payment.zvt import commands
from devices.payment.zvt.apdu import ACK, Apdu, FrameError, nak
from devices.payment.zvt.messages import (
    Abort,
    Completion,
    IntermediateStatus,
    PrintLine,
    PrintTextBlock,
    StatusInformation,
    UnknownMessage,
    parse_message,
    result_text,
)
from devices.transports.base import TransportError, TransportTimeout

log = logging.getLogger(__name__)

RECEIPT_TYPES = {1: "merchant", 2: "customer", 3: "administration"}


class PaymentError(DeviceError):
    pass


class TerminalUnavailable(PaymentError):
    """Nothing reached the terminal (no connection, busy with another transaction)."""


class TerminalRefused(PaymentError):
    """The terminal answered the command with NAK: it did not start it."""


class OutcomeUnknown(PaymentError):
    """The command may have taken effect and its end was not seen: ask the terminal."""


class Outcome(str, enum.Enum):
    APPROVED = "approved"
    DECLINED = "declined"
    ABORTED = "aborted"


@dataclass(frozen=True)
class TerminalReceipt:
    copy: str  # "merchant", "customer" or "administration"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class TerminalResult:
    outcome: Outcome
    message: str
    status: StatusInformation | None = None
    result_code: int | None = None
    receipts: tuple[TerminalReceipt, ...] = ()

    @property
    def approved(self) -> bool:
        return self.outcome == Outcome.APPROVED

    def receipt(self, copy: str) -> tuple[str, ...]:
        return next((r.lines for r in self.receipts if r.copy == copy), ())


@dataclass(frozen=True)
class PaymentTerminalConfig:
    password: str = "000000"  # the terminal's ECR password, 6 digits
    currency: int = 978  # ISO 4217 number (EUR)
    connect_timeout: float = 5.0
    ack_timeout: float = 5.0  # T3: the terminal acknowledges each command within this
    # The terminal may take its time (PIN entry, the card issuer); silence this long
    # mid-transaction means the outcome is unknown. Each intermediate status restarts it.
    reply_timeout: float = 180.0
    # Print Line (06 D1) does not say which copy it prints; its receipts come in this order.
    line_copies: tuple[str, ...] = ("merchant", "customer")


@dataclass
class _Transaction:
    """What the terminal has said so far in the running transaction."""

    status: StatusInformation | None = None
    damaged: list[str] = field(default_factory=list)
    copies: list[TerminalReceipt] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


class PaymentTerminal(Device):
    def __init__(self, name: str, link: ApduLink, bus: EventBus | None = None,
                 config: PaymentTerminalConfig | None = None) -> None:
        super().__init__(name, bus)
        self.link = link
        self.config = config or PaymentTerminalConfig()
        self._busy = threading.Lock()
        self._in_transaction = threading.Event()
        self._pending: Apdu | None = None  # a message that arrived in place of the ACK

    # -- lifecycle hooks ---------------------------------------------------------------
    def _do_claim(self, timeout: float) -> None:
        # Like the printer: an absent terminal does not fail the claim; every
        # operation reconnects and the power state tells the UI.
        try:
            with self._exclusive():
                self._ensure_connected(timeout)
        except PaymentError as exc:
            log.info("%s: claimed while unreachable: %s", self.name, exc)

    def _do_release(self) -> None:
        self.link.close()

    def check_health(self) -> HealthReport:
        if self._in_transaction.is_set():
            return HealthReport(self.name, True, self.power_state, self.state, "busy with a payment")
        try:
            result = self.status_enquiry()
        except PaymentError as exc:
            return HealthReport(self.name, False, self.power_state, self.state, str(exc))
        return HealthReport(self.name, True, self.power_state, self.state, result.message)

    # -- operations --------------------------------------------------------------------
    def register(self) -> TerminalResult:
        return self._run(commands.registration(self.config.password, self.config.currency))

    def authorise(self, amount: Decimal, before_send: Callable[[], None] | None = None) -> TerminalResult:
        """Take `amount` from a card. `before_send` runs once connected, just before the
        command leaves (the till marks its payment intent "sent" there)."""
        return self._run(commands.authorisation(amount), before_send)

    def refund(self, amount: Decimal, before_send: Callable[[], None] | None = None) -> TerminalResult:
        return self._run(commands.refund(self.config.password, amount), before_send)

    def reverse(self, receipt_no: int, before_send: Callable[[], None] | None = None) -> TerminalResult:
        return self._run(commands.reversal(self.config.password, receipt_no), before_send)

    def end_of_day(self) -> TerminalResult:
        return self._run(commands.end_of_day(self.config.password))

    def repeat_receipt(self) -> TerminalResult:
        """The terminal's last transaction again: how the till learns what really happened."""
        return self._run(commands.repeat_receipt(self.config.password))

    def status_enquiry(self) -> TerminalResult:
        return self._run(commands.status_enquiry(self.config.password))

    def abort(self) -> bool:
        """Ask the terminal to cancel the running payment (06 B0). False: none running.

        Whether it was cancelled is what the running call returns: a terminal that
        already has the card's approval finishes the payment regardless.
        """
        if not self._in_transaction.is_set():
            return False
        try:
            self.link.send(commands.abort(), self.config.ack_timeout)
        except TransportError as exc:
            log.warning("%s: could not send abort: %s", self.name, exc)
            return False
        return True

    # -- the transaction ---------------------------------------------------------------
    def _run(self, command: Apdu, before_send: Callable[[], None] | None = None) -> TerminalResult:
        self.require(LifecycleState.ENABLED, "talk to the terminal")
        with self._exclusive():
            self._ensure_connected(self.config.connect_timeout)
            if before_send is not None:
                before_send()
            self._in_transaction.set()
            try:
                return self._exchange(command)
            finally:
                self._in_transaction.clear()

    def _exclusive(self):
        return _Exclusive(self._busy, self.name)

    def _ensure_connected(self, timeout: float) -> None:
        if self.link.is_open:
            return
        try:
            self.link.open(timeout)
        except TransportError as exc:
            self.set_power_state(PowerState.OFF_OFFLINE)
            raise TerminalUnavailable(f"{self.name}: {exc}") from exc
        self.set_power_state(PowerState.ONLINE)

    def _exchange(self, command: Apdu) -> TerminalResult:
        try:
            self.link.send(command, self.config.ack_timeout)
        except TransportError as exc:
            # a write that failed may still have delivered some bytes: the terminal
            # cannot act on a partial APDU, and a whole one would have been written
            raise self._lost(exc, TerminalUnavailable) from exc
        self._await_ack(command)
        return self._follow(command, _Transaction())

    def _await_ack(self, command: Apdu) -> None:
        try:
            answer = self.link.receive(self.config.ack_timeout)
        except FrameError as exc:
            self._damaged(f"damaged answer to {command.code.hex(' ')}: {exc}")
            raise OutcomeUnknown(f"{self.name}: damaged answer to the command") from exc
        except TransportError as exc:
            raise self._lost(exc, OutcomeUnknown) from exc
        if answer.is_nak:
            raise TerminalRefused(f"{self.name}: the terminal refused the command (NAK {answer.instr:02X})")
        if answer.is_ack:
            return
        # Some terminals skip the ACK and answer at once (e.g. Abort 06 1E): the first message.
        self._pending = answer

    def _follow(self, command: Apdu, tx: _Transaction) -> TerminalResult:
        deadline = time.monotonic() + self.config.reply_timeout
        while True:
            apdu = self._take_pending()
            if apdu is None:
                apdu = self._receive_until(deadline, tx)
                if apdu is None:
                    continue  # a damaged frame: NAKed, noted, keep listening
            if apdu.is_ack or apdu.is_nak:
                continue  # the terminal's answer to our Abort (06 B0)
            try:
                message = parse_message(apdu)
            except FrameError as exc:
                self._reply(nak())
                self._damaged(f"damaged {apdu.code.hex(' ')} from the terminal: {exc}")
                tx.damaged.append(str(exc))
                continue
            self._reply(ACK)
            if isinstance(message, IntermediateStatus):
                self.publish(PaymentStatusEvent(self.name, message.code, message.text))
                deadline = time.monotonic() + max(self.config.reply_timeout, message.timeout or 0)
            elif isinstance(message, StatusInformation):
                tx.status = message
            elif isinstance(message, PrintLine):
                self._add_line(tx, message)
            elif isinstance(message, PrintTextBlock):
                copy = RECEIPT_TYPES.get(message.receipt_type or 0, "merchant")
                tx.copies.append(TerminalReceipt(copy, message.lines))
            elif isinstance(message, UnknownMessage):
                log.info("%s: ignoring %r", self.name, message.apdu)
            elif isinstance(message, (Completion, Abort)):
                return self._ended(command, message, tx)

    def _take_pending(self) -> Apdu | None:
        apdu, self._pending = self._pending, None
        return apdu

    def _receive_until(self, deadline: float, tx: _Transaction) -> Apdu | None:
        silent = TransportTimeout(f"the terminal was silent for {self.config.reply_timeout:.0f}s mid-transaction")
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._lost(silent, OutcomeUnknown)
        try:
            return self.link.receive(left)
        except TransportTimeout as exc:
            raise self._lost(silent, OutcomeUnknown) from exc
        except FrameError as exc:
            self._reply(nak())
            self._damaged(f"damaged frame from the terminal: {exc}")
            tx.damaged.append(str(exc))
            return None
        except TransportError as exc:
            raise self._lost(exc, OutcomeUnknown) from exc

    def _ended(self, command: Apdu, end: Completion | Abort, tx: _Transaction) -> TerminalResult:
        if tx.damaged:
            raise OutcomeUnknown(f"{self.name}: the terminal sent a damaged frame in this transaction; "
                                 "ask it for its last transaction")
        self._flush_lines(tx)
        receipts = tuple(tx.copies)
        if isinstance(end, Abort):
            outcome = Outcome.ABORTED if end.result_code == 0x6C else Outcome.DECLINED
            return TerminalResult(outcome, end.text, tx.status, end.result_code, receipts)
        if tx.status is not None and not tx.status.approved:
            return TerminalResult(Outcome.DECLINED, result_text(tx.status.result_code), tx.status,
                                  tx.status.result_code, receipts)
        if tx.status is None and command.code in (b"\x06\x01", b"\x06\x30", b"\x06\x31"):
            # money commands must report their data; a bare Completion proves nothing
            raise OutcomeUnknown(f"{self.name}: Completion without Status-Information")
        return TerminalResult(Outcome.APPROVED, "approved", tx.status, 0, receipts)

    def _add_line(self, tx: _Transaction, line: PrintLine) -> None:
        if line.ends_receipt:
            if line.text.strip():
                tx.lines.append(line.text)
            self._flush_lines(tx)
        else:
            tx.lines.append(line.text)

    def _flush_lines(self, tx: _Transaction) -> None:
        if not tx.lines:
            return
        copies = self.config.line_copies
        printed = len(tx.copies)
        copy = copies[printed] if printed < len(copies) else "merchant"
        tx.copies.append(TerminalReceipt(copy, tuple(tx.lines)))
        tx.lines.clear()

    def _reply(self, apdu: Apdu) -> None:
        try:
            self.link.send(apdu, self.config.ack_timeout)
        except TransportError as exc:
            raise self._lost(exc, OutcomeUnknown) from exc

    def _damaged(self, message: str) -> None:
        log.warning("%s: %s", self.name, message)
        self.publish(ErrorEvent(self.name, ErrorLocus.INPUT_DATA, "malformed_frame", message, can_retry=False))

    def _lost(self, exc: Exception, kind: type[PaymentError]) -> PaymentError:
        self.link.close()
        self.set_power_state(PowerState.OFF_OFFLINE)
        self.publish(ErrorEvent(self.name, ErrorLocus.INPUT, "offline", str(exc)))
        return kind(f"{self.name}: {exc}")


class _Exclusive:
    """One transaction at a time; a second caller is told at once, not queued behind a PIN entry."""

    def __init__(self, lock: threading.Lock, name: str) -> None:
        self.lock, self.name = lock, name

    def __enter__(self) -> None:
        if not self.lock.acquire(timeout=1.0):
            raise TerminalUnavailable(f"{self.name}: busy with another transaction")

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
