"""Terminal secrets sealed with the server key; key rotation; the admin token kept as a hash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, select

from sync_server.api.main import create_app
from sync_server.cli import main
from sync_server.core import tokens
from sync_server.core.config import Settings, get_settings
from sync_server.core.secret_box import SecretBox, SecretKeyError
from sync_server.db import migrations
from sync_server.db.models import Store, Terminal
from sync_server.db.session import make_engine
from pos_terminal.sync.auth import TerminalAuth

from .conftest import ADMIN_TOKEN, Shop

BEAT = {"queue_depth": 0, "oldest_pending_age_s": 0, "app_version": "1"}
pytestmark = pytest.mark.anyio


def _sqlite_files(db_url: str) -> list[Path]:
    path = Path(db_url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def _stored_secret(engine, terminal_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(Terminal.secret).where(Terminal.terminal_id == terminal_id)).scalar_one()


async def _beat(app, terminal_id: str, secret: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sync.test",
                                 auth=TerminalAuth(terminal_id, secret)) as client:
        return await client.post("/v1/terminals/heartbeat", json=BEAT)


async def test_the_database_holds_no_terminal_secret_in_clear(shop, db_url, engine) -> None:
    await shop.add_store("S1")
    tills = [await shop.terminal("S1") for _ in range(3)]
    for till in tills:
        assert (await till.http.post("/v1/terminals/heartbeat", json=BEAT)).status_code == 204
        stored = _stored_secret(engine, till.terminal_id)
        assert till.secret not in stored and stored.startswith("gAAAAA")  # a Fernet token
    if db_url.startswith("sqlite"):
        raw = b"".join(path.read_bytes() for path in _sqlite_files(db_url))
        assert tills[0].terminal_id.encode() in raw  # the grep reads the right file
        for till in tills:
            assert till.secret.encode() not in raw


async def test_rotation_keeps_every_terminal_signing(db_url, engine, capsys, monkeypatch) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    def app_with(keys: str):
        return create_app(Settings(db_url=db_url, admin_token=ADMIN_TOKEN, secret_key=keys), engine)

    shop = Shop(app_with(old), None)
    async with shop.client(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
        shop.admin = admin
        await shop.add_store("S1")
        till = await shop.terminal("S1")
    sealed_by_old = _stored_secret(engine, till.terminal_id)

    rotating = app_with(f"{new},{old}")  # the new key first, the old one still accepted
    assert (await _beat(rotating, till.terminal_id, till.secret)).status_code == 204

    monkeypatch.setenv("POS_SYNC_SECRET_KEY", f"{new},{old}")
    get_settings.cache_clear()
    try:
        assert main(["--db", db_url, "secrets", "rotate"]) == 0
        assert "1 terminal secrets resealed" in capsys.readouterr().out
        assert main(["--db", db_url, "secrets", "rotate"]) == 0  # a rerun has nothing to do
        assert "0 terminal secrets resealed with the first key, 1 already were" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    assert _stored_secret(engine, till.terminal_id) != sealed_by_old

    assert (await _beat(app_with(new), till.terminal_id, till.secret)).status_code == 204
    refused = await _beat(app_with(old), till.terminal_id, till.secret)  # the old key alone no longer opens it
    assert refused.status_code == 500 and refused.json()["code"] == "internal_error"


def test_the_migration_seals_secrets_stored_in_clear(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrations.upgrade(url, "0006_staff_list")
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Store).values(store_id="S1", name="Shop", currency="EUR", currency_scale=2,
                                              tax_mode="inclusive", track_stock=False, catalog_version=0))
            conn.execute(insert(Terminal).values(terminal_id="T-old", store_id="S1", name="till",
                                                 secret="clear-secret-of-an-old-till", enrolled_at=datetime.now(UTC)))
        box = SecretBox([Fernet.generate_key().decode()])
        migrations.upgrade(url, secret_box=box)
        sealed = _stored_secret(engine, "T-old")
        assert box.open(sealed) == "clear-secret-of-an-old-till"
        migrations.upgrade(url, secret_box=box)  # at head: nothing sealed twice
        assert _stored_secret(engine, "T-old") == sealed
    finally:
        engine.dispose()
    assert b"clear-secret-of-an-old-till" not in b"".join(p.read_bytes() for p in _sqlite_files(url))


def test_keys_that_are_not_fernet_keys_are_refused_in_words(tmp_path) -> None:
    with pytest.raises(SecretKeyError, match="not a Fernet key"):
        SecretBox.from_config("not-a-key", None)
    with pytest.raises(SecretKeyError, match="cannot read the server secret key file"):
        SecretBox.from_config(None, tmp_path / "missing.key")
    key_file = tmp_path / "keys"
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    key_file.write_text(f"{first}\n{second}\n")
    box = SecretBox.from_config(None, key_file)
    assert box.key_count == 2 and SecretBox([second]).open(SecretBox([second]).seal("x")) == "x"
    assert box.open(SecretBox([second]).seal("from the old key")) == "from the old key"


def test_the_default_key_file_is_made_once_and_private(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    first = SecretBox.from_config(None, None)
    path = tmp_path / "pos-sync-server" / "secret.key"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert SecretBox.from_config(None, None).open(first.seal("s")) == "s"  # read back, not remade
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no draft left behind


async def test_admin_token_configured_as_a_hash(db_url, engine, capsys) -> None:
    assert main(["admin-token", "new"]) == 0
    out = capsys.readouterr().out
    token = out.split("then forget it): ")[1].split()[0]
    hash_line = next(line for line in out.splitlines() if line.startswith("POS_SYNC_ADMIN_TOKEN_HASH="))
    digest = hash_line.partition("=")[2]
    assert digest == tokens.digest(token) and token not in digest

    app = create_app(Settings(db_url=db_url, admin_token_hash=digest), engine)
    assert app.state.admin_digests == [digest]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sync.test") as client:
        right = await client.put("/v1/admin/stores/S1", json={"name": "Shop"}, headers={"Authorization": f"Bearer {token}"})
        wrong = await client.put("/v1/admin/stores/S1", json={"name": "Shop"}, headers={"Authorization": f"Bearer {token}x"})
    assert right.status_code == 201, right.text
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"


def test_a_malformed_admin_token_hash_is_refused_at_start(db_url, engine) -> None:
    with pytest.raises(ValueError, match="sha256:<64 hex digits>"):
        create_app(Settings(db_url=db_url, admin_token_hash="md5:abc"), engine)


def test_a_plain_admin_token_is_kept_only_as_its_hash(db_url, engine) -> None:
    app = create_app(Settings(db_url=db_url, admin_token=ADMIN_TOKEN), engine)
    assert app.state.admin_digests == [tokens.digest(ADMIN_TOKEN)]
    assert ADMIN_TOKEN not in repr(app.state.admin_digests)
