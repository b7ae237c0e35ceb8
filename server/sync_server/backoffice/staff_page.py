"""The staff page: the store's staff list, and (with `users.manage`) adding a user,
removing one, setting a new PIN, locking and unlocking.

The PIN is typed twice, checked against the till's rule (4-12 digits) and hashed here
with `pos_protocol.pins.hash_pin` (scrypt, the hash tills verify), then handed to
`services.staff` as the admin JSON's PIN hash is; the PIN itself is never stored, logged
or sent back into the page. Each change is journalled (`services.office_journal`) in its
own transaction, under `office:<user>`. Forms post and redirect back (303) with what was
done in the address, so a reload repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from pos_protocol.codes import ErrorCode
from pos_protocol.permissions import Permission, Role
from pos_protocol.pins import PinError, check_pin_format, hash_pin
from pos_protocol.wire import StoreUserPut

from ..api.deps import EngineDep
from ..core.errors import DomainError
from ..db.session import read_connection, write_transaction
from ..services import office_journal, staff
from ..services.context import load_store
from ..services.office_journal import OfficeAction, office_actor
from . import session as sessions
from .pages import PREFIX, OfficeRoute, SignedInDep, _page
from .session import OfficeSession

log = logging.getLogger(__name__)
router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=OfficeRoute)

ROLES = [role.value for role in Role]
DONE = {  # ?done=... after a change: what the page then says, with the user's name
    "added": "{name} was added. Tills take the change with their next staff pull (within a minute).",
    "updated": "{name} was updated. Tills take the change with their next staff pull.",
    "removed": "{name} was removed. Tills refuse them once they have pulled the staff list.",
    "pin": "{name} has a new PIN (and is unlocked).",
    "unlocked": "{name} is unlocked on every till.",
    "locked": "{name} is locked: tills refuse them after their next staff pull, until unlocked.",
}
REFUSALS = {
    ErrorCode.USER_UNKNOWN: "That user is not on this store's staff list (removed meanwhile?).",
    ErrorCode.VALIDATION_FAILED: "Check the fields: an id of letters, digits and . _ : - and a name.",
}


class StaffFormError(ValueError):
    """A staff form filled in wrongly: said in words, nothing changed."""


@router.get("/stores/{store_id}/staff", name="office_staff")
def staff_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep,
               done: str = "", user: str = "") -> HTMLResponse:
    return _staff_page(request, store_id, session, engine, notice=_done(engine, store_id, done, user))


def _staff_page(request: Request, store_id: str, session: OfficeSession, engine, *, error: str | None = None,
                status_code: int = 200, notice: str | None = None, form: dict[str, str] | None = None) -> HTMLResponse:
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        listed = staff.list_users(conn, store_id)
        changes = office_journal.last_changes(conn, store_id, "staff.")
    return _page(request, "staff.html", session, store, users=listed, changes=changes, roles=ROLES,
                 may_manage=_may_manage(session), page="office_staff", error=error, notice=notice,
                 form=form or {}, status_code=status_code)


def _done(engine, store_id: str, done: str, user_id: str) -> str | None:
    if done not in DONE or not user_id:
        return None
    with read_connection(engine) as conn:
        user = staff.find_user(conn, store_id, user_id)
    return DONE[done].format(name=user.name if user else user_id)


def _may_manage(session: OfficeSession) -> bool:
    return session.account is not None and session.account.can(Permission.USERS_MANAGE)


def _new_pin(pin: str, again: str) -> str:
    """The PIN's scrypt hash, once both entries agree and meet the till's rule."""
    if pin != again:
        raise StaffFormError("The two PIN entries differ: type the same PIN twice.")
    try:
        check_pin_format(pin)
    except PinError as exc:
        raise StaffFormError(f"{exc}.") from None
    return hash_pin(pin)


def _change(request: Request, store_id: str, session: OfficeSession, engine, csrf_token: str, done: str,
            user_id: str, work: Callable[[Connection, str], None], form: dict[str, str] | None = None) -> Response:
    """Check the token and the permission, run one change in one transaction, say what was done."""
    sessions.check_csrf(request, session, csrf_token)
    assert session.account is not None
    try:
        if not _may_manage(session):
            raise StaffFormError("Your office role may not change the staff list (it needs users.manage, an admin's).")
        with write_transaction(engine) as conn:
            work(conn, office_actor(session.account.user_id))
    except StaffFormError as exc:
        return _staff_page(request, store_id, session, engine, error=str(exc), status_code=422, form=form)
    except DomainError as error:
        if error.code in (ErrorCode.STORE_UNKNOWN,):
            raise
        message = REFUSALS.get(error.code, error.detail or str(error.code))
        return _staff_page(request, store_id, session, engine, error=message, status_code=409, form=form)
    log.info("office staff change", extra={"office_user": session.account.user_id, "user_id": user_id, "change": done})
    target = request.url_for("office_staff", store_id=store_id).include_query_params(done=done, user=user_id)
    return RedirectResponse(str(target), status_code=303)


@router.post("/stores/{store_id}/staff", name="office_staff_add")
def add_user(request: Request, store_id: str, session: SignedInDep, engine: EngineDep,
             user_id: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
             role: Annotated[str, Form()] = "", pin: Annotated[str, Form()] = "",
             pin_again: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    user_id, name = user_id.strip(), name.strip()
    form = {"user_id": user_id, "name": name, "role": role}  # never the PIN
    outcome: dict[str, bool] = {}

    def work(conn: Connection, actor: str) -> None:
        _check_new_user(user_id, name, role)
        body = StoreUserPut(name=name, role=Role(role), pin_hash=_new_pin(pin, pin_again))
        _, outcome["created"] = staff.put_user(conn, store_id, user_id, body)
        office_journal.record(conn, store_id, actor, OfficeAction.STAFF_ADD if outcome["created"]
                              else OfficeAction.STAFF_UPDATE, user_id, name=name, role=role, pin_set=True)

    response = _change(request, store_id, session, engine, csrf_token, "added", user_id, work, form)
    if outcome.get("created") is False and isinstance(response, RedirectResponse):
        target = request.url_for("office_staff", store_id=store_id).include_query_params(done="updated", user=user_id)
        return RedirectResponse(str(target), status_code=303)
    return response


def _check_new_user(user_id: str, name: str, role: str) -> None:
    if not user_id or len(user_id) > 64 or not all(c.isascii() and (c.isalnum() or c in "._:-") for c in user_id):
        raise StaffFormError("The user id is what they type at the till: 1 to 64 letters, digits or . _ : -")
    if not name or len(name) > 200:
        raise StaffFormError("Give the user's name (at most 200 characters).")
    if role not in ROLES:
        raise StaffFormError("Choose a role.")


@router.post("/stores/{store_id}/staff/{user_id}/remove", name="office_staff_remove")
def remove_user(request: Request, store_id: str, user_id: str, session: SignedInDep, engine: EngineDep,
                csrf_token: Annotated[str, Form()] = "") -> Response:
    def work(conn: Connection, actor: str) -> None:
        staff.remove_user(conn, store_id, user_id)
        office_journal.record(conn, store_id, actor, OfficeAction.STAFF_REMOVE, user_id)

    return _change(request, store_id, session, engine, csrf_token, "removed", user_id, work)


@router.post("/stores/{store_id}/staff/{user_id}/pin", name="office_staff_pin")
def set_pin(request: Request, store_id: str, user_id: str, session: SignedInDep, engine: EngineDep,
            pin: Annotated[str, Form()] = "", pin_again: Annotated[str, Form()] = "",
            csrf_token: Annotated[str, Form()] = "") -> Response:
    def work(conn: Connection, actor: str) -> None:
        staff.set_pin(conn, store_id, user_id, _new_pin(pin, pin_again))
        office_journal.record(conn, store_id, actor, OfficeAction.STAFF_SET_PIN, user_id)

    return _change(request, store_id, session, engine, csrf_token, "pin", user_id, work)


@router.post("/stores/{store_id}/staff/{user_id}/unlock", name="office_staff_unlock")
def unlock_user(request: Request, store_id: str, user_id: str, session: SignedInDep, engine: EngineDep,
                csrf_token: Annotated[str, Form()] = "") -> Response:
    def work(conn: Connection, actor: str) -> None:
        staff.set_locked(conn, store_id, user_id, False)
        office_journal.record(conn, store_id, actor, OfficeAction.STAFF_UNLOCK, user_id)

    return _change(request, store_id, session, engine, csrf_token, "unlocked", user_id, work)


@router.post("/stores/{store_id}/staff/{user_id}/lock", name="office_staff_lock")
def lock_user(request: Request, store_id: str, user_id: str, session: SignedInDep, engine: EngineDep,
              csrf_token: Annotated[str, Form()] = "") -> Response:
    def work(conn: Connection, actor: str) -> None:
        staff.set_locked(conn, store_id, user_id, True)
        office_journal.record(conn, store_id, actor, OfficeAction.STAFF_LOCK, user_id)

    return _change(request, store_id, session, engine, csrf_token, "locked", user_id, work)
