"""Catalog deltas for terminals, paged by SKU (README "Catalog paging"), with ETag / If-None-Match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...core.errors import validation_failed
from ...db.session import read_connection
from ...services import catalog
from ...services.context import StoreSettings
from pos_protocol.wire import CATALOG_PAGE_DEFAULT, CATALOG_PAGE_MAX, CatalogDelta
from ..deps import EngineDep, StoreDep, TerminalDep
from ..openapi import SIGNED, problems

router = APIRouter(tags=["catalog"])

CURSOR_MAX_LENGTH = 1024


def _etag(store_id: str, version: int) -> str:
    return f'"{store_id}-{version}"'


@router.get(
    paths.CATALOG,
    response_model=CatalogDelta,
    responses={
        200: {"description": "One page of the delta; `next_cursor` asks for the next one (null on the last page)"},
        304: {"description": "First page only: nothing changed after `since`, or `If-None-Match` names the current version"},
        **problems(*SIGNED, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE),
    },
)
def get_catalog(
    caller: TerminalDep,
    store: StoreDep,
    engine: EngineDep,
    since: Annotated[int, Query(ge=0, le=2**62, description="The catalog version the till has (0: none)")] = 0,
    cursor: Annotated[str | None, Query(
        min_length=1, max_length=CURSOR_MAX_LENGTH,
        description="The previous page's `next_cursor`, sent with the same `since`; absent on a pull's first page. "
                    "A cursor that is unreadable, of another store or of another `since` is 422 validation_failed",
    )] = None,
    limit: Annotated[int | None, Query(
        ge=1, le=CATALOG_PAGE_MAX,
        description=f"Most entries (items plus removed) per page. A first page without it is the whole delta "
                    f"in one page (as before paging); with a cursor the default is {CATALOG_PAGE_DEFAULT}",
    )] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> CatalogDelta | Response:
    """What changed after catalog version `since`, in pages ordered by SKU; 304 when nothing did.

    The first page fixes the pull's target version (`version`, the store's version then);
    every page of the pull covers (since, version] whatever is written meanwhile."""
    if cursor is not None:
        page = _page_cursor(cursor, store, since)
        with read_connection(engine) as conn:
            delta = catalog.delta(conn, store.store_id, since, page.target, after=page.after,
                                  limit=limit or CATALOG_PAGE_DEFAULT)
        return _json(delta)
    # The version came with the caller's store row; the pull is pinned to it.
    etag = _etag(store.store_id, store.catalog_version)
    tags = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",")}
    if (since and since >= store.catalog_version) or etag in tags:
        return Response(status_code=304, headers={"ETag": etag})
    with read_connection(engine) as conn:
        delta = catalog.delta(conn, store.store_id, since, store.catalog_version, limit=limit)
    return _json(delta, {"ETag": etag})


def _json(delta: CatalogDelta, headers: dict[str, str] | None = None) -> Response:
    # Serialized once, by pydantic: FastAPI would validate the model again and encode it
    # through Python dicts, a quarter of a full pull's time (`response_model` still
    # documents the body).
    return Response(delta.model_dump_json(), media_type="application/json", headers=headers)


def _page_cursor(cursor: str, store: StoreSettings, since: int) -> catalog.PageCursor:
    try:
        page = catalog.decode_cursor(cursor)
    except ValueError:
        raise validation_failed("cursor: not a cursor of this server; start the pull again without one") from None
    if page.store_id != store.store_id:
        raise validation_failed("cursor: not a cursor of this store; start the pull again without one")
    if page.since != since:
        raise validation_failed(f"cursor: made for since={page.since}, not since={since}; send the same since "
                                "on every page of a pull")
    if page.target > store.catalog_version:
        raise validation_failed("cursor: ahead of this server's catalog; start the pull again without one")
    return page
