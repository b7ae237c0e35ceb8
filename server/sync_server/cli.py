"""`pos-sync-server`: serve, migrate, and the shop-setup commands (stores, codes, catalog, users)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr, ValidationError
from sqlalchemy import Connection

from pos_protocol.permissions import Role
from pos_protocol.pins import hash_pin
from pos_protocol.tax import TaxMode

from .core import secret_box, tokens
from .core.config import Settings, get_settings
from .core.errors import DomainError, error_lines
from .db import migrations
from .db.session import make_engine, read_connection, write_transaction
from .services import catalog, office_users, staff, stores, terminals
from .services.context import load_store
from pos_protocol.wire import DEFAULT_MAX_BLIND_RETURN_QTY, StoreUpsert, StoreUserPut, format_time


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"db_url": args.db}) if args.db else settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.main import APP_FACTORY, create_app

    settings = _settings(args)
    if args.sentry_dsn:
        # through the environment, so that every worker process reads it with its settings
        os.environ["POS_SYNC_SENTRY_DSN"] = args.sentry_dsn
        settings = settings.model_copy(update={"sentry_dsn": SecretStr(args.sentry_dsn)})
    migrations.upgrade(settings.database_url, secret_box=settings.secret_box())  # once, before any worker starts
    options = {"host": args.host, "port": args.port, "log_level": "warning", "access_log": False,
               **_tls_options(args)}
    if args.workers < 1:
        raise ValueError(f"--workers must be at least 1, not {args.workers}")
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return 0
    # Each worker is a fresh process that imports the app factory and reads its settings
    # itself (environment, then the config file): `--db` reaches them through the environment.
    os.environ["POS_SYNC_DB_URL"] = settings.database_url
    _share_counters_between_workers()
    uvicorn.run(APP_FACTORY, factory=True, workers=args.workers, **options)
    return 0


def _share_counters_between_workers() -> None:
    """prometheus-client's multiprocess mode (core/metrics.py): each worker writes its
    counters to files in one directory and a scrape, whichever worker takes it, sums them.
    A directory the operator named is emptied first (an earlier run's files would be summed
    too); otherwise a fresh one, removed when the server stops. Set before the workers are
    spawned: they read it when they import prometheus-client."""
    import atexit
    import shutil
    import tempfile

    from .core.metrics import MULTIPROCESS_DIR

    named = os.environ.get(MULTIPROCESS_DIR)
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        for left in Path(named).glob("*.db"):
            left.unlink()
        return
    fresh = tempfile.mkdtemp(prefix="pos-sync-metrics-")
    atexit.register(shutil.rmtree, fresh, ignore_errors=True)
    os.environ[MULTIPROCESS_DIR] = fresh


def _tls_options(args: argparse.Namespace) -> dict[str, str]:
    """uvicorn's TLS options; both files or neither (TLS may also end at a proxy in front)."""
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise ValueError("TLS needs both --ssl-certfile and --ssl-keyfile")
    if not args.ssl_certfile:
        return {}
    for path in (args.ssl_certfile, args.ssl_keyfile):
        if not Path(path).is_file():
            raise ValueError(f"no such TLS file: {path}")
    return {"ssl_certfile": args.ssl_certfile, "ssl_keyfile": args.ssl_keyfile}


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    migrations.upgrade(settings.database_url, secret_box=settings.secret_box())
    print("database is at the latest schema")
    return 0


def cmd_secrets_new_key(args: argparse.Namespace) -> int:
    print(secret_box.new_key())
    return 0


def cmd_secrets_rotate(args: argparse.Namespace) -> int:
    """Reseal every terminal secret under the first configured key (README "Server key")."""
    box = _settings(args).secret_box()
    with _transaction(args) as conn:
        resealed, current = terminals.rotate_secrets(conn, box)
    print(f"{resealed} terminal secrets resealed with the first key, {current} already were"
          + ("; the other keys can now be removed" if box.key_count > 1 else ""))
    return 0


def cmd_admin_token_new(args: argparse.Namespace) -> int:
    token = tokens.new_token()
    print(f"admin token (give it to the operator, then forget it): {token}")
    print(f"POS_SYNC_ADMIN_TOKEN_HASH={tokens.digest(token)}")
    return 0


@contextmanager
def _transaction(args: argparse.Namespace) -> Iterator[Connection]:
    """One transaction on an engine of its own, disposed afterwards (main() may run in a test)."""
    engine = make_engine(_settings(args).database_url, pool_size=1)
    try:
        with write_transaction(engine) as conn:
            yield conn
    finally:
        engine.dispose()


def cmd_store_add(args: argparse.Namespace) -> int:
    body = StoreUpsert(
        name=args.name, currency=args.currency, currency_scale=args.scale,
        tax_mode=TaxMode(args.tax_mode), track_stock=args.track_stock,
        max_blind_return_qty=args.max_blind_return_qty, locale=args.locale,
    )
    with _transaction(args) as conn:
        out, created = stores.upsert_store(conn, args.store_id, body)
    print(f"store {out.store_id} {'created' if created else 'updated'}")
    return 0


def cmd_enroll_code(args: argparse.Namespace) -> int:
    with _transaction(args) as conn:
        code = terminals.create_enrollment_code(conn, args.store, args.ttl or _settings(args).enrollment_code_ttl_s)
    print(code.code)
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    # The file is read and checked (line by line, with the store's currency scale) before
    # the write transaction, which then holds the store's catalog lock for the writes only.
    engine = make_engine(_settings(args).database_url, pool_size=1)
    try:
        with read_connection(engine) as conn:
            scale = load_store(conn, args.store).currency_scale
        items = catalog.read_csv(Path(args.file), currency_scale=scale)
        categories = catalog.read_categories_csv(Path(args.categories)) if args.categories else []
        with write_transaction(engine) as conn:
            result = catalog.import_items(conn, args.store, items, categories=categories)
    finally:
        engine.dispose()
    if not result.changed:
        print(f"no changes: {len(items)} items as they are; {args.store} stays at catalog version {result.version}")
        return 0
    print(f"imported {len(items)} items into {args.store} as catalog version {result.version}")
    print(f"{result.added} added, {result.updated} changed, {result.unchanged} unchanged; {result.price_rows} price rows"
          + (f" ({result.rerated} re-rating items not in the file)" if result.rerated else "")
          + f"; {result.tax_codes} tax codes added or re-rated"
          + (f"; {result.categories} categories given a colour or position" if result.categories else ""))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """A PIN comes as its hash (`--pin-hash`), or typed at a prompt (`--pin`) and hashed
    here: it never appears in a command line, a shell history or the database."""
    pin_hash = args.pin_hash
    if args.pin:
        pin_hash = hash_pin(getpass.getpass(f"PIN for {args.user_id}: "))
    try:
        body = StoreUserPut(name=args.name, role=Role(args.role), pin_hash=pin_hash)
    except ValidationError as exc:
        raise SystemExit(f"pos-sync-server user add: {'; '.join(error_lines(exc.errors()))}") from None
    with _transaction(args) as conn:
        user, _ = staff.put_user(conn, args.store, args.user_id, body)
    print(f"user {user.user_id} ({user.role.value}) in store {user.store_id}, staff version {user.staff_version}")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    with _transaction(args) as conn:
        user = staff.remove_user(conn, args.store, args.user_id)
    print(f"user {user.user_id} removed from store {user.store_id}, staff version {user.staff_version}")
    return 0


def cmd_office_user_add(args: argparse.Namespace) -> int:
    """The password comes from the terminal (asked twice) or, with --password-stdin, from
    the first line of stdin: never from the command line, where `ps` and history see it."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.user_id}: ")
        if getpass.getpass("again: ") != password:
            raise ValueError("the two passwords differ; nothing was changed")
    with _transaction(args) as conn:
        created = office_users.put_user(conn, args.user_id, args.name, Role(args.role), password)
    print(f"office user {args.user_id} ({args.role}) {'created' if created else 'updated; its sessions ended'}")
    return 0


def cmd_office_user_remove(args: argparse.Namespace) -> int:
    with _transaction(args) as conn:
        removed = office_users.remove_user(conn, args.user_id)
    if not removed:
        raise ValueError(f"there is no office user {args.user_id}")
    print(f"office user {args.user_id} removed; its sessions ended")
    return 0


def cmd_office_user_list(args: argparse.Namespace) -> int:
    with _transaction(args) as conn:
        accounts = office_users.list_users(conn)
    print("user_id\tname\trole")
    for account in accounts:
        print(f"{account.user_id}\t{account.name}\t{account.role.value}")
    return 0


def cmd_terminal_revoke(args: argparse.Namespace) -> int:
    with _transaction(args) as conn:
        revoked_at = terminals.revoke(conn, args.terminal_id)
    print(f"terminal {args.terminal_id} revoked at {revoked_at.isoformat()}")
    return 0


def cmd_terminal_list(args: argparse.Namespace) -> int:
    with _transaction(args) as conn:
        listed = terminals.list_terminals(conn, args.store)
    print("terminal_id\tname\tenrolled_at\tlast_heartbeat_at\trevoked_at")
    for t in listed:
        times = (t.enrolled_at, t.last_heartbeat_at, t.revoked_at)
        print("\t".join([t.terminal_id, t.name, *(format_time(x) if x else "-" for x in times)]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-sync-server", description="POS sync server")
    parser.add_argument("--db", help="database URL (default: $POS_SYNC_DB_URL, config file, or a SQLite file in the user data dir)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate the database and serve the API")
    serve.add_argument("--db", default=argparse.SUPPRESS)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=int, default=1,
                       help="server processes sharing the port (uvicorn workers; default %(default)s); "
                            "use PostgreSQL for more than one")
    serve.add_argument("--ssl-certfile", metavar="PEM",
                       help="serve HTTPS with this certificate (chain) file; tills enroll over https://")
    serve.add_argument("--ssl-keyfile", metavar="PEM", help="the certificate's private key")
    serve.add_argument("--sentry-dsn", metavar="DSN",
                       help="report unhandled errors to Sentry, scrubbed of credentials and personal data "
                            "(default: $POS_SYNC_SENTRY_DSN; off when neither is set)")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="upgrade the database schema")
    migrate.add_argument("--db", default=argparse.SUPPRESS)
    migrate.set_defaults(func=cmd_migrate)

    keys = sub.add_parser("secrets", help="the server key sealing terminal secrets").add_subparsers(
        dest="action", required=True)
    keys.add_parser("new-key", help="print a new Fernet key for POS_SYNC_SECRET_KEY or the key file").set_defaults(
        func=cmd_secrets_new_key)
    rotate = keys.add_parser("rotate", help="reseal every terminal secret with the first key "
                                            "(list the new key first and keep the old one until this is done)")
    rotate.add_argument("--db", default=argparse.SUPPRESS)
    rotate.set_defaults(func=cmd_secrets_rotate)

    token = sub.add_parser("admin-token", help="the admin bearer token").add_subparsers(dest="action", required=True)
    token.add_parser("new", help="print a new admin token and the POS_SYNC_ADMIN_TOKEN_HASH line that "
                                 "configures it").set_defaults(func=cmd_admin_token_new)

    store = sub.add_parser("store", help="stores").add_subparsers(dest="action", required=True)
    add = store.add_parser("add", help="create or update a store")
    add.add_argument("store_id")
    add.add_argument("--name", required=True)
    add.add_argument("--currency", default="EUR")
    add.add_argument("--scale", type=int, default=2, help="currency decimals")
    add.add_argument("--tax-mode", choices=[m.value for m in TaxMode], default=TaxMode.INCLUSIVE.value)
    add.add_argument("--track-stock", action="store_true")
    add.add_argument("--max-blind-return-qty", default=str(DEFAULT_MAX_BLIND_RETURN_QTY), metavar="QTY",
                     help="most of one item a blind return takes back before it is held (default %(default)s)")
    add.add_argument("--locale", default="en", help="how the back office writes amounts and dates, e.g. de_DE (default %(default)s)")
    add.set_defaults(func=cmd_store_add)

    code = sub.add_parser("enroll-code", help="print a single-use terminal enrollment code")
    code.add_argument("--store", required=True)
    code.add_argument("--ttl", type=int, help="seconds until the code expires (default 24 h)")
    code.set_defaults(func=cmd_enroll_code)

    cat = sub.add_parser("catalog", help="catalog").add_subparsers(dest="action", required=True)
    imp = cat.add_parser("import", help="import items from a CSV file")
    imp.add_argument("file")
    imp.add_argument("--store", required=True)
    imp.add_argument("--categories", metavar="FILE.csv",
                     help="the categories' tile colours and positions (header category,colour,position), "
                          "imported with the items under the same catalog version")
    imp.set_defaults(func=cmd_catalog_import)

    user = sub.add_parser("user", help="store users").add_subparsers(dest="action", required=True)
    uadd = user.add_parser("add", help="create or update a store user with a role")
    uadd.add_argument("user_id")
    uadd.add_argument("--store", required=True)
    uadd.add_argument("--name", required=True)
    uadd.add_argument("--role", choices=[r.value for r in Role], required=True)
    pin = uadd.add_mutually_exclusive_group()
    pin.add_argument("--pin-hash", help="the PIN as its scrypt hash (scrypt$n$r$p$salt$hash)")
    pin.add_argument("--pin", action="store_true", help="ask for the PIN at a prompt and hash it")
    uadd.set_defaults(func=cmd_user_add)
    urm = user.add_parser("remove", help="remove a store user (tills refuse them once they hear of it)")
    urm.add_argument("user_id")
    urm.add_argument("--store", required=True)
    urm.set_defaults(func=cmd_user_remove)

    office = sub.add_parser("office-user", help="back-office accounts (sign-in at /office)").add_subparsers(
        dest="action", required=True)
    oadd = office.add_parser("add", help="create an office account, or give it a new name, role and password")
    oadd.add_argument("user_id")
    oadd.add_argument("--name", required=True)
    oadd.add_argument("--role", choices=[r.value for r in Role], required=True,
                      help="what the account may do, as at a till: a manager resolves held orders and changes prices")
    oadd.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    oadd.set_defaults(func=cmd_office_user_add)
    orm = office.add_parser("remove", help="remove an office account (its sessions end at once)")
    orm.add_argument("user_id")
    orm.set_defaults(func=cmd_office_user_remove)
    office.add_parser("list", help="the office accounts and their roles").set_defaults(func=cmd_office_user_list)

    term = sub.add_parser("terminal", help="terminals").add_subparsers(dest="action", required=True)
    rev = term.add_parser("revoke", help="revoke a terminal; its requests get 403 terminal_revoked")
    rev.add_argument("terminal_id")
    rev.set_defaults(func=cmd_terminal_revoke)
    lst = term.add_parser("list", help="a store's terminals; one never heard from (no heartbeat) may be an orphan")
    lst.add_argument("--store", required=True)
    lst.set_defaults(func=cmd_terminal_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DomainError as error:
        print(f"error: {error.detail or error.code}", file=sys.stderr)
        return 1
    except (ValueError, OSError, office_users.PasswordRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
