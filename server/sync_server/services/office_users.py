"""Back-office accounts: who may sign in at the office, with which role, and the key that
signs their session cookies.

Passwords are hashed with scrypt (hashlib's, the KDF the till uses for PINs) in the same
self-describing form, `scrypt$n$r$p$salt_b64$hash_b64`, so the cost can be raised later
without invalidating stored hashes. Roles are pos_protocol's: an office manager holds
`conflict.resolve` exactly as a manager at a till does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pos_protocol.permissions import Permission, Role, has_permission

from ..db.models import OfficeKey, OfficeUser

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MiB and tens of ms per sign-in
_SALT_BYTES, _KEY_BYTES = 16, 32
PASSWORD_MIN = 10
SESSION_KEY_ID = "session"


class PasswordRefused(ValueError):
    """A password too weak to keep (said in the words the CLI prints)."""


@dataclass(frozen=True)
class OfficeAccount:
    user_id: str
    name: str
    role: Role
    session_epoch: int

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    if len(password) < PASSWORD_MIN:
        raise PasswordRefused(f"a password needs at least {PASSWORD_MIN} characters")
    salt = os.urandom(_SALT_BYTES)
    key = _derive(password, salt, n, r, p, _KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches; constant-time comparison of the derived keys."""
    scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
    if scheme != "scrypt":
        raise ValueError(f"unknown password hash scheme {scheme!r}")
    expected = base64.b64decode(key_b64)
    derived = _derive(password, base64.b64decode(salt_b64), int(n), int(r), int(p), len(expected))
    return hmac.compare_digest(derived, expected)


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=64 * 1024 * 1024)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Compared against when the user is unknown, so a wrong name costs what a wrong password does.
_DUMMY_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(bytes(_SALT_BYTES))}${_b64(bytes(_KEY_BYTES))}"


def put_user(conn: Connection, user_id: str, name: str, role: Role, password: str) -> bool:
    """Create the account, or give an existing one this name, role and password (which
    also ends its sessions). True when it was created."""
    values = {"name": name, "role": Role(role).value, "password_hash": hash_password(password)}
    changed = conn.execute(
        update(OfficeUser).where(OfficeUser.user_id == user_id)
        .values(**values, session_epoch=OfficeUser.session_epoch + 1)
    ).rowcount
    if changed:
        return False
    conn.execute(insert(OfficeUser).values(user_id=user_id, session_epoch=0, created_at=datetime.now(UTC), **values))
    return True


def authenticate(conn: Connection, user_id: str, password: str) -> OfficeAccount | None:
    """The account when the name and password match, else None (never saying which was wrong)."""
    row = conn.execute(select(OfficeUser).where(OfficeUser.user_id == user_id)).mappings().first()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, row["password_hash"]):
        return None
    return _account(row)


def account(conn: Connection, user_id: str) -> OfficeAccount | None:
    row = conn.execute(select(OfficeUser).where(OfficeUser.user_id == user_id)).mappings().first()
    return None if row is None else _account(row)


def _account(row) -> OfficeAccount:
    return OfficeAccount(row["user_id"], row["name"], Role(row["role"]), row["session_epoch"])


def remove_user(conn: Connection, user_id: str) -> bool:
    """The account is gone, and with it every session (no cookie finds its user)."""
    return conn.execute(delete(OfficeUser).where(OfficeUser.user_id == user_id)).rowcount > 0


def list_users(conn: Connection) -> list[OfficeAccount]:
    return [_account(row) for row in conn.execute(select(OfficeUser).order_by(OfficeUser.user_id)).mappings()]


def end_sessions(conn: Connection, user_id: str) -> None:
    """Logout: every cookie carrying the old epoch stops being accepted."""
    conn.execute(update(OfficeUser).where(OfficeUser.user_id == user_id)
                 .values(session_epoch=OfficeUser.session_epoch + 1))


def session_key(conn: Connection) -> str:
    """The cookie-signing key, drawn on first use; a racing process's key wins alike for all."""
    existing = conn.execute(select(OfficeKey.secret).where(OfficeKey.key_id == SESSION_KEY_ID)).scalar_one_or_none()
    if existing is not None:
        return existing
    try:
        with conn.begin_nested():
            conn.execute(insert(OfficeKey).values(key_id=SESSION_KEY_ID, secret=secrets.token_urlsafe(48),
                                                  created_at=datetime.now(UTC)))
    except IntegrityError:
        pass
    return conn.execute(select(OfficeKey.secret).where(OfficeKey.key_id == SESSION_KEY_ID)).scalar_one()
