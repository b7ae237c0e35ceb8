"""Where the till keeps its terminal secret: the OS keyring, or an opted-in encrypted file.

The secret signs every request to the sync server, so it never sits in plain text. On a
headless machine keyring finds no backend (`keyring.backends.fail.Keyring`); then the
till refuses to store the secret unless the operator opts in to an encrypted file by
setting `POS_TERMINAL_KEY_PASSPHRASE` (key derived with scrypt, Fernet-encrypted, file
mode 0600). The choice is logged as a warning so it is never silent.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

log = logging.getLogger(__name__)

SERVICE = "pos-terminal"
PASSPHRASE_ENV = "POS_TERMINAL_KEY_PASSPHRASE"
SECRETS_FILE = "terminal-secrets.enc"


class SecretStoreError(RuntimeError):
    """The secret cannot be stored or read; the message says what the operator can do."""


class SecretStoreUnavailable(SecretStoreError):
    pass


class SecretStore(Protocol):
    description: str

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, secret: str) -> None: ...

    def delete(self, name: str) -> None: ...


class KeyringStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker...)."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self.backend = backend or keyring.get_keyring()
        self.description = f"OS keyring ({type(self.backend).__module__}.{type(self.backend).__name__})"

    def get(self, name: str) -> str | None:
        return self._call(self.backend.get_password, SERVICE, name)

    def set(self, name: str, secret: str) -> None:
        self._call(self.backend.set_password, SERVICE, name, secret)

    def delete(self, name: str) -> None:
        try:
            self.backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass

    def _call(self, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"{self.description}: {exc}") from exc


class EncryptedFileStore:
    """Secrets encrypted with a key derived from a passphrase (scrypt -> Fernet), mode 0600."""

    SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

    def __init__(self, path: Path, passphrase: str) -> None:
        if not passphrase:
            raise SecretStoreError("the encrypted secret file needs a non-empty passphrase")
        self.path = Path(path)
        self.description = f"encrypted file {self.path}"
        self._passphrase = passphrase.encode("utf-8")

    def get(self, name: str) -> str | None:
        data = self._load()
        token = data["secrets"].get(name)
        if token is None:
            return None
        try:
            return self._fernet(data).decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretStoreError(f"cannot decrypt {self.path}: wrong {PASSPHRASE_ENV}?") from None

    def set(self, name: str, secret: str) -> None:
        data = self._load()
        fernet = self._fernet(data)
        for other in data["secrets"].values():  # one passphrase per file: refuse a mismatch
            try:
                fernet.decrypt(other.encode("ascii"))
            except InvalidToken:
                raise SecretStoreError(f"{self.path} was written with another passphrase") from None
        data["secrets"][name] = fernet.encrypt(secret.encode("utf-8")).decode("ascii")
        self._save(data)

    def delete(self, name: str) -> None:
        data = self._load()
        if data["secrets"].pop(name, None) is not None:
            self._save(data)

    def _load(self) -> dict:
        if not self.path.exists():
            return {"kdf": "scrypt", "salt": base64.b64encode(os.urandom(16)).decode("ascii"),
                    "n": self.SCRYPT_N, "r": self.SCRYPT_R, "p": self.SCRYPT_P, "secrets": {}}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise SecretStoreError(f"{self.path} is damaged: {exc}") from None

    def _fernet(self, data: dict) -> Fernet:
        kdf = Scrypt(salt=base64.b64decode(data["salt"]), length=32, n=data["n"], r=data["r"], p=data["p"])
        return Fernet(base64.urlsafe_b64encode(kdf.derive(self._passphrase)))

    def _save(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


def keyring_usable(backend: keyring.backend.KeyringBackend | None = None) -> bool:
    """False for keyring's "no backend" placeholders and for plain-text file backends."""
    backend = backend or keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith(("keyring.backends.fail.", "keyring.backends.null.")) or "Plaintext" in name:
        return False
    if getattr(backend, "backends", None) == []:  # a chainer with nothing behind it
        return False
    return True


def open_secret_store(data_dir: Path, env: Mapping[str, str] | None = None) -> SecretStore:
    """The OS keyring when there is one; else the encrypted file if the operator opted in."""
    env = os.environ if env is None else env
    backend = keyring.get_keyring()
    if keyring_usable(backend):
        return KeyringStore(backend)
    passphrase = env.get(PASSPHRASE_ENV)
    path = Path(data_dir) / SECRETS_FILE
    if not passphrase:
        raise SecretStoreUnavailable(
            f"no OS keyring is available ({type(backend).__module__}.{type(backend).__name__}), "
            f"and the terminal secret is never stored in plain text. Install/unlock a keyring "
            f"(e.g. GNOME Keyring / KWallet), or opt in to an encrypted file at {path} by "
            f"setting {PASSPHRASE_ENV} to a passphrase."
        )
    if path not in _warned:  # once per file and process: the till opens it more than once
        _warned.add(path)
        log.warning("no OS keyring: terminal secret kept in %s, encrypted with a key derived from "
                    "%s (scrypt); keep that passphrase out of shell history", path, PASSPHRASE_ENV)
    return EncryptedFileStore(path, passphrase)


_warned: set[Path] = set()
