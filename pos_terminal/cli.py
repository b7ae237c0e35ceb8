"""`pos-terminal`: run the till, simulate sales, verify the audit journal."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from pos_terminal.config import load_config


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-terminal", description=__doc__)
    parser.add_argument("--config", type=Path, help="terminal TOML (default: the demo shop)")
    parser.add_argument("--data-dir", type=Path, help="where the till keeps its database")
    parser.set_defaults(func=_run)
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="start the cashier app (default)")
    run.set_defaults(func=_run)

    sim = sub.add_parser("simulate-sales", help="ring up N random valid sales")
    sim.add_argument("--count", type=int, required=True)
    sim.add_argument("--seed", type=int, default=None)
    sim.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    sim.set_defaults(func=_simulate)

    enroll = sub.add_parser("enroll", help="enroll this till with a sync server (pos_terminal.sync)")
    enroll.add_argument("--code", required=True, help="one-time code from `pos-sync-server enroll-code`")
    enroll.add_argument("--server", required=True, help="sync server URL, e.g. http://127.0.0.1:8765")
    enroll.add_argument("--name", help="terminal name shown on the server (default: host name)")
    enroll.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    enroll.set_defaults(func=_enroll)

    audit = sub.add_parser("audit", help="audit journal tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain, name the first broken entry")
    verify.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    verify.set_defaults(func=_audit_verify)
    return parser


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    data_dir = getattr(args, "sim_data_dir", None) or args.data_dir
    return load_config(args.config, data_dir=data_dir)


def _run(args: argparse.Namespace) -> int:
    from pos_terminal.app import run_app

    return run_app(_config(args))  # open_services makes it sell as the enrolled till


def _simulate(args: argparse.Namespace) -> int:
    from pos_terminal.services import open_services
    from pos_terminal.services.simulate import SaleSimulator

    services = open_services(_config(args))  # sells as the enrolled till, if it is one

    def report(order) -> None:  # type: ignore[no-untyped-def]
        print(f"committed {order.receipt_no} {order.order_id}", flush=True)

    try:
        SaleSimulator(services, random.Random(args.seed), report).run(args.count)
    finally:
        services.close()
    return 0


def _enroll(args: argparse.Namespace) -> int:
    from pos_terminal.sync.enrollment import enroll_cli

    return enroll_cli(_config(args), args.code, args.server, args.name)


def _audit_verify(args: argparse.Namespace) -> int:
    from pos_terminal.store import audit
    from pos_terminal.store.db import Database

    config = _config(args)
    if not config.db_path.exists():
        print(f"no terminal database at {config.db_path}", file=sys.stderr)
        return 2
    db = Database(config.db_path, upgrade=False)
    with db.reader() as s:
        report = audit.verify(s)
    db.close()
    if report.ok:
        print(f"audit journal OK: {report.entries} entries, chain unbroken")
        return 0
    print(f"audit journal BROKEN at entry {report.first_broken}: {report.reason}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
