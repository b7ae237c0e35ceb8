"""The till's devices as the UI needs them: weigh, print a receipt, kick the drawer.

The UI calls it from `Operation`s and bridges its EventBus to Qt signals; nothing here
knows about Qt. Every device is optional: a device that cannot be
built or reached is listed in `unavailable` with the reason, and the till keeps selling.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from devices.events import ErrorEvent, ErrorLocus, EventBus, PowerState
from devices.escpos.receipt import Receipt, ReceiptLine, TaxLine
from devices.escpos.receipt import Tender as ReceiptTender
from pos_terminal.config import TerminalConfig
from pos_terminal.core.sale import TenderType

from .checkout import CompletedOrder
from .formatting import currency_symbol, percent

log = logging.getLogger(__name__)


class WeighingScale(Protocol):
    def read_stable_weight(self, timeout: float) -> Decimal: ...


class ReceiptQueue(Protocol):
    def submit(self, job_id: str, job: Receipt | bytes) -> None: ...


class Drawer(Protocol):
    def kick(self, action_id: str) -> object: ...


class NoScale(RuntimeError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"no scale connected ({reason}); key in the weight")


@dataclass(frozen=True)
class ReceiptLabels:
    """Printed words, passed in so the caller can translate them."""

    tenders: dict[str, str] = field(default_factory=lambda: {
        "cash": "Cash", "card": "Card", "voucher": "Voucher", "other": "Other", "rounding": "Rounding"})
    tax: str = "Tax"
    footer: tuple[str, ...] = ("Thank you!",)
    refund: str = "REFUND"


def receipt_for(order: CompletedOrder, config: TerminalConfig,
                labels: ReceiptLabels = ReceiptLabels(), terminal_lines: tuple[str, ...] = ()) -> Receipt:
    """Our receipt; `terminal_lines` are the card terminal's receipt copies, printed below."""
    sale = order.sale
    tenders = tuple(
        ReceiptTender(labels.tenders["rounding" if t.is_cash_rounding else TenderType(t.type).value], t.amount)
        for t in sale.tenders
    )
    header = (config.store_name, f"{config.terminal_id}  {order.created_at:%Y-%m-%d %H:%M}")
    if sale.kind == "return":
        header += (labels.refund,)
    return Receipt(
        receipt_id=order.receipt_no,
        lines=tuple(ReceiptLine(l.description, l.qty, l.line_total, l.unit_price) for l in sale.lines),
        total=sale.totals.gross, header=header,
        taxes=tuple(TaxLine(f"{labels.tax} {r.tax_code} {percent(r.rate)}", r.net, r.tax)
                    for r in sale.totals.by_rate),
        tenders=tenders, change=sale.change_given, footer=labels.footer + terminal_lines,
        currency=currency_symbol(config.currency).strip(), logo=config.receipt_logo,
    )


@dataclass
class TillDevices:
    config: TerminalConfig
    bus: EventBus = field(default_factory=EventBus)
    scale: WeighingScale | None = None
    print_queue: ReceiptQueue | None = None
    drawer: Drawer | None = None
    unavailable: dict[str, str] = field(default_factory=dict)  # logical name -> reason
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)
    closers: list[Callable[[], None]] = field(default_factory=list)
    power: Callable[[], dict[str, PowerState]] = dict  # current power state per device
    card_terminal: object | None = None  # devices.payment.PaymentTerminal, if configured
    card_copies: tuple[str, ...] = ()  # the terminal's receipt copies printed with ours
    card_receipts: Callable[[str], tuple[str, ...]] | None = None  # order id -> terminal lines


    def read_stable_weight(self, timeout: float = 10.0) -> Decimal:
        """Blocking: call from an Operation. Raises NoScale, WeightNotStable or TransportError."""
        if self.scale is None:
            raise NoScale(self.unavailable.get("scale", "not configured"))
        return self.scale.read_stable_weight(timeout)

    def after_sale(self, order: CompletedOrder) -> None:
        """Runs right after commit (Till.on_committed): queue the receipt, open the drawer.

        The print queue is durable and returns at once; the drawer kick waits for the
        drawer to report open, so it runs on its own thread and never delays the sale.
        """
        if self.print_queue is not None:
            try:
                lines = self.card_receipts(order.order_id) if self.card_receipts is not None else ()
                self.print_queue.submit(order.order_id, receipt_for(order, self.config, self.labels, lines))
            except Exception as exc:  # noqa: BLE001 - the sale is committed; report, don't fail it
                self._report("receipt", ErrorLocus.OUTPUT, "print_failed", str(exc))
        if any(t.type == TenderType.CASH for t in order.sale.tenders):
            self.kick_drawer(order.order_id + "/drawer")

    def kick_drawer(self, action_id: str) -> None:
        """Open the drawer once for `action_id`, on its own thread (it waits for "open")."""
        if self.drawer is not None:
            threading.Thread(target=self._kick, args=(action_id,), name="drawer-kick", daemon=True).start()

    def _kick(self, action_id: str) -> None:
        assert self.drawer is not None
        try:
            self.drawer.kick(action_id)  # at most once per action id (devices.drawer ledger)
        except Exception as exc:  # noqa: BLE001
            self._report("drawer", ErrorLocus.OUTPUT, "drawer_failed", str(exc))

    def _report(self, device: str, locus: ErrorLocus, code: str, message: str) -> None:
        log.warning("%s: %s", device, message)
        self.bus.publish(ErrorEvent(device, locus, code, message))

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:  # noqa: BLE001 - best effort on shutdown
                log.exception("closing a device failed")


def open_till_devices(config: TerminalConfig, data_dir: Path | None = None) -> TillDevices:
    """Start the device manager on the devices TOML and pick the till's scale, receipt
    printer (behind a durable print queue) and drawer. Never raises: whatever cannot be
    built is listed in `unavailable`; devices that are merely unplugged come online later
    (the manager reconnects in the background)."""
    from devices.config import ConfigError, DrawerConfig, PaymentConfig, PrinterConfig, ScaleConfig, load_config
    from devices.manager import DeviceManager
    from devices.print_queue import PrintQueue

    till = TillDevices(config)
    where = data_dir or config.data_dir
    try:
        devices_cfg = load_config(config.devices_config)
        manager = DeviceManager(devices_cfg, till.bus, state_dir=where / "devices")
    except (ConfigError, OSError, ValueError) as exc:
        till.unavailable["devices"] = str(exc)
        return till
    kinds = {name: type(c) for name, c in devices_cfg.devices.items()}
    first = {kind: next((n for n, k in kinds.items() if k is kind), None)
             for kind in (ScaleConfig, PrinterConfig, DrawerConfig, PaymentConfig)}
    if first[ScaleConfig]:
        till.scale = manager.get(first[ScaleConfig])  # type: ignore[assignment]
    else:
        till.unavailable["scale"] = "no scale configured"
    if first[PrinterConfig]:
        try:
            till.print_queue = PrintQueue(where / "print_queue.sqlite3", manager.get(first[PrinterConfig]))
            till.closers.append(till.print_queue.close)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - no receipts, but the till still sells
            till.unavailable[first[PrinterConfig]] = str(exc)
    if first[DrawerConfig]:
        till.drawer = manager.get(first[DrawerConfig])  # type: ignore[assignment]
    if first[PaymentConfig]:
        till.card_terminal = manager.get(first[PaymentConfig])
        till.card_copies = tuple(devices_cfg.devices[first[PaymentConfig]].receipt_copies)  # type: ignore[union-attr]
    till.power = lambda: {name: manager.get(name).power_state for name in manager.names()}
    manager.start()  # returns at once; devices come online in the background
    till.closers.insert(0, manager.stop)  # closers run in reverse: queue first, then the manager
    return till
