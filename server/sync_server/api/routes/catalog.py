"""Catalog deltas for terminals, with ETag / If-None-Match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from pos_protocol import paths
from pos_protocol.codes import ErrorCode

from ...db.session import read_connection
from ...services import catalog
from pos_protocol.wire import CatalogDelta
from ..deps import EngineDep, StoreDep, TerminalDep
from ..openapi import SIGNED, problems

router = APIRouter(tags=["catalog"])


def _etag(store_id: str, version: int) -> str:
    return f'"{store_id}-{version}"'


@router.get(
    paths.CATALOG,
    response_model=CatalogDelta,
    responses={304: {"description": "Nothing changed after `since`"},
               **problems(*SIGNED, ErrorCode.VALIDATION_FAILED, ErrorCode.DATABASE_UNAVAILABLE)},
)
def get_catalog(
    caller: TerminalDep,
    store: StoreDep,
    engine: EngineDep,
    response: Response,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    if_none_match: Annotated[str | None, Header()] = None,
) -> CatalogDelta | Response:
    """What changed after catalog version `since`; 304 when nothing did."""
    # The version came with the caller's store row; the delta is read up to that version's view.
    etag = _etag(store.store_id, store.catalog_version)
    tags = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",")}
    if (since and since >= store.catalog_version) or etag in tags:
        return Response(status_code=304, headers={"ETag": etag})
    with read_connection(engine) as conn:
        delta = catalog.delta(conn, store.store_id, since, store.catalog_version)
    response.headers["ETag"] = etag
    return delta
