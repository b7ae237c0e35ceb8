"""Log lines, settings sources, and the in-flight duplicate answer on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import create_engine, insert

from sync_server.api.main import create_app
from sync_server.core.config import Settings
from sync_server.db.models import IdempotencyRecord

from .conftest import ADMIN_TOKEN, Shop
from .factories import make_order

pytestmark = pytest.mark.anyio


async def test_log_lines_are_json_with_correlation_terminal_and_store(shop, capfd) -> None:
    await shop.add_store("S1")
    till = await shop.terminal("S1")
    capfd.readouterr()
    response = await till.http.get("/v1/catalog", headers={"X-Correlation-ID": "corr-42"})
    assert response.status_code == 200
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("route") == "/v1/catalog"]
    assert access, lines
    assert access[-1]["correlation_id"] == "corr-42"
    assert access[-1]["terminal_id"] == till.terminal_id
    assert access[-1]["store_id"] == "S1"
    assert access[-1]["status"] == 200


def test_settings_from_file_and_environment(tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('db_url = "sqlite:///from-file.sqlite3"\nadmin_token = "file-token"\n')
    monkeypatch.setenv("POS_SYNC_CONFIG", str(config))
    monkeypatch.delenv("POS_SYNC_DB_URL", raising=False)
    monkeypatch.delenv("POS_SYNC_ADMIN_TOKEN", raising=False)
    monkeypatch.delenv("POS_SYNC_METRICS_TOKEN", raising=False)
    monkeypatch.delenv("POS_SYNC_DOCS", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///from-file.sqlite3"
    assert settings.admin_token.get_secret_value() == "file-token"
    monkeypatch.setenv("POS_SYNC_ADMIN_TOKEN", "env-token")
    assert Settings().admin_token.get_secret_value() == "env-token"
    assert Settings().metrics_token is None and Settings().docs is True
    monkeypatch.setenv("POS_SYNC_METRICS_TOKEN", "scrape")
    monkeypatch.setenv("POS_SYNC_DOCS", "false")
    assert Settings().metrics_token.get_secret_value() == "scrape" and Settings().docs is False


async def test_duplicate_while_the_first_is_in_flight_is_409_on_postgres(pg_schema_url, tmp_path) -> None:
    """A claim held by an uncommitted transaction (the 'first request') makes the twin wait, then 409."""
    from .conftest import _truncate

    engine = create_engine(pg_schema_url)
    _truncate(engine)
    settings = Settings(db_url=pg_schema_url, admin_token=ADMIN_TOKEN, idempotency_wait_s=0.3)
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers) as admin:
        shop = Shop(app, admin)
        await shop.add_store("S1")
        await shop.add_item("SKU1", "1.10")
        till = await shop.terminal("S1")
        order = make_order(store_id="S1", terminal_id=till.terminal_id)
        with engine.connect() as first:
            first.execute(insert(IdempotencyRecord).values(
                terminal_id=till.terminal_id, key=str(order.order_id), scope="order", fingerprint="x" * 64,
                created_at=datetime.now(UTC)))
            response = await till.post_order(order)
            assert response.status_code == 409
            assert response.json()["code"] == "request_in_progress"
            first.rollback()  # the first request failed: the key is free again
        assert (await till.post_order(order)).status_code == 201
    app.state.engine.dispose()
    engine.dispose()




async def test_unexpected_errors_are_500_problems_with_correlation_id(shop, monkeypatch) -> None:
    from sync_server.services import catalog

    await shop.add_store("S1")
    till = await shop.terminal("S1")

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(catalog, "delta", broken)
    response = await till.http.get("/v1/catalog", headers={"X-Correlation-ID": "c-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error" and "bug" not in response.text
    assert response.headers["X-Correlation-ID"] == "c-500"


async def test_readiness_fails_when_the_database_is_unreachable() -> None:
    settings = Settings(db_url="postgresql+psycopg://nobody@127.0.0.1:1/none", admin_token=ADMIN_TOKEN)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get("/readyz")
    assert response.status_code == 503 and response.json()["code"] == "not_ready"


async def test_chunked_body_over_the_limit_is_413(shop) -> None:
    await shop.add_store("S1")

    async def chunks():
        for _ in range(100):
            yield b" " * 10_000

    response = await shop.admin.put("/v1/admin/stores/S1", content=chunks())
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def _get(settings: Settings, path: str, token: str | None = None) -> httpx.Response:
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers) as client:
        response = await client.get(path)
    app.state.engine.dispose()
    return response


async def test_metrics_need_the_metrics_token_or_the_admin_token(tmp_path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'm.sqlite3'}", admin_token=ADMIN_TOKEN, metrics_token="scrape-me")
    for token in (None, "wrong", f"{ADMIN_TOKEN}x"):
        refused = await _get(settings, "/metrics", token)
        assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
        assert refused.headers["WWW-Authenticate"] == "Bearer" and "pos_sync" not in refused.text
    for token in ("scrape-me", ADMIN_TOKEN):
        scraped = await _get(settings, "/metrics", token)
        assert scraped.status_code == 200 and "pos_sync_http_requests_total" in scraped.text
    assert (await _get(settings, "/healthz")).status_code == 200  # load balancers need no token


async def test_metrics_without_any_token_configured_are_refused(tmp_path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'm.sqlite3'}", admin_token=None, metrics_token=None)
    refused = await _get(settings, "/metrics", "anything")
    assert refused.status_code == 403 and refused.json()["code"] == "metrics_disabled"


@pytest.mark.parametrize(("docs", "status"), [(True, 200), (False, 404)])
async def test_docs_and_openapi_are_published_unless_turned_off(tmp_path, docs, status) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'd.sqlite3'}", admin_token=ADMIN_TOKEN, docs=docs)
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert (await _get(settings, path)).status_code == status, path
