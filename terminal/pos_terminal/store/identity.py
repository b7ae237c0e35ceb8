"""Who this till is: the one `terminal_identity` row, written when it enrolls.

An enrolled till always sells under the store and terminal id the server gave it,
whatever the config file says (else every order would be refused as another store's).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pos_terminal.config import TerminalConfig

from .models import TerminalIdentity


@dataclass(frozen=True)
class Identity:
    store_id: str
    terminal_id: str
    server_url: str
    server_ca_pem: str | None = None
    """How the server's certificate is checked (sync/tls.py): a CA, a pin, or neither
    (the system's CAs). Set at enrollment, used by every request after it."""
    server_pin_sha256: str | None = None


def read_identity(session: Session) -> Identity | None:
    """The enrolled identity; None when the till has not enrolled."""
    row = session.get(TerminalIdentity, 1)
    if row is None or not row.server_url:
        return None
    return Identity(row.store_id, row.terminal_id, row.server_url, row.server_ca_pem, row.server_pin_sha256)


def write_identity(session: Session, identity: Identity) -> None:
    row = session.get(TerminalIdentity, 1) or TerminalIdentity(id=1)
    row.store_id, row.terminal_id, row.server_url = identity.store_id, identity.terminal_id, identity.server_url
    row.server_ca_pem, row.server_pin_sha256 = identity.server_ca_pem, identity.server_pin_sha256
    session.add(row)


def as_enrolled(config: TerminalConfig, identity: Identity | None) -> TerminalConfig:
    """`config` selling under the enrolled identity (unchanged when not enrolled)."""
    if identity is None:
        return config
    return config.replace(store_id=identity.store_id, terminal_id=identity.terminal_id,
                               server_url=identity.server_url)
