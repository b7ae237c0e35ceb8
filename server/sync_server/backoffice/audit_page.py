"""The audit page: search the trail (tills' shipped journals and the office's journal) by
terminal, UTC days, action and who, newest first, a page at a time; above it each till's
journal in words: verified up to which entry, or cut or rewritten from which entry on.
The same search is `GET /v1/admin/stores/{store}/audit-entries`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..api.deps import EngineDep
from ..db.session import read_connection
from ..services import audit_search, office_views
from ..services.audit_search import AuditQuery
from ..services.context import load_store
from .pages import PREFIX, OfficeRoute, SignedInDep, _page

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=OfficeRoute)
SOURCES = {"": "tills and office", "till": "tills' journals", "office": "office actions"}


@router.get("/stores/{store_id}/audit", name="office_audit")
def audit_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep, terminal: str = "",
               first: str = "", last: str = "", action: str = "", actor: str = "", source: str = "",
               offset: int = 0) -> HTMLResponse:
    query, error = _query(terminal, first, last, action, actor, source, offset)
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        found = audit_search.search(conn, store_id, query)
        terminals = office_views.terminal_status(conn, store_id)
    names = {t.terminal_id: t.name for t in terminals}
    filters = {"terminal": terminal, "first": first, "last": last, "action": action, "actor": actor, "source": source}
    return _page(request, "audit.html", session, store, found=found, terminals=terminals, names=names,
                 filters=filters, sources=SOURCES, error=error, page="office_audit",
                 page_link=lambda at: str(request.url.include_query_params(offset=max(at, 0))))


def _query(terminal: str, first: str, last: str, action: str, actor: str, source: str,
           offset: int) -> tuple[AuditQuery, str | None]:
    """The search asked for, or (when a date cannot be read) the whole trail and why."""
    try:
        first_day = date.fromisoformat(first) if first else None
        last_day = date.fromisoformat(last) if last else first_day
        if first_day and last_day and last_day < first_day:
            raise ValueError(f"the range ends ({last_day}) before it starts ({first_day})")
    except ValueError as exc:
        return AuditQuery(), f"Dates: {exc}"
    return AuditQuery(terminal_id=terminal or None, first=first_day, last=last_day, action=action.strip() or None,
                      actor=actor.strip() or None, source=source if source in ("till", "office") else None,
                      offset=max(offset, 0)), None
