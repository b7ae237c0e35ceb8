"""Server settings: environment (`POS_SYNC_DB_URL`, `POS_SYNC_ADMIN_TOKEN`, ...) or a TOML file.

The file is `$POS_SYNC_CONFIG` if set, else `config.toml` in the user's config dir; the
environment wins over the file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

APP_NAME = "pos-sync-server"


def default_db_url() -> str:
    data_dir = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{data_dir / 'sync.sqlite3'}"


def config_file() -> Path:
    env = os.environ.get("POS_SYNC_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POS_SYNC_", extra="ignore")

    db_url: str = ""
    db_pool_size: int = 10
    """PostgreSQL connections each server process keeps open (`POS_SYNC_DB_POOL_SIZE`)."""
    db_max_overflow: int = 20
    """More connections each process may open under load (`POS_SYNC_DB_MAX_OVERFLOW`)."""
    admin_token: SecretStr | None = None
    max_body_bytes: int = 4 * 1024 * 1024
    enrollment_code_ttl_s: int = 24 * 3600
    signature_window_s: int = 300
    idempotency_wait_s: float = 10.0
    """How long a duplicate waits for an in-flight twin before `409 request_in_progress`."""
    log_level: str = "INFO"
    metrics_token: SecretStr | None = None
    """Bearer token a Prometheus scraper sends to GET /metrics (the admin token works too);
    with neither configured /metrics is refused: it names every terminal."""
    docs: bool = True
    """Publish /docs, /redoc and /openapi.json (PROTOCOL.md); `POS_SYNC_DOCS=false` in production."""
    clock_tolerance_s: int = 300
    """How far an order's created_at may be ahead of the server's clock, or before its
    terminal's enrollment, before it is held as CLOCK_IMPLAUSIBLE."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file()))

    @property
    def database_url(self) -> str:
        return self.db_url or default_db_url()


@lru_cache
def get_settings() -> Settings:
    return Settings()
