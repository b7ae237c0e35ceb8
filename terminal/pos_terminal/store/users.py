"""Staff records: PIN hashes, lockout state (failed attempts persist across restarts), and
the server's staff list applied as deltas (README "Staff list").

The till signs staff in against these rows, offline too: what the last delta brought is
what counts. A user the server removed is deleted here, so sign-in and approvals refuse
them (UnknownUser) as soon as the delta lands.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pos_protocol import wire
from pos_terminal.core.users import User

from .models import StaffState, UserRow


def get_user(session: Session, user_id: str) -> User | None:
    row = session.get(UserRow, user_id)
    if row is None:
        return None
    return _user(row)


def _user(row: UserRow) -> User:
    return User(user_id=row.user_id, name=row.name, role=row.role, pin_hash=row.pin_hash,
                failed_attempts=row.failed_attempts, locked_until=row.locked_until, locked=bool(row.locked))


def list_users(session: Session) -> list[User]:
    return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.user_id))]


def save_user(session: Session, user: User) -> None:
    row = session.get(UserRow, user.user_id) or UserRow(user_id=user.user_id)
    row.name, row.role, row.pin_hash = user.name, user.role.value, user.pin_hash
    row.failed_attempts, row.locked_until, row.locked = user.failed_attempts, user.locked_until, user.locked
    session.add(row)


def save_login_state(session: Session, user: User) -> None:
    """Failed attempts and lockout after a PIN check; nothing for a user no longer here."""
    row = session.get(UserRow, user.user_id)
    if row is not None:
        row.failed_attempts, row.locked_until = user.failed_attempts, user.locked_until


def delete_user(session: Session, user_id: str) -> bool:
    return session.execute(delete(UserRow).where(UserRow.user_id == user_id)).rowcount > 0


def has_users(session: Session) -> bool:
    return session.query(UserRow.user_id).limit(1).first() is not None


# -- the server's staff list --------------------------------------------------------------


def staff_version(session: Session) -> int:
    """The staff list version this till has received (0: none yet, the seed file's staff)."""
    state = session.get(StaffState, 1)
    return state.version if state else 0


@dataclass(frozen=True)
class StaffApplied:
    version: int
    upserted: tuple[str, ...]
    removed: tuple[str, ...]


def apply_staff_delta(session: Session, delta: wire.StaffDelta, *, full: bool = False) -> StaffApplied:
    """Apply one delta with its version, in the caller's transaction (all or nothing).

    `full`: the delta since version 0, i.e. the server's whole list; the till's users not on
    it (the seed file's, say) are removed, so the server's list is the one that counts.

    Any change from the server clears the till's own lockout of that user (an unlock or a
    new PIN in the back office is meant for every till). A user the server has no PIN for
    keeps the till's PIN; one the till has never seen without a PIN cannot sign in, so is
    not written."""
    upserted = []
    for member in delta.users:
        row = session.get(UserRow, member.user_id)
        pin_hash = member.pin_hash or (row.pin_hash if row else None)
        if pin_hash is None:
            continue
        save_user(session, User(member.user_id, member.name, member.role, pin_hash, locked=member.locked))
        upserted.append(member.user_id)
    gone = list(delta.removed)
    if full and delta.version > 0:
        listed = {member.user_id for member in delta.users}
        gone += [row.user_id for row in session.scalars(select(UserRow)) if row.user_id not in listed]
    removed = tuple(user_id for user_id in gone if delete_user(session, user_id))
    state = session.get(StaffState, 1) or StaffState(id=1)
    state.version = max(delta.version, state.version or 0)
    session.add(state)
    return StaffApplied(state.version, tuple(upserted), removed)
