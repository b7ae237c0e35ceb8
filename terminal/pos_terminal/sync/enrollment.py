"""Enrollment: trade a one-time code for the till's identity and signing secret.

`terminal_id`/`store_id` go into the database's `terminal_identity` row (the server picks
the terminal id); the secret goes into the secret store (`pos_terminal.keys`), never the
database. After enrollment, `enrolled_config` makes the till sell under that identity.
Until an enrollment completes, its Idempotency-Key waits in the secret store, so a retry
after a lost answer gets the same terminal instead of a refused, used code.
"""

from __future__ import annotations

import hashlib
import socket
import uuid
from pathlib import Path

import httpx

from pos_terminal.config import TerminalConfig
from pos_terminal.keys import SecretStore, open_secret_store
from pos_terminal.store.db import Database
from pos_terminal.store.identity import Identity, as_enrolled, read_identity, write_identity
from .auth import TerminalAuth

from .client import ProblemReply, SyncClient
from .tls import ServerTrust, require_private_channel


class NotEnrolled(RuntimeError):
    def __str__(self) -> str:
        return ("this till is not enrolled with a sync server: run "
                "`pos-terminal enroll --code CODE --server URL`")


def enroll(db: Database, secrets: SecretStore, server_url: str, code: str,
           terminal_name: str | None = None, *, trust: ServerTrust | None = None,
           allow_plain_http: bool = False, transport: httpx.BaseTransport | None = None) -> Identity:
    """Enroll with `code`; raises client.ProblemReply (403 enrollment_code_invalid),
    Unreachable (UntrustedServer: a certificate `trust` refuses) or tls.PlainHttpRefused.

    `trust` (a CA or a pinned fingerprint) is kept with the identity and checks the server
    on every later request. After Unreachable or a 5xx, run it again with the same code:
    the enrollment key kept from the first attempt makes the server answer with the
    terminal it may have enrolled.
    """
    require_private_channel(server_url, allow_plain_http=allow_plain_http)
    trust = trust or ServerTrust()
    key_name = _enrollment_key_name(db)
    key = _enrollment_key(secrets, key_name)
    try:
        with SyncClient(server_url, transport=transport, trust=trust) as client:
            answer = client.enroll(code.strip(), terminal_name or socket.gethostname()[:100] or "till", key)
    except ProblemReply as refused:
        if refused.reply.status < 500:
            secrets.delete(key_name)  # refused for good: a new attempt needs a new code anyway
        raise
    previous = load_identity(db)
    # The secret first: an identity row without its secret would leave a till that cannot sign.
    secrets.set(answer.terminal_id, answer.secret)
    identity = Identity(answer.store_id, answer.terminal_id, server_url.rstrip("/"), trust.ca_pem, trust.pin_sha256)
    with db.transaction() as s:
        write_identity(s, identity)
    if previous is not None and previous.terminal_id != identity.terminal_id:
        secrets.delete(previous.terminal_id)
    secrets.delete(key_name)  # enrolled: a later enrollment (after a revocation) is a new one
    return identity


def _enrollment_key_name(db: Database) -> str:
    # The secret store is the OS user's and may serve several tills: one pending key per database.
    return "enrollment-key:" + hashlib.sha256(str(db.path.resolve()).encode()).hexdigest()[:16]


def _enrollment_key(secrets: SecretStore, name: str) -> str:
    """The till's Idempotency-Key for its enrollment, made and stored before the first attempt
    so that a retry after a lost answer or a crash sends it again (README design notes).
    Kept with the secrets: with the code, it fetches the terminal's secret."""
    key = secrets.get(name)
    if key is None:
        key = str(uuid.uuid4())
        secrets.set(name, key)
    return key


def load_identity(db: Database) -> Identity | None:
    with db.reader() as s:
        return read_identity(s)


def enrolled_config(config: TerminalConfig) -> TerminalConfig:
    """`config` with the enrolled store, terminal id and server (unchanged if not enrolled)."""
    if not config.db_path.exists():
        return config
    db = Database(config.db_path)
    try:
        return as_enrolled(config, load_identity(db))
    finally:
        db.close()


def client_for(db: Database, config: TerminalConfig, secrets: SecretStore | None = None, *,
               transport: httpx.BaseTransport | None = None) -> SyncClient:
    """A signing client for the enrolled till. Raises NotEnrolled or keys.SecretStoreError."""
    identity = load_identity(db)
    if identity is None:
        raise NotEnrolled()
    secrets = secrets or open_secret_store(config.data_dir)
    secret = secrets.get(identity.terminal_id)
    if secret is None:
        raise NotEnrolled()
    return SyncClient(identity.server_url, TerminalAuth(identity.terminal_id, secret), transport=transport,
                      trust=ServerTrust(identity.server_ca_pem, identity.server_pin_sha256))


_RETRY_HINT = "run the same command again with the same code (this till gets the terminal the server may have enrolled)"


def enroll_cli(config: TerminalConfig, code: str, server_url: str, name: str | None, *,
               server_ca: Path | None = None, server_fingerprint: str | None = None,
               allow_plain_http: bool = False) -> int:
    """`pos-terminal enroll`: prints the identity, or a clear error and exit status 1/2."""
    import sys

    from pos_terminal.keys import SecretStoreError

    from .client import Unreachable, UntrustedServer

    try:
        trust = ServerTrust.from_options(server_ca, server_fingerprint)
        require_private_channel(server_url, allow_plain_http=allow_plain_http)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        secrets = open_secret_store(config.data_dir)
    except SecretStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    db = Database(config.db_path)
    try:
        identity = enroll(db, secrets, server_url, code, name, trust=trust, allow_plain_http=allow_plain_http)
    except UntrustedServer as exc:
        print(f"error: {exc}; nothing was sent to it. Check --server-ca / --server-fingerprint "
              "with the server's operator", file=sys.stderr)
        return 1
    except ProblemReply as exc:
        hint = f"; {_RETRY_HINT}" if exc.reply.status >= 500 else ""
        print(f"error: the server refused the enrollment: {exc}{hint}", file=sys.stderr)
        return 1
    except Unreachable as exc:
        print(f"error: {exc}; {_RETRY_HINT}", file=sys.stderr)
        return 1
    except SecretStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"enrolled as terminal {identity.terminal_id} of store {identity.store_id} "
          f"at {identity.server_url} (trusting {trust.description}); secret kept in {secrets.description}")
    return 0
