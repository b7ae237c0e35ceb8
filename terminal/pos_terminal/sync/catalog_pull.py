"""Catalog pull: fetch what changed since the local version, page by page, and store it.

The till keeps selling while it pulls (the pull runs on the sync thread; the sale path
reads committed rows). Each page lands in one transaction together with the pull's cursor
(`store.catalog.CatalogStore.apply_page`), so a pull killed mid-way resumes at the first
page it had not committed, and the pull's target version is recorded only with its last
page (README "Catalog paging"). After each commit a `CatalogUpdated` event tells the rest
of the till (the UI refreshes what it shows); there is no second copy to update.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pos_protocol import wire
from pos_terminal.store.catalog import CatalogDeltaError, CatalogStore
from pos_terminal.store.db import Database

from .client import ProblemReply, SyncClient
from .events import CatalogUpdated, EventHub

log = logging.getLogger(__name__)

__all__ = ["CatalogDeltaError", "CatalogPuller", "PullResult"]


@dataclass(frozen=True)
class PullResult:
    version: int  # the catalog version the till sells from now
    changed: bool  # at least one page was applied
    pages: int = 0
    upserted: int = 0
    removed: int = 0
    more: bool = False  # stopped at `max_pages` with pages still to fetch


class CatalogPuller:
    def __init__(self, catalog: CatalogStore | Database, client: SyncClient,
                 events: EventHub | None = None, *, page_size: int = wire.CATALOG_PAGE_DEFAULT) -> None:
        self.store = catalog if isinstance(catalog, CatalogStore) else CatalogStore.of(catalog)
        self.client = client
        self.events = events or EventHub()
        self.page_size = page_size

    def pull_once(self, max_pages: int | None = None) -> PullResult:
        """Fetch and apply pages until the last one (or `max_pages`, then `more` is True and
        the next call goes on from the stored cursor). SyncError when the server is away:
        what was applied stays, and the next pull resumes after it."""
        state = self.store.pull_state()
        cursor, pages, upserted, removed = state.cursor, 0, 0, 0
        while max_pages is None or pages < max_pages:
            try:
                pulled = self.client.catalog_page(state.version, cursor, self.page_size,
                                                  etag=None if cursor else state.etag)
            except ProblemReply as exc:
                if cursor is None or exc.reply.status != 422:
                    raise
                # The server no longer reads our cursor (e.g. it was replaced): start the
                # pull again from the recorded version; re-applying a page changes nothing.
                log.warning("catalog pull: the server refused the stored cursor (%s); starting over", exc)
                self.store.drop_cursor()
                cursor = None
                continue
            page = pulled.delta
            if page is None:  # 304: nothing changed since the recorded version
                break
            if page.next_cursor is not None and page.next_cursor == cursor:
                raise CatalogDeltaError("the server sent the same catalog cursor again")
            applied = self.store.apply_page(page, pulled.etag)
            pages, upserted, removed = pages + 1, upserted + len(applied.upserted), removed + len(applied.removed)
            self.events.emit(CatalogUpdated(applied.upserted, applied.removed, applied.rerated, applied.version))
            cursor = page.next_cursor
            if cursor is None:
                log.info("catalog %s -> %s: %d page(s), %d upserted, %d removed", state.version,
                         page.version, pages, upserted, removed)
                return PullResult(page.version, True, pages, upserted, removed)
        more = cursor is not None and max_pages is not None and pages >= max_pages
        return PullResult(state.version, pages > 0, pages, upserted, removed, more=more)
