"""`python -m tools.demo` (what `make run` calls): the whole shop on one machine.

In a demo directory (default `./var/demo`, git-ignored) it starts the sync server
(`pos-sync-server serve`, SQLite file), sets up the demo store, catalog and staff, enrolls
the till, starts the printer, scale and card-terminal simulators, then runs the cashier app. Running it
again reuses what is there. Every child process is stopped on exit, also on Ctrl-C.

`--headless`: no UI and no devices; ring up a few simulated sales, wait until the
outbox has drained to the server, print a summary, exit 0 (used by tests/e2e).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import secrets
import signal
import subprocess
import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from pos_protocol import paths
from pos_terminal.config import DEFAULT_CONFIG, RESOURCES, SeedUser, TerminalConfig, load_config
from pos_terminal.keys import PASSPHRASE_ENV, SecretStoreUnavailable, keyring_usable, open_secret_store
from pos_terminal.store.guard import DatabaseUnusable
from tools import qt_libs
from tools.launcher import ServerProcess, ServerStartError, answers_ready, die_with_parent

log = logging.getLogger("tools.demo")

STORE = "demo-store"
DEMO_PASSPHRASE = "demo-only-passphrase"  # noqa: S105 - printed as a warning; demo data only
READY_TIMEOUT_S = 30.0


class DemoError(RuntimeError):
    pass


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.headless and (problem := qt_libs.check()) is not None:
        print(f"demo: {problem}", file=sys.stderr)  # before any child is started
        return 1
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so `finally` stops the children
    demo_dir = args.dir.resolve()
    demo_dir.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as children:
            server_url = start_server(children, demo_dir, args.port)
            config = _till_config(demo_dir, server_url)
            _ensure_secret_store(config)
            config = ensure_enrolled(config, demo_dir)
            if args.headless:
                return run_headless(config, args.sales)
            start_devices(children, demo_dir)
            return _run_ui(config, args.sales)
    except (DemoError, DatabaseUnusable) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ndemo: stopped", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__.split("\n")[0])
    p.add_argument("--dir", type=Path, default=Path("var/demo"), help="demo directory (default ./var/demo)")
    p.add_argument("--port", type=int, default=8765, help="sync server port (default 8765)")
    p.add_argument("--headless", action="store_true", help="no UI: simulate sales, drain, summarise")
    p.add_argument("--sales", type=int, default=5, help="simulated sales in headless mode")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


# -- sync server ---------------------------------------------------------------------------


def server_cli(db_url: str, *args: str) -> str:
    """Run one `pos-sync-server` admin command; its stdout, or DemoError with its stderr."""
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "--db", db_url, *args],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise DemoError(f"pos-sync-server {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def start_server(children: ExitStack, demo_dir: Path, port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    if answers_ready(url):
        raise DemoError(f"something already answers on {url} (an old demo?); stop it or pass --port")
    db_url = _db_url(demo_dir)
    server_cli(db_url, "migrate")
    server_cli(db_url, "store", "add", STORE, "--name", "Demo Corner Shop")
    for user in demo_staff():
        server_cli(db_url, "user", "add", user.user_id, "--store", STORE, "--name", user.name,
                   "--role", user.role.value, "--pin-hash", user.pin_hash or "")
    marker = demo_dir / "catalog-imported"
    imported = "pos_terminal/resources/demo_catalog.csv, demo_categories.csv\n"
    # Once (a demo from before category colours gets them once more): importing again would
    # only bump the catalog version where someone changed the demo's catalog meanwhile.
    if not marker.exists() or marker.read_text() != imported:
        print(server_cli(db_url, "catalog", "import", str(RESOURCES / "demo_catalog.csv"), "--store", STORE,
                         "--categories", str(RESOURCES / "demo_categories.csv")))
        marker.write_text(imported)
    token = admin_token(demo_dir)
    server = ServerProcess(db_url, port=port, log_path=demo_dir / "server.log",
                           env={"POS_SYNC_ADMIN_TOKEN": token}, die_with_parent=True)
    try:
        server.start(READY_TIMEOUT_S)  # stops the server itself if it fails or Ctrl-C comes
    except ServerStartError as exc:
        raise DemoError(str(exc)) from None
    children.callback(server.stop)
    print(f"sync server ready at {url} (database {db_url})")
    print(f"admin token: {token}")
    print("to see a conflict arrive: run this, then sell Bread Classic within a minute (before the "
          "till pulls the new price)\n  " + price_change_command(url, token))
    return url


def admin_token(demo_dir: Path) -> str:
    """The demo server's admin token: made once, kept in the demo directory."""
    path = demo_dir / "admin-token"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def price_change_command(url: str, token: str, sku: str = "SKU00001", price: str = "25.00") -> str:
    """One shell line that changes an item's price on the server (head office's view)."""
    body = json.dumps({"name": "Bread Classic", "barcodes": ["4001234000015"], "unit": "ea",
                       "price": price, "tax_code": "B", "tax_rate": "0.07", "category": "Bakery"})
    where = url + paths.fill(paths.ADMIN_ITEM, store_id=STORE, sku=sku)
    return (f"curl -sS -X PUT -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' "
            f"-d '{body}' {where}")


def demo_staff() -> tuple[SeedUser, ...]:
    """The demo shop's staff with their PIN hashes, from the packaged seed file: the server's
    staff list starts as the till's seed (c1 1111, s1 2222, m1 9999, a1 4444; no PIN in plain
    text anywhere), and tills keep it from there."""
    return load_config(DEFAULT_CONFIG).seed_users


def _db_url(demo_dir: Path) -> str:
    return f"sqlite:///{demo_dir / 'server.sqlite3'}"


# -- the till ------------------------------------------------------------------------------


def _till_config(demo_dir: Path, server_url: str) -> TerminalConfig:
    return load_config(DEFAULT_CONFIG, data_dir=demo_dir / "till").replace(server_url=server_url)


def _ensure_secret_store(config: TerminalConfig) -> None:
    """No OS keyring here: opt the DEMO in to the encrypted file store, loudly."""
    if keyring_usable() or os.environ.get(PASSPHRASE_ENV):
        return
    os.environ[PASSPHRASE_ENV] = DEMO_PASSPHRASE
    print(f"WARNING: no OS keyring on this machine. The demo keeps the terminal secret in an "
          f"encrypted file under {config.data_dir}, with the DEMO passphrase "
          f"{DEMO_PASSPHRASE!r} (set {PASSPHRASE_ENV} to choose your own). Never use this "
          f"passphrase on a real till.", file=sys.stderr)


def ensure_enrolled(config: TerminalConfig, demo_dir: Path) -> TerminalConfig:
    """Enroll once; again only if the server no longer accepts this till's signature."""
    from pos_terminal.store.db import Database
    from pos_terminal.sync.client import ProblemReply
    from pos_terminal.store.identity import as_enrolled
    from pos_terminal.sync.enrollment import NotEnrolled, client_for, enroll, load_identity

    db = Database(config.db_path)
    try:
        secrets = open_secret_store(config.data_dir)
        identity = load_identity(db)
        if identity is not None and identity.server_url == config.server_url.rstrip("/"):
            try:
                with client_for(db, config, secrets) as client:
                    client.catalog_delta(0)
                print(f"till already enrolled as {identity.terminal_id}")
                return as_enrolled(config, identity)
            except (ProblemReply, NotEnrolled) as exc:
                print(f"re-enrolling the till: {exc}")
        code = server_cli(_db_url(demo_dir), "enroll-code", "--store", STORE)
        identity = enroll(db, secrets, config.server_url, code, "demo till")
        print(f"till enrolled as {identity.terminal_id}; secret in {secrets.description}")
    except SecretStoreUnavailable as exc:
        raise DemoError(str(exc)) from None
    finally:
        db.close()
    return as_enrolled(config, identity)


def run_headless(config: TerminalConfig, sales: int, timeout_s: float = 120.0) -> int:
    from pos_terminal.services import open_services
    from pos_terminal.services.simulate import SaleSimulator
    from pos_terminal.store import outbox
    from pos_terminal.store.models import Order
    from pos_terminal.store.outbox import SyncStatus
    from pos_terminal.sync import SyncService

    services = open_services(config)
    sync = SyncService(services)
    sync.start()
    try:
        rung: list[str] = []
        SaleSimulator(services, random.Random(), lambda o: rung.append(o.receipt_no)).run(sales)
        drained = sync.wait_drained(timeout_s)
    finally:
        sync.stop()
    with services.db.reader() as s:
        by_status = Counter(status for (status,) in s.query(Order.sync_status))
        left, _ = outbox.depth(s)
    services.close()
    print(f"rang up {len(rung)} sales ({', '.join(rung)}); till orders by sync status: "
          f"{dict(sorted(by_status.items()))}; outbox pending: {left}")
    if not drained or left or by_status.get(SyncStatus.PARKED):
        print("demo: the outbox did not drain cleanly", file=sys.stderr)
        return 1
    return 0


def _run_ui(config: TerminalConfig, sales: int) -> int:
    try:
        from pos_terminal.app import run_app
    except ImportError as exc:
        print(f"the cashier UI is not available ({exc}); simulating sales instead", file=sys.stderr)
        return run_headless(config, sales)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    # Qt's event loop runs no Python code by itself, so a signal handler would wait for the
    # next event; the idle timer lets Ctrl-C / SIGTERM close the window (children then stop).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)
    return run_app(config, windowed=True)


# -- devices -------------------------------------------------------------------------------


def start_devices(children: ExitStack, demo_dir: Path) -> None:
    """Receipt printer on TCP 9100, an 8217 scale and a serial scanner on ptys and a ZVT card
    terminal on TCP 20007 (devices/resources/devices.toml): every device the default file
    names is there, so the status bar shows none as offline; the Card button pays through
    the terminal."""
    log_file = (demo_dir / "devices.log").open("ab")
    _spawn(children, [sys.executable, "-m", "devices.simulators.printer", "--port", "9100"], log_file)
    _spawn(children, [sys.executable, "-m", "devices.simulators.scale", "--protocol", "8217",
                      "--weight", "0.000"], log_file)
    _spawn(children, [sys.executable, "-m", "devices.simulators.scanner"], log_file)
    _spawn(children, [sys.executable, "-m", "devices.simulators.payment", "--port", "20007"], log_file)
    print(f"device simulators started (printer on 127.0.0.1:9100, scale and scanner on ptys, card terminal on "
          f"127.0.0.1:20007); log {log_file.name}")


def _spawn(children: ExitStack, cmd: list[str], log_file) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                            preexec_fn=die_with_parent)  # noqa: PLW1509 - no threads yet
    children.callback(_stop, proc)
    children.callback(log_file.close) if not log_file.closed else None
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _exit_on_sigterm(signum, frame) -> None:  # type: ignore[no-untyped-def]
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
