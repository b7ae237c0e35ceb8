"""Fixtures: the API suite runs on a real SQLite file and on a real PostgreSQL schema.

PostgreSQL: one schema per test session (unique name, `search_path` via the URL's
`options`), so parallel sessions on the shared `test` database never collide; tables are
truncated between tests and the schema dropped at the end.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from sync_server.api.main import create_app
from sync_server.core.config import Settings
from sync_server.db import migrations
from sync_server.db.models import Base
from sync_server.db.session import make_engine
from pos_terminal.sync.auth import TerminalAuth
from tools.pg_schema import scratch_schema

ADMIN_TOKEN = "admin-secret-for-tests"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sync-db") / "template.sqlite3"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    with scratch_schema(postgres_url, "sync_test") as url:
        migrations.upgrade(url)
        yield url


def _truncate(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "sync.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_schema_url")
    engine = create_engine(url)
    _truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, pool_size=5)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, admin_token=ADMIN_TOKEN, max_body_bytes=512 * 1024)


@dataclass
class Shop:
    """An in-process server (httpx.ASGITransport) with an admin client and enrolled terminals."""

    app: object
    admin: httpx.AsyncClient

    async def add_store(self, store_id: str = "S1", **settings) -> None:
        body = {"name": f"Shop {store_id}", **settings}
        (await self.admin.put(f"/v1/admin/stores/{store_id}", json=body)).raise_for_status()

    async def add_item(self, sku: str, price: str, store_id: str = "S1", **fields) -> int:
        body = {"name": f"Item {sku}", "unit": "ea", "price": price, "tax_code": "A", "tax_rate": "0.19", **fields}
        response = await self.admin.put(f"/v1/admin/stores/{store_id}/items/{sku}", json=body)
        response.raise_for_status()
        return response.json()["catalog_version"]

    async def set_stock(self, sku: str, on_hand: str, store_id: str = "S1") -> None:
        (await self.admin.put(f"/v1/admin/stores/{store_id}/stock/{sku}", json={"on_hand": on_hand})).raise_for_status()

    async def add_user(self, user_id: str, role: str, store_id: str = "S1") -> None:
        body = {"name": user_id.title(), "role": role}
        (await self.admin.put(f"/v1/admin/stores/{store_id}/users/{user_id}", json=body)).raise_for_status()

    async def enrollment_code(self, store_id: str = "S1") -> str:
        response = await self.admin.post(f"/v1/admin/stores/{store_id}/enrollment-codes")
        response.raise_for_status()
        return response.json()["code"]

    async def terminal(self, store_id: str = "S1") -> Terminal:
        code = await self.enrollment_code(store_id)
        response = await self.admin.post("/v1/terminals/enroll", json={"enrollment_code": code, "terminal_name": "till"})
        assert response.status_code == 201, response.text
        enrolled = response.json()
        client = self.client(TerminalAuth(enrolled["terminal_id"], enrolled["secret"]))
        return Terminal(enrolled["terminal_id"], enrolled["store_id"], enrolled["secret"], client)

    def client(self, auth: httpx.Auth | None = None, **kwargs) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://sync.test", auth=auth, **kwargs)


@dataclass
class Terminal:
    terminal_id: str
    store_id: str
    secret: str
    http: httpx.AsyncClient

    async def post_order(self, order, key: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Idempotency-Key": f'"{key or order.order_id}"'}
        return await self.http.post("/v1/orders", content=order.model_dump_json(), headers=headers, **kwargs)


@pytest.fixture
async def shop(settings: Settings, engine: Engine) -> AsyncIterator[Shop]:
    app = create_app(settings, engine)
    admin_headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sync.test", headers=admin_headers) as admin:
        yield Shop(app, admin)
