"""Signing in and manager approvals, with lockout state persisted and every outcome audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pos_terminal.config import SeedUser
from pos_terminal.core.override import Approval, approve
from pos_protocol.permissions import Permission, PermissionDenied
from pos_terminal.core.users import LoginError, User, authenticate, hash_pin
from pos_terminal.store import audit, users
from pos_terminal.store.db import Database


class UnknownUser(LookupError):
    def __str__(self) -> str:
        return f"no user {self.args[0]!r} on this till"


class Staff:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db, self._clock = db, clock

    def seed(self, seed_users: tuple[SeedUser, ...]) -> None:
        """Create the configured staff on an empty till (PINs hashed on the way in)."""
        with self._db.transaction() as s:
            if users.has_users(s):
                return
            for u in seed_users:
                users.save_user(s, User(u.user_id, u.name, u.role, hash_pin(u.pin)))

    def get(self, user_id: str) -> User:
        with self._db.reader() as s:
            user = users.get_user(s, user_id)
        if user is None:
            raise UnknownUser(user_id)
        return user

    def sign_in(self, user_id: str, pin: str) -> User:
        now = self._clock()
        return self._checked(user_id, "user.sign_in", lambda u: authenticate(u, pin, now), now)

    def approve(self, approver_id: str, pin: str, permission: Permission, subject: str, *,
                reason: str = "") -> Approval:
        """A manager's PIN approval of one action; failures count towards lockout."""
        now = self._clock()
        approval: list[Approval] = []

        def check(user: User) -> User:
            approval.append(approve(user, pin, permission, now))
            return approval[0].approver

        self._checked(approver_id, f"approval.{permission.value}", check, now, subject, reason)
        return approval[0]

    def _checked(self, user_id: str, action: str, check: Callable[[User], User], now: datetime,
                 subject: str | None = None, reason: str = "") -> User:
        user = self.get(user_id)
        try:
            new_state = check(user)
        except LoginError as exc:
            self._record(exc.user, now, action + ".failed", subject, str(exc))
            raise
        except PermissionDenied as exc:
            self._record(user, now, action + ".denied", subject, str(exc))
            raise
        self._record(new_state, now, action, subject, None, reason)
        return new_state

    def _record(self, user: User, now: datetime, action: str, subject: str | None,
                error: str | None, reason: str = "") -> None:
        with self._db.transaction() as s:
            users.save_user(s, user)
            audit.append(s, at=now, actor=user.user_id, action=action, subject=subject,
                         payload={"error": error} if error else ({"reason": reason} if reason else {}))
