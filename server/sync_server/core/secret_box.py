"""Terminal secrets sealed at rest: Fernet (AES-128-CBC + HMAC-SHA256) with the server key.

The server must hand each terminal's HMAC secret back to itself on every signed request,
so the secret cannot be hashed; it is encrypted instead, and a copy of the database (a
backup, a dump, a stolen disk) holds only tokens that are useless without the key.

The key comes from `POS_SYNC_SECRET_KEY` (one or more Fernet keys separated by commas), or
from the file `POS_SYNC_SECRET_KEY_FILE` (one key a line). The first key seals, every key
opens: to rotate, put a new key first, run `pos-sync-server secrets rotate`, then drop the
old one. With neither configured, a key file is made on first use in the user's config
dir (mode 0600), away from the SQLite file in the data dir, so that the database and its
backups alone do not reveal the secrets; replicas on other hosts must share the key.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

APP_NAME = "pos-sync-server"

__all__ = ["SecretBox", "SecretKeyError", "default_key_file", "new_key"]


class SecretKeyError(ValueError):
    """The server key is missing, malformed, or does not open a stored secret."""


def new_key() -> str:
    """A fresh Fernet key (`pos-sync-server secrets new-key`)."""
    return Fernet.generate_key().decode()


def default_key_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "secret.key"


class SecretBox:
    """Seals and opens terminal secrets with the configured keys, newest first."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretKeyError("no server secret key configured")
        try:
            self._fernets = [Fernet(key.encode()) for key in keys]
        except ValueError:
            raise SecretKeyError("a server secret key is not a Fernet key (make one with "
                                 "`pos-sync-server secrets new-key`)") from None
        self._multi = MultiFernet(self._fernets)

    @classmethod
    def from_config(cls, keys: str | None, key_file: Path | None) -> SecretBox:
        """Keys from the setting (comma-separated), else the key file (made if it is the default)."""
        if keys:
            return cls([k.strip() for k in keys.split(",") if k.strip()])
        path = key_file or default_key_file()
        if key_file is None and not path.exists():
            _create_key_file(path)
        try:
            lines = path.read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretKeyError(f"cannot read the server secret key file {path}: {exc}") from None
        return cls(lines)

    @property
    def key_count(self) -> int:
        return len(self._fernets)

    def seal(self, secret: str) -> str:
        return self._multi.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._multi.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError):
            raise SecretKeyError("a stored terminal secret does not open with any configured server key "
                                 "(was the old key dropped before `secrets rotate`?)") from None

    def reseal(self, sealed: str) -> str:
        """`sealed` under the first (newest) key; what `secrets rotate` writes back."""
        try:
            return self._multi.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise SecretKeyError("a stored terminal secret does not open with any configured server key") from None

    def is_sealed_by_first(self, sealed: str) -> bool:
        try:
            self._fernets[0].decrypt(sealed.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True


def _create_key_file(path: Path) -> None:
    """Make the default key file once. Written aside and linked into place, so a process
    racing us never reads a half-written file: the first link wins, the other reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(new_key() + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)
