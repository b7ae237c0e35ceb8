"""Staff records: PIN hashes and lockout state (failed attempts persist across restarts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pos_terminal.core.users import User

from .models import UserRow


def get_user(session: Session, user_id: str) -> User | None:
    row = session.get(UserRow, user_id)
    if row is None:
        return None
    return User(user_id=row.user_id, name=row.name, role=row.role, pin_hash=row.pin_hash,
                failed_attempts=row.failed_attempts, locked_until=row.locked_until)


def save_user(session: Session, user: User) -> None:
    row = session.get(UserRow, user.user_id) or UserRow(user_id=user.user_id)
    row.name, row.role, row.pin_hash = user.name, user.role.value, user.pin_hash
    row.failed_attempts, row.locked_until = user.failed_attempts, user.locked_until
    session.add(row)


def has_users(session: Session) -> bool:
    return session.query(UserRow.user_id).limit(1).first() is not None
