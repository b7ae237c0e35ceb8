"""The staff list for terminals (a delta with a version, like the catalog) and changes made
on a till by a user with `users.manage`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pos_protocol import paths
from pos_protocol.codes import ErrorCode
from pos_protocol.wire import StaffChange, StaffDelta, StoreUserOut

from ...core.errors import parse_model
from ...db.session import read_connection, write_transaction
from ...services import staff
from ..deps import EngineDep, RawBody, TerminalDep, parse_json
from ..openapi import SIGNED, json_body, problems

router = APIRouter(tags=["staff"])


@router.get(paths.STAFF, response_model=StaffDelta,
            responses=problems(*SIGNED, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE))
def get_staff(caller: TerminalDep, engine: EngineDep,
              since: Annotated[int, Query(ge=0, le=2**62, description="The staff version the till has (0: none)")] = 0
              ) -> StaffDelta:
    """The users changed after staff version `since` (with their PIN hashes), and the ids
    of users removed since; `version` is the one to send as `since` next time."""
    with read_connection(engine) as conn:
        version = staff.current_version(conn, caller.store_id)
        return staff.delta(conn, caller.store_id, since, version)


@router.post(paths.STAFF_CHANGES, response_model=StoreUserOut, openapi_extra=json_body(StaffChange),
             responses=problems(*SIGNED, ErrorCode.NOT_PERMITTED, ErrorCode.USER_UNKNOWN, ErrorCode.PAYLOAD_TOO_LARGE,
                                ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE))
def post_staff_change(caller: TerminalDep, body: RawBody, engine: EngineDep) -> StoreUserOut:
    """Add or update, remove, set a new PIN (its hash) or unlock a user of the caller's
    store, on behalf of `by`, who must hold `users.manage` on the server's list."""
    change = parse_model(StaffChange, parse_json(body))
    with write_transaction(engine) as conn:
        return staff.apply_change(conn, caller.store_id, change)
