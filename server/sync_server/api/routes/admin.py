"""Admin endpoints (Authorization: Bearer <admin token>): stores, items, stock, users, codes, terminals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from pos_protocol import paths
from pos_protocol.codes import ErrorCode, ReconciliationStatus

from ...db.session import read_connection, write_transaction
from ...core.errors import validation_failed
from ...services import audit, audit_search, catalog, office_views, staff, stores, terminals, zreports
from ...services.office_journal import ADMIN_TOKEN_ACTOR, OfficeAction, record
from pos_protocol.wire import (
    CatalogCategory,
    CategoryOut,
    CategorySet,
    EnrollmentCodeOut,
    ItemUpsert,
    StockOut,
    StockSet,
    StaffPinSet,
    StoreOut,
    StoreUpsert,
    StoreUserOut,
    StoreUserPut,
    AuditHead,
    TerminalOut,
    ZReportOut,
)
from ..deps import AdminDep, EngineDep, SettingsDep
from ..openapi import problems
from ..ratelimit import RateLimit

router = APIRouter(
    tags=["admin"],
    # Counted before the token is checked: a guess costs as much as a request.
    dependencies=[Depends(RateLimit("admin")), AdminDep],
    responses=problems(
        ErrorCode.RATE_LIMITED, ErrorCode.UNAUTHORIZED, ErrorCode.ADMIN_DISABLED, ErrorCode.STORE_UNKNOWN, ErrorCode.ITEM_UNKNOWN,
        ErrorCode.STOCK_UNKNOWN, ErrorCode.TERMINAL_UNKNOWN, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.VALIDATION_FAILED,
        ErrorCode.DATABASE_UNAVAILABLE,
    ),
)

StoreId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Sku = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class ItemUpserted(BaseModel):
    store_id: str
    sku: str
    catalog_version: int


class TerminalRevoked(BaseModel):
    terminal_id: str
    revoked_at: datetime


@router.put(paths.ADMIN_STORE, response_model=StoreOut, responses={201: {"model": StoreOut}})
def put_store(store_id: StoreId, body: StoreUpsert, engine: EngineDep, response: Response) -> StoreOut:
    with write_transaction(engine) as conn:
        out, created = stores.upsert_store(conn, store_id, body)
    response.status_code = 201 if created else 200
    return out


@router.put(paths.ADMIN_ITEM, response_model=ItemUpserted)
def put_item(store_id: StoreId, sku: Sku, body: ItemUpsert, engine: EngineDep) -> ItemUpserted:
    """Upsert an item or its price under a new catalog version (price history is kept)."""
    with write_transaction(engine) as conn:
        version = catalog.next_version(conn, store_id)
        catalog.upsert_item(conn, store_id, sku, body, version)
    return ItemUpserted(store_id=store_id, sku=sku, catalog_version=version)


@router.delete(paths.ADMIN_ITEM, response_model=ItemUpserted)
def delete_item(store_id: StoreId, sku: Sku, engine: EngineDep) -> ItemUpserted:
    """Remove an item from the catalog (terminals see it in `removed`)."""
    with write_transaction(engine) as conn:
        version = catalog.remove_item(conn, store_id, sku)
    return ItemUpserted(store_id=store_id, sku=sku, catalog_version=version)


@router.put(paths.ADMIN_CATEGORIES, response_model=CategoryOut)
def put_category(store_id: StoreId, body: CategorySet, engine: EngineDep) -> CategoryOut:
    """Set a category's tile colour and its position among the categories on the tills
    (by position, then name) under a new catalog version: tills get it with their next pull."""
    with write_transaction(engine) as conn:
        return catalog.set_category(conn, store_id, body)


@router.get(paths.ADMIN_CATEGORIES, response_model=list[CatalogCategory])
def get_categories(store_id: StoreId, engine: EngineDep) -> list[CatalogCategory]:
    """The store's categories that have a colour or position set, by position and name."""
    with read_connection(engine) as conn:
        return catalog.list_categories(conn, store_id)


@router.put(paths.ADMIN_STOCK, response_model=StockOut)
def put_stock(store_id: StoreId, sku: Sku, body: StockSet, engine: EngineDep) -> StockOut:
    with write_transaction(engine) as conn:
        return stores.set_stock(conn, store_id, sku, body)


@router.get(paths.ADMIN_STOCK, response_model=StockOut)
def get_stock(store_id: StoreId, sku: Sku, engine: EngineDep) -> StockOut:
    with read_connection(engine) as conn:
        return stores.get_stock(conn, store_id, sku)


@router.get(paths.ADMIN_USERS, response_model=list[StoreUserOut])
def get_users(store_id: StoreId, engine: EngineDep) -> list[StoreUserOut]:
    """The store's staff list (removed users left out; PIN hashes never shown)."""
    with read_connection(engine) as conn:
        return staff.list_users(conn, store_id)


@router.put(paths.ADMIN_USER, response_model=StoreUserOut, responses={201: {"model": StoreUserOut}})
def put_user(store_id: StoreId, user_id: StoreId, body: StoreUserPut, engine: EngineDep,
             response: Response) -> StoreUserOut:
    """Add or update a store user (role, and a PIN as its scrypt hash); tills receive the
    change with their next staff pull, and the server checks approvers against this list."""
    with write_transaction(engine) as conn:
        out, created = staff.put_user(conn, store_id, user_id, body)
        record(conn, store_id, ADMIN_TOKEN_ACTOR, OfficeAction.STAFF_ADD if created else OfficeAction.STAFF_UPDATE,
               user_id, name=body.name, role=body.role.value, pin_set=body.pin_hash is not None)
    response.status_code = 201 if created else 200
    return out


@router.delete(paths.ADMIN_USER, response_model=StoreUserOut, responses=problems(ErrorCode.USER_UNKNOWN))
def delete_user(store_id: StoreId, user_id: StoreId, engine: EngineDep) -> StoreUserOut:
    """Remove a user: tills refuse them once they hear of it; they approve nothing here."""
    with write_transaction(engine) as conn:
        out = staff.remove_user(conn, store_id, user_id)
        record(conn, store_id, ADMIN_TOKEN_ACTOR, OfficeAction.STAFF_REMOVE, user_id)
        return out


@router.put(paths.ADMIN_USER_PIN, response_model=StoreUserOut, responses=problems(ErrorCode.USER_UNKNOWN))
def put_user_pin(store_id: StoreId, user_id: StoreId, body: StaffPinSet, engine: EngineDep) -> StoreUserOut:
    """A new PIN, sent as its hash (`pos_protocol.pins.hash_pin`); it also unlocks the user."""
    with write_transaction(engine) as conn:
        out = staff.set_pin(conn, store_id, user_id, body.pin_hash)
        record(conn, store_id, ADMIN_TOKEN_ACTOR, OfficeAction.STAFF_SET_PIN, user_id)
        return out


@router.post(paths.ADMIN_USER_UNLOCK, response_model=StoreUserOut, responses=problems(ErrorCode.USER_UNKNOWN))
def unlock_user(store_id: StoreId, user_id: StoreId, engine: EngineDep) -> StoreUserOut:
    """Unlock on every till: clears a lock set here and a till's lockout after wrong PINs."""
    with write_transaction(engine) as conn:
        out = staff.set_locked(conn, store_id, user_id, False)
        record(conn, store_id, ADMIN_TOKEN_ACTOR, OfficeAction.STAFF_UNLOCK, user_id)
        return out


@router.post(paths.ADMIN_USER_LOCK, response_model=StoreUserOut, responses=problems(ErrorCode.USER_UNKNOWN))
def lock_user(store_id: StoreId, user_id: StoreId, engine: EngineDep) -> StoreUserOut:
    """Lock a user on every till until unlocked (they stay on the list)."""
    with write_transaction(engine) as conn:
        out = staff.set_locked(conn, store_id, user_id, True)
        record(conn, store_id, ADMIN_TOKEN_ACTOR, OfficeAction.STAFF_LOCK, user_id)
        return out


@router.post(paths.ADMIN_ENROLLMENT_CODES, status_code=201, response_model=EnrollmentCodeOut)
def post_enrollment_code(store_id: StoreId, engine: EngineDep, settings: SettingsDep) -> EnrollmentCodeOut:
    with write_transaction(engine) as conn:
        return terminals.create_enrollment_code(conn, store_id, settings.enrollment_code_ttl_s)


@router.get(paths.ADMIN_STORE_TERMINALS, response_model=list[TerminalOut])
def get_terminals(store_id: StoreId, engine: EngineDep) -> list[TerminalOut]:
    """The store's terminals with when they enrolled and last sent a heartbeat: one never
    heard from is an orphan (e.g. its enrollment answer was lost); revoke it."""
    with read_connection(engine) as conn:
        return terminals.list_terminals(conn, store_id)


@router.post(paths.ADMIN_TERMINAL_REVOKE, response_model=TerminalRevoked)
def revoke_terminal(terminal_id: StoreId, engine: EngineDep) -> TerminalRevoked:
    with write_transaction(engine) as conn:
        return TerminalRevoked(terminal_id=terminal_id, revoked_at=terminals.revoke(conn, terminal_id))


@router.get(paths.ADMIN_STORE_Z_REPORTS, response_model=list[ZReportOut])
def get_z_reports(
    store_id: StoreId, engine: EngineDep,
    day: Annotated[date | None, Query(alias="date", description="UTC day the reports were closed (YYYY-MM-DD)")] = None,
    first: Annotated[date | None, Query(description="first UTC day of a range (the back office's view)")] = None,
    last: Annotated[date | None, Query(description="last UTC day of a range (default: `first`)")] = None,
    terminal_id: Annotated[str | None, Query(max_length=64)] = None,
    reconciliation: Annotated[ReconciliationStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ZReportOut]:
    """The store's Z reports, newest first, with their reconciliation against the orders the
    server holds: `mismatched` (flag Z_MISMATCH) lists the orders still missing and every
    figure that differs; it turns `reconciled` once they arrive. One day (`date`) or a range
    of days (`first`..`last`, at most a year)."""
    if day is not None:
        first = last = day
    elif first is not None or last is not None:
        first = first or last
        last = last or first
        try:
            office_views.day_range(first, last)  # type: ignore[arg-type]
        except ValueError as exc:
            raise validation_failed(str(exc)) from None
    with read_connection(engine) as conn:
        return zreports.list_z_reports(conn, store_id, first, last, terminal_id, reconciliation, limit)


@router.get(paths.ADMIN_STORE_AUDIT_HEADS, response_model=list[AuditHead])
def get_audit_heads(store_id: StoreId, engine: EngineDep) -> list[AuditHead]:
    """The head of each terminal's shipped audit journal; AUDIT_CHAIN_BROKEN ones first,
    with the first broken entry and why (the journal was cut and written on, or rewritten)."""
    with read_connection(engine) as conn:
        return audit.list_heads(conn, store_id)


@router.get(paths.ADMIN_STORE_AUDIT_ENTRIES, response_model=audit_search.AuditPage)
def get_audit_entries(
    store_id: StoreId, engine: EngineDep,
    terminal_id: Annotated[str | None, Query(max_length=64, description="one terminal's journal only")] = None,
    first: Annotated[date | None, Query(description="first UTC day (YYYY-MM-DD)")] = None,
    last: Annotated[date | None, Query(description="last UTC day (default: `first`)")] = None,
    action: Annotated[str | None, Query(max_length=64, description="an action or its start, e.g. `sale` or `staff.`")] = None,
    actor: Annotated[str | None, Query(max_length=64, description="a till's staff member or an office user")] = None,
    source: Annotated[audit_search.Source | None, Query(description="`till` journals or the `office`'s own")] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = audit_search.PAGE_SIZE,
) -> audit_search.AuditPage:
    """Audit search, newest first: the tills' shipped journal entries (verified chains only)
    and the office's journal (staff and price changes, resolutions, by office users or the
    admin token), with each terminal's journal head (flagged AUDIT_CHAIN_BROKEN ones first)."""
    if first is not None and last is not None and last < first:
        raise validation_failed(f"the range ends ({last}) before it starts ({first})")
    query = audit_search.AuditQuery(terminal_id=terminal_id, first=first, last=last or first, action=action,
                                    actor=actor, source=source, offset=offset, limit=limit)
    with read_connection(engine) as conn:
        return audit_search.search(conn, store_id, query)
