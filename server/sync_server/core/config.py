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

from .secret_box import SecretBox

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
    """The admin bearer token in clear (`POS_SYNC_ADMIN_TOKEN`); the server keeps only its
    SHA-256. Prefer `admin_token_hash`, so that no file or environment holds the token."""
    admin_token_hash: str | None = None
    """`sha256:<hex>` of the admin token (`pos-sync-server admin-token new` prints both)."""
    secret_key: SecretStr | None = None
    """Fernet key(s) sealing terminal secrets at rest, newest first, comma-separated
    (`POS_SYNC_SECRET_KEY`); see core/secret_box.py."""
    secret_key_file: Path | None = None
    """A file of Fernet keys, one a line, newest first (`POS_SYNC_SECRET_KEY_FILE`); default
    `secret.key` in the user's config dir, made on first use."""
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

    rate_limit_storage: str = "memory://"
    """Where rate-limit counters live (`POS_SYNC_RATE_LIMIT_STORAGE`): `memory://` counts per
    process; `redis://host:6379` shares them between every process and replica."""
    rate_limit_prefix: str = "pos-sync"
    """Names this deployment's counters in a shared store (several servers on one Redis)."""
    rate_limit_enroll: str = "20/minute;200/hour"
    """Enrollment attempts per client address (limits' notation: `N/second|minute|hour|day`, `;` between; empty: no limit)."""
    rate_limit_enroll_total: str = "300/minute"
    """Enrollment attempts from all addresses together (the store is unknown until the code is checked)."""
    rate_limit_admin: str = "3000/minute"
    """Admin requests per client address: enough for a catalog pushed item by item (50 a
    second); against guessing, the 256-bit token is the defence, the limit caps the load."""
    rate_limit_admin_per_store: str = "3000/minute"
    """Admin requests about one store (`/v1/admin/stores/{store_id}/...`), from anywhere."""
    rate_limit_sign_in: str = "10/minute;100/hour"
    """Sign-in attempts (the back office) per client address."""
    rate_limit_sign_in_per_store: str = "30/minute"
    """Sign-in attempts to one store's accounts, from anywhere."""

    sentry_dsn: SecretStr | None = None
    """Report unhandled errors to Sentry (`POS_SYNC_SENTRY_DSN`, needs the `sentry` extra);
    off when unset. Credentials and personal data are scrubbed first (core/sentry.py)."""
    sentry_environment: str | None = None
    """Sentry's environment tag, e.g. `production` (`POS_SYNC_SENTRY_ENVIRONMENT`)."""

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

    def secret_box(self) -> SecretBox:
        """The keys that seal and open terminal secrets (reads the key file on each call)."""
        key = self.secret_key.get_secret_value() if self.secret_key else None
        return SecretBox.from_config(key, self.secret_key_file)


@lru_cache
def get_settings() -> Settings:
    return Settings()
