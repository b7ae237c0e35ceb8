"""The back office's pages under /office: sign-in, stores, and per store its terminals,
held orders (resolved here by a user with `conflict.resolve`), Z reports, catalog search
and price changes, and CSV export.

Routes are thin: they read through `services.office_views` (the same data as the admin
JSON), write through the services that own each rule (`resolution.resolve_at_office`,
`catalog.change_price`) and render a template. A form posted by htmx gets the fragment
that replaces it; the same form posted without JavaScript gets a redirect (303) back.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from pos_protocol.codes import ErrorCode
from pos_protocol.permissions import Permission
from pos_protocol.wire import CatalogCategory, CategorySet, ResolutionAction

from ..api.deps import EngineDep
from ..api.ratelimit import RateLimit
from ..core.errors import DomainError
from ..db.session import read_connection, write_transaction
from ..services import catalog, office_journal, office_users, office_views, resolution
from ..services.office_journal import OfficeAction
from ..services.context import StoreSettings, load_store
from . import session as sessions
from . import zwords
from .formatting import PriceUnreadable, StoreFormat, age, details, parse_price, who
from .session import CSRF_FIELD, CSRF_HEADER, OfficeSession

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PREFIX = "/office"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(CSRF_FIELD=CSRF_FIELD, CSRF_HEADER=CSRF_HEADER, age=age, who=who, details=details)

# The pages of a store, in the order the navigation shows them: (route name, label).
# The staff and audit pages live in staff_page.py and audit_page.py (routers of their own).
STORE_PAGES = [
    ("office_terminals", "Terminals"),
    ("office_held", "Held orders"),
    ("office_z_reports", "Z reports"),
    ("office_staff", "Staff"),
    ("office_catalog", "Catalog"),
    ("office_audit", "Audit"),
    ("office_export", "Export"),
]

# Login throttling: password guesses count per client address against the `sign_in` rule
# (api/ratelimit.py; shared across server processes when Redis is configured). An office
# account belongs to no one store, so the per-store bucket is the whole server's.
LOGIN_RATE_LIMIT: list[Any] = [Depends(RateLimit("sign_in", store_of=lambda _request: None))]




class OfficeRoute(APIRoute):
    """Office routes answer in HTML: no session is the login page, a form without its CSRF
    token or a refused domain rule a page in words (the API's problem+json is for machines)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except sessions.SignInRequired:
                return _sign_in_first(request)
            except sessions.CsrfRefused:
                return HTMLResponse("<p>This form has expired or came from another site. Reload the page and try "
                                    "again; nothing was changed.</p>", status_code=403)
            except DomainError as error:
                status = 404 if error.code in (ErrorCode.STORE_UNKNOWN, ErrorCode.NOT_FOUND) else 400
                return _page(request, "error.html", OfficeSession(csrf=""), status_code=status,
                             message=error.detail or str(error.code))

        return answer


def _sign_in_first(request: Request) -> Response:
    target = request.url_for("office_login")
    if _is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": str(target)})
    return RedirectResponse(target, status_code=303)


router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=OfficeRoute)


def office_session(request: Request, engine: EngineDep) -> OfficeSession:
    return sessions.read_session(request, engine)


def signed_in_session(session: Annotated[OfficeSession, Depends(office_session)]) -> OfficeSession:
    return sessions.signed_in(session)


SessionDep = Annotated[OfficeSession, Depends(office_session)]
SignedInDep = Annotated[OfficeSession, Depends(signed_in_session)]


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(request: Request, name: str, session: OfficeSession, store: StoreSettings | None = None,
          status_code: int = 200, **context: Any) -> HTMLResponse:
    fmt = StoreFormat(store.currency, store.locale) if store else StoreFormat("EUR", "en")
    return templates.TemplateResponse(request, name, {
        "session": session, "account": session.account, "store": store, "fmt": fmt,
        "store_pages": STORE_PAGES, **context}, status_code=status_code)


def _store(engine, store_id: str) -> StoreSettings:
    with read_connection(engine) as conn:
        return load_store(conn, store_id)


# -- signing in and out ---------------------------------------------------------------------


@router.get("", name="office_home")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("office_stores"), status_code=303)


@router.get("/login", name="office_login")
def login_page(request: Request, session: SessionDep, engine: EngineDep) -> HTMLResponse:
    response = _page(request, "login.html", session)
    sessions.write_session(request, response, engine, session)
    return response


@router.post("/login", dependencies=LOGIN_RATE_LIMIT)
def login(request: Request, session: SessionDep, engine: EngineDep, user_id: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, session, csrf_token)
    with read_connection(engine) as conn:
        account = office_users.authenticate(conn, user_id.strip(), password) if user_id.strip() else None
    if account is None:
        log.warning("office sign-in refused", extra={"office_user": user_id[:64]})
        return _page(request, "login.html", session, status_code=401, user_id=user_id,
                     error="That name and password do not match an office account.")
    log.info("office sign-in", extra={"office_user": account.user_id})
    # A new token on sign-in: one learnt before it (a shared computer) is worth nothing after.
    response = RedirectResponse(request.url_for("office_stores"), status_code=303)
    sessions.write_session(request, response, engine, OfficeSession(csrf=sessions.fresh_csrf(), account=account))
    return response


@router.post("/logout", name="office_logout")
def logout(request: Request, session: SignedInDep, engine: EngineDep,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, session, csrf_token)
    assert session.account is not None
    with write_transaction(engine) as conn:
        office_users.end_sessions(conn, session.account.user_id)
    response = RedirectResponse(request.url_for("office_login"), status_code=303)
    response.delete_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH)
    return response


# -- pages ----------------------------------------------------------------------------------


@router.get("/stores", name="office_stores")
def stores_page(request: Request, session: SignedInDep, engine: EngineDep) -> HTMLResponse:
    with read_connection(engine) as conn:
        listed = office_views.list_stores(conn)
    return _page(request, "stores.html", session, stores=listed, page="stores")


@router.get("/stores/{store_id}/terminals", name="office_terminals")
def terminals_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep) -> HTMLResponse:
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        listed = office_views.terminal_status(conn, store_id)
    now = datetime.now(UTC)
    return _page(request, "terminals.html", session, store, terminals=listed, page="office_terminals",
                 since=lambda t: None if t is None else (now - t).total_seconds())


@router.get("/stores/{store_id}/held", name="office_held")
def held_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep) -> HTMLResponse:
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        held = office_views.held_orders(conn, store_id)
    return _page(request, "held.html", session, store, held=held, page="office_held",
                 may_resolve=session.account is not None and session.account.can(Permission.CONFLICT_RESOLVE))


@router.post("/stores/{store_id}/held/{order_id}/resolution", name="office_resolve")
async def resolve(request: Request, store_id: str, order_id: UUID, session: SignedInDep, engine: EngineDep) -> Response:
    form = await request.form()
    sessions.check_csrf(request, session, str(form.get(CSRF_FIELD, "")))
    return await _run(lambda: _resolve(request, store_id, order_id, session, engine, form))


async def _run(work: Callable[[], Response]) -> Response:
    return await run_in_threadpool(work)


def _resolve(request: Request, store_id: str, order_id: UUID, session: OfficeSession, engine, form) -> Response:
    account = session.account
    assert account is not None
    store = _store(engine, store_id)
    try:
        decisions = _decisions(form)
        with write_transaction(engine) as conn:
            reason = str(form.get("reason", "")).strip() or "resolved in the back office"
            resolution.resolve_at_office(conn, store_id, order_id, decisions, account.user_id,
                                         account.can(Permission.CONFLICT_RESOLVE), reason)
            office_journal.record(conn, store_id, office_journal.office_actor(account.user_id),
                                  OfficeAction.ORDER_RESOLVE, str(order_id), reason=reason,
                                  decisions=sorted(d.value for d in decisions.values()))
    except DomainError as error:
        with read_connection(engine) as conn:
            held = office_views.held_order(conn, store_id, str(order_id))
        message = _resolution_refusal(error)
        if not _is_htmx(request):
            return _page(request, "held.html", session, store, held=[held] if held else [], page="office_held",
                         may_resolve=account.can(Permission.CONFLICT_RESOLVE), error=message, status_code=409)
        return _page(request, "_held_order.html", session, store, order=held, error=message, gone=held is None,
                     may_resolve=account.can(Permission.CONFLICT_RESOLVE))
    log.info("office resolution", extra={"office_user": account.user_id, "order_id": str(order_id)})
    if not _is_htmx(request):
        return RedirectResponse(request.url_for("office_held", store_id=store_id), status_code=303)
    return _page(request, "_resolved.html", session, store, order_id=str(order_id))


def _decisions(form) -> dict[tuple[int | None, str], ResolutionAction]:
    """`decision:<line_no or ->:<code>` = action, one field per conflict."""
    decisions: dict[tuple[int | None, str], ResolutionAction] = {}
    for name, value in form.multi_items():
        if not name.startswith("decision:"):
            continue
        _, line, code = name.split(":", 2)
        try:
            decisions[(None if line == "-" else int(line), code)] = ResolutionAction(str(value))
        except ValueError:
            raise DomainError(ErrorCode.VALIDATION_FAILED, f"{value!r} is not a decision") from None
    return decisions


def _resolution_refusal(error: DomainError) -> str:
    words = {
        ErrorCode.NOT_PERMITTED: "Your office role may not resolve held orders (it needs conflict.resolve).",
        ErrorCode.ORDER_NOT_HELD: "This order is no longer held: someone resolved it meanwhile.",
        ErrorCode.ORDER_NOT_FOUND: "There is no such order in this store.",
        ErrorCode.RESOLUTION_INCOMPLETE: "Choose a decision for every conflict of the order.",
    }
    return words.get(error.code, error.detail or str(error.code))


@router.get("/stores/{store_id}/z-reports", name="office_z_reports")
def z_reports_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep,
                   first: str = "", last: str = "", terminal: str = "") -> HTMLResponse:
    first_day, last_day, error = _days(first, last)
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        reports = office_views.z_reconciliations(conn, store_id, first_day, last_day, terminal or None) if not error else []
        listed = office_views.terminal_status(conn, store_id)
    return _page(request, "z_reports.html", session, store, reports=reports, first=first_day, last=last_day,
                 terminal=terminal, terminals=listed, names={t.terminal_id: t.name for t in listed}, error=error,
                 page="office_z_reports", zwords=zwords)


def _days(first: str, last: str) -> tuple[date, date, str | None]:
    """The day range asked for (today when none), or today and what is wrong with it."""
    today = datetime.now(UTC).date()
    try:
        first_day = date.fromisoformat(first) if first else today
        last_day = date.fromisoformat(last) if last else first_day
        office_views.day_range(first_day, last_day)
    except ValueError as exc:
        return today, today, f"Dates: {exc}"
    return first_day, last_day, None


@router.get("/stores/{store_id}/catalog", name="office_catalog")
def catalog_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep, q: str = "") -> HTMLResponse:
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        items = catalog.search_items(conn, store_id, q) if q.strip() else []
        categories = [] if _is_htmx(request) else catalog.office_categories(conn, store_id)
    name = "_catalog_results.html" if _is_htmx(request) else "catalog.html"
    return _page(request, name, session, store, items=items, q=q, page="office_catalog",
                 limit=catalog.SEARCH_LIMIT, categories=categories)


@router.post("/stores/{store_id}/catalog/categories", name="office_category")
def set_category(request: Request, store_id: str, session: SignedInDep, engine: EngineDep,
                 name: Annotated[str, Form()] = "", colour: Annotated[str, Form()] = "",
                 no_colour: Annotated[str, Form()] = "", shown_colour: Annotated[str, Form()] = "",
                 position: Annotated[str, Form()] = "0", csrf_token: Annotated[str, Form()] = "") -> Response:
    """A category's tile colour and position, as the admin API's `PUT .../categories` sets
    them (a new catalog version: tills take it with their next pull)."""
    sessions.check_csrf(request, session, csrf_token)
    account = session.account
    assert account is not None
    store = _store(engine, store_id)
    message, version = None, None
    try:
        _require_catalog_edit(account, "change category colours")
        # "Till's own" ticked means no colour, unless a colour was picked since the form was
        # shown (the tick box was left as it was): the picked colour is what was meant.
        picked = colour.lower() != shown_colour.lower()
        wanted = _category_form(name, None if no_colour and not picked else colour, position)
        with write_transaction(engine) as conn:
            version = catalog.set_category(conn, store_id, wanted).catalog_version
        log.info("office category change", extra={"office_user": account.user_id, "category": name,
                                                   "catalog_version": version})
    except ValueError as exc:
        message = str(exc)
    except DomainError as error:
        message = error.detail or str(error.code)
    if not _is_htmx(request):
        if message is None:
            return RedirectResponse(str(request.url_for("office_catalog", store_id=store_id)), status_code=303)
        with read_connection(engine) as conn:
            categories = catalog.office_categories(conn, store_id)
        return _page(request, "catalog.html", session, store, items=[], q="", categories=categories,
                     category_error=(name, message), page="office_catalog", limit=catalog.SEARCH_LIMIT,
                     status_code=422)
    with read_connection(engine) as conn:
        category = next((c for c in catalog.office_categories(conn, store_id) if c.name == name),
                        CatalogCategory(name=name))
    return _page(request, "_category_row.html", session, store, category=category, error=message, version=version)


def _require_catalog_edit(account, what: str) -> None:  # type: ignore[no-untyped-def]
    """The catalog forms' one permission, refused in words naming what was tried."""
    if not account.can(Permission.CATALOG_EDIT):
        raise DomainError(ErrorCode.NOT_PERMITTED, f"Your office role may not {what} (it needs catalog.edit).")


def _category_form(name: str, colour: str | None, position: str) -> CategorySet:
    """The form's fields as the API's body; ValueError in the shop's words."""
    if not position.strip().isdigit():
        raise ValueError(f"The position must be a whole number from 0 up, not “{position}”.")
    try:
        return CategorySet(name=name, colour=colour or None, position=int(position))
    except ValidationError as exc:
        field = exc.errors()[0]["loc"][0]
        raise ValueError("Pick a colour, or tick “till's own”." if field == "colour"
                         else "That category name or position cannot be stored.") from None


@router.post("/stores/{store_id}/catalog/{sku}/price", name="office_price")
def change_price(request: Request, store_id: str, sku: str, session: SignedInDep, engine: EngineDep,
                 price: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    sessions.check_csrf(request, session, csrf_token)
    account = session.account
    assert account is not None
    store = _store(engine, store_id)
    message, version = None, None
    try:
        _require_catalog_edit(account, "change prices")
        new_price = parse_price(price, store.locale)
        with write_transaction(engine) as conn:
            version = catalog.change_price(conn, store_id, sku, new_price)
            office_journal.record(conn, store_id, office_journal.office_actor(account.user_id),
                                  OfficeAction.PRICE_CHANGE, sku, price=str(new_price), catalog_version=version)
        log.info("office price change", extra={"office_user": account.user_id, "sku": sku, "catalog_version": version})
    except PriceUnreadable as exc:
        message = str(exc)
    except DomainError as error:
        message = _price_refusal(error, store)
    with read_connection(engine) as conn:
        item = next((i for i in catalog.search_items(conn, store_id, sku) if i.sku == sku), None)
    if not _is_htmx(request):
        if message is None:
            return RedirectResponse(str(request.url_for("office_catalog", store_id=store_id)) + f"?q={sku}", status_code=303)
        return _page(request, "catalog.html", session, store, items=[item] if item else [], q=sku, error=message,
                     page="office_catalog", limit=catalog.SEARCH_LIMIT, status_code=422)
    return _page(request, "_item_row.html", session, store, item=item, error=message, version=version)


def _price_refusal(error: DomainError, store: StoreSettings) -> str:
    if error.code == ErrorCode.VALIDATION_FAILED:
        return f"That price does not fit {store.currency} (at most {store.currency_scale} decimals, at most 9,999,999.99)."
    return error.detail or str(error.code)


@router.get("/stores/{store_id}/export", name="office_export")
def export_page(request: Request, store_id: str, session: SignedInDep, engine: EngineDep) -> HTMLResponse:
    store = _store(engine, store_id)
    today = datetime.now(UTC).date()
    return _page(request, "export.html", session, store, first=today.replace(day=1), last=today, page="office_export")


ORDER_COLUMNS = ["received_at", "created_at", "terminal_id", "receipt_no", "order_id", "server_seq", "kind", "status",
                 "gross", "currency", "conflicts"]
Z_COLUMNS = ["day", "terminal_id", "z_number", "report_id", "opened_at", "closed_at", "sales_count", "returns_count",
             "gross", "currency", "flags", "received_at"]


@router.get("/stores/{store_id}/export/orders.csv", name="office_export_orders")
def export_orders(request: Request, store_id: str, session: SignedInDep, engine: EngineDep,
                  first: str = "", last: str = "") -> Response:
    return _export(request, session, engine, store_id, first, last, "orders", ORDER_COLUMNS, office_views.orders_between)


@router.get("/stores/{store_id}/export/z-reports.csv", name="office_export_z_reports")
def export_z_reports(request: Request, store_id: str, session: SignedInDep, engine: EngineDep,
                     first: str = "", last: str = "") -> Response:
    return _export(request, session, engine, store_id, first, last, "z-reports", Z_COLUMNS, office_views.z_reports)


def _export(request: Request, session: OfficeSession, engine, store_id: str, first: str, last: str, what: str,
            columns: list[str], read: Callable[..., list[BaseModel]]) -> Response:
    first_day, last_day, error = _days(first, last)
    with read_connection(engine) as conn:
        store = load_store(conn, store_id)
        rows = [] if error else read(conn, store_id, first_day, last_day)
    if error:
        return _page(request, "export.html", session, store, first=first_day, last=last_day, error=error,
                     page="office_export", status_code=422)
    filename = f"{store_id}-{what}-{first_day.isoformat()}-{last_day.isoformat()}.csv"
    return StreamingResponse(_csv(columns, rows), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv(columns: list[str], rows: Iterable[BaseModel]) -> Iterable[str]:
    """Machine-readable: ISO times in UTC, amounts as plain decimals with their currency column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        values = row.model_dump(mode="json")
        writer.writerow([" ".join(v) if isinstance(v := values[c], list) else v for c in columns])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# -- wiring ---------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    from . import audit_page, staff_page  # they build on this module's routes and helpers

    app.include_router(router)
    app.include_router(staff_page.router)
    app.include_router(audit_page.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="office_static")
