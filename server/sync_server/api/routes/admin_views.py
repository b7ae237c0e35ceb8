"""What the back office shows, as JSON for the admin token (`GET /v1/admin/...`): the same
reads (`services.office_views`) as the pages, so a script sees what the office sees."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from pos_protocol import paths
from pos_protocol.codes import ErrorCode
from pos_protocol.wire import CatalogItem

from ...core.errors import validation_failed
from ...db.session import read_connection
from ...services import catalog, office_views
from ...services.office_views import HeldOrder, OrderSummary, StoreSummary, TerminalStatus
from ..deps import AdminDep, EngineDep
from ..openapi import problems
from .admin import StoreId

router = APIRouter(
    tags=["admin"],
    dependencies=[AdminDep],
    responses=problems(ErrorCode.UNAUTHORIZED, ErrorCode.ADMIN_DISABLED, ErrorCode.STORE_UNKNOWN,
                       ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE),
)

Day = Annotated[date | None, Query(description="a UTC day, YYYY-MM-DD (default: today)")]


def _range(first: date | None, last: date | None) -> tuple[date, date]:
    first = first or datetime.now(UTC).date()
    last = last or first
    try:
        office_views.day_range(first, last)
    except ValueError as exc:
        raise validation_failed(str(exc)) from None
    return first, last


@router.get(paths.ADMIN_STORES, response_model=list[StoreSummary])
def get_stores(engine: EngineDep) -> list[StoreSummary]:
    """Every store with its count of active terminals and held orders."""
    with read_connection(engine) as conn:
        return office_views.list_stores(conn)


@router.get(paths.ADMIN_TERMINAL_STATUS, response_model=list[TerminalStatus])
def get_terminal_status(store_id: StoreId, engine: EngineDep) -> list[TerminalStatus]:
    """The store's terminals with their last heartbeat: queue depth, oldest pending age, devices."""
    with read_connection(engine) as conn:
        return office_views.terminal_status(conn, store_id)


@router.get(paths.ADMIN_HELD_ORDERS, response_model=list[HeldOrder])
def get_held_orders(store_id: StoreId, engine: EngineDep) -> list[HeldOrder]:
    """Held orders, oldest first, each conflict with the till's and the server's value and the money difference."""
    with read_connection(engine) as conn:
        return office_views.held_orders(conn, store_id)


# The store's Z reports as JSON: routes/admin.py (with their reconciliation).


@router.get(paths.ADMIN_STORE_ORDERS, response_model=list[OrderSummary])
def get_orders(store_id: StoreId, engine: EngineDep, first: Day = None, last: Day = None) -> list[OrderSummary]:
    """Orders rung on the days `first`..`last` (UTC, the till's created_at; at most a year), by arrival."""
    first, last = _range(first, last)
    with read_connection(engine) as conn:
        return office_views.orders_between(conn, store_id, first, last)


@router.get(paths.ADMIN_ITEMS, response_model=list[CatalogItem])
def get_items(store_id: StoreId, engine: EngineDep,
              q: Annotated[str, Query(min_length=1, max_length=200, description="words the item must all contain")]
              ) -> list[CatalogItem]:
    """Catalog search: items whose SKU, name, category or barcodes contain every word (at most 50)."""
    with read_connection(engine) as conn:
        return catalog.search_items(conn, store_id, q)
