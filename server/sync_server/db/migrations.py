"""Run the packaged Alembic migrations programmatically (`pos-sync-server migrate`, `serve`)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config

from ..core.secret_box import SecretBox

# Package data (alembic.ini and the versions), wherever the server is installed.
PACKAGE_DIR = Path(str(files("sync_server")))


def alembic_config(db_url: str, secret_box: SecretBox | None = None) -> Config:
    config = Config(str(PACKAGE_DIR / "alembic.ini"))
    if secret_box is not None:
        config.attributes["secret_box"] = secret_box  # sealing secrets (0005); else the settings' key
    config.set_main_option("script_location", str(PACKAGE_DIR / "alembic"))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return config


def upgrade(db_url: str, revision: str = "head", secret_box: SecretBox | None = None) -> None:
    command.upgrade(alembic_config(db_url, secret_box), revision)
