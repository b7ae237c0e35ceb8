"""`pos-terminal`: run the till, simulate sales, verify the audit journal, back up and restore,
trace a sale through the logs."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from pos_terminal.config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from pos_terminal.store.backup import Refused
    from pos_terminal.store.guard import DatabaseUnusable

    try:
        return args.func(args)
    except ConfigError as exc:  # every problem of the file, one per line, before anything starts
        print(f"error: invalid terminal configuration:\n{exc}", file=sys.stderr)
        return 2
    except (DatabaseUnusable, Refused) as exc:  # words for the operator, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-terminal", description=__doc__)
    parser.add_argument("--config", type=Path, help="terminal TOML (default: the demo shop)")
    parser.add_argument("--data-dir", type=Path, help="where the till keeps its database")
    parser.add_argument("--debug", action="store_true", help="log debug lines, and to the console too")
    parser.set_defaults(func=_run)
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="start the cashier app (default), full screen")
    run.add_argument("--windowed", action="store_true", help="in a window instead of full screen")
    run.set_defaults(func=_run)

    sim = sub.add_parser("simulate-sales", help="ring up N random valid sales")
    sim.add_argument("--count", type=int, required=True)
    sim.add_argument("--seed", type=int, default=None)
    sim.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    sim.add_argument("--devices", action="store_true",
                     help="print receipts and kick the drawer on the configured devices")
    sim.set_defaults(func=_simulate)

    enroll = sub.add_parser("enroll", help="enroll this till with a sync server (pos_terminal.sync)")
    enroll.add_argument("--code", required=True, help="one-time code from `pos-sync-server enroll-code`")
    enroll.add_argument("--server", required=True, help="sync server URL, e.g. https://sync.shop.example:8700")
    enroll.add_argument("--name", help="terminal name shown on the server (default: host name)")
    trust = enroll.add_mutually_exclusive_group()
    trust.add_argument("--server-ca", type=Path, metavar="PEM",
                       help="trust the server only if its certificate chains to this CA (kept with the identity)")
    trust.add_argument("--server-fingerprint", metavar="SHA256",
                       help="trust only the server certificate with this SHA-256 fingerprint (a self-signed one)")
    enroll.add_argument("--allow-plain-http", action="store_true",
                        help="enroll over http:// to another machine: the answer carries the till's signing "
                             "secret in clear, so only on a network you trust")
    enroll.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    enroll.set_defaults(func=_enroll)

    audit = sub.add_parser("audit", help="audit journal tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain, name the first broken entry")
    verify.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    verify.set_defaults(func=_audit_verify)

    backup = sub.add_parser("backup", help="copy the till's database, also while the till runs")
    backup.add_argument("--to", type=Path, help="backup file (default: <data dir>/backups/terminal-<time>.sqlite3)")
    backup.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    backup.set_defaults(func=_backup)

    restore = sub.add_parser("restore", help="check a backup, set the till's database aside, put the backup in its place")
    restore.add_argument("file", type=Path, help="a backup made by `pos-terminal backup`")
    restore.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    restore.set_defaults(func=_restore)

    afresh = sub.add_parser("start-afresh", help="set a database the till refuses aside; the next start is a first start")
    afresh.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    afresh.set_defaults(func=_start_afresh)
    box = sub.add_parser("outbox", help="what waits for the server; send parked entries again")
    box_sub = box.add_subparsers(dest="outbox_command", required=True)
    listed = box_sub.add_parser("list", help="the parked entries (refused by the server) with their reasons")
    listed.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    listed.set_defaults(func=_outbox_list)
    again = box_sub.add_parser("requeue", help="send parked entries again (after the cause was fixed)")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("seq", nargs="*", type=int, default=[], help="outbox entry numbers from `outbox list`")
    which.add_argument("--all-parked", action="store_true", help="every parked entry")
    again.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    again.set_defaults(func=_outbox_requeue)

    hashed = sub.add_parser("hash-pin", help="print a PIN's scrypt hash for a seed file's pin_hash (PIN asked, not echoed)")
    hashed.set_defaults(func=_hash_pin)

    trace = sub.add_parser("trace", help="follow one sale by its order id through the till's and the server's logs")
    trace.add_argument("order_id")
    trace.add_argument("--server-log", type=Path, action="append", default=[],
                       help="the sync server's JSON log (its standard error); may be given more than once")
    trace.add_argument("--data-dir", type=Path, dest="sim_data_dir")
    trace.set_defaults(func=_trace)
    return parser


def _hash_pin(_args: argparse.Namespace) -> int:
    """Reads the PIN at a prompt (or one line of stdin), so it is in no shell history."""
    import getpass

    from pos_protocol.pins import PinError, hash_pin

    pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        print(hash_pin(pin))
    except PinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The command's configuration; every command reads it first, so its log goes to the
    till's data dir from its first line on (pos_terminal.logs), and its errors to Sentry
    when a DSN is configured (pos_terminal.error_reports)."""
    from pos_terminal.error_reports import start_error_reports
    from pos_terminal.logs import configure_logging

    data_dir = getattr(args, "sim_data_dir", None) or args.data_dir
    config = load_config(args.config, data_dir=data_dir)
    configure_logging(config.data_dir, debug=args.debug)
    start_error_reports(config.sentry_dsn, environment=config.sentry_environment)
    return config


def _run(args: argparse.Namespace) -> int:
    from pos_terminal.app import run_app

    return run_app(_config(args), windowed=getattr(args, "windowed", False))  # open_services makes it sell as the enrolled till


def _simulate(args: argparse.Namespace) -> int:
    from pos_terminal.services import open_services
    from pos_terminal.services.simulate import SaleSimulator

    services = open_services(_config(args))  # sells as the enrolled till, if it is one
    devices = None
    if args.devices:
        from pos_terminal.services.till_devices import open_till_devices

        devices = open_till_devices(services.config)
        devices.attach(services.till)

    def report(order) -> None:  # type: ignore[no-untyped-def]
        print(f"committed {order.receipt_no} {order.order_id}", flush=True)

    try:
        SaleSimulator(services, random.Random(args.seed), report).run(args.count)
    finally:
        if devices is not None:
            devices.close()
        services.close()
    return 0


def _enroll(args: argparse.Namespace) -> int:
    from pos_terminal.sync.enrollment import enroll_cli

    return enroll_cli(_config(args), args.code, args.server, args.name, server_ca=args.server_ca,
                      server_fingerprint=args.server_fingerprint, allow_plain_http=args.allow_plain_http)


def _audit_verify(args: argparse.Namespace) -> int:
    """Read-only: the file's soundness first (in words), then the hash chain."""
    from pos_terminal.store.backup import verify_file
    from pos_terminal.store.marker import read_marker

    path = _config(args).db_path
    marker = read_marker(path)
    if marker is None and not path.exists():
        print(f"no terminal database at {path}", file=sys.stderr)
        return 2
    report = verify_file(path, marker)  # DatabaseUnusable (damaged, emptied...) -> main's words
    print(f"database {path} is sound (SQLite integrity_check ok): {report.summary()}")
    if report.chain.ok:
        print(f"audit journal OK: {report.chain.entries} entries, chain unbroken")
        return 0
    print(f"audit journal BROKEN at entry {report.chain.first_broken}: {report.chain.reason}")
    return 1


def _outbox_list(args: argparse.Namespace) -> int:
    from pos_terminal.store import outbox
    from pos_terminal.store.db import Database

    db = Database(_config(args).db_path)
    try:
        with db.reader() as s:
            pending, _ = outbox.depth(s)
            parked = outbox.parked(s)
    finally:
        db.close()
    print(f"{pending} waiting to be sent, {len(parked)} parked (refused by the server)")
    for entry in parked:
        print(f"  {entry.seq:>6}  {entry.kind:<10} {entry.idempotency_key}  written {entry.created_at:%Y-%m-%d %H:%M} UTC"
              f"  {entry.attempts} attempts\n          {entry.last_error}")
    if parked:
        print("Once the cause is fixed: pos-terminal outbox requeue SEQ... (or --all-parked)")
    return 0


def _outbox_requeue(args: argparse.Namespace) -> int:
    """Safe while the till runs: one write transaction, which the till's sender then finds."""
    import getpass
    from datetime import datetime, timezone

    from pos_terminal.store import audit, outbox
    from pos_terminal.store.db import Database

    db = Database(_config(args).db_path)
    try:
        with db.transaction() as s:
            seqs = [entry.seq for entry in outbox.parked(s, limit=100_000)] if args.all_parked else args.seq
            requeued = [entry for seq in seqs for entry in outbox.requeue(s, seq)]
            if requeued:
                audit.append(s, at=datetime.now(timezone.utc), actor=f"os:{getpass.getuser()}",
                             action="outbox.requeue", payload={"seq": [e.seq for e in requeued]})
    except ValueError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 2
    finally:
        db.close()
    print(f"{len(requeued)} entries will be sent again: " + (", ".join(f"{e.seq} ({e.kind})" for e in requeued) or "none parked"))
    return 0


def _backup(args: argparse.Namespace) -> int:
    from pos_terminal.store.backup import backup

    report = backup(_config(args).db_path, args.to)
    print(f"backup written to {report.path}: {report.summary()}. Keep a copy away from this till.")
    if report.chain.ok:
        return 0
    print(f"warning: its audit journal is BROKEN at entry {report.chain.first_broken} "
          f"({report.chain.reason}), as in the till's database; `pos-terminal restore` refuses it",
          file=sys.stderr)
    return 1


def _restore(args: argparse.Namespace) -> int:
    from pos_terminal.store.backup import restore

    db_path = _config(args).db_path
    done = restore(db_path, args.file)
    aside = f"the database it replaced is kept in {done.set_aside}" if done.set_aside else "there was no database to replace"
    print(f"restored {args.file} as {db_path}: {done.report.summary()}; {aside}.\n"
          f"Sales made after this backup was taken are not in it; those the server received stay there.")
    for till, last in sorted(done.numbering_carried.items()):
        print(f"Receipt numbers on {till} continue after {last}, as far as the replaced database had printed.")
    return 0


def _start_afresh(args: argparse.Namespace) -> int:
    from pos_terminal.store.backup import start_afresh

    db_path = _config(args).db_path
    folder = start_afresh(db_path)
    kept = f"set the unusable database aside in {folder}" if folder else "found nothing to set aside"
    print(f"{kept}. The next start makes a new database for this till; enroll it again with "
          f"`pos-terminal enroll --code CODE --server URL`.")
    return 0


def _trace(args: argparse.Namespace) -> int:
    from pos_terminal.logs import log_dir
    from pos_terminal.trace import till_log_files, trace

    folder = log_dir(_config(args).data_dir)
    for missing in [p for p in args.server_log if not p.is_file()]:
        print(f"error: no server log at {missing}", file=sys.stderr)
        return 2
    lines = trace(args.order_id, till_log_files(folder), args.server_log)
    if not any(line.source == "till" for line in lines):
        print(f"no line of the till's log in {folder} names order {args.order_id}", file=sys.stderr)
        return 1
    for line in lines:
        print(line.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
