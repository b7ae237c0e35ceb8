"""Signing in and manager approvals, with lockout state persisted and every outcome audited;
and the staff list managed from the till by a user with `users.manage`.

The store's staff list is the server's (README "Staff list"): a change made here is sent to
the server at once (a signed call, `StaffOffice`), then written here so it counts on this
till before the next staff pull brings it back to every till. Offline, a change is refused
in words (`OfficeUnreachable`): the list has one keeper, and sign-in goes on with the last
list received.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from pos_protocol import wire
from pos_terminal.config import SeedUser
from pos_terminal.core.override import Approval, approve
from pos_protocol.permissions import Permission, PermissionDenied, Role
from pos_terminal.core.users import LoginError, User, authenticate, check_pin_format, hash_pin, require
from pos_terminal.store import audit, users
from pos_terminal.store.db import Database
from pos_terminal.sync.client import ProblemReply, SyncError


class UnknownUser(LookupError):
    def __str__(self) -> str:
        return f"no user {self.args[0]!r} on this till"


class OfficeUnreachable(RuntimeError):
    """A staff change needs the server, which cannot be reached now; nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__("the staff list is kept by the server, which cannot be reached now "
                         f"({reason}); nothing was changed: try again when the till is online")


class OfficeRefused(RuntimeError):
    """The server refused the change (e.g. the user lacks users.manage in its list)."""


class StaffOffice(Protocol):
    """Where a staff change goes: the server's staff list (`sync.SyncClient.staff_change`)."""

    def staff_change(self, change: wire.StaffChange) -> wire.StoreUserOut: ...


class Staff:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db, self._clock = db, clock
        self.office: StaffOffice | None = None

    def seed(self, seed_users: tuple[SeedUser, ...]) -> None:
        """Create the configured staff on an empty till (a plain PIN hashed on the way in)."""
        with self._db.transaction() as s:
            if users.has_users(s):
                return
            for u in seed_users:
                pin_hash = u.pin_hash or hash_pin(u.pin or "")
                users.save_user(s, User(u.user_id, u.name, u.role, pin_hash))

    def get(self, user_id: str) -> User:
        with self._db.reader() as s:
            user = users.get_user(s, user_id)
        if user is None:
            raise UnknownUser(user_id)
        return user

    def list(self) -> list[User]:
        with self._db.reader() as s:
            return users.list_users(s)

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

    # -- managing the list (users.manage) ------------------------------------------------

    def add(self, by: User, user_id: str, name: str, role: Role, pin: str) -> User:
        """Add a user (or change an existing one's name, role and PIN)."""
        check_pin_format(pin)
        change = wire.StaffChange(by=by.user_id, action=wire.StaffAction.PUT, user_id=user_id, name=name,
                                  role=role, pin_hash=hash_pin(pin))
        self._send(by, change)
        user = User(user_id, name, role, change.pin_hash or "")
        self._write(by, "staff.put", user_id, lambda s: users.save_user(s, user))
        return user

    def remove(self, by: User, user_id: str) -> None:
        self.get(user_id)
        self._send(by, wire.StaffChange(by=by.user_id, action=wire.StaffAction.REMOVE, user_id=user_id))
        self._write(by, "staff.remove", user_id, lambda s: users.delete_user(s, user_id))

    def set_pin(self, by: User, user_id: str, pin: str) -> None:
        """A new PIN; it also lifts any lock, as on the server."""
        check_pin_format(pin)
        user = self.get(user_id)
        change = wire.StaffChange(by=by.user_id, action=wire.StaffAction.SET_PIN, user_id=user_id,
                                  pin_hash=hash_pin(pin))
        self._send(by, change)
        new = User(user.user_id, user.name, user.role, change.pin_hash or "")
        self._write(by, "staff.set_pin", user_id, lambda s: users.save_user(s, new))

    def unlock(self, by: User, user_id: str) -> None:
        """Unlock on every till: a lock set in the office and the lockout after wrong PINs."""
        user = self.get(user_id)
        self._send(by, wire.StaffChange(by=by.user_id, action=wire.StaffAction.UNLOCK, user_id=user_id))
        new = User(user.user_id, user.name, user.role, user.pin_hash)
        self._write(by, "staff.unlock", user_id, lambda s: users.save_user(s, new))

    def _send(self, by: User, change: wire.StaffChange) -> None:
        require(by, Permission.USERS_MANAGE)  # checked here first; the server checks again
        if self.office is None:
            raise OfficeUnreachable("this till is not connected to a server")
        try:
            self.office.staff_change(change)
        except ProblemReply as exc:
            raise OfficeRefused(f"the server refused the change: {exc.reply.detail}") from None
        except SyncError as exc:
            raise OfficeUnreachable(str(exc)) from None

    def _write(self, by: User, action: str, user_id: str, write: Callable[..., object]) -> None:
        with self._db.transaction() as s:
            write(s)
            audit.append(s, at=self._clock(), actor=by.user_id, action=action, subject=user_id, payload={})

    # -- sign-in bookkeeping ---------------------------------------------------------------

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
            users.save_login_state(s, user)  # a user removed meanwhile stays removed
            audit.append(s, at=now, actor=user.user_id, action=action, subject=subject,
                         payload={"error": error} if error else ({"reason": reason} if reason else {}))
