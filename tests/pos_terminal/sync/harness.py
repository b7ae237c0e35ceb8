"""Test harness: the REAL sync server (in-process over ASGI, or `pos-sync-server serve`
under uvicorn) with the demo shop, and an enrolled till on a real SQLite file.

Nothing here imitates the server; `FlakyApp` wraps the real app to answer 5xx on demand,
because a healthy server never does so on purpose (see the tests that use it).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
import keyring.backend
from sqlalchemy import create_engine, text

from pos_terminal.config import DEFAULT_CONFIG, RESOURCES, TerminalConfig, load_config
from pos_terminal.keys import KeyringStore
from pos_terminal.services import Services, open_services
from pos_terminal.store.db import Database
from pos_terminal.sync.enrollment import enroll, enrolled_config
from sync_server.core.config import Settings
from sync_server.db import migrations
from sync_server.db.session import make_engine, write_transaction
from tools.launcher import ServerProcess, free_port  # noqa: F401 - free_port re-exported
from sync_server.services import catalog, staff, stores, terminals
from pos_protocol.wire import StoreUpsert, StoreUserPut
from tests.waiting import wait_until  # noqa: F401 - re-exported for the sync and e2e tests

DEMO_CSV = RESOURCES / "demo_catalog.csv"
STORE = "demo-store"
ADMIN_TOKEN = "test-admin-token"
USERS = [("m1", "Mia Manager", "manager"), ("s1", "Sam Supervisor", "supervisor"), ("c1", "Cathy Cashier", "cashier")]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend class kept in memory (registered with keyring.set_keyring)."""

    # keyring auto-registers every backend subclass; below fail.Keyring's 0 it is never
    # picked by itself, only when a test installs it with keyring.set_keyring().
    priority = -1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


class SyncASGITransport(httpx.BaseTransport):
    """httpx.ASGITransport (async) behind a sync transport: the pump's client is sync."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self._inner = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="asgi-loop")
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=60)

    def close(self) -> None:
        """Shared by several clients in a test: closing one client must not stop the loop."""

    def shutdown(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


class FlakyApp:
    """The real app behind a switch: while `failing`, answer 503 (optionally after the real
    app has processed the request, i.e. the answer is lost on the way back)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.failing = False
        self.after_processing = False
        self.seen: list[tuple[str, str, bytes, dict[str, str]]] = []

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.seen.append((scope["method"], scope["path"], body, headers))

        async def replay():  # type: ignore[no-untyped-def]
            return {"type": "http.request", "body": body, "more_body": False}

        if self.failing and self.after_processing:
            async def swallow(message):  # type: ignore[no-untyped-def]
                return None
            await self.app(scope, replay, swallow)
        if self.failing:
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/problem+json")]})
            await send({"type": "http.response.body",
                        "body": b'{"type":"about:blank","title":"Service Unavailable","status":503,'
                                b'"code":"unavailable","detail":"flaky"}'})
            return
        await self.app(scope, replay, send)


class Clock:
    """A hand-moved till clock for backoff, breaker and clock-skew tests."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def prepare_server_db(db_url: str, csv_path: Path = DEMO_CSV, store_id: str = STORE) -> None:
    """Migrate and set up the demo shop: store, catalog, the staff who approve things."""
    migrations.upgrade(db_url)
    engine = make_engine(db_url, pool_size=1)
    with write_transaction(engine) as conn:
        stores.upsert_store(conn, store_id, StoreUpsert(name="Demo Corner Shop"))
        for user_id, name, role in USERS:
            staff.put_user(conn, store_id, user_id, StoreUserPut(name=name, role=role))
        catalog.import_items(conn, store_id, catalog.read_csv(csv_path))
    engine.dispose()


def enrollment_code(db_url: str, store_id: str = STORE) -> str:
    engine = make_engine(db_url, pool_size=1)
    with write_transaction(engine) as conn:
        code = terminals.create_enrollment_code(conn, store_id, 3600).code
    engine.dispose()
    return code


def server_orders(db_url: str) -> list[tuple[str, str]]:
    """(order_id, status) of every order the server stored, read from its own database."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT order_id, status FROM orders ORDER BY server_seq")).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


@dataclass
class InProcessServer:
    db_url: str
    app: object
    flaky: FlakyApp
    transport: SyncASGITransport
    admin: httpx.Client

    def put_item(self, sku: str, **fields: object) -> None:
        reply = self.admin.put(f"/v1/admin/stores/{STORE}/items/{sku}", json=fields)
        assert reply.status_code in (200, 201), reply.text


def in_process_server(tmp: Path) -> InProcessServer:
    from sync_server.api.main import create_app

    db_url = f"sqlite:///{tmp / 'server.sqlite3'}"
    prepare_server_db(db_url)
    settings = Settings(db_url=db_url, admin_token=ADMIN_TOKEN)
    app = create_app(settings, make_engine(db_url))
    flaky = FlakyApp(app)
    transport = SyncASGITransport(flaky)
    admin = httpx.Client(base_url="http://server", transport=transport,
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    return InProcessServer(db_url, app, flaky, transport, admin)


def till_config(data_dir: Path, server_url: str = "http://server") -> TerminalConfig:
    return load_config(DEFAULT_CONFIG, data_dir=data_dir).replace(server_url=server_url)


def enrolled_till(data_dir: Path, server_url: str, code: str, keystore: KeyringStore,
                  transport: httpx.BaseTransport | None = None) -> Services:
    config = till_config(data_dir, server_url)
    db = Database(config.db_path)
    # The in-process server (a transport, no network to be overheard): plain HTTP is fine.
    enroll(db, keystore, server_url, code, "test till", transport=transport, allow_plain_http=True)
    db.close()
    return open_services(enrolled_config(config))


class UvicornServer(ServerProcess):
    """`pos-sync-server serve` as a real subprocess on an ephemeral port, ADMIN_TOKEN its admin token."""

    def __init__(self, db_url: str, log_path: Path | None = None) -> None:
        # A fresh till per test, all from 127.0.0.1: no enrollment limit on this test server
        # (tests/sync_server/test_rate_limits.py proves the limits).
        env = {"POS_SYNC_ADMIN_TOKEN": ADMIN_TOKEN, "POS_SYNC_RATE_LIMIT_ENROLL": "",
               "POS_SYNC_RATE_LIMIT_ENROLL_TOTAL": ""}
        super().__init__(db_url, env=env, log_path=log_path)


def journal_shipped(services) -> None:  # type: ignore[no-untyped-def]
    """Mark the till's queued audit entries as sent, for tests that count the requests and
    backoff draws of the books alone (the journal's own shipping: test_audit_shipping)."""
    from sqlalchemy import update

    from pos_terminal.store import outbox
    from pos_terminal.store.models import OutboxEntry

    with services.db.transaction() as s:
        s.execute(update(OutboxEntry).where(OutboxEntry.kind == outbox.AUDIT).values(state=outbox.DONE.value))
