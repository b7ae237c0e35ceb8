"""`pos-devices`: the technician's tool for setting up a till's devices.

    pos-devices [--config FILE] list            configured devices and whether they are plugged in
    pos-devices status                           open each device, report its health, close it
    pos-devices test-print [--printer NAME]      print a test receipt (euro sign, accents, QR) and wait for it
    pos-devices read-weight [--scale NAME]       wait for a stable weight and print it in kg
    pos-devices open-drawer [--drawer NAME]      kick the cash drawer once
    pos-devices test-payment [--terminal NAME] [--amount 0.01]
                                                 a card payment through the terminal, and its receipt
    pos-devices end-of-day [--terminal NAME]     close the card terminal's batch and print its totals
    pos-devices simulate printer|scale|scanner|payment
                                                 run a simulator (arguments pass through; see --help)

Exit status: 0 done, 1 the device failed, 2 bad configuration or usage.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from decimal import Decimal

from devices.base import DeviceError
from devices.config import ConfigError, DevicesConfig, load_config, resolve_path
from devices.events import EventBus
from devices.hotplug import is_present
from devices.manager import DeviceManager, identity_for
from devices.transports.base import TransportError

SIMULATORS = {
    "printer": "devices.simulators.printer",
    "scale": "devices.simulators.scale",
    "scanner": "devices.simulators.scanner",
    "payment": "devices.simulators.payment",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) >= 2 and argv[0] == "simulate":
        return _simulate(argv[1], argv[2:])
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
        return args.run(args, config)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except (DeviceError, TransportError, KeyError) as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-devices", description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="device configuration (default: $POS_DEVICES_CONFIG or the simulators' profile shipped in devices/resources/devices.toml)")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    sub.add_parser("list", help="configured devices").set_defaults(run=_list)
    sub.add_parser("status", help="open, check and close each device").set_defaults(run=_status)
    p = sub.add_parser("test-print", help="print a test receipt")
    p.add_argument("--printer", help="logical name (default: the first printer)")
    p.set_defaults(run=_test_print)
    p = sub.add_parser("read-weight", help="read a stable weight")
    p.add_argument("--scale", help="logical name (default: the first scale)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(run=_read_weight)
    p = sub.add_parser("open-drawer", help="kick the cash drawer")
    p.add_argument("--drawer", help="logical name (default: the first drawer)")
    p.add_argument("--action-id", help="retrying with the same id never opens the drawer twice")
    p.set_defaults(run=_open_drawer)
    p = sub.add_parser("test-payment", help="take a small card payment through the terminal")
    p.add_argument("--terminal", help="logical name (default: the first payment terminal)")
    p.add_argument("--amount", type=_amount, default=Decimal("0.01"), help="amount, e.g. 0.01")
    p.set_defaults(run=_test_payment)
    p = sub.add_parser("end-of-day", help="the card terminal's end of day (closes its batch)")
    p.add_argument("--terminal", help="logical name (default: the first payment terminal)")
    p.set_defaults(run=_end_of_day)
    p = sub.add_parser("simulate", help="run a simulator: printer, scale, scanner or payment")
    p.add_argument("which", choices=sorted(SIMULATORS))
    return parser


def _simulate(which: str, rest: list[str]) -> int:
    if which not in SIMULATORS:
        print(f"unknown simulator {which!r}; choose {', '.join(sorted(SIMULATORS))}", file=sys.stderr)
        return 2
    import importlib

    module = importlib.import_module(SIMULATORS[which])
    return module.main(rest)


def _first(config: DevicesConfig, kind: str, name: str | None) -> str:
    if name is not None:
        if name not in config.devices or config.devices[name].kind != kind:
            raise ConfigError(f"no {kind} named {name!r} in the configuration")
        return name
    for candidate, device in config.devices.items():
        if device.kind == kind:
            return candidate
    raise ConfigError(f"no {kind} configured")


def _list(args: argparse.Namespace, config: DevicesConfig) -> int:
    for name, device in config.devices.items():
        if device.kind in ("scale", "scanner") and device.transport != "wedge":
            identity = identity_for(name, device)
            where = f"serial {identity.serial_number or resolve_path(name, device.path)}"
            where += "  (present)" if is_present(identity) else "  (absent)"
        elif device.kind == "printer":
            where = {"tcp": f"tcp {device.host}:{device.port}", "usb": f"usb {device.vendor_id}:{device.product_id}"
                     f" serial {device.serial_number}", "serial": f"serial {device.path}"}[device.transport]
        elif device.kind == "payment":
            where = f"zvt tcp {device.host}:{device.port}" if device.transport == "tcp" else f"zvt serial {device.path}"
        elif device.kind == "drawer":
            where = f"on printer {device.printer}, pin {device.pin}"
        else:
            where = "keyboard wedge"
        extra = f" {device.protocol}" if device.kind == "scale" else ""
        print(f"{name:<12} {device.kind}{extra:<8} {where}")
    return 0


def _status(args: argparse.Namespace, config: DevicesConfig) -> int:
    manager = DeviceManager(config, EventBus())
    failed = False
    for name in manager.names():
        report = manager.probe(name)
        failed |= not report.ok
        statuses = ", ".join(s.value for s in report.statuses)
        print(f"{name:<12} {'OK ' if report.ok else 'FAIL'} {report.power_state.value:<8} {report.detail} {statuses}")
    return 1 if failed else 0


def _test_print(args: argparse.Namespace, config: DevicesConfig) -> int:
    from devices.escpos.receipt import Receipt, ReceiptLine, Tender, render_receipt
    from devices.printer import ReceiptPrinter

    name = _first(config, "printer", args.printer)
    printer = DeviceManager(config, EventBus()).get(name)
    assert isinstance(printer, ReceiptPrinter)
    receipt = Receipt(
        receipt_id=f"TEST-{uuid.uuid4().hex[:8].upper()}",
        header=("pos-devices test print", "Crème brûlée · Grüße · Ñandú"),
        lines=(ReceiptLine("Test line à 1,00 €", Decimal("1"), Decimal("1.00")),),
        total=Decimal("1.00"),
        tenders=(Tender("Cash", Decimal("1.00")),),
        footer=("If the euro sign and accents look right, the code page is right.",),
    )
    with printer:
        printer.print_job(receipt.receipt_id, render_receipt(receipt, printer.width_mm))
    print(f"{name}: test receipt {receipt.receipt_id} printed and confirmed by the printer")
    return 0


def _read_weight(args: argparse.Namespace, config: DevicesConfig) -> int:
    from devices.scales import Scale

    name = _first(config, "scale", args.scale)
    scale = DeviceManager(config, EventBus()).get(name)
    assert isinstance(scale, Scale)
    with scale:
        weight = scale.read_stable_weight(timeout=args.timeout)
    print(f"{weight} kg")
    return 0


def _open_drawer(args: argparse.Namespace, config: DevicesConfig) -> int:
    from devices.drawer import CashDrawer

    name = _first(config, "drawer", args.drawer)
    drawer = DeviceManager(config, EventBus()).get(name)
    assert isinstance(drawer, CashDrawer)
    action_id = args.action_id or f"pos-devices-{uuid.uuid4()}"
    with drawer.printer, drawer:
        result = drawer.kick(action_id)
    print(f"{name}: {result.value} (action id {action_id})")
    return 0


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r} (write it like 0.01)") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"the amount must be positive with at most 2 decimals, not {text}")
    return amount


def _terminal(config: DevicesConfig, name: str | None):
    from devices.payment import PaymentTerminal

    name = _first(config, "payment", name)
    terminal = DeviceManager(config, EventBus()).get(name)
    assert isinstance(terminal, PaymentTerminal)
    return name, terminal


def _test_payment(args: argparse.Namespace, config: DevicesConfig) -> int:
    from devices.events import PaymentStatusEvent

    name, terminal = _terminal(config, args.terminal)
    terminal.bus.subscribe(lambda e: print(f"{name}: {e.text}"), PaymentStatusEvent)
    with terminal:
        terminal.register()
        result = terminal.authorise(args.amount)
    for copy in result.receipts:
        print(f"--- {copy.copy} copy ---")
        print("\n".join(copy.lines))
    if not result.approved:
        print(f"{name}: payment of {args.amount} {result.outcome.value}: {result.message}", file=sys.stderr)
        return 1
    status = result.status
    print(f"{name}: {args.amount} approved, receipt {status.receipt_no}, trace {status.trace_no}, "
          f"auth code {status.auth_code or '-'}, card {status.masked_pan or '-'}")
    return 0


def _end_of_day(args: argparse.Namespace, config: DevicesConfig) -> int:
    name, terminal = _terminal(config, args.terminal)
    with terminal:
        result = terminal.end_of_day()
    if not result.approved:
        print(f"{name}: end of day failed: {result.message}", file=sys.stderr)
        return 1
    totals = result.status.totals if result.status else None
    if totals is None:
        print(f"{name}: end of day done (the terminal sent no totals)")
        return 0
    for scheme, (count, amount) in totals.by_scheme.items():
        if count:
            print(f"{scheme:<12} {count:>4}  {amount:>12}")
    print(f"{name}: end of day done, {totals.count} payments, total {totals.total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
