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
from typing import TYPE_CHECKING, Protocol

from devices.drawer import KickResult
from devices.events import ErrorEvent, ErrorLocus, EventBus, PowerState
from devices.escpos.receipt import Receipt
from devices.scanner import ScanFormat, WedgeSettings
from pos_terminal.config import TerminalConfig
from pos_terminal.core.sale import TenderType
from pos_terminal.store import pending_receipts, sales
from pos_terminal.store.db import Database

from .checkout import CompletedOrder
from .device_telemetry import DeviceTelemetry
from .receipt_content import ReceiptWords as ReceiptLabels  # the receipt's words (content lives there)
from .receipt_content import receipt_for

if TYPE_CHECKING:
    from .till import Till

log = logging.getLogger(__name__)


class WeighingScale(Protocol):
    def read_stable_weight(self, timeout: float) -> Decimal: ...


class ReceiptQueue(Protocol):
    def submit(self, job_id: str, job: Receipt | bytes) -> None: ...
    def job(self, job_id: str) -> object | None: ...


class Drawer(Protocol):
    def kick(self, action_id: str) -> object: ...


class NoScale(RuntimeError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"no scale connected ({reason}); key in the weight")


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
    # True when the devices file names no receipt printer: receipts are then not owed.
    printerless: bool = False
    db: Database | None = None  # the till's, where receipts wait for the print queue (attach)
    telemetry: DeviceTelemetry = field(default_factory=DeviceTelemetry)  # for the heartbeat

    def attach(self, till: Till) -> None:
        """Serve `till`: first hand over the receipts an earlier run committed but never
        got into the print queue (a crash after commit), then print after every sale."""
        self.db = till.db
        self.print_owed_receipts()
        till.on_committed(self.after_sale)

    def print_owed_receipts(self) -> int:
        """Hand every receipt still owed to the print queue; returns how many were owed.

        The print queue is idempotent by order id and prints a job it may already have
        printed under a COPY banner, so a receipt it already holds is only settled here:
        each owed receipt prints once (or, after a crash mid-print, once more as a copy)."""
        if self.db is None:
            return 0
        with self.db.reader() as session:
            owed = [CompletedOrder(o.order_id, o.receipt_no, o.created_at, sales.to_finished_sale(
                        o, self.config.tax_mode, self.config.currency.scale))
                    for o in pending_receipts.waiting(session)]
        for order in owed:
            already = self.print_queue is not None and self.print_queue.job(order.order_id) is not None
            log.info("receipt %s owed since before this start: %s", order.receipt_no,
                     "already in the print queue" if already else
                     "printing it now" if self.print_queue is not None else "still no printer to print it",
                     extra={"order_id": order.order_id})
            if already:
                pending_receipts.handed_over(self.db, order.order_id)
            else:
                self.queue_receipt(order)
        return len(owed)
    wedge: WedgeSettings | None = None  # a keyboard-wedge scanner's framing, if one is configured
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
        self.queue_receipt(order)
        if any(t.type == TenderType.CASH for t in order.sale.tenders):
            self.kick_drawer(order.order_id + "/drawer")

    def queue_receipt(self, order: CompletedOrder) -> None:
        """Put the order's receipt into the durable print queue, then settle the debt the
        sale's transaction recorded (store.pending_receipts). With a receipt printer
        configured but not usable now, the receipt stays owed for the next start."""
        if self.print_queue is None:
            if self.printerless and self.db is not None:
                pending_receipts.handed_over(self.db, order.order_id)  # nothing to print on
            return
        try:
            lines = self.card_receipts(order.order_id) if self.card_receipts is not None else ()
            self.print_queue.submit(order.order_id, receipt_for(order, self.config, self.labels, terminal_lines=lines))
        except Exception as exc:  # noqa: BLE001 - the sale is committed; report, don't fail it
            self._report("receipt", ErrorLocus.OUTPUT, "print_failed", str(exc))
            return
        log.info("receipt %s queued for printing", order.receipt_no, extra={"order_id": order.order_id})
        if self.db is not None:
            pending_receipts.handed_over(self.db, order.order_id)

    def kick_drawer(self, action_id: str) -> None:
        """Open the drawer once for `action_id`, on its own thread (it waits for "open")."""
        if self.drawer is not None:
            threading.Thread(target=self._kick, args=(action_id,), name="drawer-kick", daemon=True).start()

    def _kick(self, action_id: str) -> None:
        assert self.drawer is not None
        try:
            result = self.drawer.kick(action_id)  # at most once per action id (devices.drawer ledger)
            if result == KickResult.OPENED:  # not ALREADY_DONE: that kick was counted before
                self.telemetry.drawer_kicked(getattr(self.drawer, "name", "drawer"))
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
    till.telemetry.unavailable = till.unavailable
    till.telemetry.watch(till.bus)
    where = data_dir or config.data_dir
    try:
        devices_cfg = load_config(config.devices_config)
        manager = DeviceManager(devices_cfg, till.bus, state_dir=where / "devices")
    except (ConfigError, OSError, ValueError) as exc:
        till.unavailable["devices"] = str(exc)
        return till
    till.wedge = _wedge_settings(devices_cfg)
    kinds = {name: type(c) for name, c in devices_cfg.devices.items()}
    till.telemetry.kinds = {name: kind.__name__.removesuffix("Config").lower() for name, kind in kinds.items()}
    first = {kind: next((n for n, k in kinds.items() if k is kind), None)
             for kind in (ScaleConfig, PrinterConfig, DrawerConfig, PaymentConfig)}
    if first[ScaleConfig]:
        till.scale = manager.get(first[ScaleConfig])  # type: ignore[assignment]
    else:
        till.unavailable["scale"] = "no scale configured"
    till.printerless = first[PrinterConfig] is None
    if first[PrinterConfig]:
        try:
            queue = PrintQueue(where / "print_queue.sqlite3", manager.get(first[PrinterConfig]))
            till.print_queue = queue
            till.closers.append(queue.close)
            till.telemetry.print_retries = lambda: {queue.printer.name: queue.retries}
        except Exception as exc:  # noqa: BLE001 - no receipts, but the till still sells
            till.unavailable[first[PrinterConfig]] = str(exc)
    if first[DrawerConfig]:
        till.drawer = manager.get(first[DrawerConfig])  # type: ignore[assignment]
    if first[PaymentConfig]:
        till.card_terminal = manager.get(first[PaymentConfig])
        till.card_copies = tuple(devices_cfg.devices[first[PaymentConfig]].receipt_copies)  # type: ignore[union-attr]
    till.power = lambda: {name: manager.get(name).power_state for name in manager.names()}
    till.telemetry.power = till.power
    manager.start()  # returns at once; devices come online in the background
    till.closers.insert(0, manager.stop)  # closers run in reverse: queue first, then the manager
    return till


def _wedge_settings(devices_cfg: object) -> WedgeSettings | None:
    """The first keyboard-wedge scanner's prefix, suffix and timing fallback."""
    from devices.config import ScannerConfig

    for c in getattr(devices_cfg, "devices", {}).values():
        if isinstance(c, ScannerConfig) and c.transport == "wedge":
            return WedgeSettings(ScanFormat(prefix=c.prefix, suffix=c.suffix, aim=c.aim),
                                 max_gap=c.max_key_gap_ms / 1000, min_length=c.min_length)
    return None
