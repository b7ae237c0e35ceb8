"""The store's one staff list: users, roles, PIN hashes, locked and removed state.

Every change bumps the store's `staff_version` and stamps the user with it, so a till asks
for what changed after the version it has (`delta`), as it does for the catalog. A
removed user stays as a row (`removed`), so the next delta names them and tills refuse
them. Approvers of overrides, blind returns and resolutions are checked against this list
(`approver_roles`): a removed user approves nothing.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, false, insert, select, update

from pos_protocol.codes import ErrorCode
from pos_protocol.permissions import Permission, has_permission
from pos_protocol.wire import StaffAction, StaffChange, StaffDelta, StaffMember, StoreUserOut, StoreUserPut

from ..core.errors import DomainError, store_unknown
from ..db.models import STORE_USERS, Store, StoreUser

# The roles of the named users who may approve (present, not removed) in one store.
APPROVER_ROLES = select(STORE_USERS.c.user_id, STORE_USERS.c.role).where(
    STORE_USERS.c.store_id == bindparam("store_id"), STORE_USERS.c.user_id.in_(bindparam("users", expanding=True)),
    STORE_USERS.c.removed == false(),
)


def approver_roles(conn: Connection, store_id: str, users: list[str] | set[str]) -> dict[str, str]:
    """user_id -> role of those of `users` on the store's list (removed users are absent)."""
    if not users:
        return {}
    return dict(conn.execute(APPROVER_ROLES, {"store_id": store_id, "users": sorted(users)}).all())


def _next_version(conn: Connection, store_id: str) -> int:
    """Bump the store's staff version; the row lock serializes staff writers per store."""
    version = conn.execute(
        update(Store).where(Store.store_id == store_id)
        .values(staff_version=Store.staff_version + 1).returning(Store.staff_version)
    ).scalar_one_or_none()
    if version is None:
        raise store_unknown(store_id)
    return version


def _row(conn: Connection, store_id: str, user_id: str):
    return conn.execute(select(StoreUser).where(StoreUser.store_id == store_id, StoreUser.user_id == user_id)).mappings().first()


def _out(row) -> StoreUserOut:
    return StoreUserOut(store_id=row["store_id"], user_id=row["user_id"], name=row["name"], role=row["role"],
                        has_pin=row["pin_hash"] is not None, locked=row["locked"], removed=row["removed"],
                        staff_version=row["version"])


def _existing(conn: Connection, store_id: str, user_id: str):
    row = _row(conn, store_id, user_id)
    if row is None or row["removed"]:
        if conn.execute(select(Store.store_id).where(Store.store_id == store_id)).first() is None:
            raise store_unknown(store_id)
        raise DomainError(ErrorCode.USER_UNKNOWN, f"no user {user_id} in store {store_id}")
    return row


def _set(conn: Connection, store_id: str, user_id: str, **values: object) -> StoreUserOut:
    version = _next_version(conn, store_id)
    conn.execute(update(StoreUser).where(StoreUser.store_id == store_id, StoreUser.user_id == user_id)
                 .values(version=version, **values))
    return _out(_row(conn, store_id, user_id))


def put_user(conn: Connection, store_id: str, user_id: str, user: StoreUserPut) -> tuple[StoreUserOut, bool]:
    """Create, update or restore a user; (the user, created)."""
    version = _next_version(conn, store_id)
    row = _row(conn, store_id, user_id)
    values = {"name": user.name, "role": user.role.value, "removed": False, "version": version}
    if user.pin_hash is not None:
        values["pin_hash"] = user.pin_hash
    if row is None:
        conn.execute(insert(StoreUser).values(store_id=store_id, user_id=user_id, locked=False, **values))
    else:
        conn.execute(update(StoreUser).where(StoreUser.store_id == store_id, StoreUser.user_id == user_id).values(**values))
    return _out(_row(conn, store_id, user_id)), row is None or row["removed"]


def remove_user(conn: Connection, store_id: str, user_id: str) -> StoreUserOut:
    _existing(conn, store_id, user_id)
    return _set(conn, store_id, user_id, removed=True, pin_hash=None, locked=False)


def set_pin(conn: Connection, store_id: str, user_id: str, pin_hash: str) -> StoreUserOut:
    """A new PIN (as its hash); it also lifts a lock, as a manager's reset would."""
    _existing(conn, store_id, user_id)
    return _set(conn, store_id, user_id, pin_hash=pin_hash, locked=False)


def set_locked(conn: Connection, store_id: str, user_id: str, locked: bool) -> StoreUserOut:
    """Lock a user on every till, or unlock (which also clears a till's PIN lockout)."""
    _existing(conn, store_id, user_id)
    return _set(conn, store_id, user_id, locked=locked)


def list_users(conn: Connection, store_id: str) -> list[StoreUserOut]:
    if conn.execute(select(Store.store_id).where(Store.store_id == store_id)).first() is None:
        raise store_unknown(store_id)
    rows = conn.execute(select(StoreUser).where(StoreUser.store_id == store_id, StoreUser.removed == false())
                        .order_by(StoreUser.user_id)).mappings()
    return [_out(row) for row in rows]


def find_user(conn: Connection, store_id: str, user_id: str) -> StoreUserOut | None:
    """One user as listed, removed ones too (they stay as rows); None if never on the list."""
    row = _row(conn, store_id, user_id)
    return None if row is None else _out(row)


def current_version(conn: Connection, store_id: str) -> int:
    version = conn.execute(select(Store.staff_version).where(Store.store_id == store_id)).scalar_one_or_none()
    if version is None:
        raise store_unknown(store_id)
    return version


def delta(conn: Connection, store_id: str, since: int, version: int) -> StaffDelta:
    """What changed in (since, version]: users as they are now, removed ones by id."""
    rows = conn.execute(select(StoreUser).where(StoreUser.store_id == store_id, StoreUser.version > since)
                        .order_by(StoreUser.user_id)).mappings().all()
    users = [StaffMember(user_id=r["user_id"], name=r["name"], role=r["role"], pin_hash=r["pin_hash"],
                         locked=r["locked"]) for r in rows if not r["removed"]]
    removed = [r["user_id"] for r in rows if r["removed"]]
    return StaffDelta(version=max([version, *(r["version"] for r in rows)]), users=users, removed=removed)


def apply_change(conn: Connection, store_id: str, change: StaffChange) -> StoreUserOut:
    """A change sent by a till on behalf of `change.by`, who must hold `users.manage` on
    this server's list (the till checked their PIN; the server checks the role)."""
    role = approver_roles(conn, store_id, {change.by}).get(change.by)
    if role is None or not has_permission(role, Permission.USERS_MANAGE):
        raise DomainError(ErrorCode.NOT_PERMITTED, f"user {change.by} lacks {Permission.USERS_MANAGE.value}")
    if change.action is StaffAction.PUT:
        assert change.name is not None and change.role is not None  # the model's validator
        return put_user(conn, store_id, change.user_id,
                        StoreUserPut(name=change.name, role=change.role, pin_hash=change.pin_hash))[0]
    if change.user_id == change.by and change.action is StaffAction.REMOVE:
        raise DomainError(ErrorCode.NOT_PERMITTED, "a user cannot remove themselves")
    if change.action is StaffAction.REMOVE:
        return remove_user(conn, store_id, change.user_id)
    if change.action is StaffAction.SET_PIN:
        assert change.pin_hash is not None
        return set_pin(conn, store_id, change.user_id, change.pin_hash)
    return set_locked(conn, store_id, change.user_id, False)
