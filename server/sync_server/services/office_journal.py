"""The office's own journal: what was done from the back office or with the admin token.

Each change is journalled in its own transaction (`record`), so a change and its entry
are both there or neither. Tills journal themselves (their hash-chained journal, shipped
to `audit_entries`); this is the server side of the same trail, searched beside it
(`services/audit_search.py`). PINs and passwords are never in it, not even hashed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Connection, func, insert, select

from ..db.models import OFFICE_ACTIONS

ADMIN_TOKEN_ACTOR = "admin-token"  # a script holding the bootstrap admin token


class OfficeAction(StrEnum):
    STAFF_ADD = "staff.add"
    STAFF_UPDATE = "staff.update"
    STAFF_REMOVE = "staff.remove"
    STAFF_SET_PIN = "staff.set_pin"
    STAFF_UNLOCK = "staff.unlock"
    STAFF_LOCK = "staff.lock"
    PRICE_CHANGE = "catalog.price_change"
    ORDER_RESOLVE = "order.resolve"


def office_actor(user_id: str) -> str:
    """An office user as the journal names them: never mistaken for a till's staff member
    of the same id (as `approved_by` on an office resolution)."""
    return f"office:{user_id}"


def now_text() -> str:
    return datetime.now(UTC).isoformat()


def record(conn: Connection, store_id: str, actor: str, action: OfficeAction, subject: str | None,
           **details: object) -> None:
    conn.execute(insert(OFFICE_ACTIONS).values(
        store_id=store_id, at=now_text(), actor=actor, action=action.value, subject=subject,
        payload=json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)))


def last_changes(conn: Connection, store_id: str, action_prefix: str) -> dict[str, tuple[str, str, str]]:
    """subject -> (at, actor, action) of the newest journalled action on it of that kind."""
    newest = (select(OFFICE_ACTIONS.c.subject, func.max(OFFICE_ACTIONS.c.id).label("id"))
              .where(OFFICE_ACTIONS.c.store_id == store_id, OFFICE_ACTIONS.c.action.startswith(action_prefix))
              .group_by(OFFICE_ACTIONS.c.subject).subquery())
    rows = conn.execute(select(OFFICE_ACTIONS.c.subject, OFFICE_ACTIONS.c.at, OFFICE_ACTIONS.c.actor,
                               OFFICE_ACTIONS.c.action).join(newest, OFFICE_ACTIONS.c.id == newest.c.id))
    return {subject: (at, actor, action) for subject, at, actor, action in rows}
