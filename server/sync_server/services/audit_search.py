"""Audit search: the tills' shipped journals and the office's journal, one trail.

Both keep `at` as ISO 8601 text in UTC (the tills' as they hashed it), so one UNION ALL
sorts and pages them together, newest first (ties by the till's seq or the office
journal's id, so every row has one place and pages never overlap). Filters: terminal (till entries only),
UTC days, action (a prefix: `sale` finds `sale.completed`), and who (a till's staff
member, or an office user by their id). Beside the entries, each terminal's journal head
says whether its chain is verified or was cut or rewritten (services/audit.py).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import BigInteger, Connection, String, cast, literal, null, or_, select, union_all

from pos_protocol.wire import AuditHead

from ..db.models import AUDIT_ENTRIES, OFFICE_ACTIONS
from . import audit
from .context import load_store
from .office_journal import office_actor

PAGE_SIZE = 50
Source = Literal["till", "office"]


class AuditRecord(BaseModel):
    source: Source
    terminal_id: str | None
    seq: int | None  # the entry's place in its till's chain; None for the office's
    at: str
    actor: str
    action: str
    subject: str | None
    payload: dict[str, object] | str


class AuditQuery(BaseModel):
    terminal_id: str | None = None
    first: date | None = None
    last: date | None = None
    action: str | None = None
    actor: str | None = None
    source: Source | None = None
    offset: int = 0
    limit: int = PAGE_SIZE


class AuditPage(BaseModel):
    records: list[AuditRecord]
    offset: int
    limit: int
    more: bool
    heads: list[AuditHead]


def _tills(store_id: str, query: AuditQuery):
    t = AUDIT_ENTRIES.c
    found = select(literal("till").label("source"), t.terminal_id, t.seq, t.at, t.actor, t.action, t.subject,
                   t.payload, t.seq.label("n")).where(t.store_id == store_id)
    if query.terminal_id:
        found = found.where(t.terminal_id == query.terminal_id)
    return _filtered(found, t, query, [query.actor] if query.actor else [])


def _office(store_id: str, query: AuditQuery):
    o = OFFICE_ACTIONS.c
    found = select(literal("office").label("source"), cast(null(), String(64)).label("terminal_id"),
                   cast(null(), BigInteger).label("seq"), o.at, o.actor, o.action, o.subject,
                   o.payload, o.id.label("n")).where(o.store_id == store_id)
    actors = [query.actor, office_actor(query.actor)] if query.actor else []
    return _filtered(found, o, query, actors)


def _filtered(found, columns, query: AuditQuery, actors: list[str]):
    if query.first is not None:
        found = found.where(columns.at >= query.first.isoformat())
    if query.last is not None:
        found = found.where(columns.at < (query.last + timedelta(days=1)).isoformat())
    if query.action:
        found = found.where(columns.action.startswith(query.action, autoescape=True))
    if actors:
        found = found.where(or_(*(columns.actor == a for a in actors)))
    return found


def search(conn: Connection, store_id: str, query: AuditQuery) -> AuditPage:
    """One page of the store's trail, newest first, and the terminals' journal heads."""
    load_store(conn, store_id)  # store_unknown for a store that does not exist
    parts = []
    if query.source in (None, "till"):
        parts.append(_tills(store_id, query))
    if query.source in (None, "office") and not query.terminal_id:
        parts.append(_office(store_id, query))
    records: list[AuditRecord] = []
    if parts:
        union = union_all(*parts).subquery()
        rows = conn.execute(select(union).order_by(union.c.at.desc(), union.c.source, union.c.terminal_id, union.c.n.desc())
                            .offset(query.offset).limit(query.limit + 1)).mappings().all()
        records = [_record(row) for row in rows]
    return AuditPage(records=records[:query.limit], offset=query.offset, limit=query.limit,
                     more=len(records) > query.limit, heads=audit.list_heads(conn, store_id))


def _record(row) -> AuditRecord:  # type: ignore[no-untyped-def]
    try:
        payload = json.loads(row["payload"])
    except ValueError:
        payload = row["payload"]
    if not isinstance(payload, dict):
        payload = row["payload"]
    return AuditRecord(**{**{k: v for k, v in row.items() if k != "n"}, "payload": payload})
